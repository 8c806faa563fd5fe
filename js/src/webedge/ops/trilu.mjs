// Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims, zeros elsewhere.
import { zeroOf } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function run(js, node, [x, kT], [y]) {
  const k = kT ? Number(kT.data[0]) : 0;
  const upper = node.attrs.upper ?? 1;
  const r = x.dims.length;
  const [N, M] = x.dims.slice(r - 2);
  const xd = x.data, yd = y.data;
  const zero = zeroOf(x.dtype);
  const batch = size(x.dims.slice(0, r - 2)); // x: [batch, N, M]
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < M; j++) {
        const at = (b * N + i) * M + j;
        yd[at] = (upper ? j - i >= k : j - i <= k) ? xd[at] : zero;
      }
    }
  }
}

export const units = [{ op: 'Trilu', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run } }];
