// Pooling over all spatial dims: GlobalAveragePool, GlobalMaxPool (wasm: global_avgpool_f32 /
// global_maxpool_f32 over [N*C] planes) and GlobalLpPool (js, any float dtype, in double).
import { encoder, numbersOf } from '../lib/values.mjs';
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

function globalLpPool(js, node, [x], [y]) {
  const p = node.attrs.p ?? 2;
  const [N, C, ...spatial] = x.dims;
  const plane = size(spatial);
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(x.dtype);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let i = nc * plane; i < (nc + 1) * plane; i++) s += Math.abs(xv[i]) ** p;
    const v = s ** (1 / p);
    yd[nc] = enc ? enc(v) : v;
  }
}

export const units = [
  { op: 'GlobalAveragePool', shape, wasm: wasmPart('global_avgpool_f32'), ...(globalThis.WEBGPU ? { webgpu: gpuPart(1) } : {}) },
  { op: 'GlobalMaxPool', shape, wasm: wasmPart('global_maxpool_f32'), ...(globalThis.WEBGPU ? { webgpu: gpuPart(2) } : {}) },
  { op: 'GlobalLpPool', shape, js: { run: globalLpPool } },
];
