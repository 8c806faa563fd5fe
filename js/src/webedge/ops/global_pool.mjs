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
  run(wasm, node, [x], [y]) { // split over threads by planes
    const [NC, HW] = [x.dims[0] * x.dims[1], size(x.dims.slice(2))];
    return wasm.split(kernel, { units: NC, elements: NC * HW }, ([p0, p1]) => [
      { x: x.ptr + p0 * HW * 4, y: y.ptr + p0 * 4, NC: p1 - p0, HW }]);
  },
});

export const units = [
  { op: 'GlobalAveragePool', shape, wasm: wasmPart('global_avgpool_f32'), ...(globalThis.WEBGPU ? { webgpu: gpuPart(1) } : {}) },
  { op: 'GlobalMaxPool', shape, wasm: wasmPart('global_maxpool_f32'), ...(globalThis.WEBGPU ? { webgpu: gpuPart(2) } : {}) },
];
