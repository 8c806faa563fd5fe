// MeanVarianceNormalization, ONNX's function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9),
// moments over `axes` (default [0, 2, 3]), in double.
import { broadcastStrides, forEachBroadcast } from '../lib/broadcast.mjs';
import { norm, numbersOf, encoder } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function run(js, node, [x], [y]) {
  const r = x.dims.length;
  const axes = (node.attrs.axes ?? [0, 2, 3]).map((a) => norm(a, r));
  const kept = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = size(kept);
  const count = x.size / groups;
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(x.dtype);
  const toGroup = [broadcastStrides(kept, x.dims)]; // flat x index -> its group (0 stride on reduced axes)
  const sum = new Float64Array(groups);
  const sq = new Float64Array(groups);
  forEachBroadcast(x.dims, toGroup, (i, [g]) => {
    sum[g] += xv[i];
    sq[g] += xv[i] * xv[i];
  });
  const mean = sum.map((s) => s / count);
  const std = mean.map((m, g) => Math.sqrt(Math.max(0, sq[g] / count - m * m)));
  forEachBroadcast(x.dims, toGroup, (i, [g]) => {
    const v = (xv[i] - mean[g]) / (std[g] + 1e-9);
    yd[i] = enc ? enc(v) : v;
  });
}

export const units = [{
  op: 'MeanVarianceNormalization', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run },
}];
