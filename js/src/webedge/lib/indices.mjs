// Index arithmetic shared by the gather and scatter ops: bounds-checked indices (negative from
// the end), the offsets named by index tuples, and the scatter reductions.
import { halfToNumber, numberToHalf } from './values.mjs';

/** Index i along a dim of n (negative from the end); out of range throws. */
export function fix(i, n) {
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw new Error(`index ${i} out of range [-${n}, ${n})`);
  return j;
}

// Offsets into a tensor of `xDims` (strides `xs`) named by the index tuples in the last dim of
// `ids` (k entries each), for the tuples [from, from + count).
export function tupleOffsets(ids, k, xDims, xs, from, count) {
  const offs = new Array(count);
  for (let j = 0; j < count; j++) {
    let off = 0;
    for (let i = 0; i < k; i++) off += fix(ids[(from + j) * k + i], xDims[i]) * xs[i];
    offs[j] = off;
  }
  return offs;
}

// Scatter reductions on stored values; float16 is decoded, combined and encoded again.
const REDUCE = {
  none: (a, b) => b, add: (a, b) => a + b, mul: (a, b) => a * b,
  max: (a, b) => (a > b ? a : b), min: (a, b) => (a < b ? a : b),
};
export function reducer(name, dtype) {
  const fn = REDUCE[name ?? 'none'];
  if (!fn) throw new Error(`reduction '${name}' is not supported`);
  if (dtype === 'float16' && name && name !== 'none') return (a, b) => numberToHalf(fn(halfToNumber(a), halfToNumber(b)));
  if (dtype === 'bool' && name === 'add') return (a, b) => a | b; // numpy: sum of bools saturates
  if (dtype === 'bool' && name === 'mul') return (a, b) => a & b;
  return fn;
}
