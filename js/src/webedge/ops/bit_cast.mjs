// BitCast: the same bits read as another type of the same width. Storage is one element per slot
// of a typed array of that width, so this is a byte copy; sub-byte values then re-read their low bits.
import { BITS, DTYPE_OF } from '../lib/dtypes.mjs';

function shape(node, [x]) {
  const to = DTYPE_OF[node.attrs.to];
  if (!to) throw new Error(`BitCast to type ${node.attrs.to} is not supported`);
  if (BITS[x.dtype] !== BITS[to]) {
    throw new Error(`BitCast needs types of the same width: ${x.dtype} has ${BITS[x.dtype]} bits, ${to} ${BITS[to]}`);
  }
  return [{ dtype: to, dims: x.dims.slice() }];
}

function run(js, node, [x], [y]) {
  const bits = BITS[y.dtype];
  const xd = x.data, yd = y.data;
  if (bits < 8) {
    const mask = (1 << bits) - 1;
    const signed = y.dtype === 'int4' || y.dtype === 'int2';
    const half = 1 << (bits - 1);
    for (let i = 0; i < xd.length; i++) yd[i] = signed ? ((xd[i] & mask) ^ half) - half : xd[i] & mask;
  } else {
    const bytes = (d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    bytes(yd).set(bytes(xd));
  }
}

export const units = [{ op: 'BitCast', shape, js: { run } }];
