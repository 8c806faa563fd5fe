// TopK: the k largest (or smallest) values along `axis` and their int64 indices, sorted either
// way (sorted=0 leaves the order open); equal values keep the lower index first, NaN ranks above
// every number as in onnxruntime.
import { norm, valuesOf } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function shape(node, [x, kT]) {
  const axis = norm(node.attrs.axis ?? -1, x.dims.length);
  const k = kT ? Number(kT.data[0]) : node.attrs.k;
  const n = x.dims[axis];
  if (k < 0 || k > n) throw new Error(`k = ${k} is out of range for an axis of ${n}`);
  const dims = x.dims.map((d, i) => (i === axis ? k : d));
  return [{ dtype: x.dtype, dims }, { dtype: 'int64', dims: dims.slice() }];
}

function run(js, node, [x], [y, yi]) {
  const axis = norm(node.attrs.axis ?? -1, x.dims.length);
  const largest = node.attrs.largest ?? 1;
  const n = x.dims[axis];
  const k = (y ?? yi).dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const xd = x.data, key = valuesOf(x), yd = y?.data, id = yi?.data;
  const order = new Array(n);
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
        if (yd) yd[at] = xd[order[t]];
        if (id) id[at] = BigInt((order[t] - base) / inner);
      }
    }
  }
}

export const units = [{ op: 'TopK', shape, shapeReads: [1], js: { run } }];
