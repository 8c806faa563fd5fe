// LpNormalization: y = x / ||x||_p along one axis (p 1 or 2; 0 where the norm is 0), in double.
import { norm, numbersOf, encoder } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function run(js, node, [x], [y]) {
  const axis = norm(node.attrs.axis ?? -1, x.dims.length);
  const p = node.attrs.p ?? 2;
  if (p !== 1 && p !== 2) throw new Error(`LpNormalization with p = ${p} (only 1 and 2 are defined)`);
  const n = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(x.dtype);
  // x: [outer, n, inner], normalised along n.
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let t = 0; t < n; t++) {
        const v = xv[(o * n + t) * inner + i];
        s += p === 1 ? Math.abs(v) : v * v;
      }
      const len = p === 1 ? s : Math.sqrt(s);
      for (let t = 0; t < n; t++) {
        const at = (o * n + t) * inner + i;
        const v = len === 0 ? 0 : xv[at] / len;
        yd[at] = enc ? enc(v) : v;
      }
    }
  }
}

export const units = [{ op: 'LpNormalization', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run } }];
