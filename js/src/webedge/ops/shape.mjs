// Ops that move or reinterpret data without arithmetic: Shape, Reshape, Flatten, Squeeze,
// Unsqueeze, Expand, Concat, Slice, Gather, Transpose, Cast, BitCast, ConstantOfShape, Range, Pad, Split, Tile.
// They run in JS on any dtype (copies are memory-bound; wasm would not be faster here).
import { size, stridesOf, DTYPE_OF, numberOf, storeOf } from '../tensor.mjs';
import { broadcastDims, broadcastStrides, forEachBroadcast, forEachRow } from '../broadcast.mjs';

const norm = (axis, rank) => (axis < 0 ? axis + rank : axis);
const copy = (ex, x, dims) => {
  const y = ex.alloc(x.dtype, dims);
  y.data.set(x.data);
  return y;
};
// Axes given by attribute (older opsets) or by an optional input (newer ones).
const axesOf = (node, input, fallback) => (input ? input.numbers() : node.attrs.axes ?? fallback);

function shape(ex, node, [x]) {
  const r = x.dims.length;
  const start = norm(Math.max(-r, Math.min(r, node.attrs.start ?? 0)), r);
  const end = norm(Math.max(-r, Math.min(r, node.attrs.end ?? r)), r);
  const y = ex.alloc('int64', [Math.max(0, end - start)]);
  y.data.set(x.dims.slice(start, end).map(BigInt));
  return [y];
}

function reshape(ex, node, [x, s]) {
  const want = s ? s.numbers() : node.attrs.shape;
  const dims = want.map((d, i) => (d === 0 && !node.attrs.allowzero ? x.dims[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = dims.map((d) => (d === -1 ? x.size / known : d));
  if (size(out) !== x.size) throw new Error(`cannot reshape [${x.dims}] to [${want}]`);
  return [copy(ex, x, out)];
}

function flatten(ex, node, [x]) {
  const axis = norm(node.attrs.axis ?? 1, x.dims.length);
  return [copy(ex, x, [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))])];
}

function squeeze(ex, node, [x, a]) {
  const axes = axesOf(node, a, null)?.map((v) => norm(v, x.dims.length));
  return [copy(ex, x, x.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)))];
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

// y[...] = x[base + strided index], a row at a time; contiguous rows are block copies.
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
  const ids = idx.numbers().map((i) => (i < 0 ? i + n : i));
  if (ids.some((i) => i < 0 || i >= n)) throw new Error(`index out of range [0, ${n})`);
  return [takeAlongAxis(ex, x, axis, ids, [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)])];
}

// y = the slices of x at positions `ids` along `axis`, in that order (Gather, Compress); dims is y's shape.
export function takeAlongAxis(ex, x, axis, ids, dims) {
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

// Types whose typed arrays convert into each other natively with Cast's meaning (float -> int
// truncates; NaN and Inf become 0 and out-of-range values wrap, which the spec leaves undefined).
const NATIVE = new Set(['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'bool']);
const BIG = new Set(['int64', 'uint64']);
const INT_BITS = {
  int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int4: 4, uint4: 4, int2: 2, uint2: 2,
};

// Whether element i of float tensor t has its sign bit set (NaNs have one too; JS numbers lose it).
function signBitOf(t, i) {
  const d = t.data;
  const n = d.BYTES_PER_ELEMENT;
  return (new Uint8Array(d.buffer, d.byteOffset + i * n + n - 1, 1)[0] & 0x80) !== 0; // little-endian: top byte last
}

// y = x converted to dtype `to` as ONNX Cast does. opts: {saturate, roundMode} for float8 targets.
export function castTo(ex, x, to, opts = {}) {
  const y = ex.alloc(to, x.dims.slice());
  const xd = x.data, yd = y.data;
  if (x.dtype === to || (NATIVE.has(x.dtype) && NATIVE.has(to) && to !== 'bool')) {
    yd.set(xd);
    return y;
  }
  if (BIG.has(x.dtype) && (BIG.has(to) || to in INT_BITS || to === 'bool')) {
    // integer -> integer keeps the low bits exactly (a trip through doubles would round first)
    const wrap = to in INT_BITS ? storeOf(to) : null;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i];
      yd[i] = BIG.has(to) ? v : to === 'bool' ? (v !== 0n ? 1 : 0) : wrap(Number(BigInt.asIntN(INT_BITS[to], v)));
    }
    return y;
  }
  const read = numberOf(x.dtype);
  const store = storeOf(to, opts);
  for (let i = 0; i < xd.length; i++) {
    const v = read(xd[i]);
    yd[i] = store(v, v !== v && signBitOf(x, i));
  }
  return y;
}

function cast(ex, node, [x]) {
  const to = DTYPE_OF[node.attrs.to];
  if (!to) throw new Error(`Cast to type ${node.attrs.to} is not supported`);
  return [castTo(ex, x, to, { saturate: node.attrs.saturate ?? 1, roundMode: node.attrs.round_mode ?? 'up' })];
}

// Bits per element, for BitCast's same-width rule.
const BITS = {
  bool: 8, int8: 8, uint8: 8, float8e4m3fn: 8, float8e4m3fnuz: 8, float8e5m2: 8, float8e5m2fnuz: 8, float8e8m0: 8,
  int16: 16, uint16: 16, float16: 16, bfloat16: 16, int32: 32, uint32: 32, float32: 32,
  int64: 64, uint64: 64, float64: 64, int4: 4, uint4: 4, float4e2m1: 4, int2: 2, uint2: 2,
};

// BitCast: the same bits read as another type of the same width. Storage is one element per slot
// of a typed array of that width, so this is a byte copy; sub-byte values then re-read their low bits.
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
    const signed = to === 'int4' || to === 'int2';
    const half = 1 << (BITS[to] - 1);
    for (let i = 0; i < xd.length; i++) yd[i] = signed ? ((xd[i] & mask) ^ half) - half : xd[i] & mask;
  } else {
    const bytes = (d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    bytes(yd).set(bytes(xd));
  }
  return [y];
}

function constantOfShape(ex, node, [s]) {
  const v = node.attrs.value ?? { dtype: 'float32', data: [0] };
  const y = ex.alloc(v.dtype, s.numbers());
  y.data.fill(v.dtype === 'int64' ? BigInt(v.data[0]) : v.data[0]);
  return [y];
}

function range(ex, node, [start, limit, delta]) {
  const [s, l, d] = [start, limit, delta].map((t) => t.data[0]);
  const n = Math.max(0, Math.ceil(Number(l - s) / Number(d)));
  const y = ex.alloc(start.dtype, [n]);
  const yd = y.data;
  for (let i = 0; i < n; i++) yd[i] = typeof s === 'bigint' ? s + BigInt(i) * d : s + i * d;
  return [y];
}

function pad(ex, node, [x, p, cval, a]) {
  const r = x.dims.length;
  const raw = p ? p.numbers() : node.attrs.pads;
  const axes = a ? a.numbers().map((v) => norm(v, r)) : x.dims.map((_, i) => i);
  const before = x.dims.map(() => 0);
  const after = x.dims.map(() => 0);
  axes.forEach((ax, i) => { before[ax] = raw[i]; after[ax] = raw[i + axes.length]; });
  const mode = node.attrs.mode ?? 'constant';
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
        if (mode === 'constant') { inside = false; break; }
        if (mode === 'edge') i = i < 0 ? 0 : n - 1;
        else if (mode === 'reflect') i = i < 0 ? -i : 2 * (n - 1) - i;
        else if (mode === 'wrap') i = ((i % n) + n) % n;
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
    for (let d = 0; d < dims.length; d++) off += (idx[d] % x.dims[d]) * xs[d];
    yd[o] = xd[off];
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return [y];
}

export const ops = {
  Shape: shape, Reshape: reshape, Flatten: flatten, Squeeze: squeeze, Unsqueeze: unsqueeze, Expand: expand,
  Concat: concat, Slice: slice, Gather: gather, Transpose: transpose, Cast: cast, BitCast: bitCast,
  ConstantOfShape: constantOfShape,
  Range: range, Pad: pad, Split: split, Tile: tile,
  Size: (ex, node, [x]) => { const y = ex.alloc('int64', []); y.data[0] = BigInt(x.size); return [y]; },
};
