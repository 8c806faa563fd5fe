// Hardmax: 1 at the first maximum along `axis` (with Softmax's `_flatten` coercion of older
// opsets, softmax.mjs), 0 elsewhere.
import { softmaxBlocks } from './softmax.mjs';
import { valuesOf, zeroOf, oneOf } from '../lib/values.mjs';

function run(js, node, [x], [y]) {
  const [outer, n, inner] = softmaxBlocks(node, x);
  const xv = valuesOf(x), yd = y.data;
  yd.fill(zeroOf(x.dtype));
  const one = oneOf(x.dtype);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      if (n === 0) continue;
      let best = 0;
      for (let t = 1; t < n; t++) if (xv[(o * n + t) * inner + i] > xv[(o * n + best) * inner + i]) best = t;
      yd[(o * n + best) * inner + i] = one;
    }
  }
}

export const units = [{ op: 'Hardmax', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run } }];
