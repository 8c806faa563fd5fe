// Gather: the slices of x along `axis` at the given indices (negative from the end), in the
// indices' shape.
import { takeAlongAxis } from '../lib/copy.mjs';
import { norm } from '../lib/values.mjs';

function run(js, node, [x, idx], [y]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const n = x.dims[axis];
  const ids = idx.numbers().map((i) => (i < 0 ? i + n : i));
  if (ids.some((i) => i < 0 || i >= n)) throw new Error(`index out of range [0, ${n})`);
  takeAlongAxis(x, axis, ids, y);
}

export const units = [{
  op: 'Gather',
  shape: (node, [x, idx]) => {
    const axis = norm(node.attrs.axis ?? 0, x.dims.length);
    return [{ dtype: x.dtype, dims: [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)] }];
  },
  js: { run },
}];
