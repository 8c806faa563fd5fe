// Pooling over all spatial dims: GlobalAveragePool, GlobalMaxPool (wasm: global_avgpool_f32 /
// global_maxpool_f32 over [N*C] planes). GlobalLpPool is in ops/lp_pool.mjs.
import { size } from '../tensor.mjs';
import { fitsF32, gridRows } from '../lib/gpu.mjs';

// webgpu: reduce.wgsl over each (n, c) plane (Mean or Max)
const gpuPart = (op) => ({
  kernels: ['reduce'],
  pipelines: () => [{ shader: 'reduce', constants: { OP: op } }],
  supports: (node, [x], gpu) => fitsF32(gpu, [x]),
  run(gpu, node, [x], [y]) {
    const rows = x.dims[0] * x.dims[1];
    const { workgroups, row_groups } = gridRows(rows);
    return gpu.run('reduce', { constants: { OP: op }, params: { outer: rows, R: size(x.dims.slice(2)), inner: 1, row_groups },
      bindings: [x, y], workgroups });
  },
});

const shape = (node, [x]) => [{ dtype: x.dtype, dims: [x.dims[0], x.dims[1], ...x.dims.slice(2).map(() => 1)] }];

const wasmPart = (kernel) => ({
  kernels: ['pool'],
  calls: [kernel],
  supports: (node, [x]) => x.dtype === 'float32',
  run: (wasm, node, [x], [y]) => wasm.call(kernel, { x: x.ptr, y: y.ptr, NC: x.dims[0] * x.dims[1], HW: size(x.dims.slice(2)) }),
});

export const units = [
  { op: 'GlobalAveragePool', shape, wasm: wasmPart('global_avgpool_f32'), ...(globalThis.WEBGPU ? { webgpu: gpuPart(1) } : {}) },
  { op: 'GlobalMaxPool', shape, wasm: wasmPart('global_maxpool_f32'), ...(globalThis.WEBGPU ? { webgpu: gpuPart(2) } : {}) },
];
