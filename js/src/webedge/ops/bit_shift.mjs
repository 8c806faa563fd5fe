// BitShift LEFT or RIGHT on unsigned integer tensors, with numpy broadcasting (bitwise.mjs's loop).
import { BITS, bitwiseBinary, bitwiseShape } from './bitwise.mjs';

// A shift by a negative amount or by the width of the type or more leaves only the sign fill:
// -1 for a right shift of a negative value, 0 otherwise. Right shifts of signed types are
// arithmetic; unsigned values read as non-negative numbers, so `>>` on them is logical.
function run(js, node, [x, s], [y]) {
  const left = node.attrs.direction === 'LEFT';
  if (!left && node.attrs.direction !== 'RIGHT') throw new Error(`BitShift direction '${node.attrs.direction}'`);
  const bits = BITS[x.dtype];
  if (bits === 64) {
    const w = 64n;
    const fn = left
      ? (v, k) => (k < 0n || k >= w ? 0n : v << k)
      : (v, k) => (k < 0n || k >= w ? (v < 0n ? -1n : 0n) : v >> k);
    return bitwiseBinary(x, s, y, fn);
  }
  const fn = left
    ? (v, k) => (k < 0 || k >= bits ? 0 : v << k)
    : (v, k) => (k < 0 || k >= bits ? (v < 0 ? -1 : 0) : x.dtype === 'uint32' ? v >>> k : v >> k);
  return bitwiseBinary(x, s, y, fn);
}

export const units = [{ op: 'BitShift', shape: bitwiseShape, js: { run } }];
