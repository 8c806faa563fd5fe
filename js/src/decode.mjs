// Shard encodings (webedge/compression.py): 'deflate-raw' is inflated by the browser's native
// DecompressionStream; 'shuffle4+deflate-raw' is then un-shuffled, byte planes [0..][1..][2..][3..]
// back into 32-bit words. Entries without `encoding` pass through untouched.
import { WebedgeError } from './errors.mjs';

export async function decodeShard(entry, bytes) {
  if (!entry.encoding) return bytes;
  if (entry.encoding !== 'deflate-raw' && entry.encoding !== 'shuffle4+deflate-raw') {
    throw new WebedgeError(`${entry.file}: unknown encoding '${entry.encoding}'; this runtime is older than the bundle — re-bundle or update webedge`, { file: entry.file });
  }
  if (typeof DecompressionStream === 'undefined') {
    throw new WebedgeError(`${entry.file}: this browser has no DecompressionStream; bundle with --no-compress to support it`, { file: entry.file });
  }
  let inflated;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    inflated = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    throw new WebedgeError(`${entry.file}: could not inflate the shard (${cause.message})`, { file: entry.file, cause });
  }
  if (inflated.length !== entry.size) {
    throw new WebedgeError(`${entry.file}: inflated to ${inflated.length} bytes, manifest says ${entry.size}`, { file: entry.file });
  }
  return entry.encoding === 'shuffle4+deflate-raw' ? unshuffle4(inflated) : inflated;
}

export function unshuffle4(planes) {
  const n4 = planes.length >> 2;
  const out = new Uint8Array(planes.length);
  const words = new Uint32Array(out.buffer, 0, n4); // little-endian: byte j of a word is plane j
  for (let i = 0; i < n4; i++) {
    words[i] = planes[i] | (planes[n4 + i] << 8) | (planes[2 * n4 + i] << 16) | (planes[3 * n4 + i] << 24);
  }
  out.set(planes.subarray(4 * n4), 4 * n4);
  return out;
}
