// The low-precision ONNX element types, encoded and decoded. The runtime keeps each one element
// per typed-array slot, in its storage bits: bfloat16 as Uint16Array bit patterns; float8 (e4m3fn,
// e4m3fnuz, e5m2, e5m2fnuz, e8m0) and float4e2m1 as Uint8Array codes; int4/int2 as Int8Array values
// and uint4/uint2 as Uint8Array values (lib/dtypes.mjs has the storage table and the sub-byte
// pack/unpack at the edges).
//
// Encoding follows the ONNX Cast spec: round to nearest even; float8 `saturate` (overflow and
// +-Inf go to +-max when set; when not, to Inf where the format has it, else NaN); fnuz formats
// have no -0 and one NaN (0x80); float4e2m1 has neither Inf nor NaN (both, and overflow, go to
// +-6; NaN to +6, docs/technical/float4.md); float8e8m0 uses Cast's `round_mode` and the bit rules
// of onnx.numpy_helper.to_float8e8m0; int4/int2 round to nearest even and keep the low bits
// (docs/technical/int4.md, int2.md).

// Sign + exponent + mantissa formats. max: the largest finite magnitude code; inf: the +Inf code
// (null: none); nan: the +NaN code (null: none); fnuz: no -0, and the sign bit alone is NaN.
const FORMATS = {
  bfloat16: { e: 8, m: 7, bias: 127, max: 0x7f7f, inf: 0x7f80, nan: 0x7fc0, fnuz: false },
  float8e4m3fn: { e: 4, m: 3, bias: 7, max: 0x7e, inf: null, nan: 0x7f, fnuz: false },
  float8e4m3fnuz: { e: 4, m: 3, bias: 8, max: 0x7f, inf: null, nan: 0x80, fnuz: true },
  float8e5m2: { e: 5, m: 2, bias: 15, max: 0x7b, inf: 0x7c, nan: 0x7e, fnuz: false },
  float8e5m2fnuz: { e: 5, m: 2, bias: 16, max: 0x7f, inf: null, nan: 0x80, fnuz: true },
  float4e2m1: { e: 2, m: 1, bias: 1, max: 0x7, inf: null, nan: null, fnuz: false },
};
// Cast's `saturate` applies to the float8 formats only; float4e2m1 always saturates, bfloat16 never.
const SATURATES = { float4e2m1: true, bfloat16: false };
// The integer sub-byte types: [bits, signed] (float4e2m1 is a float format above).
const SUB_BYTE_INTS = { int4: [4, true], uint4: [4, false], int2: [2, true], uint2: [2, false] };

export const isLowpFloat = (dtype) => dtype in FORMATS || dtype === 'float8e8m0';
export const isLowp = (dtype) => isLowpFloat(dtype) || dtype in SUB_BYTE_INTS;

const f64 = new Float64Array(1);
const hi32 = new Uint32Array(f64.buffer); // [lo, hi] on little-endian hosts (all browsers)
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

// Round half to even (JS's Math.round rounds halves up).
export function roundEven(v) {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function decodeMini(f, code) {
  const signBit = 1 << (f.e + f.m);
  const mag = code & (signBit - 1);
  if (f.fnuz && code === signBit) return NaN;
  if (mag === f.inf) return code & signBit ? -Infinity : Infinity;
  if (mag > f.max) return NaN;
  const exp = mag >> f.m;
  const mant = mag & ((1 << f.m) - 1);
  const v = exp === 0 ? mant * 2 ** (1 - f.bias - f.m) : ((1 << f.m) + mant) * 2 ** (exp - f.bias - f.m);
  return code & signBit ? -v : v;
}

// The code of number v, rounded to nearest even. nanNegative: the sign of a NaN v (JS numbers
// do not carry it reliably; the caller reads it from the source bits).
function encodeMini(f, v, saturate, nanNegative) {
  const signBit = 1 << (f.e + f.m);
  if (v !== v) return f.nan === null ? f.max : f.fnuz ? f.nan : f.nan | (nanNegative ? signBit : 0);
  const sign = v < 0 || (v === 0 && 1 / v < 0) ? signBit : 0;
  const a = Math.abs(v);
  let mag = Infinity;
  if (a !== Infinity) {
    f64[0] = a;
    const e = Math.max(((hi32[1] >>> 20) & 0x7ff) - 1023, 1 - f.bias); // binade of a, or the subnormal one
    const n = a * 2 ** (f.m - e); // a in units of the last mantissa bit there (exact: a power-of-two scale)
    const r = roundEven(n);
    mag = r < 1 << f.m ? r : ((e + f.bias) << f.m) + r - (1 << f.m); // a carry into the next binade just works
  }
  if (mag > f.max) {
    if (saturate || (f.inf === null && f.nan === null)) return f.max | sign;
    return f.inf !== null ? f.inf | sign : f.fnuz ? f.nan : f.nan | sign;
  }
  if (mag === 0 && f.fnuz) return 0;
  return mag | sign;
}

// float8e8m0 (a power of two, 2^(code-127); 0xff is NaN): the float32 exponent, rounded as
// round_mode says, exactly as onnx.numpy_helper.to_float8e8m0 (the sign is ignored).
function encodeE8M0(v, saturate, roundMode) {
  f32[0] = v;
  const b = u32[0];
  let e = (b >>> 23) & 0xff;
  if (e === 0xff) return 0xff;
  let up = false;
  if (roundMode === 'up') up = (b & 0x7fffff) !== 0;
  else if (roundMode === 'nearest') up = (b & 0x400000) !== 0 && ((b & 0x3fffff) !== 0 || e > 0);
  else if (roundMode !== 'down') throw new Error(`round_mode '${roundMode}' is not one of up, down, nearest`);
  if (up && !(saturate && e === 0xfe)) e++;
  return e;
}

const tables = {};

// Stored element -> JS number, for a low-precision dtype.
export function decoder(dtype) {
  if (dtype === 'bfloat16') {
    return (h) => {
      u32[0] = h << 16;
      return f32[0];
    };
  }
  if (dtype === 'float8e8m0') return (c) => (c === 0xff ? NaN : 2 ** (c - 127));
  const f = FORMATS[dtype];
  if (f) {
    const t = (tables[dtype] ??= Float64Array.from({ length: 1 << (1 + f.e + f.m) }, (_, c) => decodeMini(f, c)));
    return (c) => t[c];
  }
  if (dtype in SUB_BYTE_INTS) return (v) => v; // int4/int2 values are stored as they are
  throw new Error(`no decoder for dtype ${dtype}`);
}

// JS number -> stored element, for a low-precision dtype. The returned function takes the sign of
// a NaN as its second argument. opts: Cast's saturate (float8, default true) and round_mode
// (float8e8m0, default 'up').
export function encoder(dtype, { saturate = true, roundMode = 'up' } = {}) {
  if (dtype === 'float8e8m0') return (v) => encodeE8M0(v, saturate, roundMode);
  const f = FORMATS[dtype];
  if (f) {
    const sat = SATURATES[dtype] ?? !!saturate;
    return (v, nanNegative) => encodeMini(f, v, sat, nanNegative);
  }
  const sub = SUB_BYTE_INTS[dtype];
  if (sub) {
    const [bits, signed] = sub;
    const mask = (1 << bits) - 1;
    const half = 1 << (bits - 1);
    return signed ? (v) => (((roundEven(v) & mask) ^ half) - half) : (v) => roundEven(v) & mask; // NaN, Inf -> 0
  }
  throw new Error(`no encoder for dtype ${dtype}`);
}
