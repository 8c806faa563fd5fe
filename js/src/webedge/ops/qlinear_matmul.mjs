// QLinearMatMul: the exact integer matmul of the shifted operands, requantized with the float
// multiplier a_scale * b_scale / y_scale (per output column when b_scale is per column).
import { intMatmul, intMatmulDims, requantize } from '../lib/quantization.mjs';
import { numberOf } from '../lib/numbers.mjs';

function run(js, node, [a, as, azp, b, bs, bzp, ys, yzp], [y]) {
  const acc = intMatmul(a, b, azp, bzp);
  const N = y.dims[y.dims.length - 1];
  const [sa, sb, sy] = [as, bs, ys].map((t) => Array.from(t.data, numberOf(t.dtype))); // float16 scales decoded
  const mult = sb.map((s) => (sa[0] * s) / sy[0]);
  requantize(acc, y, mult, mult.length === 1 ? () => 0 : (i) => i % N, yzp);
}

export const units = [{
  op: 'QLinearMatMul',
  shape: (node, [a, , , b, , , , yzp]) => [{ dtype: yzp ? yzp.dtype : 'uint8', dims: intMatmulDims(a, b) }],
  js: { run },
}];
