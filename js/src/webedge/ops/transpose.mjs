// Transpose by `perm` (default: reversed axes), a strided copy.
import { copyRows } from '../lib/copy.mjs';
import { stridesOf } from '../tensor.mjs';
import { copyRegion, fitsF32, MAX_RANK } from '../lib/gpu.mjs';

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
  ...(globalThis.WEBGPU ? { webgpu: { // copy.wgsl through the permuted strides
    kernels: ['copy'], pipelines: () => [{ shader: 'copy', constants: {} }],
    supports: (node, [x], gpu) => fitsF32(gpu, [x]) && x.dims.length <= MAX_RANK,
    run(gpu, node, [x], [y]) {
      const xs = stridesOf(x.dims);
      return copyRegion(gpu, x, y, { dims: y.dims, xStr: permOf(node, x).map((p) => xs[p]) });
    },
  } } : {}),
}];
