// ScatterElements (and its deprecated alias Scatter): a copy of x with updates written at the
// indices along `axis`, combined by `reduction` (none, add, mul, max, min).
import { forEachBroadcast } from '../lib/broadcast.mjs';
import { fix, reducer } from '../lib/indices.mjs';
import { norm } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';

function run(js, node, [x, idx, upd], [y]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const f = reducer(node.attrs.reduction, x.dtype);
  y.data.set(x.data);
  const xs = stridesOf(x.dims);
  const n = x.dims[axis];
  const ids = idx.numbers();
  const yd = y.data, ud = upd.data;
  forEachBroadcast(idx.dims, [xs.map((s, d) => (d === axis ? 0 : s))], (o, [base]) => {
    const at = base + fix(ids[o], n) * xs[axis];
    yd[at] = f(yd[at], ud[o]);
  });
}

const shape = (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }];
export const units = ['ScatterElements', 'Scatter'].map((op) => ({ op, shape, js: { run } }));
