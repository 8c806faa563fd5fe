// GatherElements: y[i0..ik] = x[i0.., idx[i0..ik], ..ik] along `axis`, in idx's shape.
import { forEachBroadcast } from '../lib/broadcast.mjs';
import { fix } from '../lib/indices.mjs';
import { norm } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';

function run(js, node, [x, idx], [y]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const xs = stridesOf(x.dims);
  const n = x.dims[axis];
  const ids = idx.numbers();
  const xd = x.data, yd = y.data;
  // walk idx with x's strides, the axis stride left out
  forEachBroadcast(idx.dims, [xs.map((s, d) => (d === axis ? 0 : s))], (o, [base]) => {
    yd[o] = xd[base + fix(ids[o], n) * xs[axis]];
  });
}

export const units = [{ op: 'GatherElements', shape: (node, [x, idx]) => [{ dtype: x.dtype, dims: idx.dims.slice() }], js: { run } }];
