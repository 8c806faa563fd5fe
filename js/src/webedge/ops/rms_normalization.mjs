// RMSNormalization: y = x / sqrt(mean(x^2 over axes [axis, rank)) + epsilon) * scale (scale
// broadcast to x), in double precision, rounded once on store.
import { broadcastStrides, forEachBroadcast } from '../lib/broadcast.mjs';
import { norm, numbersOf, encoder } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function run(js, node, [x, scale], [y]) {
  const axis = norm(node.attrs.axis ?? -1, x.dims.length);
  const eps = node.attrs.epsilon ?? 1e-5;
  const n = size(x.dims.slice(axis));
  const outer = size(x.dims.slice(0, axis));
  const xv = numbersOf(x), sv = numbersOf(scale), yd = y.data;
  const enc = encoder(x.dtype);
  const rms = new Float64Array(outer); // x: [outer, n]
  for (let o = 0; o < outer; o++) {
    let s = 0;
    for (let i = o * n; i < (o + 1) * n; i++) s += xv[i] * xv[i];
    rms[o] = Math.sqrt(s / n + eps);
  }
  forEachBroadcast(x.dims, [broadcastStrides(scale.dims, x.dims)], (i, [j]) => {
    const v = (xv[i] / rms[Math.floor(i / n)]) * sv[j];
    yd[i] = enc ? enc(v) : v;
  });
}

export const units = [{ op: 'RMSNormalization', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run } }];
