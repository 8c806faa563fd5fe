// DequantizeLinear: y = (x - zero point) * scale in float32, per tensor, per axis or blocked, as
// the output dtype (the scale's, or output_dtype). float8 and float4 inputs have no zero point.
import { DTYPE_OF } from '../lib/dtypes.mjs';
import { isLowpFloat } from '../lib/lowp.mjs';
import { numberOf, storeOf } from '../lib/numbers.mjs';
import { paramIndex } from '../lib/quantization.mjs';

function run(js, node, [x, scale, zp], [y]) {
  const xd = x.data, yd = y.data;
  const xv = numberOf(x.dtype);
  const sd = Array.from(scale.data, numberOf(scale.dtype));
  const zd = zp && !isLowpFloat(x.dtype) ? Array.from(zp.data, numberOf(zp.dtype)) : null;
  const store = storeOf(y.dtype);
  const at = paramIndex(x, scale, node.attrs.axis ?? 1, node.attrs.block_size ?? 0);
  for (let i = 0; i < xd.length; i++) {
    const k = at(i);
    yd[i] = store(Math.fround(Math.fround(Math.fround(xv(xd[i])) - (zd ? zd[k] : 0)) * sd[k]));
  }
}

export const units = [{
  op: 'DequantizeLinear',
  shape: (node, [x, scale]) => [{ dtype: node.attrs.output_dtype ? DTYPE_OF[node.attrs.output_dtype] : scale.dtype, dims: x.dims.slice() }],
  js: { run },
}];
