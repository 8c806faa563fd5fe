// Helpers (no ops) shared by indexing, bitwise, activation and normalization: reading and writing
// element values as JS numbers whatever the storage (float16 bit patterns, BigInt for 64-bit ints),
// ONNX dtype enums, and the pooling geometry for any number of spatial dims.
import { ARRAYS, halfToNumber, numberToHalf } from '../tensor.mjs';

export const norm = (axis, rank) => (axis < 0 ? axis + rank : axis);
export const isBig = (dtype) => dtype === 'int64' || dtype === 'uint64';

// TensorProto.DataType -> dtype name as the runtime spells it.
export const DTYPE_OF = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16',
  11: 'float64', 12: 'uint32', 13: 'uint64',
};

// float16 bit patterns <-> numbers (the codec lives in tensor.mjs).
export const fromHalf = halfToNumber;
export const toHalf = numberToHalf;

// Values to compute with: the typed array itself, except float16 (decoded into a Float64Array).
// Int64 stays BigInt; callers that need numbers use `numbersOf`.
export function valuesOf(t) {
  return t.dtype === 'float16' ? Float64Array.from(t.data, fromHalf) : t.data;
}

export function numbersOf(t) {
  if (t.dtype === 'float16') return Float64Array.from(t.data, fromHalf);
  if (isBig(t.dtype)) return Float64Array.from(t.data, Number);
  return t.data;
}

// Converts a computed JS number to what a tensor of `dtype` stores (typed arrays wrap/truncate
// plain numbers themselves; float16 and 64-bit ints need an explicit conversion).
export function encoder(dtype) {
  if (dtype === 'float16') return toHalf;
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
  if (t.dtype === 'float16') for (let i = 0; i < d.length; i++) d[i] = toHalf(vals[i]);
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

// Pooling geometry for any number of spatial dims, with the rules of nn.mjs (auto_pad, pads,
// strides, dilations, ceil_mode): the output spatial dims and the leading pad of each dim.
export function poolGeometry(at, spatial, kernel) {
  const n = spatial.length;
  const strides = at.strides ?? new Array(n).fill(1);
  const dil = at.dilations ?? new Array(n).fill(1);
  let pads = at.pads ?? new Array(2 * n).fill(0);
  const autoPad = at.auto_pad ?? 'NOTSET';
  const out = new Array(n);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[i] = Math.ceil(spatial[i] / strides[i]);
      const total = Math.max(0, (out[i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - spatial[i]);
      pads[i] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      pads[i + n] = total - pads[i];
    }
  } else {
    if (autoPad === 'VALID') pads = new Array(2 * n).fill(0);
    const round = at.ceil_mode ? Math.ceil : Math.floor;
    for (let i = 0; i < n; i++) {
      out[i] = round((spatial[i] + pads[i] + pads[i + n] - ((kernel[i] - 1) * dil[i] + 1)) / strides[i]) + 1;
      // ONNX: with ceil_mode the last window must start inside the input or its leading padding.
      if (at.ceil_mode && (out[i] - 1) * strides[i] >= spatial[i] + pads[i]) out[i]--;
    }
  }
  return { out, begin: pads.slice(0, n), strides, dil };
}
