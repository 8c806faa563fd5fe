// Download one file with byte-level progress, retrying transient failures with backoff.
import { WebedgeError } from './errors.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

async function fetchOnce(url, file, expectedBytes, onBytes, cacheMode) {
  let res;
  try {
    res = await fetch(url, { cache: cacheMode });
  } catch (cause) {
    throw new WebedgeError(`${file}: network error (${cause.message})`, { file, retryable: true, cause });
  }
  if (!res.ok) {
    const hint = res.status === 404 ? ' — the file is missing from the server; upload the whole bundle folder' : '';
    throw new WebedgeError(`${file}: HTTP ${res.status}${hint}`, { file, retryable: RETRYABLE_STATUS.has(res.status) });
  }
  const buf = new Uint8Array(expectedBytes);
  let got = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > expectedBytes) {
        throw new WebedgeError(`${file}: server sent more than the ${expectedBytes} bytes the manifest lists; the bundle is out of date`, { file });
      }
      buf.set(value, got);
      got += value.length;
      onBytes(value.length);
    }
  } catch (cause) {
    onBytes(-got);
    if (cause instanceof WebedgeError) throw cause;
    throw new WebedgeError(`${file}: download interrupted (${cause.message})`, { file, retryable: true, cause });
  }
  if (got !== expectedBytes) {
    onBytes(-got);
    throw new WebedgeError(`${file}: got ${got} of ${expectedBytes} bytes`, { file, retryable: true });
  }
  return buf;
}

export async function fetchBytes(url, { file, bytes, onBytes = () => {}, retries = 3, backoffMs = 250, cacheMode = 'default' }) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchOnce(url, file, bytes, onBytes, cacheMode);
    } catch (err) {
      if (!err.retryable || attempt >= retries) throw err;
      await sleep(backoffMs * 2 ** attempt);
    }
  }
}
