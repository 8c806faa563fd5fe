// Expand: x broadcast (numpy rules) against the shape input.
import { broadcastDims, broadcastStrides } from '../lib/broadcast.mjs';
import { copyRows } from '../lib/copy.mjs';
import { copyRegion, fitsF32, MAX_RANK } from '../lib/gpu.mjs';

export const units = [{
  op: 'Expand',
  shape: (node, [x, s]) => [{ dtype: x.dtype, dims: broadcastDims(x.dims, s.numbers()) }],
  shapeReads: [1],
  js: { run: (js, node, [x], [y]) => copyRows(y.dims, broadcastStrides(x.dims, y.dims), x.data, 0, y.data) },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['copy'], pipelines: () => [{ shader: 'copy', constants: {} }], hostInputs: [1],
    supports: (node, [x], gpu) => fitsF32(gpu, [x]) && x.dims.length <= MAX_RANK,
    run: (gpu, node, [x], [y]) => copyRegion(gpu, x, y, { dims: y.dims, xStr: broadcastStrides(x.dims, y.dims) }) } } : {}),
}];
