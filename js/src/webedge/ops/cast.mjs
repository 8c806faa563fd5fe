// Cast to the dtype `to` names, as ONNX defines it: float -> int truncates (NaN and Inf become 0,
// out-of-range values wrap: the spec leaves them undefined); integer -> integer keeps the low bits
// exactly; float8 targets honour `saturate`, float8e8m0 `round_mode`; NaNs keep their sign bit.
import { DTYPE_OF, isBig } from '../lib/dtypes.mjs';
import { numberOf, storeOf } from '../lib/numbers.mjs';

// Types whose typed arrays convert into each other natively with Cast's meaning.
const NATIVE = new Set(['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'bool']);
const INT_BITS = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int4: 4, uint4: 4, int2: 2, uint2: 2 };

// Whether element i of float tensor t has its sign bit set (NaNs have one too; JS numbers lose it).
function signBitOf(t, i) {
  const d = t.data;
  const n = d.BYTES_PER_ELEMENT;
  return (new Uint8Array(d.buffer, d.byteOffset + i * n + n - 1, 1)[0] & 0x80) !== 0; // little-endian: top byte last
}

function targetOf(node) {
  const to = DTYPE_OF[node.attrs.to];
  if (!to) throw new Error(`Cast to type ${node.attrs.to} is not supported`);
  return to;
}

function run(js, node, [x], [y]) {
  const to = y.dtype;
  const xd = x.data, yd = y.data;
  if (x.dtype === to || (NATIVE.has(x.dtype) && NATIVE.has(to) && to !== 'bool')) {
    yd.set(xd);
    return;
  }
  if (isBig(x.dtype) && (isBig(to) || to in INT_BITS || to === 'bool')) {
    // integer -> integer keeps the low bits exactly (a trip through doubles would round first)
    const wrap = to in INT_BITS ? storeOf(to) : null;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i];
      yd[i] = isBig(to) ? v : to === 'bool' ? (v !== 0n ? 1 : 0) : wrap(Number(BigInt.asIntN(INT_BITS[to], v)));
    }
    return;
  }
  const read = numberOf(x.dtype);
  const write = storeOf(to, { saturate: node.attrs.saturate ?? 1, roundMode: node.attrs.round_mode ?? 'up' });
  for (let i = 0; i < xd.length; i++) {
    const v = read(xd[i]);
    yd[i] = write(v, v !== v && signBitOf(x, i));
  }
}

export const units = [{
  op: 'Cast',
  shape: (node, [x]) => [{ dtype: targetOf(node), dims: x.dims.slice() }],
  js: { run },
}];
