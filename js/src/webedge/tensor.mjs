// Tensors of the webedge executor. float32 data lives in the shared wasm memory (kernels read
// it by pointer); other dtypes (shape math, indices, masks) live in plain JS typed arrays.
// A view over wasm memory is re-made on every `.data` access: growing memory detaches old views.
// float16 and the low-precision types (bfloat16, float8, float4, int4/int2...: lowp.mjs) hold their
// storage bits, one element per slot.
import { LOWP_ARRAYS, isLowp, decoder, encoder, unpack, subByteBits } from './lowp.mjs';

export const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array, float16: Uint16Array, ...LOWP_ARRAYS,
};

// TensorProto.DataType -> dtype name (as webedge/weights.py spells it), for the types the runtime stores.
export const DTYPE_OF = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16',
  11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz',
  19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1', 24: 'float8e8m0',
  25: 'uint2', 26: 'int2',
};

export const size = (dims) => dims.reduce((a, b) => a * b, 1);

export class Tensor {
  constructor(dtype, dims, { ptr = null, host = null, arena = null } = {}) {
    this.dtype = dtype;
    this.dims = dims;
    this.ptr = ptr;
    this.host = host;
    this.arena = arena;
  }
  get size() {
    return size(this.dims);
  }
  get data() {
    if (this.ptr === null) return this.host;
    return new ARRAYS[this.dtype](this.arena.memory.buffer, this.ptr, this.size);
  }
  // Numbers of a small integer tensor (shapes, axes, indices) as JS numbers.
  numbers() {
    return Array.from(this.data, Number);
  }
}

export function stridesOf(dims) {
  const s = new Array(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

// float16 tensors hold IEEE half bit patterns in a Uint16Array; these convert to and from numbers
// (round to nearest even, overflow to infinity, subnormals kept).
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
  let e = exp - 127 + 15;
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

// The values of a tensor as JS numbers.
export function readNumbers(t) {
  return Array.from(t.data, numberOf(t.dtype));
}

// A host typed array of n elements from bytes laid out as ONNX stores them (sub-byte types packed).
export function fromBytes(dtype, bytes, n) {
  if (subByteBits(dtype)) return unpack(dtype, bytes, n);
  const Arr = ARRAYS[dtype];
  if (!Arr) throw new Error(`no typed array for dtype ${dtype}`);
  return new Arr(bytes.slice().buffer);
}
