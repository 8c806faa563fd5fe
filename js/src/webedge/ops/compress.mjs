// Compress: the slices of x along `axis` (or the elements of flattened x) where the condition is
// true; the condition may be shorter than the axis. Its output length reads the condition.
import { takeAlongAxis } from '../lib/copy.mjs';
import { norm } from '../lib/values.mjs';

// The kept positions, and the output dims.
function kept(node, x, cond) {
  const c = cond.data;
  const flat = node.attrs.axis === undefined;
  const axis = flat ? 0 : norm(node.attrs.axis, x.dims.length);
  const n = flat ? x.size : x.dims[axis];
  const keep = [];
  for (let i = 0; i < Math.min(c.length, n); i++) if (c[i]) keep.push(i);
  const dims = flat ? [keep.length] : x.dims.map((d, i) => (i === axis ? keep.length : d));
  return { keep, axis, flat, dims };
}

function run(js, node, [x, cond], [y]) {
  const { keep, axis, flat } = kept(node, x, cond);
  if (!flat) return takeAlongAxis(x, axis, keep, y);
  const xd = x.data, yd = y.data;
  keep.forEach((i, o) => { yd[o] = xd[i]; });
  return undefined;
}

export const units = [{
  op: 'Compress',
  shape: (node, [x, cond]) => [{ dtype: x.dtype, dims: kept(node, x, cond).dims }],
  shapeReads: [1],
  js: { run },
}];
