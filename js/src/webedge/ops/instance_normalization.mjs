// InstanceNormalization: per image and channel, y = (x - mean) / sqrt(var + eps) * scale + bias
// over the spatial dims (wasm instancenorm_f32).
import { size } from '../tensor.mjs';
import { fitsF32, gridRows } from '../lib/gpu.mjs';

// webgpu: norm.wgsl with one workgroup per (n, c) plane, scale/bias by channel
function runGpu(gpu, node, [x, scale, bias], [y]) {
  const rows = x.dims[0] * x.dims[1];
  const { workgroups, row_groups } = gridRows(rows);
  return gpu.run('norm', { constants: { PER_CHANNEL: true, HAS_BIAS: true },
    params: { rows, D: size(x.dims.slice(2)), C: x.dims[1], row_groups, eps: node.attrs.epsilon ?? 1e-5 },
    bindings: [x, scale, bias, y], workgroups });
}

export const units = [{
  op: 'InstanceNormalization',
  shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }],
  wasm: {
    kernels: ['norm'],
    calls: ['instancenorm_f32'],
    supports: (node, [x]) => x.dtype === 'float32',
    run: (wasm, node, [x, scale, bias], [y]) => wasm.call('instancenorm_f32', { x: x.ptr, scale: scale.ptr, bias: bias.ptr,
      y: y.ptr, N: x.dims[0], C: x.dims[1], HW: size(x.dims.slice(2)), eps: node.attrs.epsilon ?? 1e-5 }),
  },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['norm'], run: runGpu,
    pipelines: () => [{ shader: 'norm', constants: { PER_CHANNEL: true, HAS_BIAS: true } }],
    supports: (node, inputs, gpu) => fitsF32(gpu, inputs) && inputs[0].dims[0] * inputs[0].dims[1] > 0 } } : {}),
}];
