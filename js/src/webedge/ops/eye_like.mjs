// EyeLike: ones on the k-th diagonal of a 2-D tensor shaped like the input, zeros elsewhere.
import { DTYPE_OF } from '../lib/dtypes.mjs';
import { oneOf, zeroOf } from '../lib/values.mjs';

function shape(node, [x]) {
  const dtype = node.attrs.dtype !== undefined ? DTYPE_OF[node.attrs.dtype] : x.dtype;
  if (!dtype) throw new Error(`EyeLike to type ${node.attrs.dtype} is not supported`);
  return [{ dtype, dims: x.dims.slice(0, 2) }];
}

function run(js, node, inputs, [y]) {
  const k = node.attrs.k ?? 0;
  const [N, M] = y.dims;
  const yd = y.data;
  const one = oneOf(y.dtype);
  yd.fill(zeroOf(y.dtype));
  for (let i = 0; i < N; i++) if (i + k >= 0 && i + k < M) yd[i * M + i + k] = one;
}

export const units = [{ op: 'EyeLike', shape, js: { run } }];
