// InstanceNormalization: per image and channel, y = (x - mean) / sqrt(var + eps) * scale + bias
// over the spatial dims (wasm instancenorm_f32).
import { size } from '../tensor.mjs';

export const units = [{
  op: 'InstanceNormalization',
  shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }],
  wasm: {
    kernels: ['norm'],
    supports: (node, [x]) => x.dtype === 'float32',
    run: (wasm, node, [x, scale, bias], [y]) => wasm.call('instancenorm_f32', { x: x.ptr, scale: scale.ptr, bias: bias.ptr,
      y: y.ptr, N: x.dims[0], C: x.dims[1], HW: size(x.dims.slice(2)), eps: node.attrs.epsilon ?? 1e-5 }),
  },
}];
