// DynamicQuantizeLinear: x float32 -> uint8 codes with the scale and zero point of x's range
// (always including 0), in float32 arithmetic so the codes match other runtimes bit for bit.
import { roundEven } from '../lib/lowp.mjs';

function run(js, node, [x], [y, s, z]) {
  const xd = x.data;
  let min = 0;
  let max = 0;
  for (let i = 0; i < xd.length; i++) {
    if (xd[i] < min) min = xd[i];
    if (xd[i] > max) max = xd[i];
  }
  const scale = Math.fround(Math.fround(max - min) / 255);
  const zp = scale === 0 ? 0 : Math.max(0, Math.min(255, roundEven(Math.fround(-min / scale))));
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = scale === 0 ? zp : Math.max(0, Math.min(255, roundEven(Math.fround(xd[i] / scale)) + zp));
  if (s) s.data[0] = scale;
  if (z) z.data[0] = zp;
}

export const units = [{
  op: 'DynamicQuantizeLinear',
  shape: (node, [x]) => [{ dtype: 'uint8', dims: x.dims.slice() }, { dtype: 'float32', dims: [] }, { dtype: 'uint8', dims: [] }],
  js: { run },
}];
