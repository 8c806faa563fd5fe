// Expand: x broadcast (numpy rules) against the shape input.
import { broadcastDims, broadcastStrides } from '../lib/broadcast.mjs';
import { copyRows } from '../lib/copy.mjs';

export const units = [{
  op: 'Expand',
  shape: (node, [x, s]) => [{ dtype: x.dtype, dims: broadcastDims(x.dims, s.numbers()) }],
  shapeReads: [1],
  js: { run: (js, node, [x], [y]) => copyRows(y.dims, broadcastStrides(x.dims, y.dims), x.data, 0, y.data) },
}];
