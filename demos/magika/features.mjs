// Magika's model input from a file, in the browser: the first and last `block_size` bytes are read
// (never the middle, so a 2 GB file costs two small reads), ASCII whitespace is stripped from the
// start of the first block and the end of the last, 1024 bytes are kept from each end and padded
// with the padding token (256). The same layout as webedge/magika_features.py, which follows the
// standard_v3_3 config (beg_size 1024, end_size 1024, block_size 4096, padding_token 256).
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]); // Python's bytes.strip() set

export async function featuresOf(file, cfg) {
  const { beg_size: begSize, end_size: endSize, block_size: block, padding_token: pad } = cfg;
  const head = new Uint8Array(await file.slice(0, block).arrayBuffer());
  const tail = new Uint8Array(await file.slice(Math.max(0, file.size - block)).arrayBuffer());
  let a = 0;
  while (a < head.length && WHITESPACE.has(head[a])) a++;
  let b = tail.length;
  while (b > 0 && WHITESPACE.has(tail[b - 1])) b--;
  const beg = head.subarray(a, a + begSize);
  const end = tail.subarray(Math.max(0, b - endSize), b);
  const row = new Int32Array(begSize + endSize).fill(pad);
  row.set(beg, 0);
  row.set(end, begSize + endSize - end.length);
  return row;
}
