// The one dtype table of the runtime: for every element type it stores, the ONNX TensorProto
// enum, the typed array that holds one element per slot, and the bits per element in ONNX's
// layout. float16, bfloat16 and the float8/float4 types keep their storage bits (Uint16Array,
// Uint8Array); int4/int2 keep their values (Int8Array/Uint8Array, lib/lowp.mjs has the codecs).
// ONNX packs the sub-byte types two (4-bit) or four (2-bit) to a byte, first element in the least
// significant bits: `unpack` and `pack` convert at the edges (weights, constants, test I/O).

// name: [TensorProto.DataType, typed array, bits per element]
const TABLE = {
  float32: [1, Float32Array, 32], uint8: [2, Uint8Array, 8], int8: [3, Int8Array, 8], uint16: [4, Uint16Array, 16],
  int16: [5, Int16Array, 16], int32: [6, Int32Array, 32], int64: [7, BigInt64Array, 64], bool: [9, Uint8Array, 8],
  float16: [10, Uint16Array, 16], float64: [11, Float64Array, 64], uint32: [12, Uint32Array, 32],
  uint64: [13, BigUint64Array, 64], bfloat16: [16, Uint16Array, 16], float8e4m3fn: [17, Uint8Array, 8],
  float8e4m3fnuz: [18, Uint8Array, 8], float8e5m2: [19, Uint8Array, 8], float8e5m2fnuz: [20, Uint8Array, 8],
  uint4: [21, Uint8Array, 4], int4: [22, Int8Array, 4], float4e2m1: [23, Uint8Array, 4], float8e8m0: [24, Uint8Array, 8],
  uint2: [25, Uint8Array, 2], int2: [26, Int8Array, 2],
};

/** dtype name -> typed array constructor */
export const ARRAYS = Object.fromEntries(Object.entries(TABLE).map(([name, [, Arr]]) => [name, Arr]));
/** TensorProto.DataType -> dtype name (as webedge/weights.py spells it) */
export const DTYPE_OF = Object.fromEntries(Object.entries(TABLE).map(([name, [code]]) => [code, name]));
/** dtype name -> bits per element (BitCast's same-width rule, sub-byte packing) */
export const BITS = Object.fromEntries(Object.entries(TABLE).map(([name, [, , bits]]) => [name, bits]));

export const isBig = (dtype) => dtype === 'int64' || dtype === 'uint64';
const SIGNED_SUB_BYTE = new Set(['int4', 'int2']);

/** n elements of a sub-byte dtype from ONNX's packed bytes (one element per slot). */
export function unpack(dtype, bytes, n) {
  const bits = BITS[dtype];
  const per = 8 / bits;
  const mask = (1 << bits) - 1;
  const half = 1 << (bits - 1);
  const signed = SIGNED_SUB_BYTE.has(dtype);
  const out = new ARRAYS[dtype](n);
  for (let i = 0; i < n; i++) {
    const v = (bytes[(i / per) | 0] >> ((i % per) * bits)) & mask;
    out[i] = signed ? (v ^ half) - half : v;
  }
  return out;
}

/** The packed bytes of a sub-byte tensor's elements, padded with zero bits. */
export function pack(dtype, values) {
  const bits = BITS[dtype];
  const per = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / per));
  for (let i = 0; i < values.length; i++) out[(i / per) | 0] |= (values[i] & mask) << ((i % per) * bits);
  return out;
}

/** A typed array of n elements from bytes laid out as ONNX stores them (sub-byte types packed). */
export function fromBytes(dtype, bytes, n) {
  const Arr = ARRAYS[dtype];
  if (!Arr) throw new Error(`no typed array for dtype ${dtype}`);
  if (BITS[dtype] < 8) return unpack(dtype, bytes, n);
  return new Arr(bytes.slice().buffer);
}
