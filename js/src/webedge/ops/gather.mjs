// Gather: the slices of x along `axis` at the given indices (negative from the end), in the
// indices' shape.
import { takeAlongAxis } from '../lib/copy.mjs';
import { norm } from '../lib/values.mjs';
import { elementwise, fitsF32 } from '../lib/gpu.mjs';
import { size } from '../tensor.mjs';

function run(js, node, [x, idx], [y]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const n = x.dims[axis];
  const ids = idx.numbers().map((i) => (i < 0 ? i + n : i));
  if (ids.some((i) => i < 0 || i >= n)) throw new Error(`index out of range [0, ${n})`);
  takeAlongAxis(x, axis, ids, y);
}

// webgpu: gather.wgsl on float32 data; the indices (host, checked here as the JS part does) go up
// as int32
async function runGpu(gpu, node, [x, idx], [y]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const n = x.dims[axis];
  if (idx.numbers().some((i) => i < -n || i >= n)) throw new Error(`index out of range [0, ${n})`);
  const ids = gpu.upload(idx, 'int32');
  try {
    await elementwise(gpu, 'gather', {}, { axis_len: n, inner: size(x.dims.slice(axis + 1)), n: idx.size }, [x, ids], y);
  } finally {
    ids.release();
  }
}

export const units = [{
  op: 'Gather',
  shape: (node, [x, idx]) => {
    const axis = norm(node.attrs.axis ?? 0, x.dims.length);
    return [{ dtype: x.dtype, dims: [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)] }];
  },
  js: { run },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['gather'], hostInputs: [1], run: runGpu,
    pipelines: () => [{ shader: 'gather', constants: {} }],
    supports: (node, [x, idx], gpu) => fitsF32(gpu, [x]) && idx.size > 0 && x.dims.length > 0 } } : {}),
}];
