// Unique: the distinct elements (or slices along `axis`), sorted or in order of first occurrence,
// with the index of each one's first occurrence, the inverse indices and the counts. How many
// there are is known only once they are found, so this op has no shape rule: its part allocates
// and returns its outputs.
import { norm, valuesOf } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

// Total order for sorting: numbers ascending with NaN last (as numpy), BigInt as is.
const ascending = (a, b) => (a < b ? -1 : a > b ? 1 : a === b ? 0 : a !== a ? (b !== b ? 0 : 1) : -1);

function run(js, node, [x]) {
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
  const y = js.alloc(x.dtype, hasAxis ? yDims : [m]);
  const yIdx = js.alloc('int64', [m]);
  const yInv = js.alloc('int64', [n]);
  const yCnt = js.alloc('int64', [m]);
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

export const units = [{ op: 'Unique', js: { run } }];
