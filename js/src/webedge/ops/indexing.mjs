// Indexing and rearranging ops: GatherElements, GatherND, ScatterElements (and its deprecated alias
// Scatter), ScatterND, Compress, OneHot, TopK, Trilu, EyeLike, CumSum, CumProd, ReverseSequence,
// SpaceToDepth, DepthToSpace, Hardmax, NonZero, Unique. They run in JS on any dtype: data moves as
// stored (float16 bit patterns, BigInt), and values are decoded only where they are compared or summed.
import { size, stridesOf } from '../tensor.mjs';
import { forEachBroadcast } from '../broadcast.mjs';
import { takeAlongAxis } from './shape.mjs';
import {
  norm, isBig, DTYPE_OF, fromHalf, toHalf, valuesOf, zeroOf, oneOf, scratchFor, store, forEachIndex,
} from './values.mjs';

const fix = (i, n) => {
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw new Error(`index ${i} out of range [-${n}, ${n})`);
  return j;
};

// Scatter reductions on stored values; float16 is decoded, combined and encoded again.
const REDUCE = {
  none: (a, b) => b, add: (a, b) => a + b, mul: (a, b) => a * b,
  max: (a, b) => (a > b ? a : b), min: (a, b) => (a < b ? a : b),
};
function reducer(name, dtype) {
  const fn = REDUCE[name ?? 'none'];
  if (!fn) throw new Error(`reduction '${name}' is not supported`);
  if (dtype === 'float16' && name && name !== 'none') return (a, b) => toHalf(fn(fromHalf(a), fromHalf(b)));
  if (dtype === 'bool' && name === 'add') return (a, b) => a | b; // numpy: sum of bools saturates
  if (dtype === 'bool' && name === 'mul') return (a, b) => a & b;
  return fn;
}

const copyOf = (ex, x) => {
  const y = ex.alloc(x.dtype, x.dims.slice());
  y.data.set(x.data);
  return y;
};

function gatherElements(ex, node, [x, idx]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const y = ex.alloc(x.dtype, idx.dims.slice());
  const xs = stridesOf(x.dims);
  const n = x.dims[axis];
  const ids = idx.numbers();
  const xd = x.data, yd = y.data;
  // y[i0..ik] = x[i0.., ids[i], ..ik]: walk idx with x's strides, the axis stride left out.
  forEachBroadcast(idx.dims, [xs.map((s, d) => (d === axis ? 0 : s))], (o, [base]) => {
    yd[o] = xd[base + fix(ids[o], n) * xs[axis]];
  });
  return [y];
}

function scatterElements(ex, node, [x, idx, upd]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const f = reducer(node.attrs.reduction, x.dtype);
  const y = copyOf(ex, x);
  const xs = stridesOf(x.dims);
  const n = x.dims[axis];
  const ids = idx.numbers();
  const yd = y.data, ud = upd.data;
  forEachBroadcast(idx.dims, [xs.map((s, d) => (d === axis ? 0 : s))], (o, [base]) => {
    const at = base + fix(ids[o], n) * xs[axis];
    yd[at] = f(yd[at], ud[o]);
  });
  return [y];
}

// Offsets into `x` named by the index tuples in the last dim of `idx` (k entries each), for the
// tuples [from, from + count).
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
  const perBatch = size(idx.dims.slice(b, -1)); // index tuples per batch entry
  const inner = size(x.dims.slice(b + k)); // elements copied per tuple
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
  const y = copyOf(ex, x);
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
  if (node.attrs.axis === undefined) {
    // Flattened input; the condition may be shorter than it.
    const keep = [];
    for (let i = 0; i < Math.min(c.length, x.size); i++) if (c[i]) keep.push(i);
    const y = ex.alloc(x.dtype, [keep.length]);
    const xd = x.data, yd = y.data;
    keep.forEach((i, o) => { yd[o] = xd[i]; });
    return [y];
  }
  const axis = norm(node.attrs.axis, x.dims.length);
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
  const axis = norm(node.attrs.axis ?? -1, r + 1);
  const y = ex.alloc(values.dtype, [...idx.dims.slice(0, axis), depth, ...idx.dims.slice(axis)]);
  const [off, on] = values.data;
  const outer = size(idx.dims.slice(0, axis));
  const inner = size(idx.dims.slice(axis));
  const ids = idx.numbers();
  const yd = y.data;
  yd.fill(off);
  // y: [outer, depth, inner]; indices outside [-depth, depth) stay all off.
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
  const axis = norm(node.attrs.axis ?? -1, r);
  const k = kT ? Number(kT.data[0]) : node.attrs.k;
  const largest = node.attrs.largest ?? 1;
  const n = x.dims[axis];
  if (k < 0 || k > n) throw new Error(`k = ${k} is out of range for an axis of ${n}`);
  const dims = x.dims.slice();
  dims[axis] = k;
  const y = ex.alloc(x.dtype, dims);
  const yi = ex.alloc('int64', dims.slice());
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const xd = x.data, key = valuesOf(x), yd = y.data, id = yi.data;
  const order = new Array(n);
  // Sorted output either way (sorted=0 leaves the order open); equal values keep the lower index
  // first, NaN ranks above every number as in onnxruntime.
  const cmp = (a, b) => {
    const va = key[a], vb = key[b];
    const na = va !== va, nb = vb !== vb;
    const d = na || nb ? na - nb : va === vb ? 0 : va > vb ? 1 : -1; // > 0: a ranks above b
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
  // x: [batch, N, M]; keep j - i >= k (upper) or j - i <= k (lower).
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
  const dtype = node.attrs.dtype !== undefined ? DTYPE_OF[node.attrs.dtype] : x.dtype;
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
    const axis = norm(Number(axisT.data[0]), x.dims.length);
    const exclusive = node.attrs.exclusive ?? 0;
    const reverse = node.attrs.reverse ?? 0;
    const y = ex.alloc(x.dtype, x.dims.slice());
    const xv = valuesOf(x);
    const out = scratchFor(x.dtype, x.size);
    const big = isBig(x.dtype);
    const start = product ? (big ? 1n : 1) : big ? 0n : 0;
    const n = x.dims[axis];
    const outer = size(x.dims.slice(0, axis));
    const inner = size(x.dims.slice(axis + 1));
    // x: [outer, n, inner], accumulated along n.
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
  // The first len[b] steps of batch entry b are reversed in time, the rest copied.
  forEachIndex(x.dims, (o, idx) => {
    const t = idx[ta];
    const l = len[idx[ba]];
    yd[o] = t < l ? xd[o + (l - 1 - 2 * t) * xs[ta]] : xd[o];
  });
  return [y];
}

// A reshape of x to `tmp`, a transpose by `perm`, and a reshape to `dims`.
function permuted(ex, x, tmp, perm, dims) {
  const y = ex.alloc(x.dtype, dims);
  const ts = stridesOf(tmp);
  const xd = x.data, yd = y.data;
  forEachBroadcast(perm.map((p) => tmp[p]), [perm.map((p) => ts[p])], (o, [i]) => { yd[o] = xd[i]; });
  return y;
}

function spaceToDepth(ex, node, [x]) {
  const bs = node.attrs.blocksize;
  const [N, C, H, W] = x.dims;
  const tmp = [N, C, H / bs, bs, W / bs, bs];
  const perm = node.attrs.mode === 'CRD' ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4];
  return [permuted(ex, x, tmp, perm, [N, C * bs * bs, H / bs, W / bs])];
}

function depthToSpace(ex, node, [x]) {
  const bs = node.attrs.blocksize;
  const [N, C, H, W] = x.dims;
  const c = C / (bs * bs);
  const crd = node.attrs.mode === 'CRD';
  const tmp = crd ? [N, c, bs, bs, H, W] : [N, bs, bs, c, H, W];
  const perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2];
  return [permuted(ex, x, tmp, perm, [N, c, H * bs, W * bs])];
}

function hardmax(ex, node, [x]) {
  const r = x.dims.length;
  const legacy = ex.plan.opset < 13;
  const axis = norm(node.attrs.axis ?? (legacy ? 1 : -1), r);
  // Before opset 13 the input is coerced to 2-D at `axis`: one max over everything after it.
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
  const dims = x.dims.length ? x.dims : [1]; // a scalar counts as one element of a 1-D tensor
  const xd = x.data;
  const half = x.dtype === 'float16';
  const zero = zeroOf(x.dtype);
  const hits = [];
  // NaN counts as non-zero, -0 as zero.
  for (let i = 0; i < xd.length; i++) if (half ? xd[i] & 0x7fff : xd[i] !== zero) hits.push(i);
  const r = dims.length;
  const y = ex.alloc('int64', [r, hits.length]);
  const yd = y.data;
  const xs = stridesOf(dims);
  // y: [rank, count]; row d holds coordinate d of each hit.
  hits.forEach((flat, j) => {
    for (let d = 0; d < r; d++) yd[d * hits.length + j] = BigInt(Math.floor(flat / xs[d]) % dims[d]);
  });
  return [y];
}

// Total order for sorting: numbers ascending with NaN last (as numpy), BigInt as is.
const ascending = (a, b) => (a < b ? -1 : a > b ? 1 : a === b ? 0 : a !== a ? (b !== b ? 0 : 1) : -1);

function unique(ex, node, [x]) {
  const sorted = node.attrs.sorted ?? 1;
  const hasAxis = node.attrs.axis !== undefined;
  const axis = hasAxis ? norm(node.attrs.axis, x.dims.length) : 0;
  const dims = hasAxis ? x.dims : [x.size];
  const n = dims[axis];
  const outer = size(dims.slice(0, axis));
  const inner = size(dims.slice(axis + 1));
  const xv = valuesOf(x);
  // Slice t along the axis, flattened as [outer, inner] (numpy's order for unique with an axis).
  const sliceOf = (t) => {
    const s = new Array(outer * inner);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) s[o * inner + i] = xv[(o * n + t) * inner + i];
    return s;
  };
  const slices = [];
  const first = []; // per unique slice: index of its first occurrence
  const counts = [];
  const inverse = new Array(n);
  const seen = new Map();
  for (let t = 0; t < n; t++) {
    const s = sliceOf(t);
    // Map keys compare with SameValueZero: NaN equals NaN, -0 equals 0, as numpy's unique.
    const key = s.length === 1 ? s[0] : s.map(String).join(',');
    let u = seen.get(key);
    if (u === undefined) {
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
  order.forEach((u, j) => { rank[u] = j; });
  const m = order.length;
  const yDims = dims.slice();
  yDims[axis] = m;
  const y = ex.alloc(x.dtype, hasAxis ? yDims : [m]);
  const yIdx = ex.alloc('int64', [m]);
  const yInv = ex.alloc('int64', [n]);
  const yCnt = ex.alloc('int64', [m]);
  // Copy stored values (not decoded ones) of each unique slice's first occurrence.
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

export const ops = {
  GatherElements: gatherElements, GatherND: gatherND, ScatterElements: scatterElements, Scatter: scatterElements,
  ScatterND: scatterND, Compress: compress, OneHot: oneHot, TopK: topK, Trilu: trilu, EyeLike: eyeLike,
  CumSum: cumulative(false), CumProd: cumulative(true), ReverseSequence: reverseSequence,
  SpaceToDepth: spaceToDepth, DepthToSpace: depthToSpace, Hardmax: hardmax, NonZero: nonZero, Unique: unique,
};
