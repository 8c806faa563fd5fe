// Where: y = cond ? a : b with numpy broadcasting of all three; any dtype, values moved as stored.
import { broadcastDims, broadcastStrides, forEachBroadcast } from '../lib/broadcast.mjs';

function run(js, node, [c, a, b], [y]) {
  const cd = c.data, ad = a.data, bd = b.data, yd = y.data;
  forEachBroadcast(y.dims, [c, a, b].map((t) => broadcastStrides(t.dims, y.dims)), (o, [i, j, k]) => {
    yd[o] = cd[i] ? ad[j] : bd[k];
  });
}

export const units = [{
  op: 'Where',
  shape: (node, [c, a, b]) => [{ dtype: a.dtype, dims: broadcastDims(c.dims, a.dims, b.dims) }],
  js: { run },
}];
