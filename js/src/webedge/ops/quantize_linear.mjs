// QuantizeLinear: y = saturate(round(x / scale) + zero point) for integer outputs; for float8,
// x / scale cast with `saturate`; for float4e2m1, x / scale + zero point cast (saturating). The
// division runs in the input's precision (or `precision`'s), as the reference does.
import { DTYPE_OF } from '../lib/dtypes.mjs';
import { isLowpFloat, roundEven } from '../lib/lowp.mjs';
import { numberOf, storeOf } from '../lib/numbers.mjs';
import { RANGE, paramIndex, rounderTo } from '../lib/quantization.mjs';

function outputDtype(node, zp) {
  const { output_dtype: outType } = node.attrs;
  const dtype = zp ? zp.dtype : outType ? DTYPE_OF[outType] : 'uint8';
  if (!RANGE[dtype] && !isLowpFloat(dtype)) throw new Error(`QuantizeLinear to ${dtype} is not supported`);
  return dtype;
}

function run(js, node, [x, scale, zp], [y]) {
  const { precision, saturate = 1 } = node.attrs;
  const dtype = y.dtype;
  const range = RANGE[dtype];
  const xd = x.data, yd = y.data;
  const xv = numberOf(x.dtype);
  const sd = Array.from(scale.data, numberOf(scale.dtype));
  const zd = zp ? Array.from(zp.data, numberOf(zp.dtype)) : null;
  const narrow = rounderTo(precision ? DTYPE_OF[precision] : x.dtype);
  const store = storeOf(dtype, { saturate });
  const at = paramIndex(x, scale, node.attrs.axis ?? 1, node.attrs.block_size ?? 0);
  for (let i = 0; i < xd.length; i++) {
    const k = at(i);
    const q = narrow(xv(xd[i]) / sd[k]);
    if (range) yd[i] = Math.max(range[0], Math.min(range[1], roundEven(q) + (zd ? zd[k] : 0)));
    else yd[i] = store(dtype === 'float4e2m1' && zd ? q + zd[k] : q);
  }
}

export const units = [{
  op: 'QuantizeLinear',
  shape: (node, [x, , zp]) => [{ dtype: outputDtype(node, zp), dims: x.dims.slice() }],
  js: { run },
}];
