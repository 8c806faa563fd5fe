// src/webedge/arena.mjs
var PAGE = 65536;
var MAX_SHARED_PAGES = 32768;
var ALIGN = 16;
function sharedMemory(initial) {
  for (let maximum = MAX_SHARED_PAGES; ; maximum /= 2) {
    try {
      return new WebAssembly.Memory({ initial, maximum, shared: true });
    } catch (err) {
      if (maximum <= 4096) throw err;
    }
  }
}
var Arena = class {
  constructor(initialPages = 32, { shared = false, reserved = PAGE } = {}) {
    const initial = Math.max(initialPages, Math.ceil(reserved / PAGE) + 16);
    this.memory = shared ? sharedMemory(initial) : new WebAssembly.Memory({ initial, maximum: 65536 });
    this.free = [{ start: reserved, end: initial * PAGE }];
    this.sizes = /* @__PURE__ */ new Map();
    this.peak = reserved;
  }
  alloc(bytes) {
    const need = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.end - b.start >= need) {
        const ptr = b.start;
        b.start += need;
        if (b.start === b.end) this.free.splice(i, 1);
        this.sizes.set(ptr, need);
        this.peak = Math.max(this.peak, ptr + need);
        return ptr;
      }
    }
    const oldEnd = this.memory.buffer.byteLength;
    const pages = Math.ceil(need / PAGE) + Math.ceil(oldEnd / PAGE / 4);
    this.memory.grow(pages);
    this.release(oldEnd, this.memory.buffer.byteLength - oldEnd);
    return this.alloc(bytes);
  }
  dispose(ptr) {
    const n = this.sizes.get(ptr);
    if (n === void 0) return;
    this.sizes.delete(ptr);
    this.release(ptr, n);
  }
  release(start, n) {
    const block = { start, end: start + n };
    let i = this.free.findIndex((b) => b.start > start);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, block);
    const prev = this.free[i - 1];
    if (prev && prev.end === block.start) {
      prev.end = block.end;
      this.free.splice(i, 1);
      i--;
    }
    const cur = this.free[i];
    const next = this.free[i + 1];
    if (next && cur.end === next.start) {
      cur.end = next.end;
      this.free.splice(i + 1, 1);
    }
  }
};

// src/errors.mjs
var WebedgeError = class extends Error {
  constructor(message, { file, retryable = false, cause } = {}) {
    super(message, cause ? { cause } : void 0);
    this.name = "WebedgeError";
    this.file = file;
    this.retryable = retryable;
  }
};

// src/webedge/lowp.mjs
var LOWP_ARRAYS = {
  bfloat16: Uint16Array,
  float8e4m3fn: Uint8Array,
  float8e4m3fnuz: Uint8Array,
  float8e5m2: Uint8Array,
  float8e5m2fnuz: Uint8Array,
  float8e8m0: Uint8Array,
  float4e2m1: Uint8Array,
  int4: Int8Array,
  uint4: Uint8Array,
  int2: Int8Array,
  uint2: Uint8Array
};
var FORMATS = {
  bfloat16: { e: 8, m: 7, bias: 127, max: 32639, inf: 32640, nan: 32704, fnuz: false },
  float8e4m3fn: { e: 4, m: 3, bias: 7, max: 126, inf: null, nan: 127, fnuz: false },
  float8e4m3fnuz: { e: 4, m: 3, bias: 8, max: 127, inf: null, nan: 128, fnuz: true },
  float8e5m2: { e: 5, m: 2, bias: 15, max: 123, inf: 124, nan: 126, fnuz: false },
  float8e5m2fnuz: { e: 5, m: 2, bias: 16, max: 127, inf: null, nan: 128, fnuz: true },
  float4e2m1: { e: 2, m: 1, bias: 1, max: 7, inf: null, nan: null, fnuz: false }
};
var SATURATES = { float4e2m1: true, bfloat16: false };
var SUB_BYTE = { int4: [4, true], uint4: [4, false], int2: [2, true], uint2: [2, false], float4e2m1: [4, false] };
var isLowp = (dtype) => dtype in LOWP_ARRAYS;
var isLowpFloat = (dtype) => dtype in FORMATS || dtype === "float8e8m0";
var subByteBits = (dtype) => SUB_BYTE[dtype]?.[0] ?? 0;
var f64 = new Float64Array(1);
var hi32 = new Uint32Array(f64.buffer);
var f32 = new Float32Array(1);
var u32 = new Uint32Array(f32.buffer);
function roundEven(v) {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function decodeMini(f, code) {
  const signBit = 1 << f.e + f.m;
  const mag = code & signBit - 1;
  if (f.fnuz && code === signBit) return NaN;
  if (mag === f.inf) return code & signBit ? -Infinity : Infinity;
  if (mag > f.max) return NaN;
  const exp = mag >> f.m;
  const mant = mag & (1 << f.m) - 1;
  const v = exp === 0 ? mant * 2 ** (1 - f.bias - f.m) : ((1 << f.m) + mant) * 2 ** (exp - f.bias - f.m);
  return code & signBit ? -v : v;
}
function encodeMini(f, v, saturate, nanNegative) {
  const signBit = 1 << f.e + f.m;
  if (v !== v) return f.nan === null ? f.max : f.fnuz ? f.nan : f.nan | (nanNegative ? signBit : 0);
  const sign = v < 0 || v === 0 && 1 / v < 0 ? signBit : 0;
  const a = Math.abs(v);
  let mag = Infinity;
  if (a !== Infinity) {
    f64[0] = a;
    const e = Math.max((hi32[1] >>> 20 & 2047) - 1023, 1 - f.bias);
    const n = a * 2 ** (f.m - e);
    const r = roundEven(n);
    mag = r < 1 << f.m ? r : (e + f.bias << f.m) + r - (1 << f.m);
  }
  if (mag > f.max) {
    if (saturate || f.inf === null && f.nan === null) return f.max | sign;
    return f.inf !== null ? f.inf | sign : f.fnuz ? f.nan : f.nan | sign;
  }
  if (mag === 0 && f.fnuz) return 0;
  return mag | sign;
}
function encodeE8M0(v, saturate, roundMode) {
  f32[0] = v;
  const b = u32[0];
  let e = b >>> 23 & 255;
  if (e === 255) return 255;
  let up = false;
  if (roundMode === "up") up = (b & 8388607) !== 0;
  else if (roundMode === "nearest") up = (b & 4194304) !== 0 && ((b & 4194303) !== 0 || e > 0);
  else if (roundMode !== "down") throw new Error(`round_mode '${roundMode}' is not one of up, down, nearest`);
  if (up && !(saturate && e === 254)) e++;
  return e;
}
var tables = {};
function decoder(dtype) {
  if (dtype === "bfloat16") {
    return (h) => {
      u32[0] = h << 16;
      return f32[0];
    };
  }
  if (dtype === "float8e8m0") return (c) => c === 255 ? NaN : 2 ** (c - 127);
  const f = FORMATS[dtype];
  if (f) {
    const t = tables[dtype] ??= Float64Array.from({ length: 1 << 1 + f.e + f.m }, (_, c) => decodeMini(f, c));
    return (c) => t[c];
  }
  if (dtype in SUB_BYTE) return (v) => v;
  throw new Error(`no decoder for dtype ${dtype}`);
}
function encoder(dtype, { saturate = true, roundMode = "up" } = {}) {
  if (dtype === "float8e8m0") return (v) => encodeE8M0(v, saturate, roundMode);
  const f = FORMATS[dtype];
  if (f) {
    const sat = SATURATES[dtype] ?? !!saturate;
    return (v, nanNegative) => encodeMini(f, v, sat, nanNegative);
  }
  const sub = SUB_BYTE[dtype];
  if (sub) {
    const [bits, signed] = sub;
    const mask = (1 << bits) - 1;
    const half = 1 << bits - 1;
    return signed ? (v) => (roundEven(v) & mask ^ half) - half : (v) => roundEven(v) & mask;
  }
  throw new Error(`no encoder for dtype ${dtype}`);
}
function unpack(dtype, bytes, n) {
  const [bits, signed] = SUB_BYTE[dtype];
  const per = 8 / bits;
  const mask = (1 << bits) - 1;
  const half = 1 << bits - 1;
  const out = new LOWP_ARRAYS[dtype](n);
  for (let i = 0; i < n; i++) {
    const v = bytes[i / per | 0] >> i % per * bits & mask;
    out[i] = signed ? (v ^ half) - half : v;
  }
  return out;
}

// src/webedge/tensor.mjs
var ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  float16: Uint16Array,
  ...LOWP_ARRAYS
};
var DTYPE_OF = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  16: "bfloat16",
  17: "float8e4m3fn",
  18: "float8e4m3fnuz",
  19: "float8e5m2",
  20: "float8e5m2fnuz",
  21: "uint4",
  22: "int4",
  23: "float4e2m1",
  24: "float8e8m0",
  25: "uint2",
  26: "int2"
};
var size = (dims) => dims.reduce((a, b) => a * b, 1);
var Tensor = class {
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
};
function stridesOf(dims) {
  const s = new Array(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}
var f322 = new Float32Array(1);
var u322 = new Uint32Array(f322.buffer);
function halfToNumber(h) {
  const sign = h & 32768 ? -1 : 1;
  const exp = h >> 10 & 31;
  const frac = h & 1023;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
function numberToHalf(v) {
  f322[0] = v;
  const x = u322[0];
  const sign = x >>> 16 & 32768;
  const exp = x >>> 23 & 255;
  let mant = x & 8388607;
  if (exp === 255) return sign | 31744 | (mant ? 512 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 31744;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 8388608;
    const shift = 14 - e;
    let half2 = mant >>> shift;
    const rem2 = mant & (1 << shift) - 1;
    const mid = 1 << shift - 1;
    if (rem2 > mid || rem2 === mid && half2 & 1) half2++;
    return sign | half2;
  }
  let half = e << 10 | mant >>> 13;
  const rem = mant & 8191;
  if (rem > 4096 || rem === 4096 && half & 1) half++;
  return sign | half;
}
function numberOf(dtype) {
  if (dtype === "float16") return halfToNumber;
  if (isLowp(dtype)) return decoder(dtype);
  if (dtype === "int64" || dtype === "uint64") return Number;
  return (v) => v;
}
function storeOf(dtype, opts) {
  if (dtype === "float16") return (v, nanNegative) => numberToHalf(v) | (v !== v && nanNegative ? 32768 : 0);
  if (isLowp(dtype)) return encoder(dtype, opts);
  if (dtype === "int64" || dtype === "uint64") return (v) => Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (dtype === "bool") return (v) => v !== 0 ? 1 : 0;
  return (v) => v;
}
function readNumbers(t) {
  return Array.from(t.data, numberOf(t.dtype));
}
function fromBytes(dtype, bytes, n) {
  if (subByteBits(dtype)) return unpack(dtype, bytes, n);
  const Arr = ARRAYS[dtype];
  if (!Arr) throw new Error(`no typed array for dtype ${dtype}`);
  return new Arr(bytes.slice().buffer);
}

// src/webedge/broadcast.mjs
function broadcastDims(...shapes) {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      if (s[i] === out[j] || s[i] === 1) continue;
      if (out[j] !== 1) throw new WebedgeError(`cannot broadcast shapes ${shapes.map((x) => `[${x}]`).join(" and ")}`);
      out[j] = s[i];
    }
  }
  return out;
}
function broadcastStrides(dims, outDims) {
  const own = stridesOf(dims);
  const pad2 = outDims.length - dims.length;
  return outDims.map((_, j) => j < pad2 || dims[j - pad2] === 1 ? 0 : own[j - pad2]);
}
function forEachBroadcast(outDims, stridesList, fn) {
  const rank = outDims.length;
  const total = outDims.reduce((a, b) => a * b, 1);
  const idx = new Array(rank).fill(0);
  const offs = new Array(stridesList.length).fill(0);
  for (let o = 0; o < total; o++) {
    fn(o, offs);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offs.length; k++) offs[k] += stridesList[k][d];
      if (idx[d] < outDims[d]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= stridesList[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}
function forEachRow(dims, strides, row) {
  const [outDims, stridesList] = simplify(dims, strides);
  const rank = outDims.length;
  if (rank === 0) {
    row(0, stridesList.map(() => 0), 1, stridesList.map(() => 0));
    return;
  }
  const n = outDims[rank - 1];
  const steps = stridesList.map((s) => s[rank - 1]);
  const rows = n === 0 ? 0 : outDims.reduce((a, b) => a * b, 1) / n;
  const idx = new Array(rank - 1).fill(0);
  const offs = new Array(stridesList.length).fill(0);
  for (let r = 0; r < rows; r++) {
    row(r * n, offs.slice(), n, steps);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offs.length; k++) offs[k] += stridesList[k][d];
      if (idx[d] < outDims[d]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= stridesList[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}
function simplify(dims, stridesList) {
  const keep = dims.map((d, i) => i).filter((i) => dims[i] !== 1);
  let outDims = keep.map((i) => dims[i]);
  let strides = stridesList.map((s) => keep.map((i) => s[i]));
  for (let d = outDims.length - 2; d >= 0; d--) {
    if (strides.every((s) => s[d] === s[d + 1] * outDims[d + 1])) {
      outDims = [...outDims.slice(0, d), outDims[d] * outDims[d + 1], ...outDims.slice(d + 2)];
      strides = strides.map((s) => [...s.slice(0, d), s[d + 1], ...s.slice(d + 2)]);
    }
  }
  return [outDims, strides];
}

// src/webedge/ops/elementwise.mjs
var BINARY_KERNEL = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Max: 5, Min: 6 };
var BINARY_JS = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => typeof a === "bigint" ? a / b : Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b,
  Pow: (a, b) => typeof a === "bigint" ? a ** b : a ** b,
  Max: (a, b) => a > b ? a : b,
  Min: (a, b) => a < b ? a : b,
  // fmod=0: the result takes the divisor's sign (numpy's mod, also for inf and nan on floats)
  Mod: (a, b) => {
    if (typeof a === "number" && Number.isFinite(a) && !Number.isFinite(b) && !Number.isNaN(b)) return a === 0 || a < 0 === b < 0 ? a : b;
    let r = a % b;
    if (r != 0 && r < 0 !== b < 0) r += b;
    return r;
  }
};
var fmod = (a, b) => a % b;
var COMPARE = {
  Equal: (a, b) => a === b,
  Less: (a, b) => a < b,
  Greater: (a, b) => a > b,
  LessOrEqual: (a, b) => a <= b,
  GreaterOrEqual: (a, b) => a >= b,
  And: (a, b) => !!a && !!b,
  Or: (a, b) => !!a || !!b,
  Xor: (a, b) => !!a !== !!b
};
var isBig = (dtype) => dtype === "int64" || dtype === "uint64";
var isFloat = (dtype) => dtype === "float32" || dtype === "float64" || dtype === "float16";
function operands(a, b) {
  const big = isBig(a.dtype) && isBig(b.dtype);
  const read = (t) => big || !isBig(t.dtype) && t.dtype !== "float16" ? t.data : readNumbers(t);
  return [read(a), read(b)];
}
function encoder2(dtype) {
  if (dtype === "float16") return numberToHalf;
  if (isBig(dtype)) return (v) => typeof v === "bigint" ? v : BigInt(Math.trunc(v));
  if (!isFloat(dtype) && dtype !== "bool") return (v) => typeof v === "bigint" ? Number(v) : Math.trunc(v);
  return (v) => typeof v === "boolean" ? v ? 1 : 0 : v;
}
function binaryJs(ex, a, b, fn, outDtype) {
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc(outDtype, dims);
  const [ad, bd] = operands(a, b);
  const yd = y.data;
  const put = encoder2(outDtype);
  const bool = outDtype === "bool";
  forEachRow(dims, [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims)], (o, [i, j], n, [si, sj]) => {
    if (bool) {
      for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = fn(ad[i], bd[j]) ? 1 : 0;
    } else {
      for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = put(fn(ad[i], bd[j]));
    }
  });
  return y;
}
function binaryKernel(ex, code, a, b) {
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc("float32", dims);
  a = ex.place(a);
  b = ex.place(b);
  const rank = Math.max(dims.length, 1);
  const d = dims.length ? dims : [1];
  const as = dims.length ? broadcastStrides(a.dims, dims) : [0];
  const bs = dims.length ? broadcastStrides(b.dims, dims) : [0];
  ex.ints2(0, d);
  ex.ints2(64, as);
  ex.ints2(128, bs);
  ex.k.binary_f32(code, a.ptr, b.ptr, y.ptr, rank, ex.scratch, ex.scratch + 256, ex.scratch + 512);
  return y;
}
function binary(name) {
  return (ex, node, [a, b]) => {
    if (a.dtype === "float32" && b.dtype === "float32" && name in BINARY_KERNEL) return [binaryKernel(ex, BINARY_KERNEL[name], a, b)];
    const fn = name === "Mod" && node.attrs?.fmod ? fmod : BINARY_JS[name];
    return [binaryJs(ex, a, b, fn, a.dtype)];
  };
}
function variadic(name) {
  const pair = binary(name === "Sum" || name === "Mean" ? "Add" : name);
  return (ex, node, inputs) => {
    let acc = inputs[0];
    let first = true;
    for (const t of inputs.slice(1)) {
      const [next] = pair(ex, node, [acc, t]);
      if (!first) ex.arena.dispose(acc.ptr);
      acc = next;
      first = false;
    }
    if (first) acc = binaryKernel(ex, 0, acc, ex.place(scalar(ex, 0)));
    if (name === "Mean") {
      const [mean] = binary("Div")(ex, node, [acc, scalar(ex, inputs.length)]);
      ex.arena.dispose(acc.ptr);
      acc = mean;
    }
    return [acc];
  };
}
function scalar(ex, v) {
  const t = ex.alloc("float32", []);
  t.data[0] = v;
  return t;
}
function compare(name) {
  return (ex, node, [a, b]) => {
    if (name in COMPARE_ROW && !isBig(a.dtype) && !isBig(b.dtype) && a.dtype !== "float16" && b.dtype !== "float16") {
      return [compareRows(ex, a, b, COMPARE_ROW[name])];
    }
    return [binaryJs(ex, a, b, COMPARE[name], "bool")];
  };
}
var COMPARE_ROW = {
  Equal: (yd, ad, bd, o, i, j, n, si, sj) => {
    for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] === bd[j] ? 1 : 0;
  },
  Less: (yd, ad, bd, o, i, j, n, si, sj) => {
    for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] < bd[j] ? 1 : 0;
  },
  Greater: (yd, ad, bd, o, i, j, n, si, sj) => {
    for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] > bd[j] ? 1 : 0;
  },
  LessOrEqual: (yd, ad, bd, o, i, j, n, si, sj) => {
    for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] <= bd[j] ? 1 : 0;
  },
  GreaterOrEqual: (yd, ad, bd, o, i, j, n, si, sj) => {
    for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] >= bd[j] ? 1 : 0;
  }
};
function compareRows(ex, a, b, rowFn) {
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc("bool", dims);
  const ad = a.data, bd = b.data, yd = y.data;
  forEachRow(dims, [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims)], (o, [i, j], n, [si, sj]) => {
    rowFn(yd, ad, bd, o, i, j, n, si, sj);
  });
  return y;
}
var UNARY = {
  Identity: 0,
  Relu: 1,
  Clip: 2,
  HardSigmoid: 3,
  HardSwish: 4,
  LeakyRelu: 5,
  Sigmoid: 6,
  Tanh: 7,
  Exp: 8,
  Log: 9,
  Sqrt: 10,
  Abs: 11,
  Neg: 12,
  Reciprocal: 13,
  Erf: 14,
  Gelu: 15,
  Floor: 16,
  Ceil: 17,
  Softplus: 18,
  Elu: 19,
  Sin: 20,
  Cos: 21,
  Round: 22
};
var erf = (x) => {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  let y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  y = x < 0 ? -y : y;
  return y;
};
var roundEven2 = (v) => Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v);
var UNARY_JS = {
  Identity: () => (x) => x,
  Neg: () => (x) => -x,
  Abs: () => Math.abs,
  Not: () => (x) => x ? 0 : 1,
  Sign: () => Math.sign,
  Relu: () => (x) => x < 0 ? 0 : x,
  Clip: (lo, hi) => (x) => x < lo ? lo : x > hi ? hi : x,
  HardSigmoid: (a, b) => (x) => Math.max(0, Math.min(1, a * x + b)),
  HardSwish: () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  LeakyRelu: (a) => (x) => x < 0 ? a * x : x,
  Sigmoid: () => (x) => 1 / (1 + Math.exp(-x)),
  Tanh: () => Math.tanh,
  Exp: () => Math.exp,
  Log: () => Math.log,
  Sqrt: () => Math.sqrt,
  Reciprocal: () => (x) => 1 / x,
  Erf: () => erf,
  Gelu: (approx) => approx ? (x) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3))) : (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  Floor: () => Math.floor,
  Ceil: () => Math.ceil,
  Softplus: () => (x) => x > 20 ? x : Math.log1p(Math.exp(x)),
  Elu: (a) => (x) => x < 0 ? a * (Math.exp(x) - 1) : x,
  Sin: () => Math.sin,
  Cos: () => Math.cos,
  Round: () => roundEven2
};
function unaryParams(op, node, inputs) {
  const at = node.attrs;
  switch (op) {
    case "Clip": {
      if (inputs.length > 1) {
        const lo = inputs[1] ? readNumbers(inputs[1])[0] : -Infinity;
        const hi = inputs[2] ? readNumbers(inputs[2])[0] : Infinity;
        return [lo, hi];
      }
      return [at.min ?? -34028234663852886e22, at.max ?? 34028234663852886e22];
    }
    case "HardSigmoid":
      return [at.alpha ?? 0.2, at.beta ?? 0.5];
    case "LeakyRelu":
      return [at.alpha ?? 0.01, 0];
    case "Elu":
      return [at.alpha ?? 1, 0];
    case "Gelu":
      return [at.approximate === "tanh" ? 1 : 0, 0];
    default:
      return [0, 0];
  }
}
function unary(name) {
  return (ex, node, inputs) => {
    const x = inputs[0];
    const tanhGelu = name === "Gelu" && node.attrs.approximate === "tanh";
    if (x.dtype !== "float32" || !(name in UNARY) || tanhGelu) {
      const make = UNARY_JS[name];
      if (!make) throw new Error(`${name} on ${x.dtype} is not supported`);
      const fn = make(...unaryParams(name, node, inputs));
      const y2 = ex.alloc(x.dtype, x.dims.slice());
      const xd = readNumbers(x);
      const yd = y2.data;
      const put = encoder2(x.dtype);
      for (let i = 0; i < xd.length; i++) yd[i] = put(fn(xd[i]));
      return [y2];
    }
    const y = ex.alloc("float32", x.dims.slice());
    const [a0, a1] = unaryParams(name, node, inputs);
    ex.k.unary_f32(UNARY[name], ex.place(x).ptr, y.ptr, x.size, a0, a1);
    return [y];
  };
}
function where(ex, node, [c, a, b]) {
  const dims = broadcastDims(c.dims, a.dims, b.dims);
  const y = ex.alloc(a.dtype, dims);
  const cd = c.data, ad = a.data, bd = b.data, yd = y.data;
  forEachBroadcast(dims, [c, a, b].map((t) => broadcastStrides(t.dims, dims)), (o, [i, j, k]) => {
    yd[o] = cd[i] ? ad[j] : bd[k];
  });
  return [y];
}
var ops = { Where: where };
for (const name of Object.keys(BINARY_JS)) ops[name] = binary(name);
for (const name of ["Max", "Min", "Sum", "Mean"]) ops[name] = variadic(name);
for (const name of Object.keys(COMPARE)) ops[name] = compare(name);
for (const name of /* @__PURE__ */ new Set([...Object.keys(UNARY), ...Object.keys(UNARY_JS)])) ops[name] = unary(name);

// src/webedge/ops/shape.mjs
var norm = (axis, rank) => axis < 0 ? axis + rank : axis;
var copy = (ex, x, dims) => {
  const y = ex.alloc(x.dtype, dims);
  y.data.set(x.data);
  return y;
};
var axesOf = (node, input, fallback) => input ? input.numbers() : node.attrs.axes ?? fallback;
function shape(ex, node, [x]) {
  const r = x.dims.length;
  const start = norm(Math.max(-r, Math.min(r, node.attrs.start ?? 0)), r);
  const end = norm(Math.max(-r, Math.min(r, node.attrs.end ?? r)), r);
  const y = ex.alloc("int64", [Math.max(0, end - start)]);
  y.data.set(x.dims.slice(start, end).map(BigInt));
  return [y];
}
function reshape(ex, node, [x, s]) {
  const want = s ? s.numbers() : node.attrs.shape;
  const dims = want.map((d, i) => d === 0 && !node.attrs.allowzero ? x.dims[i] : d);
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = dims.map((d) => d === -1 ? x.size / known : d);
  if (size(out) !== x.size) throw new Error(`cannot reshape [${x.dims}] to [${want}]`);
  return [copy(ex, x, out)];
}
function flatten(ex, node, [x]) {
  const axis = norm(node.attrs.axis ?? 1, x.dims.length);
  return [copy(ex, x, [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))])];
}
function squeeze(ex, node, [x, a]) {
  const axes = axesOf(node, a, null)?.map((v) => norm(v, x.dims.length));
  return [copy(ex, x, x.dims.filter((d, i) => axes ? !axes.includes(i) : d !== 1))];
}
function unsqueeze(ex, node, [x, a]) {
  const rank = x.dims.length + axesOf(node, a, []).length;
  const axes = axesOf(node, a, []).map((v) => norm(v, rank));
  const dims = [];
  let j = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x.dims[j++]);
  return [copy(ex, x, dims)];
}
function expand(ex, node, [x, s]) {
  const dims = broadcastDims(x.dims, s.numbers());
  const y = ex.alloc(x.dtype, dims);
  const xd = x.data, yd = y.data;
  copyRows(dims, broadcastStrides(x.dims, dims), xd, 0, yd);
  return [y];
}
function copyRows(dims, strides, xd, base, yd) {
  forEachRow(dims, [strides], (o, [i], n, [step]) => {
    i += base;
    if (step === 1 && n >= 32) yd.set(xd.subarray(i, i + n), o);
    else for (let k = 0; k < n; k++, i += step) yd[o + k] = xd[i];
  });
}
function concat(ex, node, inputs) {
  const parts = inputs.filter((t) => t && t.size > 0);
  const first = parts[0] ?? inputs[0];
  const axis = norm(node.attrs.axis, first.dims.length);
  const dims = first.dims.slice();
  dims[axis] = parts.reduce((s, t) => s + t.dims[axis], 0);
  const y = ex.alloc(first.dtype, dims);
  const outer = size(dims.slice(0, axis));
  const inner = size(dims.slice(axis + 1));
  const yd = y.data;
  let offset = 0;
  for (const t of parts) {
    const td = t.data;
    const chunk = t.dims[axis] * inner;
    for (let o = 0; o < outer; o++) yd.set(td.subarray(o * chunk, (o + 1) * chunk), o * dims[axis] * inner + offset);
    offset += chunk;
  }
  return [y];
}
function slice(ex, node, [x, s, e, a, st]) {
  const r = x.dims.length;
  const starts = s ? s.numbers() : node.attrs.starts;
  const ends = e ? e.numbers() : node.attrs.ends;
  const axes = (a ? a.numbers() : node.attrs.axes ?? starts.map((_, i) => i)).map((v) => norm(v, r));
  const steps = st ? st.numbers() : starts.map(() => 1);
  const begin = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = x.dims.slice();
  axes.forEach((ax, i) => {
    const n = x.dims[ax];
    const k = steps[i];
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    let b = starts[i] < 0 ? starts[i] + n : starts[i];
    let en = ends[i] < 0 ? ends[i] + n : ends[i];
    if (k > 0) {
      b = clamp(b, 0, n);
      en = clamp(en, 0, n);
      dims[ax] = Math.max(0, Math.ceil((en - b) / k));
    } else {
      b = clamp(b, -1, n - 1);
      en = clamp(en, -1, n - 1);
      dims[ax] = Math.max(0, Math.ceil((en - b) / k));
    }
    begin[ax] = b;
    step[ax] = k;
  });
  const y = ex.alloc(x.dtype, dims);
  const xs = stridesOf(x.dims);
  const base = begin.reduce((acc, b, i) => acc + b * xs[i], 0);
  const xd = x.data, yd = y.data;
  copyRows(dims, xs.map((v, i) => v * step[i]), xd, base, yd);
  return [y];
}
function gather(ex, node, [x, idx]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const n = x.dims[axis];
  const ids = idx.numbers().map((i) => i < 0 ? i + n : i);
  if (ids.some((i) => i < 0 || i >= n)) throw new Error(`index out of range [0, ${n})`);
  return [takeAlongAxis(ex, x, axis, ids, [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)])];
}
function takeAlongAxis(ex, x, axis, ids, dims) {
  const y = ex.alloc(x.dtype, dims);
  const n = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const xd = x.data, yd = y.data;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const i of ids) {
      yd.set(xd.subarray((a * n + i) * inner, (a * n + i + 1) * inner), o);
      o += inner;
    }
  }
  return y;
}
function transpose(ex, node, [x]) {
  const r = x.dims.length;
  const perm = node.attrs.perm ?? x.dims.map((_, i) => r - 1 - i);
  const dims = perm.map((p) => x.dims[p]);
  const y = ex.alloc(x.dtype, dims);
  const xs = stridesOf(x.dims);
  const xd = x.data, yd = y.data;
  copyRows(dims, perm.map((p) => xs[p]), xd, 0, yd);
  return [y];
}
var NATIVE = /* @__PURE__ */ new Set(["float32", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32", "bool"]);
var BIG = /* @__PURE__ */ new Set(["int64", "uint64"]);
var INT_BITS = {
  int8: 8,
  uint8: 8,
  int16: 16,
  uint16: 16,
  int32: 32,
  uint32: 32,
  int4: 4,
  uint4: 4,
  int2: 2,
  uint2: 2
};
function signBitOf(t, i) {
  const d = t.data;
  const n = d.BYTES_PER_ELEMENT;
  return (new Uint8Array(d.buffer, d.byteOffset + i * n + n - 1, 1)[0] & 128) !== 0;
}
function castTo(ex, x, to, opts = {}) {
  const y = ex.alloc(to, x.dims.slice());
  const xd = x.data, yd = y.data;
  if (x.dtype === to || NATIVE.has(x.dtype) && NATIVE.has(to) && to !== "bool") {
    yd.set(xd);
    return y;
  }
  if (BIG.has(x.dtype) && (BIG.has(to) || to in INT_BITS || to === "bool")) {
    const wrap = to in INT_BITS ? storeOf(to) : null;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i];
      yd[i] = BIG.has(to) ? v : to === "bool" ? v !== 0n ? 1 : 0 : wrap(Number(BigInt.asIntN(INT_BITS[to], v)));
    }
    return y;
  }
  const read = numberOf(x.dtype);
  const store2 = storeOf(to, opts);
  for (let i = 0; i < xd.length; i++) {
    const v = read(xd[i]);
    yd[i] = store2(v, v !== v && signBitOf(x, i));
  }
  return y;
}
function cast(ex, node, [x]) {
  const to = DTYPE_OF[node.attrs.to];
  if (!to) throw new Error(`Cast to type ${node.attrs.to} is not supported`);
  return [castTo(ex, x, to, { saturate: node.attrs.saturate ?? 1, roundMode: node.attrs.round_mode ?? "up" })];
}
var BITS = {
  bool: 8,
  int8: 8,
  uint8: 8,
  float8e4m3fn: 8,
  float8e4m3fnuz: 8,
  float8e5m2: 8,
  float8e5m2fnuz: 8,
  float8e8m0: 8,
  int16: 16,
  uint16: 16,
  float16: 16,
  bfloat16: 16,
  int32: 32,
  uint32: 32,
  float32: 32,
  int64: 64,
  uint64: 64,
  float64: 64,
  int4: 4,
  uint4: 4,
  float4e2m1: 4,
  int2: 2,
  uint2: 2
};
function bitCast(ex, node, [x]) {
  const to = DTYPE_OF[node.attrs.to];
  if (!to) throw new Error(`BitCast to type ${node.attrs.to} is not supported`);
  if (BITS[x.dtype] !== BITS[to]) {
    throw new Error(`BitCast needs types of the same width: ${x.dtype} has ${BITS[x.dtype]} bits, ${to} ${BITS[to]}`);
  }
  const y = ex.alloc(to, x.dims.slice());
  const xd = x.data, yd = y.data;
  if (BITS[to] < 8) {
    const mask = (1 << BITS[to]) - 1;
    const signed = to === "int4" || to === "int2";
    const half = 1 << BITS[to] - 1;
    for (let i = 0; i < xd.length; i++) yd[i] = signed ? (xd[i] & mask ^ half) - half : xd[i] & mask;
  } else {
    const bytes = (d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    bytes(yd).set(bytes(xd));
  }
  return [y];
}
function constantOfShape(ex, node, [s]) {
  const v = node.attrs.value ?? { dtype: "float32", data: [0] };
  const y = ex.alloc(v.dtype, s.numbers());
  y.data.fill(v.dtype === "int64" ? BigInt(v.data[0]) : v.data[0]);
  return [y];
}
function range(ex, node, [start, limit, delta]) {
  const [s, l, d] = [start, limit, delta].map((t) => t.data[0]);
  const n = Math.max(0, Math.ceil(Number(l - s) / Number(d)));
  const y = ex.alloc(start.dtype, [n]);
  const yd = y.data;
  for (let i = 0; i < n; i++) yd[i] = typeof s === "bigint" ? s + BigInt(i) * d : s + i * d;
  return [y];
}
function pad(ex, node, [x, p, cval, a]) {
  const r = x.dims.length;
  const raw = p ? p.numbers() : node.attrs.pads;
  const axes = a ? a.numbers().map((v) => norm(v, r)) : x.dims.map((_, i) => i);
  const before = x.dims.map(() => 0);
  const after = x.dims.map(() => 0);
  axes.forEach((ax, i) => {
    before[ax] = raw[i];
    after[ax] = raw[i + axes.length];
  });
  const mode = node.attrs.mode ?? "constant";
  const value = cval ? cval.data[0] : node.attrs.value ?? 0;
  const dims = x.dims.map((d, i) => d + before[i] + after[i]);
  const y = ex.alloc(x.dtype, dims);
  const xs = stridesOf(x.dims);
  const xd = x.data, yd = y.data;
  const idx = new Array(r).fill(0);
  for (let o = 0; o < yd.length; o++) {
    let off = 0;
    let inside = true;
    for (let d = 0; d < r; d++) {
      let i = idx[d] - before[d];
      const n = x.dims[d];
      if (i < 0 || i >= n) {
        if (mode === "constant") {
          inside = false;
          break;
        }
        if (mode === "edge") i = i < 0 ? 0 : n - 1;
        else if (mode === "reflect") i = i < 0 ? -i : 2 * (n - 1) - i;
        else if (mode === "wrap") i = (i % n + n) % n;
        else throw new Error(`Pad mode '${mode}' is not supported`);
      }
      off += i * xs[d];
    }
    yd[o] = inside ? xd[off] : value;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return [y];
}
function split(ex, node, [x, s]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const n = node.outputs.length;
  const sizes = s ? s.numbers() : node.attrs.split ?? Array.from({ length: n }, (_, i) => {
    const chunk = Math.ceil(x.dims[axis] / n);
    return Math.min(chunk, x.dims[axis] - chunk * i);
  });
  let start = 0;
  return sizes.map((len) => {
    const [y] = slice(ex, { attrs: { starts: [start], ends: [start + len], axes: [axis] } }, [x]);
    start += len;
    return y;
  });
}
function tile(ex, node, [x, reps]) {
  const r = reps.numbers();
  const dims = x.dims.map((d, i) => d * r[i]);
  const y = ex.alloc(x.dtype, dims);
  const xs = stridesOf(x.dims);
  const xd = x.data, yd = y.data;
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < yd.length; o++) {
    let off = 0;
    for (let d = 0; d < dims.length; d++) off += idx[d] % x.dims[d] * xs[d];
    yd[o] = xd[off];
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return [y];
}
var ops2 = {
  Shape: shape,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Concat: concat,
  Slice: slice,
  Gather: gather,
  Transpose: transpose,
  Cast: cast,
  BitCast: bitCast,
  ConstantOfShape: constantOfShape,
  Range: range,
  Pad: pad,
  Split: split,
  Tile: tile,
  Size: (ex, node, [x]) => {
    const y = ex.alloc("int64", []);
    y.data[0] = BigInt(x.size);
    return [y];
  }
};

// src/webedge/ops/values.mjs
var norm2 = (axis, rank) => axis < 0 ? axis + rank : axis;
var isBig2 = (dtype) => dtype === "int64" || dtype === "uint64";
var DTYPE_OF2 = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64"
};
var fromHalf = halfToNumber;
var toHalf = numberToHalf;
function valuesOf(t) {
  return t.dtype === "float16" ? Float64Array.from(t.data, fromHalf) : t.data;
}
function numbersOf(t) {
  if (t.dtype === "float16") return Float64Array.from(t.data, fromHalf);
  if (isBig2(t.dtype)) return Float64Array.from(t.data, Number);
  return t.data;
}
function encoder3(dtype) {
  if (dtype === "float16") return toHalf;
  if (isBig2(dtype)) return (v) => BigInt(Number.isFinite(v) ? Math.trunc(v) : 0);
  if (dtype === "bool") return (v) => v ? 1 : 0;
  return null;
}
var zeroOf = (dtype) => isBig2(dtype) ? 0n : 0;
var oneOf = (dtype) => isBig2(dtype) ? 1n : dtype === "float16" ? 15360 : 1;
var scratchFor = (dtype, n) => dtype === "float16" ? new Float64Array(n) : new ARRAYS[dtype](n);
function store(t, vals) {
  const d = t.data;
  if (t.dtype === "float16") for (let i = 0; i < d.length; i++) d[i] = toHalf(vals[i]);
  else d.set(vals);
}
function forEachIndex(dims, fn) {
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
function poolGeometry(at, spatial, kernel) {
  const n = spatial.length;
  const strides = at.strides ?? new Array(n).fill(1);
  const dil = at.dilations ?? new Array(n).fill(1);
  let pads = at.pads ?? new Array(2 * n).fill(0);
  const autoPad = at.auto_pad ?? "NOTSET";
  const out = new Array(n);
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    pads = new Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[i] = Math.ceil(spatial[i] / strides[i]);
      const total = Math.max(0, (out[i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - spatial[i]);
      pads[i] = autoPad === "SAME_UPPER" ? Math.floor(total / 2) : Math.ceil(total / 2);
      pads[i + n] = total - pads[i];
    }
  } else {
    if (autoPad === "VALID") pads = new Array(2 * n).fill(0);
    const round = at.ceil_mode ? Math.ceil : Math.floor;
    for (let i = 0; i < n; i++) {
      out[i] = round((spatial[i] + pads[i] + pads[i + n] - ((kernel[i] - 1) * dil[i] + 1)) / strides[i]) + 1;
      if (at.ceil_mode && (out[i] - 1) * strides[i] >= spatial[i] + pads[i]) out[i]--;
    }
  }
  return { out, begin: pads.slice(0, n), strides, dil };
}

// src/webedge/ops/conv_nd.mjs
var ACTS = {
  none: () => (v) => v,
  Relu: () => (v) => v < 0 ? 0 : v,
  Clip: (lo, hi) => (v) => Math.min(Math.max(v, lo), hi),
  HardSigmoid: (a, b) => (v) => Math.min(Math.max(a * v + b, 0), 1),
  HardSwish: () => (v) => v * Math.min(Math.max(v / 6 + 0.5, 0), 1),
  LeakyRelu: (a) => (v) => v < 0 ? a * v : v,
  Sigmoid: () => (v) => 1 / (1 + Math.exp(-v)),
  Tanh: () => Math.tanh
};
function kernelTaps(kernel, dil, inStr) {
  const taps2 = [];
  const k = new Array(kernel.length).fill(0);
  for (let t = 0; t < size(kernel); t++) {
    taps2.push(k.slice());
    for (let d = kernel.length - 1; d >= 0; d--) {
      if (++k[d] < kernel[d]) break;
      k[d] = 0;
    }
  }
  return taps2.map((c) => ({ pos: c.map((v, d) => v * dil[d]), off: c.reduce((a, v, d) => a + v * dil[d] * inStr[d], 0) }));
}
function convNd(ex, node, [x, w, b]) {
  const at = node.attrs;
  const [N, C, ...sp] = x.dims;
  const [M, Cg, ...kernel] = w.dims;
  const group = at.group ?? 1;
  const Mg = M / group;
  const { out, begin, strides, dil } = poolGeometry(at, sp, kernel);
  const act = ACTS[at._act ?? "none"](...at._act_params ?? []);
  const y = ex.alloc("float32", [N, M, ...out]);
  const xd = x.data, wd = w.data, yd = y.data, bd = b ? b.data : null;
  const inStr = stridesOf(sp);
  const inPlane = size(sp);
  const outPlane = size(out);
  const K = size(kernel);
  const taps2 = kernelTaps(kernel, dil, inStr);
  const R = sp.length;
  const o = new Array(R).fill(0);
  for (let q = 0; q < outPlane; q++) {
    const start = o.map((v, d) => v * strides[d] - begin[d]);
    const startOff = start.reduce((a, v, d) => a + v * inStr[d], 0);
    const inside = [];
    taps2.forEach((t, ti) => {
      if (t.pos.every((p, d) => start[d] + p >= 0 && start[d] + p < sp[d])) inside.push(ti);
    });
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / Mg);
        let sum = bd ? bd[m] : 0;
        for (let c = 0; c < Cg; c++) {
          const xBase = (n * C + g * Cg + c) * inPlane + startOff;
          const wBase = (m * Cg + c) * K;
          for (const ti of inside) sum += xd[xBase + taps2[ti].off] * wd[wBase + ti];
        }
        yd[(n * M + m) * outPlane + q] = act(sum);
      }
    }
    for (let d = R - 1; d >= 0; d--) {
      if (++o[d] < out[d]) break;
      o[d] = 0;
    }
  }
  return [y];
}
function transposeGeometry(at, sp, kernel) {
  const R = sp.length;
  const strides = at.strides ?? new Array(R).fill(1);
  const dil = at.dilations ?? new Array(R).fill(1);
  const outPad = at.output_padding ?? new Array(R).fill(0);
  const autoPad = at.auto_pad ?? "NOTSET";
  const full = sp.map((n, d) => strides[d] * (n - 1) + outPad[d] + (kernel[d] - 1) * dil[d] + 1);
  const given = at.output_shape ? at.output_shape.slice(-R) : null;
  if (given || autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const out = given ?? sp.map((n, d) => n * strides[d]);
    const begin = out.map((o, d) => {
      const total = Math.max(0, full[d] - o);
      return autoPad === "SAME_UPPER" ? Math.floor(total / 2) : Math.ceil(total / 2);
    });
    return { out, begin, strides, dil };
  }
  const pads = autoPad === "VALID" || !at.pads ? new Array(2 * R).fill(0) : at.pads;
  return { out: full.map((f, d) => f - pads[d] - pads[d + R]), begin: pads.slice(0, R), strides, dil };
}
function convTransposeNd(ex, node, [x, w, b]) {
  const at = node.attrs;
  const [N, C, ...sp] = x.dims;
  const [, Mg, ...kernel] = w.dims;
  const group = at.group ?? 1;
  const M = Mg * group;
  const Cg = C / group;
  const { out, begin, strides, dil } = transposeGeometry(at, sp, kernel);
  const y = ex.alloc("float32", [N, M, ...out]);
  const xd = x.data, wd = w.data, yd = y.data;
  const outStr = stridesOf(out);
  const inPlane = size(sp);
  const outPlane = size(out);
  const K = size(kernel);
  const taps2 = kernelTaps(kernel, dil, outStr);
  const R = sp.length;
  const bd = b ? b.data : null;
  for (let nm = 0; nm < N * M; nm++) yd.fill(bd ? bd[nm % M] : 0, nm * outPlane, (nm + 1) * outPlane);
  const i = new Array(R).fill(0);
  for (let p = 0; p < inPlane; p++) {
    const start = i.map((v, d) => v * strides[d] - begin[d]);
    const startOff = start.reduce((a, v, d) => a + v * outStr[d], 0);
    const inside = [];
    taps2.forEach((t, ti) => {
      if (t.pos.every((q, d) => start[d] + q >= 0 && start[d] + q < out[d])) inside.push(ti);
    });
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const v = xd[(n * C + c) * inPlane + p];
        const g = Math.floor(c / Cg);
        for (let m = 0; m < Mg; m++) {
          const yBase = (n * M + g * Mg + m) * outPlane + startOff;
          const wBase = (c * Mg + m) * K;
          for (const ti of inside) yd[yBase + taps2[ti].off] += v * wd[wBase + ti];
        }
      }
    }
    for (let d = R - 1; d >= 0; d--) {
      if (++i[d] < sp[d]) break;
      i[d] = 0;
    }
  }
  return [y];
}
function col2im(ex, node, [x, imageShape, blockShape]) {
  const at = node.attrs;
  const image = imageShape.numbers();
  const block = blockShape.numbers();
  const R = image.length;
  const dil = at.dilations ?? new Array(R).fill(1);
  const pads = at.pads ?? new Array(2 * R).fill(0);
  const strides = at.strides ?? new Array(R).fill(1);
  const blocks = image.map((n, d) => Math.floor((n + pads[d] + pads[d + R] - (dil[d] * (block[d] - 1) + 1)) / strides[d]) + 1);
  const [N, CK, L] = x.dims;
  const K = size(block);
  const C = CK / K;
  if (L !== size(blocks)) throw new Error(`input has ${L} blocks, image_shape and block_shape give ${size(blocks)}`);
  const y = ex.alloc(x.dtype, [N, C, ...image]);
  const xd = x.data, yd = y.data;
  yd.fill(0);
  const imStr = stridesOf(image);
  const plane = size(image);
  const taps2 = kernelTaps(block, dil, imStr);
  const b = new Array(R).fill(0);
  for (let l = 0; l < L; l++) {
    const start = b.map((v, d) => v * strides[d] - pads[d]);
    taps2.forEach((t, k) => {
      const pos = t.pos.map((p, d) => start[d] + p);
      if (pos.some((p, d) => p < 0 || p >= image[d])) return;
      const off = pos.reduce((a, p, d) => a + p * imStr[d], 0);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) yd[(n * C + c) * plane + off] += xd[((n * C + c) * K + k) * L + l];
      }
    });
    for (let d = R - 1; d >= 0; d--) {
      if (++b[d] < blocks[d]) break;
      b[d] = 0;
    }
  }
  return [y];
}
function maxUnpool(ex, node, [x, idx, outputShape]) {
  const at = node.attrs;
  const sp = x.dims.slice(2);
  const R = sp.length;
  const k = at.kernel_shape;
  const strides = at.strides ?? new Array(R).fill(1);
  const pads = at.pads ?? new Array(2 * R).fill(0);
  const inferred = [x.dims[0], x.dims[1], ...sp.map((n, d) => (n - 1) * strides[d] - (pads[d] + pads[d + R]) + k[d])];
  const shape2 = outputShape ? outputShape.numbers() : inferred;
  const y = ex.alloc(x.dtype, shape2);
  const xd = x.data, yd = y.data, ids = idx.numbers();
  yd.fill(x.dtype === "int64" || x.dtype === "uint64" ? 0n : 0);
  const from = stridesOf(inferred);
  const to = stridesOf(shape2);
  for (let i = 0; i < ids.length; i++) {
    let rem = ids[i];
    let off = 0;
    for (let d = 0; d < from.length; d++) {
      const c = Math.floor(rem / from[d]);
      rem -= c * from[d];
      if (c >= shape2[d]) throw new Error(`index ${ids[i]} lies outside the output shape [${shape2}]`);
      off += c * to[d];
    }
    yd[off] = xd[i];
  }
  return [y];
}
var ops3 = { Col2Im: col2im, MaxUnpool: maxUnpool };

// src/webedge/threads.mjs
var MIN_SHARE_FLOPS = 3e6;
var SLOT_BYTES = 16384;
var ARGS_AT = 32;
var MAX_ARGS = (SLOT_BYTES - ARGS_AT) / 8;
var SEQ = 0;
var FN = 1;
var CALLS = 2;
var NARGS = 3;
var ERROR = 4;
var PENDING = 0;
var START_TIMEOUT_MS = 2e4;
function splitRange(units, parts, align = 1) {
  const chunk = Math.ceil(units / align / parts) * align;
  const ranges = [];
  for (let u = 0; u < units; u += chunk) ranges.push([u, Math.min(units, u + chunk)]);
  return ranges;
}
function splitWork(ex, units, align, flops) {
  const pool2 = ex.pool;
  if (!pool2) return null;
  const parts = Math.min(pool2.threads, Math.floor(units / align), Math.floor(flops / pool2.minShareFlops));
  return parts >= 2 ? splitRange(units, parts, align) : null;
}
function workerMain() {
  self.onmessage = async ({ data }) => {
    const { memory, modules, names, stackTop, ctl, slot } = data;
    const fns = [];
    const stackPointers = [];
    try {
      const exports = {};
      for (const module of modules) {
        const instance = await WebAssembly.instantiate(module, { env: { memory } });
        instance.exports.__stack_pointer.value = stackTop;
        stackPointers.push(instance.exports.__stack_pointer);
        Object.assign(exports, instance.exports);
      }
      for (const name of names) fns.push(exports[name]);
    } catch (err) {
      postMessage({ error: `${err.message ?? err}` });
      return;
    }
    postMessage({ ok: true });
    const i32 = new Int32Array(memory.buffer);
    const f642 = new Float64Array(memory.buffer);
    const s = slot >> 2;
    let seq = 0;
    for (; ; ) {
      Atomics.wait(i32, s, seq);
      seq = Atomics.load(i32, s);
      const fn = fns[i32[s + 1]];
      const calls = i32[s + 2];
      const nargs = i32[s + 3];
      try {
        for (let c = 0, at = slot + 32 >> 3; c < calls; c++, at += nargs) fn(...f642.subarray(at, at + nargs));
      } catch {
        i32[s + 4] = 1;
        for (const sp of stackPointers) sp.value = stackTop;
      }
      if (Atomics.sub(i32, ctl >> 2, 1) === 1) Atomics.notify(i32, ctl >> 2);
    }
  };
}
var yieldOnce = () => new Promise((resolve) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    resolve();
  };
  ch.port2.postMessage(0);
});
var Pool = class {
  constructor({ arena, kernels, names, workers, ctl }) {
    this.arena = arena;
    this.k = kernels;
    this.index = new Map(names.map((n, i) => [n, i]));
    this.workers = workers;
    this.threads = workers.length + 1;
    this.minShareFlops = MIN_SHARE_FLOPS;
    this.ctl = ctl;
    this.busy = null;
  }
  /** Run `shares` (one list of kernel argument lists per thread; share 0 on this thread) of the
   * kernel `name`; returns `result` when every share is done, or a promise of it. */
  run(name, shares, result) {
    if (this.busy) {
      const again = () => this.run(name, shares, result);
      return this.busy.then(again, again);
    }
    const memory = this.arena.memory.buffer;
    const i32 = new Int32Array(memory);
    const f642 = new Float64Array(memory);
    const fn = this.k[name];
    const mine = shares[0].slice();
    Atomics.store(i32, this.ctl >> 2, shares.length - 1);
    for (let w = 1; w < shares.length; w++) {
      const calls = shares[w];
      const nargs = calls.length ? calls[0].length : 0;
      const fits = nargs ? Math.min(calls.length, Math.floor(MAX_ARGS / nargs)) : 0;
      mine.push(...calls.slice(fits));
      const slot = this.ctl + w * SLOT_BYTES;
      const s = slot >> 2;
      i32[s + FN] = this.index.get(name);
      i32[s + CALLS] = fits;
      i32[s + NARGS] = nargs;
      i32[s + ERROR] = 0;
      for (let c = 0; c < fits; c++) f642.set(calls[c], (slot + ARGS_AT) / 8 + c * nargs);
      Atomics.add(i32, s + SEQ, 1);
      Atomics.notify(i32, s + SEQ);
    }
    let error = null;
    try {
      for (const args of mine) fn(...args);
    } catch (err) {
      error = err;
    }
    if (Atomics.load(i32, (this.ctl >> 2) + PENDING) === 0) return this.finish(error, shares.length, result);
    this.busy = this.waitForWorkers(i32).then(() => {
      this.busy = null;
      return this.finish(error, shares.length, result);
    });
    return this.busy;
  }
  async waitForWorkers(i32) {
    const at = (this.ctl >> 2) + PENDING;
    for (let left = Atomics.load(i32, at); left !== 0; left = Atomics.load(i32, at)) {
      if (Atomics.waitAsync) {
        const wait = Atomics.waitAsync(i32, at, left);
        if (wait.async) await wait.value;
      } else {
        await yieldOnce();
      }
    }
  }
  finish(error, used, result) {
    if (error) throw error;
    const i32 = new Int32Array(this.arena.memory.buffer);
    for (let w = 1; w < used; w++) {
      if (i32[(this.ctl + w * SLOT_BYTES >> 2) + ERROR]) throw new Error(`a kernel call failed in worker ${w}`);
    }
    return result;
  }
  dispose() {
    for (const worker of this.workers) worker.terminate();
    this.workers = [];
  }
};
async function startPool({ arena, modules, kernels, threads }) {
  const names = Object.keys(kernels).filter((n) => typeof kernels[n] === "function");
  const ctl = arena.alloc(threads * SLOT_BYTES);
  new Int32Array(arena.memory.buffer, ctl, threads * SLOT_BYTES / 4).fill(0);
  const url = URL.createObjectURL(new Blob([`(${workerMain})()
`], { type: "text/javascript" }));
  const workers = [];
  try {
    const started = [];
    for (let i = 1; i < threads; i++) {
      const worker = new Worker(url, { name: `webedge-${i}` });
      workers.push(worker);
      started.push(new Promise((resolve, reject) => {
        worker.onmessage = ({ data }) => data.ok ? resolve() : reject(new Error(data.error));
        worker.onerror = (e) => reject(new Error(e.message || "worker failed to start"));
        setTimeout(() => reject(new Error("worker did not start in time")), START_TIMEOUT_MS);
      }));
      worker.postMessage({ memory: arena.memory, modules, names, stackTop: (i + 1) * PAGE, ctl, slot: ctl + i * SLOT_BYTES });
    }
    await Promise.all(started);
  } catch (err) {
    for (const worker of workers) worker.terminate();
    arena.dispose(ctl);
    console.warn(`webedge: running on one thread (${err.message})`);
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
  for (const worker of workers) worker.onmessage = worker.onerror = null;
  return new Pool({ arena, kernels, names, workers, ctl });
}

// src/webedge/ops/nn.mjs
var ACT = { none: 0, Relu: 1, Clip: 2, HardSigmoid: 3, HardSwish: 4, LeakyRelu: 5, Sigmoid: 6, Tanh: 7 };
function geometry(node, xDims, kernel) {
  const at = node.attrs;
  const spatial = xDims.slice(2);
  if (spatial.length > 2) throw new Error(`${spatial.length}-D ${node.op} is not supported yet`);
  const two = (v, fill) => v ? spatial.length === 1 ? [fill, v[0]] : v : [fill, fill];
  const [H, W] = spatial.length === 1 ? [1, spatial[0]] : spatial;
  const [KH, KW] = spatial.length === 1 ? [1, kernel[0]] : kernel;
  const [sh, sw] = two(at.strides, 1);
  const [dh, dw] = two(at.dilations, 1);
  let pads = at.pads ? spatial.length === 1 ? [0, at.pads[0], 0, at.pads[1]] : at.pads : [0, 0, 0, 0];
  const autoPad = at.auto_pad ?? "NOTSET";
  const ceil = at.ceil_mode ? Math.ceil : Math.floor;
  const out = (n, k, s, d, p0, p1) => ceil((n + p0 + p1 - ((k - 1) * d + 1)) / s) + 1;
  let OH;
  let OW;
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    OH = Math.ceil(H / sh);
    OW = Math.ceil(W / sw);
    const th = Math.max(0, (OH - 1) * sh + (KH - 1) * dh + 1 - H);
    const tw = Math.max(0, (OW - 1) * sw + (KW - 1) * dw + 1 - W);
    const lowH = autoPad === "SAME_UPPER" ? Math.floor(th / 2) : Math.ceil(th / 2);
    const lowW = autoPad === "SAME_UPPER" ? Math.floor(tw / 2) : Math.ceil(tw / 2);
    pads = [lowH, lowW, th - lowH, tw - lowW];
  } else {
    if (autoPad === "VALID") pads = [0, 0, 0, 0];
    OH = out(H, KH, sh, dh, pads[0], pads[2]);
    OW = out(W, KW, sw, dw, pads[1], pads[3]);
    if (at.ceil_mode) {
      if ((OH - 1) * sh >= H + pads[0]) OH--;
      if ((OW - 1) * sw >= W + pads[1]) OW--;
    }
  }
  const outSpatial = spatial.length === 1 ? [OW] : [OH, OW];
  return { H, W, KH, KW, sh, sw, dh, dw, pt: pads[0], pl: pads[1], OH, OW, outSpatial };
}
function conv(ex, node, [x, w, b]) {
  if (x.dims.length > 4) return convNd(ex, node, [x, w, b]);
  const g = geometry(node, x.dims, w.dims.slice(2));
  const [N, C] = x.dims;
  const M = w.dims[0];
  const y = ex.alloc("float32", [N, M, ...g.outSpatial]);
  const act = node.attrs._act ?? "none";
  const [a0, a1] = node.attrs._act_params ?? [0, 0];
  const group = node.attrs.group ?? 1;
  const geo = [g.KH, g.KW, g.OH, g.OW, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl];
  const tail = [ACT[act], a0, a1];
  const [Cg, Mg, P, HW] = [C / group, M / group, g.OH * g.OW, g.H * g.W];
  const Kg = Cg * g.KH * g.KW;
  const [units, align] = N > 1 ? [N, 1] : group === 1 ? [M, 4] : [group, 1];
  const ranges = splitWork(ex, units, align, 2 * N * M * P * Kg);
  if (ranges) {
    const bias = (m0) => b ? b.ptr + m0 * 4 : 0;
    const calls = ([u0, u1]) => {
      if (N > 1) return [[x.ptr + u0 * C * HW * 4, w.ptr, bias(0), y.ptr + u0 * M * P * 4, u1 - u0, C, g.H, g.W, M, ...geo, group, ...tail]];
      const [m0, m, c0, c, gs] = group === 1 ? [u0, u1 - u0, 0, C, 1] : [u0 * Mg, (u1 - u0) * Mg, u0 * Cg, (u1 - u0) * Cg, u1 - u0];
      return [[x.ptr + c0 * HW * 4, w.ptr + m0 * Kg * 4, bias(m0), y.ptr + m0 * P * 4, 1, c, g.H, g.W, m, ...geo, gs, ...tail]];
    };
    return ex.pool.run("conv2d_f32", ranges.map(calls), [y]);
  }
  ex.k.conv2d_f32(x.ptr, w.ptr, b ? b.ptr : 0, y.ptr, N, C, g.H, g.W, M, ...geo, group, ...tail);
  return [y];
}
function gemm(ex, node, [a, b, c]) {
  const at = node.attrs;
  const tA = at.transA ?? 0;
  const tB = at.transB ?? 0;
  const [M, K] = tA ? [a.dims[1], a.dims[0]] : a.dims;
  const N = tB ? b.dims[0] : b.dims[1];
  const y = ex.alloc("float32", [M, N]);
  let cKind = 0;
  if (c) {
    const cd = c.dims.length === 2 ? c.dims : c.dims.length === 1 ? [1, c.dims[0]] : [1, 1];
    cKind = size(cd) === 1 ? 1 : cd[0] === 1 ? 2 : cd[1] === 1 ? 3 : 4;
  }
  const act = at._act ?? "none";
  const [a0, a1] = at._act_params ?? [0, 0];
  const tail = [tA, tB, at.alpha ?? 1, at.beta ?? 1, cKind, ACT[act], a0, a1];
  const byRows = !tA && M > 1;
  const ranges = byRows || M === 1 && tB ? splitWork(ex, byRows ? M : N, 4, 2 * M * N * K) : null;
  if (ranges) {
    const cOffset = (m0, n0) => !c ? 0 : c.ptr + 4 * (cKind === 3 ? m0 : cKind === 4 ? m0 * N + n0 : cKind === 2 ? n0 : 0);
    const calls = ([u0, u1]) => [byRows ? [a.ptr + u0 * K * 4, b.ptr, cOffset(u0, 0), y.ptr + u0 * N * 4, u1 - u0, N, K, ...tail] : [a.ptr, b.ptr + u0 * K * 4, cOffset(0, u0), y.ptr + u0 * 4, 1, u1 - u0, K, ...tail]];
    return ex.pool.run("gemm_f32", ranges.map(calls), [y]);
  }
  ex.k.gemm_f32(a.ptr, b.ptr, c ? c.ptr : 0, y.ptr, M, N, K, ...tail);
  return [y];
}
function matmul(ex, node, [a, b]) {
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = ad.slice(-2);
  const N = bd[bd.length - 1];
  if (bd[bd.length - 2] !== K) throw new Error(`MatMul of [${a.dims}] and [${b.dims}]: inner dims differ`);
  const batch = broadcastDims(ad.slice(0, -2), bd.slice(0, -2));
  let outDims = [...batch, M, N];
  if (a.dims.length === 1) outDims.splice(-2, 1);
  if (b.dims.length === 1) outDims = outDims.slice(0, -1);
  const y = ex.alloc("float32", outDims);
  const count = size(batch);
  const idxOf = (dims, i) => {
    let off = 0;
    let mul = 1;
    let rem = i;
    for (let d = batch.length - 1; d >= 0; d--) {
      const coord = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
      const j = d - (batch.length - dims.length);
      if (j >= 0) {
        off += (dims[j] === 1 ? 0 : coord) * mul;
        mul *= dims[j];
      }
    }
    return off;
  };
  const calls = (i0, i1, m0, m1) => {
    const out = [];
    for (let i = i0; i < i1; i++) {
      const ao = a.ptr + (idxOf(ad.slice(0, -2), i) * M + m0) * K * 4;
      const bo = b.ptr + idxOf(bd.slice(0, -2), i) * K * N * 4;
      out.push([ao, bo, 0, y.ptr + (i * M + m0) * N * 4, m1 - m0, N, K, 0, 0, 1, 0, 0, 0, 0, 0]);
    }
    return out;
  };
  const ranges = splitWork(ex, count > 1 ? count : M, count > 1 ? 1 : 4, 2 * count * M * N * K);
  if (ranges) {
    const shares = ranges.map(([u0, u1]) => count > 1 ? calls(u0, u1, 0, M) : calls(0, 1, u0, u1));
    return ex.pool.run("gemm_f32", shares, [y]);
  }
  for (const args of calls(0, count, 0, M)) ex.k.gemm_f32(...args);
  return [y];
}
function poolJs(ex, node, x, kind) {
  const at = node.attrs;
  const sp = x.dims.length - 2;
  const k = at.kernel_shape;
  const strides = at.strides ?? k.map(() => 1);
  const dil = at.dilations ?? k.map(() => 1);
  let pads = at.pads ?? new Array(2 * sp).fill(0);
  const inSp = x.dims.slice(2);
  const autoPad = at.auto_pad ?? "NOTSET";
  let outSp;
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    outSp = inSp.map((n, i) => Math.ceil(n / strides[i]));
    const total = outSp.map((o2, i) => Math.max(0, (o2 - 1) * strides[i] + (k[i] - 1) * dil[i] + 1 - inSp[i]));
    const low = total.map((t) => autoPad === "SAME_UPPER" ? Math.floor(t / 2) : Math.ceil(t / 2));
    pads = [...low, ...total.map((t, i) => t - low[i])];
  } else {
    if (autoPad === "VALID") pads = new Array(2 * sp).fill(0);
    const round = at.ceil_mode ? Math.ceil : Math.floor;
    outSp = inSp.map((n, i) => {
      let o2 = round((n + pads[i] + pads[i + sp] - ((k[i] - 1) * dil[i] + 1)) / strides[i]) + 1;
      if (at.ceil_mode && (o2 - 1) * strides[i] >= n + pads[i]) o2--;
      return o2;
    });
  }
  const [N, C] = x.dims;
  const y = ex.alloc(x.dtype, [N, C, ...outSp]);
  const wantIdx = kind === "max" && node.outputs[1];
  const idx = wantIdx ? ex.alloc("int64", [N, C, ...outSp]) : null;
  const xd = x.data, yd = y.data, id = idx ? idx.data : null;
  const inPlane = size(inSp);
  const outPlane = size(outSp);
  const inStr = inSp.map((_, i) => size(inSp.slice(i + 1)));
  const storage = at.storage_order ?? 0;
  const win = new Array(sp).fill(0);
  const o = new Array(sp).fill(0);
  for (let p = 0; p < N * C; p++) {
    for (let q = 0; q < outPlane; q++) {
      let rem = q;
      for (let d = sp - 1; d >= 0; d--) {
        o[d] = rem % outSp[d];
        rem = Math.floor(rem / outSp[d]);
      }
      let best = -Infinity;
      let bestAt = -1;
      let sum = 0;
      let count = 0;
      win.fill(0);
      for (; ; ) {
        let off = 0;
        let inside = true;
        let colMajor = 0;
        let mul = 1;
        for (let d2 = 0; d2 < sp; d2++) {
          const pos = o[d2] * strides[d2] - pads[d2] + win[d2] * dil[d2];
          if (pos < 0 || pos >= inSp[d2]) inside = false;
          off += pos * inStr[d2];
          colMajor += pos * mul;
          mul *= inSp[d2];
        }
        if (inside) {
          const v = Number(xd[p * inPlane + off]);
          if (v > best || bestAt < 0) {
            best = v;
            bestAt = storage ? colMajor : off;
          }
          sum += v;
          count++;
        } else if (kind === "avg" && at.count_include_pad) {
          const inPads = win.every((w, d2) => {
            const pos = o[d2] * strides[d2] - pads[d2] + w * dil[d2];
            return pos >= -pads[d2] && pos < inSp[d2] + pads[d2 + sp];
          });
          if (inPads) count++;
        }
        let d = sp - 1;
        while (d >= 0 && ++win[d] >= k[d]) win[d--] = 0;
        if (d < 0) break;
      }
      yd[p * outPlane + q] = kind === "max" ? best : sum / count;
      if (id) id[p * outPlane + q] = BigInt(p * inPlane + bestAt);
    }
  }
  return idx ? [y, idx] : [y];
}
function pool(kind) {
  return (ex, node, [x]) => {
    if (x.dtype !== "float32" || x.dims.length > 4 || kind === "max" && node.outputs[1]) return poolJs(ex, node, x, kind);
    const g = geometry(node, x.dims, node.attrs.kernel_shape);
    const [N, C] = x.dims;
    const y = ex.alloc("float32", [N, C, ...g.outSpatial]);
    const args = [x.ptr, y.ptr, N, C, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl];
    if (kind === "max") ex.k.maxpool2d_f32(...args);
    else ex.k.avgpool2d_f32(...args, node.attrs.count_include_pad ?? 0);
    return [y];
  };
}
function globalPool(kind) {
  return (ex, node, [x]) => {
    const [N, C] = x.dims;
    const y = ex.alloc("float32", [N, C, ...x.dims.slice(2).map(() => 1)]);
    const fn = kind === "max" ? ex.k.global_maxpool_f32 : ex.k.global_avgpool_f32;
    fn(x.ptr, y.ptr, N * C, size(x.dims.slice(2)));
    return [y];
  };
}
function softmax(log) {
  return (ex, node, [x]) => {
    const r = x.dims.length;
    const legacy = ex.plan.opset < 13;
    let axis = node.attrs.axis ?? (legacy ? 1 : -1);
    if (axis < 0) axis += r;
    const y = ex.alloc("float32", x.dims.slice());
    const outer = size(x.dims.slice(0, axis));
    const [len, inner] = legacy ? [size(x.dims.slice(axis)), 1] : [x.dims[axis], size(x.dims.slice(axis + 1))];
    ex.k.softmax_f32(x.ptr, y.ptr, outer, len, inner, log ? 1 : 0);
    return [y];
  };
}
function batchnorm(ex, node, [x, scale, bias, mean, variance]) {
  if (node.attrs.training_mode) return batchnormTraining(ex, node, [x, scale, bias, mean, variance]);
  const y = ex.alloc("float32", x.dims.slice());
  ex.k.batchnorm_f32(
    x.ptr,
    scale.ptr,
    bias.ptr,
    mean.ptr,
    variance.ptr,
    y.ptr,
    x.dims[0],
    x.dims[1],
    size(x.dims.slice(2)),
    node.attrs.epsilon ?? 1e-5
  );
  return [y];
}
function batchnormTraining(ex, node, [x, scale, bias, mean, variance]) {
  const [N, C] = x.dims;
  const S = size(x.dims.slice(2));
  const momentum = node.attrs.momentum ?? 0.9;
  const [y, bm, bv, runMean, runVar] = [x.dims.slice(), [C], [C], [C], [C]].map((d) => ex.alloc("float32", d));
  const xd = x.data;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    let sq = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sum += xd[(n * C + c) * S + s];
    const mu = sum / (N * S);
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sq += (xd[(n * C + c) * S + s] - mu) ** 2;
    bm.data[c] = mu;
    bv.data[c] = sq / (N * S);
    runMean.data[c] = mean.data[c] * momentum + mu * (1 - momentum);
    runVar.data[c] = variance.data[c] * momentum + bv.data[c] * (1 - momentum);
  }
  ex.k.batchnorm_f32(x.ptr, scale.ptr, bias.ptr, bm.ptr, bv.ptr, y.ptr, N, C, S, node.attrs.epsilon ?? 1e-5);
  ex.arena.dispose(bm.ptr);
  ex.arena.dispose(bv.ptr);
  return [y, runMean, runVar];
}
function layernorm(ex, node, [x, scale, bias]) {
  let axis = node.attrs.axis ?? -1;
  if (axis < 0) axis += x.dims.length;
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis));
  const eps = node.attrs.epsilon ?? 1e-5;
  const y = ex.alloc("float32", x.dims.slice());
  const stats = node.outputs.slice(1).map((name) => name ? ex.alloc("float32", x.dims.map((d, i) => i < axis ? d : 1)) : null);
  ex.k.layernorm_f32(x.ptr, scale.ptr, bias ? bias.ptr : 0, y.ptr, outer, inner, eps);
  if (stats.some(Boolean)) {
    const xd = x.data;
    const [meanOut, invOut] = [stats[0]?.data, stats[1]?.data];
    for (let o = 0; o < outer; o++) {
      let sum = 0;
      for (let i = 0; i < inner; i++) sum += xd[o * inner + i];
      const mean = sum / inner;
      let sq = 0;
      for (let i = 0; i < inner; i++) sq += (xd[o * inner + i] - mean) ** 2;
      if (meanOut) meanOut[o] = mean;
      if (invOut) invOut[o] = 1 / Math.sqrt(sq / inner + eps);
    }
  }
  return [y, ...stats];
}
function instancenorm(ex, node, [x, scale, bias]) {
  const y = ex.alloc("float32", x.dims.slice());
  ex.k.instancenorm_f32(
    x.ptr,
    scale.ptr,
    bias.ptr,
    y.ptr,
    x.dims[0],
    x.dims[1],
    size(x.dims.slice(2)),
    node.attrs.epsilon ?? 1e-5
  );
  return [y];
}
var ops4 = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  MaxPool: pool("max"),
  AveragePool: pool("avg"),
  GlobalMaxPool: globalPool("max"),
  GlobalAveragePool: globalPool("avg"),
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  BatchNormalization: batchnorm,
  LayerNormalization: layernorm,
  InstanceNormalization: instancenorm
};

// src/webedge/ops/reduce.mjs
var REDUCERS = {
  ReduceSum: { init: 0, step: (a, v) => a + v },
  ReduceMean: { init: 0, step: (a, v) => a + v, end: (a, n) => a / n },
  ReduceMax: { init: -Infinity, step: (a, v) => v > a || Number.isNaN(v) ? v : a },
  ReduceMin: { init: Infinity, step: (a, v) => v < a || Number.isNaN(v) ? v : a },
  ReduceProd: { init: 1, step: (a, v) => a * v },
  ReduceSumSquare: { init: 0, step: (a, v) => a + v * v },
  ReduceL1: { init: 0, step: (a, v) => a + Math.abs(v) },
  ReduceL2: { init: 0, step: (a, v) => a + v * v, end: (a) => Math.sqrt(a) },
  ReduceLogSumExp: { init: 0, step: (a, v) => a + Math.exp(v), end: (a) => Math.log(a) }
};
function accumulateFast(name, xd, acc, outer, red, inner) {
  const square = name === "ReduceSumSquare" || name === "ReduceL2";
  if (name !== "ReduceSum" && name !== "ReduceMean" && !square && name !== "ReduceMax" && name !== "ReduceMin") return false;
  const max = name === "ReduceMax";
  for (let o = 0; o < outer; o++) {
    const a0 = o * inner;
    if (inner === 1) {
      let s = acc[a0];
      const base = o * red;
      if (name === "ReduceSum" || name === "ReduceMean") for (let r = 0; r < red; r++) s += xd[base + r];
      else if (square) for (let r = 0; r < red; r++) s += xd[base + r] * xd[base + r];
      else if (max) for (let r = 0; r < red; r++) {
        const v = xd[base + r];
        if (v > s || v !== v) s = v;
      }
      else for (let r = 0; r < red; r++) {
        const v = xd[base + r];
        if (v < s || v !== v) s = v;
      }
      acc[a0] = s;
      continue;
    }
    for (let r = 0; r < red; r++) {
      const base = (o * red + r) * inner;
      if (name === "ReduceSum" || name === "ReduceMean") for (let i = 0; i < inner; i++) acc[a0 + i] += xd[base + i];
      else if (square) for (let i = 0; i < inner; i++) acc[a0 + i] += xd[base + i] * xd[base + i];
      else if (max) for (let i = 0; i < inner; i++) {
        const v = xd[base + i];
        if (v > acc[a0 + i] || v !== v) acc[a0 + i] = v;
      }
      else for (let i = 0; i < inner; i++) {
        const v = xd[base + i];
        if (v < acc[a0 + i] || v !== v) acc[a0 + i] = v;
      }
    }
  }
  return true;
}
function finish(y, acc, R, n) {
  const yd = y.data;
  const big = typeof yd[0] === "bigint";
  for (let o = 0; o < acc.length; o++) {
    const v = R.end ? R.end(acc[o], n) : acc[o];
    yd[o] = big ? BigInt(Math.trunc(v)) : v;
  }
  return y;
}
function reduceAxes(node, x, axesInput) {
  const r = x.dims.length;
  let axes = axesInput ? axesInput.numbers() : node.attrs.axes;
  if (!axes || axes.length === 0) axes = node.attrs.noop_with_empty_axes ? [] : x.dims.map((_, i) => i);
  return axes.map((a) => a < 0 ? a + r : a);
}
function reduce(name) {
  const R = REDUCERS[name];
  return (ex, node, [x, axesInput]) => {
    const axes = reduceAxes(node, x, axesInput);
    const keep = node.attrs.keepdims ?? 1;
    const outFull = x.dims.map((d, i) => axes.includes(i) ? 1 : d);
    const y = ex.alloc(x.dtype, keep ? outFull : x.dims.filter((_, i) => !axes.includes(i)));
    const xd = x.data;
    const acc = new Float64Array(size(outFull)).fill(R.init);
    const sorted = [...axes].sort((p, q) => p - q);
    if (sorted.length && sorted.every((a, i) => a === sorted[0] + i) && typeof xd[0] !== "bigint" && x.dtype !== "float16") {
      const outer = size(x.dims.slice(0, sorted[0]));
      const red = size(x.dims.slice(sorted[0], sorted[sorted.length - 1] + 1));
      const inner = size(x.dims.slice(sorted[sorted.length - 1] + 1));
      if (!accumulateFast(name, xd, acc, outer, red, inner)) {
        for (let o = 0; o < outer; o++) {
          for (let r = 0; r < red; r++) {
            const base = (o * red + r) * inner;
            for (let i = 0; i < inner; i++) acc[o * inner + i] = R.step(acc[o * inner + i], xd[base + i]);
          }
        }
      }
      return [finish(y, acc, R, axes.reduce((p, a) => p * x.dims[a], 1))];
    }
    const os = stridesOf(outFull);
    const idx = new Array(x.dims.length).fill(0);
    for (let i = 0; i < xd.length; i++) {
      let o = 0;
      for (let d = 0; d < idx.length; d++) if (!axes.includes(d)) o += idx[d] * os[d];
      acc[o] = R.step(acc[o], Number(xd[i]));
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < x.dims[d]) break;
        idx[d] = 0;
      }
    }
    return [finish(y, acc, R, axes.reduce((p, a) => p * x.dims[a], 1))];
  };
}
function argReduce(max) {
  return (ex, node, [x]) => {
    const r = x.dims.length;
    let axis = node.attrs.axis ?? 0;
    if (axis < 0) axis += r;
    const keep = node.attrs.keepdims ?? 1;
    const last = node.attrs.select_last_index ?? 0;
    const dims = keep ? x.dims.map((d, i) => i === axis ? 1 : d) : x.dims.filter((_, i) => i !== axis);
    const y = ex.alloc("int64", dims);
    const outer = size(x.dims.slice(0, axis));
    const n = x.dims[axis];
    const inner = size(x.dims.slice(axis + 1));
    const xd = x.data, yd = y.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let k = 1; k < n; k++) {
          const v = xd[(o * n + k) * inner + i];
          const b = xd[(o * n + best) * inner + i];
          if (max ? v > b || last && v === b : v < b || last && v === b) best = k;
        }
        yd[o * inner + i] = BigInt(best);
      }
    }
    return [y];
  };
}
var ops5 = { ArgMax: argReduce(true), ArgMin: argReduce(false) };
for (const name of Object.keys(REDUCERS)) ops5[name] = reduce(name);

// src/webedge/ops/control.mjs
function ifOp(ex, node, [cond], scope) {
  const branch = cond.data[0] ? node.attrs.then_branch : node.attrs.else_branch;
  return ex.runSubplan(branch, scope);
}
var release = (ex, t) => {
  if (t && t.ptr !== null && !ex.fixedTensors.has(t)) ex.arena.dispose(t.ptr);
};
async function runBody(ex, body, scope, args, mine) {
  const values = new Map(scope);
  body.inputs.forEach((name, i) => values.set(name, args[i]));
  try {
    return await ex.runSubplan(body, values);
  } finally {
    for (const t of args) if (mine.has(t)) release(ex, t);
  }
}
function scalar2(ex, dtype, value) {
  const t = ex.alloc(dtype, []);
  t.data[0] = value;
  return t;
}
function copyOf(ex, x) {
  const y = ex.alloc(x.dtype, x.dims.slice());
  y.data.set(x.data);
  return y;
}
function take(ex, x, axis, index) {
  const d = x.dims;
  const y = ex.alloc(x.dtype, [...d.slice(0, axis), ...d.slice(axis + 1)]);
  const [outer, n, inner] = [size(d.slice(0, axis)), d[axis], size(d.slice(axis + 1))];
  const xd = x.data, yd = y.data;
  for (let o = 0; o < outer; o++) yd.set(xd.subarray((o * n + index) * inner, (o * n + index + 1) * inner), o * inner);
  return y;
}
function stack(ex, parts, axis, empty = [0]) {
  if (!parts.length) return ex.alloc("float32", empty);
  const e = parts[0].dims;
  const T = parts.length;
  const y = ex.alloc(parts[0].dtype, [...e.slice(0, axis), T, ...e.slice(axis)]);
  const [outer, inner] = [size(e.slice(0, axis)), size(e.slice(axis))];
  const yd = y.data;
  parts.forEach((p, t) => {
    if (size(p.dims) !== outer * inner) throw new Error(`scan output ${t} has shape [${p.dims}], expected [${e}]`);
    const pd = p.data;
    for (let o = 0; o < outer; o++) yd.set(pd.subarray(o * inner, (o + 1) * inner), (o * T + t) * inner);
  });
  return y;
}
async function loop(ex, node, [tripCount, cond, ...initial], scope) {
  const body = node.attrs.body;
  const trips = tripCount ? Number(tripCount.data[0]) : Infinity;
  let going = cond ? !!cond.data[0] : true;
  if (!tripCount && !cond) throw new Error("a Loop with neither a trip count nor a condition never ends");
  const K = initial.length;
  let carried = initial;
  let mine = /* @__PURE__ */ new Set();
  const scans = [];
  try {
    for (let i = 0; i < trips && going; i++) {
      const args = [scalar2(ex, "int64", BigInt(i)), scalar2(ex, "bool", going ? 1 : 0), ...carried];
      const outs = await runBody(ex, body, scope, args, /* @__PURE__ */ new Set([args[0], args[1], ...mine]));
      going = !!outs[0].data[0];
      release(ex, outs[0]);
      carried = outs.slice(1, 1 + K);
      mine = new Set(carried);
      outs.slice(1 + K).forEach((t, j) => (scans[j] ??= []).push(t));
    }
    const finals = carried.map((t) => mine.has(t) ? t : copyOf(ex, t));
    mine = /* @__PURE__ */ new Set();
    const stacked = node.outputs.slice(K).map((_, j) => stack(ex, scans[j] ?? [], 0));
    return [...finals, ...stacked];
  } finally {
    for (const t of mine) release(ex, t);
    for (const list of scans) for (const t of list) release(ex, t);
  }
}
var norm3 = (axis, rank) => axis < 0 ? axis + rank : axis;
async function scan(ex, node, inputs, scope) {
  const at = node.attrs;
  const M = at.num_scan_inputs;
  const N = inputs.length - M;
  const xs = inputs.slice(N);
  const inAxes = xs.map((x, j) => norm3(at.scan_input_axes?.[j] ?? 0, x.dims.length));
  const inDirs = at.scan_input_directions ?? [];
  const T = xs.length ? xs[0].dims[inAxes[0]] : 0;
  const { states, scans } = await iterate(
    ex,
    node.attrs.body,
    scope,
    inputs.slice(0, N),
    T,
    (t) => xs.map((x, j) => take(ex, x, inAxes[j], inDirs[j] ? T - 1 - t : t))
  );
  try {
    const outDirs = at.scan_output_directions ?? [];
    const stacked = node.outputs.slice(N).map((_, k) => {
      const parts = scans[k] ?? [];
      if (outDirs[k]) parts.reverse();
      const rank = parts.length ? parts[0].dims.length + 1 : 1;
      return stack(ex, parts, norm3(at.scan_output_axes?.[k] ?? 0, rank));
    });
    return [...states, ...stacked];
  } finally {
    for (const list of scans) for (const t of list) release(ex, t);
  }
}
async function iterate(ex, body, scope, initial, T, slicesAt) {
  let states = initial;
  let mine = /* @__PURE__ */ new Set();
  const scans = [];
  try {
    for (let t = 0; t < T; t++) {
      const slices = slicesAt(t);
      const outs = await runBody(ex, body, scope, [...states, ...slices], /* @__PURE__ */ new Set([...slices, ...mine]));
      states = outs.slice(0, initial.length);
      mine = new Set(states);
      outs.slice(initial.length).forEach((o, k) => (scans[k] ??= []).push(o));
    }
    const finals = states.map((s) => mine.has(s) ? s : copyOf(ex, s));
    mine = /* @__PURE__ */ new Set();
    return { states: finals, scans };
  } catch (err) {
    for (const list of scans) for (const t of list) release(ex, t);
    throw err;
  } finally {
    for (const t of mine) release(ex, t);
  }
}
async function scan8(ex, node, [lens, ...inputs], scope) {
  const at = node.attrs;
  const M = at.num_scan_inputs;
  const N = inputs.length - M;
  const xs = inputs.slice(N);
  const B = inputs[0].dims[0];
  const maxT = xs.length ? xs[0].dims[1] : 0;
  const dirs = at.directions ?? [];
  const perBatch = [];
  try {
    for (let b = 0; b < B; b++) {
      const T = lens ? Number(lens.data[b]) : maxT;
      const initial = inputs.slice(0, N).map((s) => take(ex, s, 0, b));
      const rows = xs.map((x) => take(ex, x, 0, b));
      try {
        const slicesAt = (t) => rows.map((r, j) => take(ex, r, 0, dirs[j] ? T - 1 - t : t));
        perBatch.push(await iterate(ex, at.body, scope, initial, T, slicesAt));
      } finally {
        for (const t of [...initial, ...rows]) release(ex, t);
      }
    }
    const states = perBatch.length ? perBatch[0].states.map((_, i) => stack(ex, perBatch.map((r) => r.states[i]), 0)) : [];
    const outputs = node.outputs.slice(N).map((_, k) => {
      const rows = perBatch.map((r) => {
        const parts = r.scans[k] ?? [];
        const padded = stack(ex, parts, 0);
        if (parts.length === maxT) return padded;
        const full = ex.alloc(padded.dtype, [maxT, ...padded.dims.slice(1)]);
        full.data.fill(padded.dtype === "int64" || padded.dtype === "uint64" ? 0n : 0);
        full.data.set(padded.data);
        release(ex, padded);
        return full;
      });
      const y = stack(ex, rows, 0);
      rows.forEach((r) => release(ex, r));
      return y;
    });
    return [...states, ...outputs];
  } finally {
    for (const r of perBatch) {
      for (const t of r.states) release(ex, t);
      for (const list of r.scans) for (const t of list) release(ex, t);
    }
  }
}
var ops6 = {
  If: ifOp,
  Loop: loop,
  Scan: (ex, node, inputs, scope) => (ex.plan.opset < 9 ? scan8 : scan)(ex, node, inputs, scope)
};

// src/webedge/ops/rnn.mjs
var ACTS2 = {
  Sigmoid: () => (x) => 1 / (1 + Math.exp(-x)),
  Tanh: () => Math.tanh,
  Relu: () => (x) => x > 0 ? x : 0,
  HardSigmoid: (a = 0.2, b = 0.5) => (x) => Math.max(0, Math.min(1, a * x + b)),
  LeakyRelu: (a = 0.01) => (x) => x >= 0 ? x : a * x,
  ThresholdedRelu: (a = 1) => (x) => x > a ? x : 0,
  Affine: (a = 1, b = 0) => (x) => a * x + b,
  ScaledTanh: (a = 1, b = 1) => (x) => a * Math.tanh(b * x),
  Elu: (a = 1) => (x) => x >= 0 ? x : a * (Math.exp(x) - 1),
  Softsign: () => (x) => x / (1 + Math.abs(x)),
  Softplus: () => (x) => Math.log1p(Math.exp(x))
};
function activations(node, count, defaults) {
  const names = node.attrs.activations ?? [];
  const alpha = node.attrs.activation_alpha ?? [];
  const beta = node.attrs.activation_beta ?? [];
  const dirs = node.attrs.direction === "bidirectional" ? 2 : 1;
  const out = [];
  let ai = 0;
  let bi = 0;
  for (let i = 0; i < count * dirs; i++) {
    const name = names[i] ?? defaults[i % count];
    const make = ACTS2[name];
    if (!make) throw new Error(`activation ${name} is not supported`);
    const needsA = ["HardSigmoid", "LeakyRelu", "ThresholdedRelu", "Affine", "ScaledTanh", "Elu"].includes(name);
    const needsB = ["HardSigmoid", "Affine", "ScaledTanh"].includes(name);
    out.push(make(needsA ? alpha[ai++] : void 0, needsB ? beta[bi++] : void 0));
  }
  return out;
}
function swap01(ex, t) {
  const [a, b, ...rest] = t.dims;
  const inner = rest.reduce((p, q) => p * q, 1);
  const y = ex.alloc("float32", [b, a, ...rest]);
  const src = t.data;
  const dst = y.data;
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) dst.set(src.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
  return y;
}
var GATES = { LSTM: 4, GRU: 3, RNN: 1 };
var DEFAULT_ACTS = { LSTM: ["Sigmoid", "Tanh", "Tanh"], GRU: ["Sigmoid", "Tanh"], RNN: ["Tanh"] };
function recurrent(kind) {
  const G = GATES[kind];
  const A = DEFAULT_ACTS[kind].length;
  return (ex, node, inputs) => {
    const at = node.attrs;
    const layout = at.layout ?? 0;
    let [X, W, R, B, seqLens, h0, c0, P] = inputs;
    if (layout === 1) {
      X = swap01(ex, X);
      if (h0) h0 = swap01(ex, h0);
      if (c0) c0 = swap01(ex, c0);
    }
    const [S, N, I] = X.dims;
    const dirs = W.dims[0];
    const H = at.hidden_size ?? R.dims[2];
    const clip = at.clip;
    const acts = activations(node, A, DEFAULT_ACTS[kind]);
    const lens = seqLens ? Array.from(seqLens.data, Number) : new Array(N).fill(S);
    const lbr = at.linear_before_reset ?? 0;
    const Y = ex.alloc("float32", [S, dirs, N, H]);
    const Yh = ex.alloc("float32", [dirs, N, H]);
    const Yc = kind === "LSTM" ? ex.alloc("float32", [dirs, N, H]) : null;
    const XW = ex.alloc("float32", [S * N, G * H]);
    const HR = ex.alloc("float32", [N, G * H]);
    const bias = ex.alloc("float32", [G * H]);
    const hState = ex.alloc("float32", [N, H]);
    const rh = kind === "GRU" && !lbr ? ex.alloc("float32", [N, H]) : null;
    const rhOut = kind === "GRU" && !lbr ? ex.alloc("float32", [N, H]) : null;
    const temps = [XW, HR, bias, hState, rh, rhOut].filter(Boolean);
    const swapped = layout === 1 ? [X, h0, c0].filter(Boolean) : [];
    const mem = () => ex.arena.memory.buffer;
    try {
      for (let d = 0; d < dirs; d++) {
        const reverse = at.direction === "reverse" || d === 1;
        const [f, g, h] = acts.slice(d * A, (d + 1) * A);
        const bv = bias.data;
        bv.fill(0);
        if (B) {
          const b = B.data.subarray(d * 2 * G * H, (d + 1) * 2 * G * H);
          for (let k = 0; k < G * H; k++) bv[k] = b[k] + (kind === "GRU" && k >= 2 * H ? 0 : b[G * H + k]);
        }
        ex.k.gemm_f32(X.ptr, W.ptr + d * G * H * I * 4, bias.ptr, XW.ptr, S * N, G * H, I, 0, 1, 1, 1, 2, 0, 0, 0);
        const hv = hState.data;
        const c = new Float32Array(N * H);
        if (h0) hv.set(h0.data.subarray(d * N * H, (d + 1) * N * H));
        else hv.fill(0);
        if (c0) c.set(c0.data.subarray(d * N * H, (d + 1) * N * H));
        const Rd = R.ptr + d * G * H * H * 4;
        const rb = B && kind === "GRU" ? B.data.subarray(d * 2 * G * H + G * H, (d + 1) * 2 * G * H) : null;
        const p = P ? P.data.subarray(d * 3 * H, (d + 1) * 3 * H) : null;
        const clamp = clip ? (v) => Math.max(-clip, Math.min(clip, v)) : (v) => v;
        for (let step = 0; step < S; step++) {
          const t = reverse ? S - 1 - step : step;
          ex.k.gemm_f32(hState.ptr, Rd, 0, HR.ptr, N, G * H, H, 0, 1, 1, 0, 0, 0, 0, 0);
          const xw = new Float32Array(mem(), XW.ptr + t * N * G * H * 4, N * G * H);
          const hr = new Float32Array(mem(), HR.ptr, N * G * H);
          const hvv = new Float32Array(mem(), hState.ptr, N * H);
          const y = new Float32Array(mem(), Y.ptr, S * dirs * N * H);
          if (kind === "GRU" && !lbr) {
            const rv = new Float32Array(mem(), rh.ptr, N * H);
            for (let n = 0; n < N; n++) {
              for (let k = 0; k < H; k++) {
                const r = f(clamp(xw[n * 3 * H + H + k] + hr[n * 3 * H + H + k]));
                rv[n * H + k] = r * hvv[n * H + k];
              }
            }
            ex.k.gemm_f32(rh.ptr, Rd + 2 * H * H * 4, 0, rhOut.ptr, N, H, H, 0, 1, 1, 0, 0, 0, 0, 0);
          }
          for (let n = 0; n < N; n++) {
            const active = t < lens[n];
            for (let k = 0; k < H; k++) {
              const o = n * H + k;
              if (!active) {
                y[(t * dirs + d) * N * H + o] = 0;
                continue;
              }
              const base = n * G * H;
              let hNew;
              if (kind === "RNN") {
                hNew = f(clamp(xw[base + k] + hr[base + k]));
              } else if (kind === "LSTM") {
                const cPrev = c[o];
                let i = clamp(xw[base + k] + hr[base + k] + (p ? p[k] * cPrev : 0));
                let ff = clamp(xw[base + 2 * H + k] + hr[base + 2 * H + k] + (p ? p[2 * H + k] * cPrev : 0));
                const cc = g(clamp(xw[base + 3 * H + k] + hr[base + 3 * H + k]));
                i = f(i);
                ff = at.input_forget ? 1 - i : f(ff);
                const cNew = ff * cPrev + i * cc;
                const oo = f(clamp(xw[base + H + k] + hr[base + H + k] + (p ? p[H + k] * cNew : 0)));
                c[o] = cNew;
                hNew = oo * h(cNew);
              } else {
                const z = f(clamp(xw[base + k] + hr[base + k]));
                let hh;
                if (lbr) {
                  const r = f(clamp(xw[base + H + k] + hr[base + H + k]));
                  hh = g(clamp(xw[base + 2 * H + k] + r * (hr[base + 2 * H + k] + (rb ? rb[2 * H + k] : 0))));
                } else {
                  const rhr = new Float32Array(mem(), rhOut.ptr, N * H);
                  hh = g(clamp(xw[base + 2 * H + k] + rhr[n * H + k] + (rb ? rb[2 * H + k] : 0)));
                }
                hNew = (1 - z) * hh + z * hvv[o];
              }
              hvv[o] = hNew;
              y[(t * dirs + d) * N * H + o] = hNew;
            }
          }
        }
        Yh.data.set(hState.data, d * N * H);
        if (Yc) Yc.data.set(c, d * N * H);
      }
    } finally {
      for (const t of [...temps, ...swapped]) ex.arena.dispose(t.ptr);
    }
    if (layout === 1) {
      const y1 = ex.alloc("float32", [N, S, dirs, H]);
      const src = Y.data;
      const dst = y1.data;
      for (let t = 0; t < S; t++) for (let d = 0; d < dirs; d++) for (let n = 0; n < N; n++) {
        dst.set(src.subarray(((t * dirs + d) * N + n) * H, ((t * dirs + d) * N + n + 1) * H), ((n * S + t) * dirs + d) * H);
      }
      ex.arena.dispose(Y.ptr);
      const outs = [y1, swap01(ex, Yh), Yc ? swap01(ex, Yc) : null];
      ex.arena.dispose(Yh.ptr);
      if (Yc) ex.arena.dispose(Yc.ptr);
      return outs;
    }
    return [Y, Yh, Yc];
  };
}
var ops7 = { LSTM: recurrent("LSTM"), GRU: recurrent("GRU"), RNN: recurrent("RNN") };

// src/webedge/ops/conv_transpose.mjs
function geometry2(node, x, w) {
  const at = node.attrs;
  const oneD = x.dims.length === 3;
  const two = (v, fill) => v ? oneD ? [fill, v[0]] : v : [fill, fill];
  const [H, W] = oneD ? [1, x.dims[2]] : x.dims.slice(2);
  const [KH, KW] = oneD ? [1, w.dims[2]] : w.dims.slice(2);
  const [sh, sw] = two(at.strides, 1);
  const [dh, dw] = two(at.dilations, 1);
  const [oph, opw] = two(at.output_padding, 0);
  let pads = at.pads ? oneD ? [0, at.pads[0], 0, at.pads[1]] : at.pads : [0, 0, 0, 0];
  const full = (n, s, k, d, op) => s * (n - 1) + op + (k - 1) * d + 1;
  let OH;
  let OW;
  const given = at.output_shape ? oneD ? [1, ...at.output_shape.slice(-1)] : at.output_shape.slice(-2) : null;
  const autoPad = at.auto_pad ?? "NOTSET";
  if (given || autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    [OH, OW] = given ?? [H * sh, W * sw];
    const th = Math.max(0, full(H, sh, KH, dh, oph) - OH);
    const tw = Math.max(0, full(W, sw, KW, dw, opw) - OW);
    const lowH = autoPad === "SAME_UPPER" ? Math.floor(th / 2) : Math.ceil(th / 2);
    const lowW = autoPad === "SAME_UPPER" ? Math.floor(tw / 2) : Math.ceil(tw / 2);
    pads = [lowH, lowW, th - lowH, tw - lowW];
  } else {
    if (autoPad === "VALID") pads = [0, 0, 0, 0];
    OH = full(H, sh, KH, dh, oph) - pads[0] - pads[2];
    OW = full(W, sw, KW, dw, opw) - pads[1] - pads[3];
  }
  return { oneD, H, W, KH, KW, sh, sw, dh, dw, pt: pads[0], pl: pads[1], OH, OW };
}
function convTranspose(ex, node, [x, w, b]) {
  if (x.dims.length > 4) return convTransposeNd(ex, node, [x, w, b]);
  const g = geometry2(node, x, w);
  const group = node.attrs.group ?? 1;
  const [N, C] = x.dims;
  const Mg = w.dims[1];
  const M = Mg * group;
  const Cg = C / group;
  const rows = Mg * g.KH * g.KW;
  const HW = g.H * g.W;
  const y = ex.alloc("float32", g.oneD ? [N, M, g.OW] : [N, M, g.OH, g.OW]);
  const cols = ex.alloc("float32", [rows, HW]);
  try {
    const yd = y.data;
    if (b) {
      const bd = b.data;
      for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) yd.fill(bd[m], (n * M + m) * g.OH * g.OW, (n * M + m + 1) * g.OH * g.OW);
    } else yd.fill(0);
    for (let n = 0; n < N; n++) {
      for (let gi = 0; gi < group; gi++) {
        ex.k.gemm_f32(
          w.ptr + gi * Cg * rows * 4,
          x.ptr + (n * C + gi * Cg) * HW * 4,
          0,
          cols.ptr,
          rows,
          HW,
          Cg,
          1,
          0,
          1,
          0,
          0,
          0,
          0,
          0
        );
        const cd = cols.data;
        const out = y.data;
        for (let m = 0; m < Mg; m++) {
          const obase = (n * M + gi * Mg + m) * g.OH * g.OW;
          for (let kh = 0; kh < g.KH; kh++) {
            for (let kw = 0; kw < g.KW; kw++) {
              const row = ((m * g.KH + kh) * g.KW + kw) * HW;
              for (let h = 0; h < g.H; h++) {
                const oh = h * g.sh - g.pt + kh * g.dh;
                if (oh < 0 || oh >= g.OH) continue;
                for (let ww = 0; ww < g.W; ww++) {
                  const ow = ww * g.sw - g.pl + kw * g.dw;
                  if (ow >= 0 && ow < g.OW) out[obase + oh * g.OW + ow] += cd[row + h * g.W + ww];
                }
              }
            }
          }
        }
      }
    }
  } finally {
    ex.arena.dispose(cols.ptr);
  }
  return [y];
}
var ops8 = { ConvTranspose: convTranspose };

// src/webedge/ops/resize.mjs
var TRANSFORMS = {
  half_pixel: (x, s) => (x + 0.5) / s - 0.5,
  pytorch_half_pixel: (x, s, lenOut) => lenOut > 1 ? (x + 0.5) / s - 0.5 : 0,
  align_corners: (x, s, lenOut, lenIn) => lenOut === 1 ? 0 : x * (lenIn - 1) / (lenOut - 1),
  asymmetric: (x, s) => x / s,
  tf_half_pixel_for_nn: (x, s) => (x + 0.5) / s,
  half_pixel_symmetric: (x, s, lenOut, lenIn) => {
    const adjustment = Math.floor(lenOut) / lenOut;
    return lenIn / 2 * (1 - adjustment) + (x + 0.5) / s - 0.5;
  }
};
var ROUND = {
  round_prefer_floor: (v) => v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v),
  round_prefer_ceil: (v) => Math.round(v),
  floor: Math.floor,
  ceil: Math.ceil
};
function resize(ex, node, inputs) {
  const x = inputs[0];
  const at = node.attrs;
  const r = x.dims.length;
  const legacy = node.op === "Upsample" || ex.plan.opset < 11 && inputs.length === 2;
  const scalesT = legacy ? inputs[1] : inputs[2];
  const sizesT = legacy ? null : inputs[3];
  const axes = (at.axes ?? x.dims.map((_, i) => i)).map((a) => a < 0 ? a + r : a);
  let scales = x.dims.map(() => 1);
  let dims = x.dims.slice();
  if (sizesT && sizesT.size) {
    const want = sizesT.numbers();
    const policy = at.keep_aspect_ratio_policy ?? "stretch";
    if (policy === "stretch") {
      axes.forEach((a, i) => {
        dims[a] = want[i];
        scales[a] = want[i] / x.dims[a];
      });
    } else {
      const ratios = axes.map((a, i) => want[i] / x.dims[a]);
      const s = policy === "not_larger" ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => {
        scales[a] = s;
        dims[a] = Math.round(s * x.dims[a]);
      });
    }
  } else {
    const given = Array.from(scalesT ? scalesT.data : at.scales, Number);
    axes.forEach((a, i) => {
      scales[a] = given[i];
      dims[a] = Math.floor(x.dims[a] * given[i]);
    });
  }
  const mode = at.mode ?? "nearest";
  const ctm = legacy ? "asymmetric" : at.coordinate_transformation_mode ?? "half_pixel";
  let transform = TRANSFORMS[ctm];
  const roiT = legacy ? null : inputs[1];
  const crop = ctm === "tf_crop_and_resize";
  if (crop) {
    const roi = readRoi(roiT, axes, r);
    transform = (o, s, lenOut, lenIn, axis) => {
      const [a, b] = [roi[axis], roi[axis + r]];
      const out = Math.round(lenOut);
      return out > 1 ? a * (lenIn - 1) + o * (b - a) * (lenIn - 1) / (out - 1) : 0.5 * (a + b) * (lenIn - 1);
    };
  }
  if (!transform) throw new Error(`coordinate_transformation_mode '${ctm}' is not supported`);
  const extrapolation = at.extrapolation_value ?? 0;
  const y = ex.alloc(x.dtype, dims);
  const xs = stridesOf(x.dims);
  const xd = x.data;
  const yd = y.data;
  const coord = (axis, o) => transform(o, scales[axis], crop ? dims[axis] : scales[axis] * x.dims[axis], x.dims[axis], axis);
  const outside = (axis, c) => crop && (c < 0 || c > x.dims[axis] - 1);
  if (mode === "nearest") {
    const round = ROUND[legacy ? "floor" : at.nearest_mode ?? "round_prefer_floor"];
    const maps = dims.map((n, axis) => Array.from({ length: n }, (_, o) => {
      const c = coord(axis, o);
      if (outside(axis, c)) return -1;
      return Math.max(0, Math.min(x.dims[axis] - 1, round(c))) * xs[axis];
    }));
    const W = dims[r - 1];
    const last = maps[r - 1];
    const idx = new Array(r - 1).fill(0);
    const rows = W === 0 ? 0 : yd.length / W;
    for (let row = 0, o = 0; row < rows; row++) {
      let base = 0;
      let out = false;
      for (let d = 0; d < r - 1; d++) {
        const m = maps[d][idx[d]];
        if (m < 0) out = true;
        base += m;
      }
      for (let w = 0; w < W; w++, o++) yd[o] = out || last[w] < 0 ? extrapolation : xd[base + last[w]];
      for (let d = r - 2; d >= 0; d--) {
        if (++idx[d] < dims[d]) break;
        idx[d] = 0;
      }
    }
    return [y];
  }
  if (mode !== "linear" && mode !== "cubic") throw new Error(`Resize mode '${mode}' is not supported`);
  const scaled = dims.map((d, i) => d !== x.dims[i] || scales[i] !== 1).map((v, i) => v ? i : -1).filter((i) => i >= 0);
  if (scaled.length > 2 || scaled.some((a) => a < r - 2)) throw new Error(`${mode} Resize is supported on the last two axes only`);
  const A = at.cubic_coeff_a ?? -0.75;
  const cubic = (s) => {
    const t = Math.abs(s);
    if (t <= 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
    if (t < 2) return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
    return 0;
  };
  const antialias = at.antialias && mode !== "nearest";
  const tapsFor = (axis) => Array.from({ length: dims[axis] }, (_, o) => {
    const n = x.dims[axis];
    if (outside(axis, coord(axis, o))) return null;
    if (antialias && scales[axis] < 1) {
      const sc = scales[axis];
      const c2 = coord(axis, o);
      const ratio = Number.isInteger(c2) ? 1 : c2 - Math.floor(c2);
      const left = c2 - ratio;
      const first = Math.floor(-(mode === "linear" ? 1 : 2) / sc) + 1;
      const footprint = 2 - 2 * first;
      const kernel = mode === "linear" ? (t2) => Math.max(0, 1 - Math.abs(t2)) : cubic;
      let taps3 = [];
      for (let j = first; j < first + footprint; j++) taps3.push([left + j, kernel((j - ratio) * sc)]);
      const total = taps3.reduce((acc, [, w]) => acc + w, 0);
      taps3 = taps3.map(([i, w]) => [i, w / total]);
      if (at.exclude_outside) {
        taps3 = taps3.filter(([i]) => i >= 0 && i < n);
        const kept = taps3.reduce((acc, [, w]) => acc + w, 0);
        taps3 = taps3.map(([i, w]) => [i, w / kept]);
      }
      return taps3.map(([i, w]) => [Math.max(0, Math.min(n - 1, i)) * xs[axis], w]);
    }
    if (mode === "linear") {
      const c2 = Math.max(0, Math.min(n - 1, coord(axis, o)));
      const i02 = Math.floor(c2);
      const i1 = Math.min(i02 + 1, n - 1);
      return [[i02 * xs[axis], 1 - (c2 - i02)], [i1 * xs[axis], c2 - i02]];
    }
    const c = coord(axis, o);
    const i0 = Math.floor(c);
    const t = c - i0;
    let taps2 = [-1, 0, 1, 2].map((k) => [i0 + k, cubic(t - k)]);
    if (at.exclude_outside) {
      taps2 = taps2.filter(([i]) => i >= 0 && i < n);
      const total = taps2.reduce((acc, [, w]) => acc + w, 0);
      taps2 = taps2.map(([i, w]) => [i, w / total]);
    }
    return taps2.map(([i, w]) => [Math.max(0, Math.min(n - 1, i)) * xs[axis], w]);
  });
  const rowTaps = r >= 2 ? tapsFor(r - 2) : [[[0, 1]]];
  const colTaps = tapsFor(r - 1);
  const [OH, OW] = [r >= 2 ? dims[r - 2] : 1, dims[r - 1]];
  const planes = yd.length / (OH * OW);
  const planeIn = (r >= 2 ? x.dims[r - 2] : 1) * x.dims[r - 1];
  for (let p = 0; p < planes; p++) {
    const ib = p * planeIn;
    for (let oh = 0; oh < OH; oh++) {
      const rows = rowTaps[oh];
      for (let ow = 0; ow < OW; ow++) {
        const cols = colTaps[ow];
        if (!rows || !cols) {
          yd[(p * OH + oh) * OW + ow] = extrapolation;
          continue;
        }
        let acc = 0;
        for (const [ro, rw] of rows) {
          let line = 0;
          for (const [co, cw] of cols) line += xd[ib + ro + co] * cw;
          acc += line * rw;
        }
        yd[(p * OH + oh) * OW + ow] = acc;
      }
    }
  }
  return [y];
}
function readRoi(roiT, axes, r) {
  const roi = [...new Array(r).fill(0), ...new Array(r).fill(1)];
  if (roiT && roiT.size) {
    const v = Array.from(roiT.data, Number);
    const k = v.length / 2;
    axes.slice(0, k).forEach((a, i) => {
      roi[a] = v[i];
      roi[a + r] = v[i + k];
    });
  }
  return roi;
}
var ops9 = { Resize: resize, Upsample: resize };

// src/webedge/ops/quantize.mjs
var RANGE = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint4: [0, 15],
  int4: [-8, 7],
  uint2: [0, 3],
  int2: [-2, 1]
};
function paramIndex(x, param, axisAttr, block) {
  if (!param || param.size === 1) return () => 0;
  const r = x.dims.length;
  const axis = axisAttr < 0 ? axisAttr + r : axisAttr;
  const inner = size(x.dims.slice(axis + 1));
  const n = x.dims[axis];
  if (!block) return (i) => Math.floor(i / inner) % n;
  const blocks = param.dims[axis];
  return (i) => {
    const outer = Math.floor(i / (inner * n));
    const a = Math.floor(i / inner) % n;
    return (outer * blocks + Math.floor(a / block)) * inner + i % inner;
  };
}
function rounderTo(dtype) {
  if (dtype === "float32") return Math.fround;
  if (dtype === "float64") return (v) => v;
  const store2 = storeOf(dtype);
  const read = numberOf(dtype);
  return (v) => read(store2(v));
}
function dequantizeLinear(ex, node, [x, scale, zp]) {
  const to = node.attrs.output_dtype ? DTYPE_OF[node.attrs.output_dtype] : scale.dtype;
  const y = ex.alloc(to, x.dims.slice());
  const xd = x.data, yd = y.data;
  const xv = numberOf(x.dtype);
  const sd = Array.from(scale.data, numberOf(scale.dtype));
  const zd = zp && !isLowpFloat(x.dtype) ? Array.from(zp.data, numberOf(zp.dtype)) : null;
  const store2 = storeOf(to);
  const at = paramIndex(x, scale, node.attrs.axis ?? 1, node.attrs.block_size ?? 0);
  for (let i = 0; i < xd.length; i++) {
    const k = at(i);
    yd[i] = store2(Math.fround(Math.fround(Math.fround(xv(xd[i])) - (zd ? zd[k] : 0)) * sd[k]));
  }
  return [y];
}
function quantizeLinear(ex, node, [x, scale, zp]) {
  const { output_dtype: outType, precision, saturate = 1 } = node.attrs;
  const dtype = zp ? zp.dtype : outType ? DTYPE_OF[outType] : "uint8";
  const range2 = RANGE[dtype];
  if (!range2 && !isLowpFloat(dtype)) throw new Error(`QuantizeLinear to ${dtype} is not supported`);
  const y = ex.alloc(dtype, x.dims.slice());
  const xd = x.data, yd = y.data;
  const xv = numberOf(x.dtype);
  const sd = Array.from(scale.data, numberOf(scale.dtype));
  const zd = zp ? Array.from(zp.data, numberOf(zp.dtype)) : null;
  const narrow = rounderTo(precision ? DTYPE_OF[precision] : x.dtype);
  const store2 = storeOf(dtype, { saturate });
  const at = paramIndex(x, scale, node.attrs.axis ?? 1, node.attrs.block_size ?? 0);
  for (let i = 0; i < xd.length; i++) {
    const k = at(i);
    const q = narrow(xv(xd[i]) / sd[k]);
    if (range2) yd[i] = Math.max(range2[0], Math.min(range2[1], roundEven(q) + (zd ? zd[k] : 0)));
    else yd[i] = store2(dtype === "float4e2m1" && zd ? q + zd[k] : q);
  }
  return [y];
}
function dynamicQuantizeLinear(ex, node, [x]) {
  const xd = x.data;
  let min = 0;
  let max = 0;
  for (let i = 0; i < xd.length; i++) {
    if (xd[i] < min) min = xd[i];
    if (xd[i] > max) max = xd[i];
  }
  const scale = Math.fround(Math.fround(max - min) / 255);
  const zp = scale === 0 ? 0 : Math.max(0, Math.min(255, roundEven(Math.fround(-min / scale))));
  const y = ex.alloc("uint8", x.dims.slice());
  const s = ex.alloc("float32", []);
  const z = ex.alloc("uint8", []);
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = scale === 0 ? zp : Math.max(0, Math.min(255, roundEven(Math.fround(xd[i] / scale)) + zp));
  s.data[0] = scale;
  z.data[0] = zp;
  return [y, s, z];
}
function intMatmul(a, b, azp, bzp) {
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = ad.slice(-2);
  const N = bd[bd.length - 1];
  const batchA = size(ad.slice(0, -2));
  const batchB = size(bd.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const out = new Int32Array(batch * M * N);
  const A = a.data, B = b.data;
  const za = azp ? Array.from(azp.data, Number) : [0];
  const zb = bzp ? Array.from(bzp.data, Number) : [0];
  for (let t = 0; t < batch; t++) {
    const ao = (batchA === 1 ? 0 : t) * M * K;
    const bo = (batchB === 1 ? 0 : t) * K * N;
    for (let m = 0; m < M; m++) {
      const zam = za.length === 1 ? za[0] : za[m];
      for (let n = 0; n < N; n++) {
        const zbn = zb.length === 1 ? zb[0] : zb[n];
        let acc = 0;
        for (let k = 0; k < K; k++) acc += (A[ao + m * K + k] - zam) * (B[bo + k * N + n] - zbn);
        out[(t * M + m) * N + n] = acc;
      }
    }
  }
  let dims = [...(ad.length >= bd.length ? ad : bd).slice(0, -2), M, N];
  if (a.dims.length === 1) dims.splice(-2, 1);
  if (b.dims.length === 1) dims = dims.slice(0, -1);
  return { out, dims };
}
function matMulInteger(ex, node, [a, b, azp, bzp]) {
  const { out, dims } = intMatmul(a, b, azp, bzp);
  const y = ex.alloc("int32", dims);
  y.data.set(out);
  return [y];
}
function requantize(ex, acc, dims, multipliers, channelOf, yzp, dtype) {
  const [lo, hi] = RANGE[dtype];
  const y = ex.alloc(dtype, dims);
  const yd = y.data;
  const z = yzp ? Number(yzp.data[0]) : 0;
  for (let i = 0; i < acc.length; i++) yd[i] = Math.max(lo, Math.min(hi, roundEven(acc[i] * multipliers[channelOf(i)]) + z));
  return y;
}
function qlinearMatMul(ex, node, [a, as, azp, b, bs, bzp, ys, yzp]) {
  const { out, dims } = intMatmul(a, b, azp, bzp);
  const N = dims[dims.length - 1];
  const mult = Array.from(bs.data, (s) => as.data[0] * s / ys.data[0]);
  return [requantize(ex, out, dims, mult, mult.length === 1 ? () => 0 : (i) => i % N, yzp, yzp ? yzp.dtype : "uint8")];
}
function convIntegerAcc(ex, node, x, w, xzp, wzp) {
  const shift = (t, zp, perChannel) => {
    const f = ex.alloc("float32", t.dims.slice());
    const td = t.data, fd = f.data;
    const z = zp ? Array.from(zp.data, Number) : [0];
    const inner = size(t.dims.slice(1));
    for (let i = 0; i < td.length; i++) fd[i] = Number(td[i]) - (perChannel && z.length > 1 ? z[Math.floor(i / inner)] : z[0]);
    return f;
  };
  const xf = shift(x, xzp, false);
  const wf = shift(w, wzp, true);
  const [yf] = ops4.Conv(ex, { ...node, attrs: { ...node.attrs, _act: void 0 } }, [xf, wf, null]);
  ex.arena.dispose(xf.ptr);
  ex.arena.dispose(wf.ptr);
  return yf;
}
function convInteger(ex, node, [x, w, xzp, wzp]) {
  const yf = convIntegerAcc(ex, node, x, w, xzp, wzp);
  const y = ex.alloc("int32", yf.dims);
  y.data.set(Array.from(yf.data, Math.round));
  ex.arena.dispose(yf.ptr);
  return [y];
}
function qlinearConv(ex, node, [x, xs, xzp, w, ws, wzp, ys, yzp, b]) {
  const yf = convIntegerAcc(ex, node, x, w, xzp, wzp);
  const acc = Float64Array.from(yf.data, Math.round);
  const M = yf.dims[1];
  const inner = size(yf.dims.slice(2));
  if (b) for (let i = 0; i < acc.length; i++) acc[i] += b.data[Math.floor(i / inner) % M];
  ex.arena.dispose(yf.ptr);
  const mult = Array.from(ws.data, (s) => xs.data[0] * s / ys.data[0]);
  const channelOf = mult.length === 1 ? () => 0 : (i) => Math.floor(i / inner) % M;
  return [requantize(ex, acc, yf.dims, mult, channelOf, yzp, yzp ? yzp.dtype : "uint8")];
}
var ops10 = {
  DequantizeLinear: dequantizeLinear,
  QuantizeLinear: quantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  MatMulInteger: matMulInteger,
  ConvInteger: convInteger,
  QLinearMatMul: qlinearMatMul,
  QLinearConv: qlinearConv
};

// src/webedge/ops/indexing.mjs
var fix = (i, n) => {
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw new Error(`index ${i} out of range [-${n}, ${n})`);
  return j;
};
var REDUCE = {
  none: (a, b) => b,
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  max: (a, b) => a > b ? a : b,
  min: (a, b) => a < b ? a : b
};
function reducer(name, dtype) {
  const fn = REDUCE[name ?? "none"];
  if (!fn) throw new Error(`reduction '${name}' is not supported`);
  if (dtype === "float16" && name && name !== "none") return (a, b) => toHalf(fn(fromHalf(a), fromHalf(b)));
  if (dtype === "bool" && name === "add") return (a, b) => a | b;
  if (dtype === "bool" && name === "mul") return (a, b) => a & b;
  return fn;
}
var copyOf2 = (ex, x) => {
  const y = ex.alloc(x.dtype, x.dims.slice());
  y.data.set(x.data);
  return y;
};
function gatherElements(ex, node, [x, idx]) {
  const axis = norm2(node.attrs.axis ?? 0, x.dims.length);
  const y = ex.alloc(x.dtype, idx.dims.slice());
  const xs = stridesOf(x.dims);
  const n = x.dims[axis];
  const ids = idx.numbers();
  const xd = x.data, yd = y.data;
  forEachBroadcast(idx.dims, [xs.map((s, d) => d === axis ? 0 : s)], (o, [base]) => {
    yd[o] = xd[base + fix(ids[o], n) * xs[axis]];
  });
  return [y];
}
function scatterElements(ex, node, [x, idx, upd]) {
  const axis = norm2(node.attrs.axis ?? 0, x.dims.length);
  const f = reducer(node.attrs.reduction, x.dtype);
  const y = copyOf2(ex, x);
  const xs = stridesOf(x.dims);
  const n = x.dims[axis];
  const ids = idx.numbers();
  const yd = y.data, ud = upd.data;
  forEachBroadcast(idx.dims, [xs.map((s, d) => d === axis ? 0 : s)], (o, [base]) => {
    const at = base + fix(ids[o], n) * xs[axis];
    yd[at] = f(yd[at], ud[o]);
  });
  return [y];
}
function tupleOffsets(ids, k, xDims, xs, from, count) {
  const offs = new Array(count);
  for (let j = 0; j < count; j++) {
    let off = 0;
    for (let i = 0; i < k; i++) off += fix(ids[(from + j) * k + i], xDims[i]) * xs[i];
    offs[j] = off;
  }
  return offs;
}
function gatherND(ex, node, [x, idx]) {
  const b = node.attrs.batch_dims ?? 0;
  const k = idx.dims[idx.dims.length - 1];
  const y = ex.alloc(x.dtype, [...idx.dims.slice(0, -1), ...x.dims.slice(b + k)]);
  const batch = size(x.dims.slice(0, b));
  const perBatch = size(idx.dims.slice(b, -1));
  const inner = size(x.dims.slice(b + k));
  const xBatch = size(x.dims.slice(b));
  const sub = x.dims.slice(b);
  const xs = stridesOf(sub);
  const ids = idx.numbers();
  const xd = x.data, yd = y.data;
  for (let bi = 0; bi < batch; bi++) {
    const offs = tupleOffsets(ids, k, sub, xs, bi * perBatch, perBatch);
    offs.forEach((off, j) => {
      const src = bi * xBatch + off;
      yd.set(xd.subarray(src, src + inner), (bi * perBatch + j) * inner);
    });
  }
  return [y];
}
function scatterND(ex, node, [x, idx, upd]) {
  const k = idx.dims[idx.dims.length - 1];
  const f = reducer(node.attrs.reduction, x.dtype);
  const y = copyOf2(ex, x);
  const count = size(idx.dims.slice(0, -1));
  const inner = size(x.dims.slice(k));
  const offs = tupleOffsets(idx.numbers(), k, x.dims, stridesOf(x.dims), 0, count);
  const yd = y.data, ud = upd.data;
  offs.forEach((off, j) => {
    for (let t = 0; t < inner; t++) yd[off + t] = f(yd[off + t], ud[j * inner + t]);
  });
  return [y];
}
function compress(ex, node, [x, cond]) {
  const c = cond.data;
  if (node.attrs.axis === void 0) {
    const keep2 = [];
    for (let i = 0; i < Math.min(c.length, x.size); i++) if (c[i]) keep2.push(i);
    const y = ex.alloc(x.dtype, [keep2.length]);
    const xd = x.data, yd = y.data;
    keep2.forEach((i, o) => {
      yd[o] = xd[i];
    });
    return [y];
  }
  const axis = norm2(node.attrs.axis, x.dims.length);
  const n = x.dims[axis];
  const keep = [];
  for (let i = 0; i < Math.min(c.length, n); i++) if (c[i]) keep.push(i);
  const dims = x.dims.slice();
  dims[axis] = keep.length;
  return [takeAlongAxis(ex, x, axis, keep, dims)];
}
function oneHot(ex, node, [idx, depthT, values]) {
  const depth = Math.trunc(Number(depthT.data[0]));
  const r = idx.dims.length;
  const axis = norm2(node.attrs.axis ?? -1, r + 1);
  const y = ex.alloc(values.dtype, [...idx.dims.slice(0, axis), depth, ...idx.dims.slice(axis)]);
  const [off, on] = values.data;
  const outer = size(idx.dims.slice(0, axis));
  const inner = size(idx.dims.slice(axis));
  const ids = idx.numbers();
  const yd = y.data;
  yd.fill(off);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let v = Math.trunc(ids[o * inner + i]);
      if (v < 0) v += depth;
      if (v >= 0 && v < depth) yd[(o * depth + v) * inner + i] = on;
    }
  }
  return [y];
}
function topK(ex, node, [x, kT]) {
  const r = x.dims.length;
  const axis = norm2(node.attrs.axis ?? -1, r);
  const k = kT ? Number(kT.data[0]) : node.attrs.k;
  const largest = node.attrs.largest ?? 1;
  const n = x.dims[axis];
  if (k < 0 || k > n) throw new Error(`k = ${k} is out of range for an axis of ${n}`);
  const dims = x.dims.slice();
  dims[axis] = k;
  const y = ex.alloc(x.dtype, dims);
  const yi = ex.alloc("int64", dims.slice());
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const xd = x.data, key = valuesOf(x), yd = y.data, id = yi.data;
  const order = new Array(n);
  const cmp = (a, b) => {
    const va = key[a], vb = key[b];
    const na = va !== va, nb = vb !== vb;
    const d = na || nb ? na - nb : va === vb ? 0 : va > vb ? 1 : -1;
    if (d === 0) return a - b;
    return largest ? -d : d;
  };
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let t = 0; t < n; t++) order[t] = base + t * inner;
      order.sort(cmp);
      for (let t = 0; t < k; t++) {
        const at = (o * k + t) * inner + i;
        yd[at] = xd[order[t]];
        id[at] = BigInt((order[t] - base) / inner);
      }
    }
  }
  return [y, yi];
}
function trilu(ex, node, [x, kT]) {
  const k = kT ? Number(kT.data[0]) : 0;
  const upper = node.attrs.upper ?? 1;
  const r = x.dims.length;
  const [N, M] = x.dims.slice(r - 2);
  const y = ex.alloc(x.dtype, x.dims.slice());
  const xd = x.data, yd = y.data;
  const zero = zeroOf(x.dtype);
  const batch = size(x.dims.slice(0, r - 2));
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < M; j++) {
        const at = (b * N + i) * M + j;
        yd[at] = (upper ? j - i >= k : j - i <= k) ? xd[at] : zero;
      }
    }
  }
  return [y];
}
function eyeLike(ex, node, [x]) {
  const dtype = node.attrs.dtype !== void 0 ? DTYPE_OF2[node.attrs.dtype] : x.dtype;
  if (!dtype) throw new Error(`EyeLike to type ${node.attrs.dtype} is not supported`);
  const k = node.attrs.k ?? 0;
  const [N, M] = x.dims;
  const y = ex.alloc(dtype, [N, M]);
  const yd = y.data;
  const one = oneOf(dtype);
  yd.fill(zeroOf(dtype));
  for (let i = 0; i < N; i++) if (i + k >= 0 && i + k < M) yd[i * M + i + k] = one;
  return [y];
}
function cumulative(product) {
  return (ex, node, [x, axisT]) => {
    const axis = norm2(Number(axisT.data[0]), x.dims.length);
    const exclusive = node.attrs.exclusive ?? 0;
    const reverse = node.attrs.reverse ?? 0;
    const y = ex.alloc(x.dtype, x.dims.slice());
    const xv = valuesOf(x);
    const out = scratchFor(x.dtype, x.size);
    const big = isBig2(x.dtype);
    const start = product ? big ? 1n : 1 : big ? 0n : 0;
    const n = x.dims[axis];
    const outer = size(x.dims.slice(0, axis));
    const inner = size(x.dims.slice(axis + 1));
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = start;
        for (let s = 0; s < n; s++) {
          const at = (o * n + (reverse ? n - 1 - s : s)) * inner + i;
          if (exclusive) out[at] = acc;
          acc = product ? acc * xv[at] : acc + xv[at];
          if (!exclusive) out[at] = acc;
        }
      }
    }
    store(y, out);
    return [y];
  };
}
function reverseSequence(ex, node, [x, lens]) {
  const ta = node.attrs.time_axis ?? 0;
  const ba = node.attrs.batch_axis ?? 1;
  const len = lens.numbers();
  const y = ex.alloc(x.dtype, x.dims.slice());
  const xs = stridesOf(x.dims);
  const xd = x.data, yd = y.data;
  forEachIndex(x.dims, (o, idx) => {
    const t = idx[ta];
    const l = len[idx[ba]];
    yd[o] = t < l ? xd[o + (l - 1 - 2 * t) * xs[ta]] : xd[o];
  });
  return [y];
}
function permuted(ex, x, tmp, perm, dims) {
  const y = ex.alloc(x.dtype, dims);
  const ts = stridesOf(tmp);
  const xd = x.data, yd = y.data;
  forEachBroadcast(perm.map((p) => tmp[p]), [perm.map((p) => ts[p])], (o, [i]) => {
    yd[o] = xd[i];
  });
  return y;
}
function spaceToDepth(ex, node, [x]) {
  const bs = node.attrs.blocksize;
  const [N, C, H, W] = x.dims;
  const tmp = [N, C, H / bs, bs, W / bs, bs];
  const perm = node.attrs.mode === "CRD" ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4];
  return [permuted(ex, x, tmp, perm, [N, C * bs * bs, H / bs, W / bs])];
}
function depthToSpace(ex, node, [x]) {
  const bs = node.attrs.blocksize;
  const [N, C, H, W] = x.dims;
  const c = C / (bs * bs);
  const crd = node.attrs.mode === "CRD";
  const tmp = crd ? [N, c, bs, bs, H, W] : [N, bs, bs, c, H, W];
  const perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2];
  return [permuted(ex, x, tmp, perm, [N, c, H * bs, W * bs])];
}
function hardmax(ex, node, [x]) {
  const r = x.dims.length;
  const legacy = ex.plan.opset < 13;
  const axis = norm2(node.attrs.axis ?? (legacy ? 1 : -1), r);
  const [n, inner] = legacy ? [size(x.dims.slice(axis)), 1] : [x.dims[axis], size(x.dims.slice(axis + 1))];
  const outer = size(x.dims.slice(0, axis));
  const y = ex.alloc(x.dtype, x.dims.slice());
  const xv = valuesOf(x), yd = y.data;
  yd.fill(zeroOf(x.dtype));
  const one = oneOf(x.dtype);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      if (n === 0) continue;
      let best = 0;
      for (let t = 1; t < n; t++) if (xv[(o * n + t) * inner + i] > xv[(o * n + best) * inner + i]) best = t;
      yd[(o * n + best) * inner + i] = one;
    }
  }
  return [y];
}
function nonZero(ex, node, [x]) {
  const dims = x.dims.length ? x.dims : [1];
  const xd = x.data;
  const half = x.dtype === "float16";
  const zero = zeroOf(x.dtype);
  const hits = [];
  for (let i = 0; i < xd.length; i++) if (half ? xd[i] & 32767 : xd[i] !== zero) hits.push(i);
  const r = dims.length;
  const y = ex.alloc("int64", [r, hits.length]);
  const yd = y.data;
  const xs = stridesOf(dims);
  hits.forEach((flat, j) => {
    for (let d = 0; d < r; d++) yd[d * hits.length + j] = BigInt(Math.floor(flat / xs[d]) % dims[d]);
  });
  return [y];
}
var ascending = (a, b) => a < b ? -1 : a > b ? 1 : a === b ? 0 : a !== a ? b !== b ? 0 : 1 : -1;
function unique(ex, node, [x]) {
  const sorted = node.attrs.sorted ?? 1;
  const hasAxis = node.attrs.axis !== void 0;
  const axis = hasAxis ? norm2(node.attrs.axis, x.dims.length) : 0;
  const dims = hasAxis ? x.dims : [x.size];
  const n = dims[axis];
  const outer = size(dims.slice(0, axis));
  const inner = size(dims.slice(axis + 1));
  const xv = valuesOf(x);
  const sliceOf = (t) => {
    const s = new Array(outer * inner);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) s[o * inner + i] = xv[(o * n + t) * inner + i];
    return s;
  };
  const slices = [];
  const first = [];
  const counts = [];
  const inverse = new Array(n);
  const seen = /* @__PURE__ */ new Map();
  for (let t = 0; t < n; t++) {
    const s = sliceOf(t);
    const key = s.length === 1 ? s[0] : s.map(String).join(",");
    let u = seen.get(key);
    if (u === void 0) {
      u = slices.length;
      seen.set(key, u);
      slices.push(s);
      first.push(t);
      counts.push(0);
    }
    counts[u]++;
    inverse[t] = u;
  }
  let order = slices.map((_, u) => u);
  if (sorted) {
    order.sort((a, b) => {
      for (let e = 0; e < slices[a].length; e++) {
        const c = ascending(slices[a][e], slices[b][e]);
        if (c) return c;
      }
      return 0;
    });
  }
  const rank = new Array(order.length);
  order.forEach((u, j) => {
    rank[u] = j;
  });
  const m = order.length;
  const yDims = dims.slice();
  yDims[axis] = m;
  const y = ex.alloc(x.dtype, hasAxis ? yDims : [m]);
  const yIdx = ex.alloc("int64", [m]);
  const yInv = ex.alloc("int64", [n]);
  const yCnt = ex.alloc("int64", [m]);
  const xd = x.data, yd = y.data;
  order.forEach((u, j) => {
    const t = first[u];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) yd[(o * m + j) * inner + i] = xd[(o * n + t) * inner + i];
    yIdx.data[j] = BigInt(t);
    yCnt.data[j] = BigInt(counts[u]);
  });
  for (let t = 0; t < n; t++) yInv.data[t] = BigInt(rank[inverse[t]]);
  return [y, yIdx, yInv, yCnt];
}
var ops11 = {
  GatherElements: gatherElements,
  GatherND: gatherND,
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: scatterND,
  Compress: compress,
  OneHot: oneHot,
  TopK: topK,
  Trilu: trilu,
  EyeLike: eyeLike,
  CumSum: cumulative(false),
  CumProd: cumulative(true),
  ReverseSequence: reverseSequence,
  SpaceToDepth: spaceToDepth,
  DepthToSpace: depthToSpace,
  Hardmax: hardmax,
  NonZero: nonZero,
  Unique: unique
};

// src/webedge/ops/bitwise.mjs
var BITS2 = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int64: 64, uint64: 64 };
function binary2(ex, a, b, fn) {
  if (!(a.dtype in BITS2)) throw new Error(`bitwise op on ${a.dtype} is not supported`);
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc(a.dtype, dims);
  const ad = a.data, bd = b.data, yd = y.data;
  forEachBroadcast(dims, [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims)], (o, [i, j]) => {
    yd[o] = fn(ad[i], bd[j]);
  });
  return y;
}
var bitwise = (fn) => (ex, node, [a, b]) => [binary2(ex, a, b, fn)];
function bitwiseNot(ex, node, [x]) {
  if (!(x.dtype in BITS2)) throw new Error(`BitwiseNot on ${x.dtype} is not supported`);
  const y = ex.alloc(x.dtype, x.dims.slice());
  const xd = x.data, yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = ~xd[i];
  return [y];
}
function bitShift(ex, node, [x, s]) {
  const left = node.attrs.direction === "LEFT";
  if (!left && node.attrs.direction !== "RIGHT") throw new Error(`BitShift direction '${node.attrs.direction}'`);
  const bits = BITS2[x.dtype];
  if (bits === 64) {
    const w = 64n;
    const fn2 = left ? (v, k) => k < 0n || k >= w ? 0n : v << k : (v, k) => k < 0n || k >= w ? v < 0n ? -1n : 0n : v >> k;
    return [binary2(ex, x, s, fn2)];
  }
  const fn = left ? (v, k) => k < 0 || k >= bits ? 0 : v << k : (v, k) => k < 0 || k >= bits ? v < 0 ? -1 : 0 : x.dtype === "uint32" ? v >>> k : v >> k;
  return [binary2(ex, x, s, fn)];
}
var ops12 = {
  BitShift: bitShift,
  BitwiseAnd: bitwise((a, b) => a & b),
  BitwiseOr: bitwise((a, b) => a | b),
  BitwiseXor: bitwise((a, b) => a ^ b),
  BitwiseNot: bitwiseNot
};

// src/webedge/ops/activation.mjs
function map(ex, x, fn, outDtype = x.dtype) {
  const y = ex.alloc(outDtype, x.dims.slice());
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder3(outDtype);
  for (let i = 0; i < yd.length; i++) yd[i] = enc ? enc(fn(xv[i])) : fn(xv[i]);
  return y;
}
var unary2 = (fn) => (ex, node, [x]) => [map(ex, x, fn)];
var withAttrs = (make) => (ex, node, [x]) => [map(ex, x, make(node.attrs))];
var celu = withAttrs(({ alpha = 1 }) => (v) => Math.max(0, v) + Math.min(0, alpha * Math.expm1(v / alpha)));
var selu = withAttrs(({ alpha = 1.6732631921768188, gamma = 1.0507010221481323 }) => (v) => gamma * (v > 0 ? v : alpha * Math.expm1(v)));
var thresholdedRelu = withAttrs(({ alpha = 1 }) => (v) => v > alpha ? v : 0);
var shrink = withAttrs(({ lambd = 0.5, bias = 0 }) => (v) => v < -lambd ? v + bias : v > lambd ? v - bias : 0);
var softplus = (v) => v > 30 ? v : Math.log1p(Math.exp(v));
function prelu(ex, node, [x, slope]) {
  const dims = broadcastDims(x.dims, slope.dims);
  const y = ex.alloc(x.dtype, dims);
  const xv = numbersOf(x), sv = numbersOf(slope), yd = y.data;
  const enc = encoder3(x.dtype);
  forEachBroadcast(dims, [broadcastStrides(x.dims, dims), broadcastStrides(slope.dims, dims)], (o, [i, j]) => {
    const v = xv[i] < 0 ? xv[i] * sv[j] : xv[i];
    yd[o] = enc ? enc(v) : v;
  });
  return [y];
}
function isInf(ex, node, [x]) {
  const neg = node.attrs.detect_negative ?? 1;
  const pos = node.attrs.detect_positive ?? 1;
  return [map(ex, x, (v) => v === Infinity && pos || v === -Infinity && neg, "bool")];
}
function dropout(ex, node, [x, ratioT, trainT]) {
  const training = trainT ? !!trainT.data[0] : false;
  const ratio = ratioT ? Number(numbersOf(ratioT)[0]) : node.attrs.ratio ?? 0.5;
  const maskType = ex.plan.opset >= 10 ? "bool" : x.dtype;
  const y = ex.alloc(x.dtype, x.dims.slice());
  const mask = node.outputs.length > 1 && node.outputs[1] ? ex.alloc(maskType, x.dims.slice()) : null;
  const keep = training && ratio > 0 ? Array.from({ length: x.size }, () => Math.random() >= ratio) : null;
  if (keep) {
    const xv = numbersOf(x), yd = y.data;
    const enc = encoder3(x.dtype);
    const scale = 1 / (1 - ratio);
    for (let i = 0; i < yd.length; i++) {
      const v = keep[i] ? xv[i] * scale : 0;
      yd[i] = enc ? enc(v) : v;
    }
  } else {
    y.data.set(x.data);
  }
  if (!mask) return [y];
  const md = mask.data;
  const one = oneOf(maskType);
  for (let i = 0; i < md.length; i++) md[i] = !keep || keep[i] ? one : 0 * one;
  return [y, mask];
}
function einsum(ex, node, inputs) {
  const eq = node.attrs.equation.replace(/\s+/g, "");
  const [lhs, rhs] = eq.split("->");
  const terms = lhs.split(",");
  if (terms.length !== inputs.length) throw new Error(`equation '${eq}' has ${terms.length} terms for ${inputs.length} inputs`);
  const letters = (s) => s.split("").filter((c) => /[A-Za-z]/.test(c));
  const ellRank = terms.map((t, k) => t.includes("...") ? inputs[k].dims.length - letters(t).length : 0);
  const E = Math.max(0, ...ellRank);
  const ell = (e) => Array.from({ length: e }, (_, j) => `.${E - e + j}`);
  const expand2 = (t, e) => {
    const at = t.indexOf("...");
    if (at < 0) return letters(t);
    return [...letters(t.slice(0, at)), ...ell(e), ...letters(t.slice(at + 3))];
  };
  const labels = terms.map((t, k) => expand2(t, ellRank[k]));
  const dimOf = /* @__PURE__ */ new Map();
  labels.forEach((ls, k) => {
    if (ls.length !== inputs[k].dims.length) throw new Error(`term '${terms[k]}' does not match rank ${inputs[k].dims.length}`);
    ls.forEach((l, p) => {
      const d = inputs[k].dims[p];
      const had = dimOf.get(l);
      if (had === void 0 || had === 1) dimOf.set(l, d);
      else if (d !== had && d !== 1) throw new Error(`label '${l}' has sizes ${had} and ${d}`);
    });
  });
  let out;
  if (rhs !== void 0) {
    out = expand2(rhs, E);
  } else {
    const count = /* @__PURE__ */ new Map();
    for (const ls of labels) for (const l of ls) if (!l.startsWith(".")) count.set(l, (count.get(l) ?? 0) + 1);
    out = [...ell(E), ...[...count].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  }
  const summed = [...dimOf.keys()].filter((l) => !out.includes(l));
  const all = [...out, ...summed];
  const allDims = all.map((l) => dimOf.get(l));
  const outDims = out.map((l) => dimOf.get(l));
  const os = stridesOf(outDims);
  const strides = [all.map((l, i) => i < out.length ? os[i] : 0)];
  inputs.forEach((t, k) => {
    const ts = stridesOf(t.dims);
    strides.push(all.map((l) => labels[k].reduce((s, m, p) => m === l && t.dims[p] !== 1 ? s + ts[p] : s, 0)));
  });
  const dtype = inputs[0].dtype;
  const big = isBig2(dtype);
  const y = ex.alloc(dtype, outDims);
  const vals = inputs.map((t) => big ? t.data : numbersOf(t));
  const acc = big ? new BigInt64Array(y.size) : new Float64Array(y.size);
  const one = big ? 1n : 1;
  forEachBroadcast(allDims, strides, (o, offs) => {
    let p = one;
    for (let k = 0; k < vals.length; k++) p *= vals[k][offs[k + 1]];
    acc[offs[0]] += p;
  });
  store(y, acc);
  return [y];
}
var ops13 = {
  Celu: celu,
  Selu: selu,
  ThresholdedRelu: thresholdedRelu,
  PRelu: prelu,
  Shrink: shrink,
  Mish: unary2((v) => v * Math.tanh(softplus(v))),
  Softsign: unary2((v) => v / (1 + Math.abs(v))),
  Acos: unary2(Math.acos),
  Asin: unary2(Math.asin),
  Atan: unary2(Math.atan),
  Acosh: unary2(Math.acosh),
  Asinh: unary2(Math.asinh),
  Atanh: unary2(Math.atanh),
  Cosh: unary2(Math.cosh),
  Sinh: unary2(Math.sinh),
  Tan: unary2(Math.tan),
  IsInf: isInf,
  IsNaN: (ex, node, [x]) => [map(ex, x, (v) => v !== v, "bool")],
  Dropout: dropout,
  Einsum: einsum
};

// src/webedge/ops/normalization.mjs
function output(ex, x, dims = x.dims.slice()) {
  const y = ex.alloc(x.dtype, dims);
  const yd = y.data;
  const enc = encoder3(x.dtype);
  return { y, xv: numbersOf(x), put: enc ? (i, v) => {
    yd[i] = enc(v);
  } : (i, v) => {
    yd[i] = v;
  } };
}
function rmsNorm(ex, node, [x, scale]) {
  const axis = norm2(node.attrs.axis ?? -1, x.dims.length);
  const eps = node.attrs.epsilon ?? 1e-5;
  const n = size(x.dims.slice(axis));
  const outer = size(x.dims.slice(0, axis));
  const { y, xv, put } = output(ex, x);
  const sv = numbersOf(scale);
  const rms = new Float64Array(outer);
  for (let o = 0; o < outer; o++) {
    let s = 0;
    for (let i = o * n; i < (o + 1) * n; i++) s += xv[i] * xv[i];
    rms[o] = Math.sqrt(s / n + eps);
  }
  forEachBroadcast(x.dims, [broadcastStrides(scale.dims, x.dims)], (i, [j]) => put(i, xv[i] / rms[Math.floor(i / n)] * sv[j]));
  return [y];
}
function lpNorm(ex, node, [x]) {
  const axis = norm2(node.attrs.axis ?? -1, x.dims.length);
  const p = node.attrs.p ?? 2;
  if (p !== 1 && p !== 2) throw new Error(`LpNormalization with p = ${p} (only 1 and 2 are defined)`);
  const n = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const { y, xv, put } = output(ex, x);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let t = 0; t < n; t++) {
        const v = xv[(o * n + t) * inner + i];
        s += p === 1 ? Math.abs(v) : v * v;
      }
      const len = p === 1 ? s : Math.sqrt(s);
      for (let t = 0; t < n; t++) {
        const at = (o * n + t) * inner + i;
        put(at, len === 0 ? 0 : xv[at] / len);
      }
    }
  }
  return [y];
}
function meanVarianceNorm(ex, node, [x]) {
  const r = x.dims.length;
  const axes = (node.attrs.axes ?? [0, 2, 3]).map((a) => norm2(a, r));
  const kept = x.dims.map((d, i) => axes.includes(i) ? 1 : d);
  const groups = size(kept);
  const count = x.size / groups;
  const { y, xv, put } = output(ex, x);
  const toGroup = [broadcastStrides(kept, x.dims)];
  const sum = new Float64Array(groups);
  const sq = new Float64Array(groups);
  forEachBroadcast(x.dims, toGroup, (i, [g]) => {
    sum[g] += xv[i];
    sq[g] += xv[i] * xv[i];
  });
  const mean = sum.map((s) => s / count);
  const std = mean.map((m, g) => Math.sqrt(Math.max(0, sq[g] / count - m * m)));
  forEachBroadcast(x.dims, toGroup, (i, [g]) => put(i, (xv[i] - mean[g]) / (std[g] + 1e-9)));
  return [y];
}
function lrn(ex, node, [x]) {
  const { alpha = 1e-4, beta = 0.75, bias = 1, size: nsize } = node.attrs;
  const [N, C] = x.dims;
  const inner = size(x.dims.slice(2));
  const lo = Math.floor((nsize - 1) / 2);
  const hi = Math.ceil((nsize - 1) / 2);
  const { y, xv, put } = output(ex, x);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let k = Math.max(0, c - lo); k <= Math.min(C - 1, c + hi); k++) {
          const v = xv[(n * C + k) * inner + i];
          s += v * v;
        }
        const at = (n * C + c) * inner + i;
        put(at, xv[at] / (bias + alpha / nsize * s) ** beta);
      }
    }
  }
  return [y];
}
function lpPool(ex, node, [x]) {
  const at = node.attrs;
  const p = at.p ?? 2;
  const [N, C, ...spatial] = x.dims;
  const kernel = at.kernel_shape;
  const g = poolGeometry(at, spatial, kernel);
  const { y, xv, put } = output(ex, x, [N, C, ...g.out]);
  const plane = size(spatial);
  const xs = stridesOf(spatial);
  const taps2 = [];
  forEachIndex(kernel, (_, k) => taps2.push(k.slice()));
  const d = spatial.length;
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * plane;
    forEachIndex(g.out, (_, pos) => {
      let s = 0;
      for (const k of taps2) {
        let off = base;
        let inside = true;
        for (let a = 0; a < d; a++) {
          const c = pos[a] * g.strides[a] - g.begin[a] + k[a] * g.dil[a];
          if (c < 0 || c >= spatial[a]) {
            inside = false;
            break;
          }
          off += c * xs[a];
        }
        if (inside) s += Math.abs(xv[off]) ** p;
      }
      put(o++, s ** (1 / p));
    });
  }
  return [y];
}
function globalLpPool(ex, node, [x]) {
  const p = node.attrs.p ?? 2;
  const [N, C, ...spatial] = x.dims;
  const plane = size(spatial);
  const { y, xv, put } = output(ex, x, [N, C, ...spatial.map(() => 1)]);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let i = nc * plane; i < (nc + 1) * plane; i++) s += Math.abs(xv[i]) ** p;
    put(nc, s ** (1 / p));
  }
  return [y];
}
var ops14 = {
  RMSNormalization: rmsNorm,
  LpNormalization: lpNorm,
  MeanVarianceNormalization: meanVarianceNorm,
  LRN: lrn,
  LpPool: lpPool,
  GlobalLpPool: globalLpPool
};

// src/webedge/ops/grid_sample.mjs
var MODES = { bilinear: "linear", linear: "linear", nearest: "nearest", bicubic: "cubic", cubic: "cubic" };
var denormalize = (v, n, align) => align ? (v + 1) / 2 * (n - 1) : ((v + 1) * n - 1) / 2;
function reflect(x, lo, hi) {
  const range2 = hi - lo;
  if (x < lo) {
    const dx = lo - x;
    const k = Math.trunc(dx / range2);
    const r = dx - k * range2;
    return k % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const k = Math.trunc(dx / range2);
    const r = dx - k * range2;
    return k % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}
function roundEven3(v) {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function cubicCoeffs(t) {
  const A = -0.75;
  const c0 = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
  const c1 = ((A + 2) * t - (A + 3)) * t * t + 1;
  const c2 = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
  const c3 = ((A * (2 - t) - 5 * A) * (2 - t) + 8 * A) * (2 - t) - 4 * A;
  return [c0, c1, c2, c3];
}
function taps(mode, x) {
  if (mode === "nearest") return [[x], [1]];
  const x0 = Math.floor(x);
  const t = x - x0;
  if (mode === "linear") return [[x0, x0 + 1], [1 - t, t]];
  return [[x0 - 1, x0, x0 + 1, x0 + 2], cubicCoeffs(t)];
}
function padIndex(i, n, padding, lo, hi) {
  if (padding === "zeros") return i >= 0 && i < n ? i : -1;
  if (padding === "border") return Math.min(Math.max(i, 0), n - 1);
  return Math.trunc(reflect(i, lo, hi));
}
function gridSample(ex, node, [x, grid]) {
  const at = node.attrs;
  const mode = MODES[at.mode ?? (ex.plan.opset >= 20 ? "linear" : "bilinear")];
  if (!mode) throw new Error(`mode ${at.mode} is not supported`);
  const padding = at.padding_mode ?? "zeros";
  const align = !!at.align_corners;
  const [N, C, ...sp] = x.dims;
  const R = sp.length;
  const outSp = grid.dims.slice(1, -1);
  const y = ex.alloc(x.dtype, [N, C, ...outSp]);
  const xd = x.data;
  const gd = grid.data;
  const yd = y.data;
  const inStr = stridesOf(sp);
  const plane = size(sp);
  const points = size(outSp);
  const lo = sp.map(() => align ? 0 : -0.5);
  const hi = sp.map((n) => align ? n - 1 : n - 0.5);
  const tapIdx = new Array(R);
  const tapW = new Array(R);
  const pick = new Array(R).fill(0);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < points; p++) {
      for (let d = 0; d < R; d++) {
        let v = denormalize(gd[(n * points + p) * R + (R - 1 - d)], sp[d], align);
        if (mode === "nearest") v = roundEven3(v);
        if (v < lo[d] || v > hi[d]) {
          if (padding === "border") v = Math.min(Math.max(v, 0), sp[d] - 1);
          else if (padding === "reflection") v = reflect(v, lo[d], hi[d]);
        }
        const [idx, w] = taps(mode, mode === "nearest" ? Math.trunc(v) : v);
        tapIdx[d] = idx.map((i) => padIndex(i, sp[d], padding, lo[d], hi[d]));
        tapW[d] = w;
      }
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * plane;
        let sum = 0;
        pick.fill(0);
        for (; ; ) {
          let w = 1;
          let off = 0;
          for (let d2 = 0; d2 < R; d2++) {
            const i = tapIdx[d2][pick[d2]];
            if (i < 0) w = 0;
            else off += i * inStr[d2];
            w *= tapW[d2][pick[d2]];
          }
          if (w !== 0) sum += w * xd[base + off];
          let d = R - 1;
          while (d >= 0 && ++pick[d] >= tapIdx[d].length) pick[d--] = 0;
          if (d < 0) break;
        }
        yd[(n * C + c) * points + p] = sum;
      }
    }
  }
  return [y];
}
var ops15 = { GridSample: gridSample };

// src/webedge/ops/detection.mjs
function corners(b, i, centerPoint) {
  const o = i * 4;
  if (centerPoint) {
    const f = Math.fround;
    const [x, y, w, h] = [b[o], b[o + 1], b[o + 2], b[o + 3]];
    return [f(y - h / 2), f(x - w / 2), f(y + h / 2), f(x + w / 2)];
  }
  return [Math.min(b[o], b[o + 2]), Math.min(b[o + 1], b[o + 3]), Math.max(b[o], b[o + 2]), Math.max(b[o + 1], b[o + 3])];
}
function overlaps(a, b, threshold) {
  const f = Math.fround;
  const ix = f(Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const iy = f(Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  if (ix <= 0 || iy <= 0) return false;
  const inter = f(ix * iy);
  const areaA = f(f(a[2] - a[0]) * f(a[3] - a[1]));
  const areaB = f(f(b[2] - b[0]) * f(b[3] - b[1]));
  const union = f(f(areaA + areaB) - inter);
  if (areaA <= 0 || areaB <= 0 || union <= 0) return false;
  return f(inter / union) > threshold;
}
function nonMaxSuppression(ex, node, [boxes, scores, maxOut, iouT, scoreT]) {
  const [N, B] = boxes.dims;
  const C = scores.dims[1];
  const limit = maxOut && maxOut.size ? Math.max(Number(maxOut.data[0]), 0) : 0;
  const iou = iouT && iouT.size ? iouT.data[0] : 0;
  const minScore = scoreT && scoreT.size ? scoreT.data[0] : null;
  const centerPoint = node.attrs.center_point_box ?? 0;
  const bd = boxes.data;
  const sd = scores.data;
  const picked = [];
  for (let n = 0; n < N; n++) {
    const boxAt = (i) => corners(bd.subarray(n * B * 4, (n + 1) * B * 4), i, centerPoint);
    for (let c = 0; c < C; c++) {
      const s = sd.subarray((n * C + c) * B, (n * C + c + 1) * B);
      const order = [];
      for (let i = 0; i < B; i++) if (minScore === null || s[i] > minScore) order.push(i);
      order.sort((i, j) => s[j] - s[i] || i - j);
      const kept = [];
      for (const i of order) {
        if (kept.length >= limit) break;
        const box = boxAt(i);
        if (kept.some((k) => overlaps(box, k, iou))) continue;
        kept.push(box);
        picked.push(n, c, i);
      }
    }
  }
  const y = ex.alloc("int64", [picked.length / 3, 3]);
  y.data.set(picked.map(BigInt));
  return [y];
}
function bilinear(H, W, y, x) {
  if (y < -1 || y > H || x < -1 || x > W) return null;
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let y0 = Math.trunc(y);
  let x0 = Math.trunc(x);
  let y1 = y0 + 1;
  let x1 = x0 + 1;
  if (y0 >= H - 1) {
    y0 = y1 = H - 1;
    y = y0;
  }
  if (x0 >= W - 1) {
    x0 = x1 = W - 1;
    x = x0;
  }
  const ly = y - y0;
  const lx = x - x0;
  const [hy, hx] = [1 - ly, 1 - lx];
  return [[y0 * W + x0, hy * hx], [y0 * W + x1, hy * lx], [y1 * W + x0, ly * hx], [y1 * W + x1, ly * lx]];
}
function roiAlign(ex, node, [x, rois, batchIdx]) {
  const at = node.attrs;
  const [, C, H, W] = x.dims;
  const R = rois.dims[0];
  const [OH, OW] = [at.output_height ?? 1, at.output_width ?? 1];
  const scale = at.spatial_scale ?? 1;
  const ratio = at.sampling_ratio ?? 0;
  const halfPixel = (at.coordinate_transformation_mode ?? "half_pixel") === "half_pixel";
  const isMax = (at.mode ?? "avg") === "max";
  const y = ex.alloc(x.dtype, [R, C, OH, OW]);
  const xd = x.data;
  const rd = rois.data;
  const yd = y.data;
  const batches = batchIdx.numbers();
  const shift = halfPixel ? 0.5 : 0;
  for (let r = 0; r < R; r++) {
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => rd[r * 4 + k] * scale - shift);
    const rw = halfPixel ? x2 - x1 : Math.max(x2 - x1, 1);
    const rh = halfPixel ? y2 - y1 : Math.max(y2 - y1, 1);
    const [bh, bw] = [rh / OH, rw / OW];
    const gh = ratio > 0 ? ratio : Math.ceil(rh / OH);
    const gw = ratio > 0 ? ratio : Math.ceil(rw / OW);
    const count = Math.max(gh * gw, 1);
    const samples = [];
    for (let ph = 0; ph < OH; ph++) {
      for (let pw = 0; pw < OW; pw++) {
        const cell = [];
        for (let iy = 0; iy < gh; iy++) {
          const yy = y1 + ph * bh + (iy + 0.5) * bh / gh;
          for (let ix = 0; ix < gw; ix++) cell.push(bilinear(H, W, yy, x1 + pw * bw + (ix + 0.5) * bw / gw));
        }
        samples.push(cell);
      }
    }
    for (let c = 0; c < C; c++) {
      const base = (batches[r] * C + c) * H * W;
      samples.forEach((cell, q) => {
        let acc = isMax ? null : 0;
        for (const pts of cell) {
          if (isMax) {
            const v = pts ? Math.max(...pts.map(([i, w]) => w * xd[base + i])) : 0;
            acc = acc === null ? v : Math.max(acc, v);
          } else if (pts) {
            for (const [i, w] of pts) acc += w * xd[base + i];
          }
        }
        yd[(r * C + c) * OH * OW + q] = isMax ? acc ?? 0 : acc / count;
      });
    }
  }
  return [y];
}
var ops16 = { NonMaxSuppression: nonMaxSuppression, RoiAlign: roiAlign };

// src/webedge/ops/det.mjs
function determinant(a, M) {
  let det2 = 1;
  for (let col = 0; col < M; col++) {
    let pivot = col;
    for (let r = col + 1; r < M; r++) if (Math.abs(a[r * M + col]) > Math.abs(a[pivot * M + col])) pivot = r;
    if (a[pivot * M + col] === 0) return 0;
    if (pivot !== col) {
      for (let c = 0; c < M; c++) [a[col * M + c], a[pivot * M + c]] = [a[pivot * M + c], a[col * M + c]];
      det2 = -det2;
    }
    const p = a[col * M + col];
    det2 *= p;
    for (let r = col + 1; r < M; r++) {
      const f = a[r * M + col] / p;
      for (let c = col + 1; c < M; c++) a[r * M + c] -= f * a[col * M + c];
    }
  }
  return det2;
}
function det(ex, node, [x]) {
  const M = x.dims[x.dims.length - 1];
  if (x.dims[x.dims.length - 2] !== M) throw new Error(`Det of [${x.dims}]: the last two dims differ`);
  const batch = x.dims.slice(0, -2);
  const y = ex.alloc(x.dtype, batch);
  const xd = numbersOf(x);
  const out = new Float64Array(size(batch));
  for (let b = 0; b < out.length; b++) out[b] = determinant(Float64Array.from(xd.subarray(b * M * M, (b + 1) * M * M)), M);
  store(y, out);
  return [y];
}
var ops17 = { Det: det };

// src/webedge/ops/tensor_scatter.mjs
function tensorScatter(ex, node, [past, update, writeIdx]) {
  const axis = norm2(node.attrs.axis ?? -2, past.dims.length);
  const circular = (node.attrs.mode ?? "linear") === "circular";
  if (!circular && node.attrs.mode && node.attrs.mode !== "linear") throw new Error(`mode ${node.attrs.mode} is not supported`);
  if (axis === 0) throw new Error("axis 0 is the batch axis; the update goes along a later one");
  const y = ex.alloc(past.dtype, past.dims.slice());
  y.data.set(past.data);
  const B = past.dims[0];
  const starts = writeIdx ? writeIdx.numbers() : new Array(B).fill(0);
  const maxLen = past.dims[axis];
  const len = update.dims[axis];
  const inner = size(past.dims.slice(axis + 1));
  const outer = size(past.dims.slice(0, axis));
  const perBatch = outer / B;
  const yd = y.data, ud = update.data;
  for (let o = 0; o < outer; o++) {
    const start = starts[Math.floor(o / perBatch)];
    for (let s = 0; s < len; s++) {
      let at = start + s;
      if (circular) at %= maxLen;
      if (at < 0 || at >= maxLen) throw new Error(`write position ${at} lies outside the cache (length ${maxLen})`);
      yd.set(ud.subarray((o * len + s) * inner, (o * len + s + 1) * inner), (o * maxLen + at) * inner);
    }
  }
  return [y];
}
var ops18 = { TensorScatter: tensorScatter };

// src/webedge/ops/index.mjs
var OPS = {
  ...ops,
  ...ops2,
  ...ops4,
  ...ops5,
  ...ops6,
  ...ops7,
  ...ops8,
  ...ops3,
  ...ops9,
  ...ops10,
  ...ops11,
  ...ops12,
  ...ops13,
  ...ops14,
  ...ops15,
  ...ops16,
  ...ops17,
  ...ops18
};

// src/webedge/executor.mjs
function constantTensor(c) {
  const Arr = ARRAYS[c.dtype];
  const host = c.dtype === "int64" || c.dtype === "uint64" ? Arr.from(c.data, (v) => BigInt(v)) : Arr.from(c.data);
  return new Tensor(c.dtype, c.dims, { host });
}
var Executor = class {
  // weights: Map name -> Tensor already placed (float32 in the arena, others on the host)
  constructor(plan, kernels, arena, weights) {
    this.plan = plan;
    this.arena = arena;
    this.k = kernels;
    this.fixed = new Map(weights);
    for (const [name, c] of Object.entries(plan.constants)) this.fixed.set(name, this.place(constantTensor(c)));
    this.fixedTensors = new Set(this.fixed.values());
    this.pending = /* @__PURE__ */ new Map();
    this.streaming = false;
    this.profile = null;
    this.scratch = arena.alloc(1024);
  }
  addWeight([name, tensor]) {
    this.fixed.set(name, tensor);
    this.fixedTensors.add(tensor);
    this.pending.delete(name);
  }
  alloc(dtype, dims) {
    if (dtype === "float32") return new Tensor(dtype, dims, { ptr: this.arena.alloc(size(dims) * 4), arena: this.arena });
    return new Tensor(dtype, dims, { host: new ARRAYS[dtype](size(dims)) });
  }
  // A float32 host tensor is copied into the arena so kernels can read it.
  place(t) {
    if (t.dtype !== "float32" || t.ptr !== null) return t;
    const out = this.alloc("float32", t.dims);
    out.data.set(t.host);
    return out;
  }
  ints2(offset, values) {
    new Int32Array(this.arena.memory.buffer, this.scratch + offset * 4, values.length).set(values);
    return this.scratch + offset * 4;
  }
  async run(feeds) {
    const values = new Map(this.fixed);
    const owned = /* @__PURE__ */ new Set();
    for (const [name, t] of Object.entries(feeds)) {
      const tensor = this.alloc(t.type, t.dims);
      tensor.data.set(t.data);
      values.set(name, tensor);
      owned.add(name);
    }
    try {
      await this.runNodes(this.plan.nodes, values, owned);
      const result = {};
      for (const name of this.plan.outputs) {
        const t = values.get(name);
        result[name] = { data: t.data.slice(), dims: t.dims.slice(), type: t.dtype };
      }
      return result;
    } finally {
      for (const name of [...owned]) this.drop(values, owned, name);
    }
  }
  // Run nodes against `values` (name -> Tensor); names in `owned` are freed by this scope.
  async runNodes(nodes, values, owned) {
    for (const node of nodes) {
      if (this.streaming) await this.arrival(node, values);
      if (node.fold && node.outputs.every((name) => !name || this.fixed.has(name))) {
        for (const name of node.outputs) if (name) values.set(name, this.fixed.get(name));
        continue;
      }
      const op = OPS[node.op];
      const inputs = node.inputs.map((n) => n === "" ? null : values.get(n));
      const missing = node.inputs.find((n, i) => n !== "" && !inputs[i]);
      if (missing) throw new WebedgeError(`plan error: ${node.op} needs '${missing}', which was never computed`);
      let outputs;
      const started = this.profile ? performance.now() : 0;
      try {
        outputs = op(this, node, inputs, values);
        if (outputs instanceof Promise) outputs = await outputs;
        if (this.profile) {
          const entry = this.profile[node.op] ??= { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += performance.now() - started;
        }
      } catch (err) {
        if (err instanceof WebedgeError && err.message.includes(" (")) throw err;
        throw new WebedgeError(`${node.op} (${node.outputs[0]}): ${err.message}`, { cause: err });
      }
      node.outputs.forEach((name, i) => {
        if (name && outputs[i]) {
          values.set(name, outputs[i]);
          if (node.fold) this.addWeight([name, outputs[i]]);
          else owned.add(name);
        }
      });
      for (const name of node.free) this.drop(values, owned, name);
    }
  }
  // A subgraph (If branch): runs in a child scope that sees the parent's values; its outputs are
  // handed to the caller as new tensors (copied when the subgraph only forwarded an outer value).
  async runSubplan(sub, parent) {
    const values = new Map(parent);
    const owned = /* @__PURE__ */ new Set();
    try {
      await this.runNodes(sub.nodes, values, owned);
      return sub.outputs.map((name) => {
        const t = values.get(name);
        if (owned.has(name)) {
          owned.delete(name);
          return t;
        }
        const copy2 = this.alloc(t.dtype, t.dims.slice());
        copy2.data.set(t.data);
        return copy2;
      });
    } finally {
      for (const name of [...owned]) this.drop(values, owned, name);
    }
  }
  // Wait until the weights this node reads (directly or from its subgraphs) have arrived.
  async arrival(node, values) {
    for (const name of [...node.inputs, ...node.implicit ?? []]) {
      const wait = this.pending.get(name);
      if (wait) await wait;
      if (!values.has(name) && this.fixed.has(name)) values.set(name, this.fixed.get(name));
    }
  }
  drop(values, owned, name) {
    if (!owned.has(name)) return;
    const t = values.get(name);
    owned.delete(name);
    values.delete(name);
    if (t && t.ptr !== null && !this.fixedTensors.has(t)) this.arena.dispose(t.ptr);
  }
};

// src/webedge/warmup.mjs
var ROUNDS = 40;
var CALLS2 = {
  conv2d_f32: (p) => [
    // im2col path, pointwise path, depthwise path
    [p, p + 4096, p + 12288, p + 16384, 1, 8, 6, 6, 8, 3, 3, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 8, 6, 6, 8, 1, 1, 6, 6, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 8, 6, 6, 8, 3, 3, 6, 6, 1, 1, 1, 1, 1, 1, 8, 1, 0, 0]
  ],
  gemm_f32: (p) => [
    [p, p + 4096, p + 12288, p + 16384, 8, 16, 16, 0, 0, 1, 1, 2, 0, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 16, 16, 0, 1, 1, 1, 2, 0, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 16, 16, 0, 0, 1, 1, 2, 0, 0, 0]
  ],
  unary_f32: (p) => [[1, p, p + 16384, 256, 0, 0], [6, p, p + 16384, 256, 0, 0], [7, p, p + 16384, 256, 0, 0]],
  binary_f32: (p) => [
    [0, p, p + 4096, p + 16384, 1, p + 32768, p + 32768 + 64, p + 32768 + 128],
    [2, p, p + 4096, p + 16384, 1, p + 32768, p + 32768 + 64, p + 32768 + 128]
  ],
  maxpool2d_f32: (p) => [[p, p + 16384, 1, 8, 6, 6, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0]],
  avgpool2d_f32: (p) => [[p, p + 16384, 1, 8, 6, 6, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0, 0]],
  global_avgpool_f32: (p) => [[p, p + 16384, 8, 36]],
  global_maxpool_f32: (p) => [[p, p + 16384, 8, 36]],
  softmax_f32: (p) => [[p, p + 16384, 8, 16, 1, 0]],
  layernorm_f32: (p) => [[p, p + 4096, p + 8192, p + 16384, 8, 16, 1e-5]],
  batchnorm_f32: (p) => [[p, p + 4096, p + 4160, p + 4224, p + 4288, p + 16384, 1, 8, 16, 1e-5]],
  instancenorm_f32: (p) => [[p, p + 4096, p + 4160, p + 16384, 1, 8, 16, 1e-5]]
};
var SCRATCH = 40960;
function warmUp(exports, arena) {
  const names = Object.keys(CALLS2).filter((name) => typeof exports[name] === "function");
  if (!names.length) return;
  const p = arena.alloc(SCRATCH);
  try {
    new Uint8Array(arena.memory.buffer, p, SCRATCH).fill(0);
    const ints = new Int32Array(arena.memory.buffer, p + 32768, 48);
    ints.set([256], 0);
    ints.set([1], 16);
    ints.set([1], 32);
    for (const name of names) {
      const calls = CALLS2[name](p);
      for (let r = 0; r < ROUNDS; r++) for (const args of calls) exports[name](...args);
    }
  } finally {
    arena.dispose(p);
  }
}

// src/backends/webedge.mjs
function parsePlan(manifest, planBytes) {
  let plan;
  try {
    plan = JSON.parse(new TextDecoder().decode(planBytes));
  } catch {
    throw new WebedgeError(`${manifest.backend.graph.file}: not a valid plan`);
  }
  if (plan.format !== "webedge-plan" || plan.version !== 1) {
    throw new WebedgeError(`${manifest.backend.graph.file}: plan format ${plan.format} v${plan.version} is not supported by this runtime`);
  }
  return plan;
}
async function createWebedgeSession({ manifest, planBytes, kernels, shards, threads = 1 }) {
  const plan = parsePlan(manifest, planBytes);
  const weights = manifest.weights.map((w) => ({ ...w, bytes: shards[w.shard].subarray(w.offset, w.offset + w.length) }));
  return createSession({ plan, kernels, weights, threads });
}
async function createStreamingSession({ manifest, planBytes, kernels, shards, threads = 1 }) {
  const plan = parsePlan(manifest, planBytes);
  const session = await createSession({ plan, kernels, weights: [], threads });
  const ex = session.executor;
  ex.streaming = true;
  const placed = shards.map((promise, i) => {
    const mine = manifest.weights.filter((w) => w.shard === i);
    const done = promise.then((bytes) => {
      for (const w of mine) ex.addWeight(placeWeight(ex.arena, { ...w, bytes: bytes.subarray(w.offset, w.offset + w.length) }));
    });
    for (const w of mine) ex.pending.set(w.name, done);
    done.catch(() => {
    });
    return done;
  });
  session.weightsPlaced = Promise.all(placed);
  session.weightsPlaced.catch(() => {
  });
  return session;
}
function placeWeight(arena, w) {
  if (w.dtype === "float32") {
    const ptr = arena.alloc(w.length ?? w.bytes.length);
    new Uint8Array(arena.memory.buffer, ptr, w.bytes.length).set(w.bytes);
    return [w.name, new Tensor("float32", w.shape, { ptr, arena })];
  }
  return [w.name, new Tensor(w.dtype, w.shape, { host: fromBytes(w.dtype, w.bytes, size(w.shape)) })];
}
async function createSession({ plan, kernels, weights: weightList, threads = 1 }) {
  const arena = new Arena(32, threads > 1 ? { shared: true, reserved: threads * PAGE } : {});
  const exports = {};
  const modules = [];
  for (const [file, bytes] of kernels) {
    try {
      const { module, instance } = await WebAssembly.instantiate(bytes, { env: { memory: arena.memory } });
      modules.push(module);
      Object.assign(exports, instance.exports);
    } catch (cause) {
      throw new WebedgeError(`${file}: could not instantiate the kernel module (${cause.message})`, { file, cause });
    }
  }
  warmUp(exports, arena);
  const pool2 = threads > 1 ? await startPool({ arena, modules, kernels: exports, threads }) : null;
  const weights = new Map(weightList.map((w) => placeWeight(arena, w)));
  const executor = new Executor(plan, exports, arena, weights);
  executor.pool = pool2;
  return {
    executor,
    threads: pool2 ? pool2.threads : 1,
    run: (feeds) => executor.run(feeds),
    async dispose() {
      pool2?.dispose();
    },
    memoryBytes: () => arena.memory.buffer.byteLength
  };
}
export {
  createSession,
  createStreamingSession,
  createWebedgeSession
};
