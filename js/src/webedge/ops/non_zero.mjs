// NonZero: the coordinates of the non-zero elements, int64 [rank, count] (row d holds coordinate
// d of each hit; a scalar counts as a 1-D tensor of one). NaN is non-zero, -0 zero. Its shape
// rule counts the hits, so it reads the data.
import { zeroOf } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';

function hits(x) {
  const xd = x.data;
  const half = x.dtype === 'float16';
  const zero = zeroOf(x.dtype);
  const out = [];
  for (let i = 0; i < xd.length; i++) if (half ? xd[i] & 0x7fff : xd[i] !== zero) out.push(i);
  return out;
}

function run(js, node, [x], [y]) {
  const dims = x.dims.length ? x.dims : [1];
  const found = hits(x);
  const yd = y.data;
  const xs = stridesOf(dims);
  found.forEach((flat, j) => {
    for (let d = 0; d < dims.length; d++) yd[d * found.length + j] = BigInt(Math.floor(flat / xs[d]) % dims[d]);
  });
}

export const units = [{
  op: 'NonZero',
  shape: (node, [x]) => [{ dtype: 'int64', dims: [Math.max(1, x.dims.length), hits(x).length] }],
  shapeReads: [0],
  js: { run },
}];
