// Tile: x repeated `repeats[d]` times along each dim d.
import { stridesOf } from '../tensor.mjs';

function run(js, node, [x], [y]) {
  const dims = y.dims;
  const xs = stridesOf(x.dims);
  const xd = x.data, yd = y.data;
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < yd.length; o++) {
    let off = 0;
    for (let d = 0; d < dims.length; d++) off += (idx[d] % x.dims[d]) * xs[d];
    yd[o] = xd[off];
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
}

export const units = [{
  op: 'Tile',
  shape: (node, [x, reps]) => {
    const r = reps.numbers();
    return [{ dtype: x.dtype, dims: x.dims.map((d, i) => d * r[i]) }];
  },
  shapeReads: [1],
  js: { run },
}];
