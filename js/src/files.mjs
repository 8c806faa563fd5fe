// Get a list of manifest files ({file, bytes, sha256}) as verified bytes: from the store when
// present, else from the network in parallel (bounded), checking each SHA-256 before use.
import { fetchBytes } from './fetch.mjs';
import { sha256Hex } from './integrity.mjs';
import { WebedgeError } from './errors.mjs';

export function createPool(limit) {
  let active = 0;
  const waiting = [];
  return async function run(task) {
    while (active >= limit) await new Promise((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export async function getVerified(entry, { base, store, pool, progress, phase, stats, retries }) {
  const cached = await store.get(entry.sha256);
  if (cached) {
    if (cached.length === entry.bytes && (await sha256Hex(cached)) === entry.sha256) {
      stats.cacheBytes += cached.length;
      progress.add(phase, cached.length, entry.file);
      return cached;
    }
    await store.delete(entry.sha256); // stale or damaged entry: fetch it again
  }
  const url = new URL(entry.file, base);
  const download = (cacheMode) => pool(() => fetchBytes(url, {
    file: entry.file, bytes: entry.bytes, retries, cacheMode,
    onBytes: (n) => progress.add(phase, n, entry.file),
  }));
  let bytes = await download('default');
  let actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    // A stale HTTP cache can hold an old file under the same name: ask the server once more.
    progress.add(phase, -bytes.length, entry.file);
    bytes = await download('reload');
    actual = await sha256Hex(bytes);
  }
  if (actual !== entry.sha256) {
    throw new WebedgeError(
      `${entry.file}: integrity check failed (SHA-256 ${actual.slice(0, 16)}…, manifest says ${entry.sha256.slice(0, 16)}…); ` +
      'the file on the server is corrupt or from another bundle — upload the bundle again', { file: entry.file });
  }
  stats.networkBytes += bytes.length;
  await store.put(entry.sha256, bytes);
  return bytes;
}
