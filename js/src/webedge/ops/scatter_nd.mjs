// ScatterND: a copy of x with update slices written at the index tuples, combined by `reduction`.
import { reducer, tupleOffsets } from '../lib/indices.mjs';
import { size, stridesOf } from '../tensor.mjs';

function run(js, node, [x, idx, upd], [y]) {
  const k = idx.dims[idx.dims.length - 1];
  const f = reducer(node.attrs.reduction, x.dtype);
  y.data.set(x.data);
  const count = size(idx.dims.slice(0, -1));
  const inner = size(x.dims.slice(k));
  const offs = tupleOffsets(idx.numbers(), k, x.dims, stridesOf(x.dims), 0, count);
  const yd = y.data, ud = upd.data;
  offs.forEach((off, j) => {
    for (let t = 0; t < inner; t++) yd[off + t] = f(yd[off + t], ud[j * inner + t]);
  });
}

export const units = [{ op: 'ScatterND', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run } }];
