// Stored elements <-> JS numbers for every dtype, the low-precision ones included (lib/lowp.mjs):
// what the converting ops (Cast, QuantizeLinear, DequantizeLinear) read and write.
import { isLowp, decoder, encoder } from './lowp.mjs';
import { halfToNumber, numberToHalf } from './values.mjs';

// Stored element of `dtype` -> JS number (float16 and low-precision floats decoded, 64-bit ints narrowed).
export function numberOf(dtype) {
  if (dtype === 'float16') return halfToNumber;
  if (isLowp(dtype)) return decoder(dtype);
  if (dtype === 'int64' || dtype === 'uint64') return Number;
  return (v) => v;
}

// JS number -> stored element of `dtype` (bool: nonzero, NaN included, is true; integer types
// truncate and typed arrays wrap what does not fit, but int4/int2 round half to even first, as
// ONNX says). opts: Cast's saturate and round_mode for float8 targets. The function takes the
// sign of a NaN as its second argument.
export function storeOf(dtype, opts) {
  if (dtype === 'float16') return (v, nanNegative) => numberToHalf(v) | (v !== v && nanNegative ? 0x8000 : 0);
  if (isLowp(dtype)) return encoder(dtype, opts);
  if (dtype === 'int64' || dtype === 'uint64') return (v) => (Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n);
  if (dtype === 'bool') return (v) => (v !== 0 ? 1 : 0);
  return (v) => v;
}
