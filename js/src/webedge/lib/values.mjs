// Element values as JS numbers, whatever the storage: float16 bit patterns decoded and encoded
// (round to nearest even, overflow to infinity, subnormals kept), BigInt for 64-bit integers, and
// the loops shared by ops that compute element by element. The low-precision float types have
// their own codecs (lib/lowp.mjs, through lib/numbers.mjs), used only by the ops that convert.
import { ARRAYS, isBig } from './dtypes.mjs';

export { isBig };
export const norm = (axis, rank) => (axis < 0 ? axis + rank : axis);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToNumber(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function numberToHalf(v) {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

// Values to compute with: the typed array itself, except float16 (decoded into a Float64Array).
// Int64 stays BigInt; callers that need numbers use `numbersOf`.
export function valuesOf(t) {
  return t.dtype === 'float16' ? Float64Array.from(t.data, halfToNumber) : t.data;
}

export function numbersOf(t) {
  if (t.dtype === 'float16') return Float64Array.from(t.data, halfToNumber);
  if (isBig(t.dtype)) return Float64Array.from(t.data, Number);
  return t.data;
}

// Converts a computed JS number to what a tensor of `dtype` stores (typed arrays wrap/truncate
// plain numbers themselves; float16 and 64-bit ints need an explicit conversion).
export function encoder(dtype) {
  if (dtype === 'float16') return numberToHalf;
  if (isBig(dtype)) return (v) => BigInt(Number.isFinite(v) ? Math.trunc(v) : 0);
  if (dtype === 'bool') return (v) => (v ? 1 : 0);
  return null;
}

// The stored representation of 0 and 1 in `dtype`.
export const zeroOf = (dtype) => (isBig(dtype) ? 0n : 0);
export const oneOf = (dtype) => (isBig(dtype) ? 1n : dtype === 'float16' ? 0x3c00 : 1);

// A scratch array holding computed values for a tensor of `dtype` (float16 computes in float64).
export const scratchFor = (dtype, n) => (dtype === 'float16' ? new Float64Array(n) : new ARRAYS[dtype](n));

// Write computed values (from `scratchFor` or valuesOf) into `t`.
export function store(t, vals) {
  const d = t.data;
  if (t.dtype === 'float16') for (let i = 0; i < d.length; i++) d[i] = numberToHalf(vals[i]);
  else d.set(vals);
}

// Visit every coordinate of `dims` in row-major order: fn(flatIndex, coords). `coords` is reused.
export function forEachIndex(dims, fn) {
  const total = dims.reduce((a, b) => a * b, 1);
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < total; o++) {
    fn(o, idx);
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
}
