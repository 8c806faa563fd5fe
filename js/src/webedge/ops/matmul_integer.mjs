// MatMulInteger: (A - a_zero_point) @ (B - b_zero_point) in exact int32 (lib/quantization.mjs).
import { intMatmul, intMatmulDims } from '../lib/quantization.mjs';

export const units = [{
  op: 'MatMulInteger',
  shape: (node, [a, b]) => [{ dtype: 'int32', dims: intMatmulDims(a, b) }],
  js: { run: (js, node, [a, b, azp, bzp], [y]) => y.data.set(intMatmul(a, b, azp, bzp)) },
}];
