// Transpose by `perm` (default: reversed axes), a strided copy.
import { copyRows } from '../lib/copy.mjs';
import { stridesOf } from '../tensor.mjs';

const permOf = (node, x) => node.attrs.perm ?? x.dims.map((_, i) => x.dims.length - 1 - i);

export const units = [{
  op: 'Transpose',
  shape: (node, [x]) => [{ dtype: x.dtype, dims: permOf(node, x).map((p) => x.dims[p]) }],
  js: {
    run(js, node, [x], [y]) {
      const xs = stridesOf(x.dims);
      copyRows(y.dims, permOf(node, x).map((p) => xs[p]), x.data, 0, y.data);
    },
  },
}];
