// QLinearConv: ConvInteger's exact sums (conv_integer.mjs) plus the int32 bias, requantized with
// the float multiplier x_scale * w_scale / y_scale (per output channel when w_scale is).
import { convShape } from './conv.mjs';
import { integerConvParts } from './conv_integer.mjs';
import { requantize } from '../lib/quantization.mjs';
import { numberOf } from '../lib/numbers.mjs';
import { size } from '../tensor.mjs';

function finish(node, [, xs, , , ws, , ys, yzp, b], yf, y) {
  const acc = Float64Array.from(yf.data, Math.round);
  const M = yf.dims[1];
  const inner = size(yf.dims.slice(2));
  if (b) for (let i = 0; i < acc.length; i++) acc[i] += b.data[Math.floor(i / inner) % M];
  const [x, w, out] = [xs, ws, ys].map((t) => Array.from(t.data, numberOf(t.dtype))); // float16 scales decoded
  const mult = w.map((s) => (x[0] * s) / out[0]);
  requantize(acc, y, mult, mult.length === 1 ? () => 0 : (i) => Math.floor(i / inner) % M, yzp);
}

export const units = [{
  op: 'QLinearConv',
  shape: (node, [x, , , w, , , , yzp]) => [{ dtype: yzp ? yzp.dtype : 'uint8', dims: convShape(node, [x, w])[0].dims }],
  ...integerConvParts(finish),
}];
