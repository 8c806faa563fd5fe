// LRN: y = x / (bias + alpha / size * sum of x^2 over the channels
// [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta, in double.
import { numbersOf, encoder } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function run(js, node, [x], [y]) {
  const { alpha = 1e-4, beta = 0.75, bias = 1.0, size: nsize } = node.attrs;
  const [N, C] = x.dims;
  const inner = size(x.dims.slice(2));
  const lo = Math.floor((nsize - 1) / 2);
  const hi = Math.ceil((nsize - 1) / 2);
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(x.dtype);
  // x: [N, C, inner]
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let k = Math.max(0, c - lo); k <= Math.min(C - 1, c + hi); k++) {
          const v = xv[(n * C + k) * inner + i];
          s += v * v;
        }
        const at = (n * C + c) * inner + i;
        const v = xv[at] / (bias + (alpha / nsize) * s) ** beta;
        yd[at] = enc ? enc(v) : v;
      }
    }
  }
}

export const units = [{ op: 'LRN', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run } }];
