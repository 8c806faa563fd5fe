// Det: determinants of square matrices x [..., M, M] -> [...], by LU decomposition with partial
// pivoting in float64.
import { size } from '../tensor.mjs';
import { numbersOf, store } from '../lib/values.mjs';

function determinant(a, M) {
  let det = 1;
  for (let col = 0; col < M; col++) {
    let pivot = col;
    for (let r = col + 1; r < M; r++) if (Math.abs(a[r * M + col]) > Math.abs(a[pivot * M + col])) pivot = r;
    if (a[pivot * M + col] === 0) return 0;
    if (pivot !== col) {
      for (let c = 0; c < M; c++) [a[col * M + c], a[pivot * M + c]] = [a[pivot * M + c], a[col * M + c]];
      det = -det;
    }
    const p = a[col * M + col];
    det *= p;
    for (let r = col + 1; r < M; r++) {
      const f = a[r * M + col] / p;
      for (let c = col + 1; c < M; c++) a[r * M + c] -= f * a[col * M + c];
    }
  }
  return det;
}

function shape(node, [x]) {
  const M = x.dims[x.dims.length - 1];
  if (x.dims[x.dims.length - 2] !== M) throw new Error(`Det of [${x.dims}]: the last two dims differ`);
  return [{ dtype: x.dtype, dims: x.dims.slice(0, -2) }];
}

function run(js, node, [x], [y]) {
  const M = x.dims[x.dims.length - 1];
  const batch = y.dims;
  const xd = numbersOf(x);
  const out = new Float64Array(size(batch));
  for (let b = 0; b < out.length; b++) out[b] = determinant(Float64Array.from(xd.subarray(b * M * M, (b + 1) * M * M)), M);
  store(y, out);
}

export const units = [{ op: 'Det', shape, js: { run } }];
