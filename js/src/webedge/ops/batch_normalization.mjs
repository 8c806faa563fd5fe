// BatchNormalization (inference: y = (x - mean) / sqrt(var + eps) * scale + bias per channel, wasm
// batchnorm_f32, split over threads by images or channels). With training_mode=1 the batch's own mean and population variance normalise,
// and outputs 1 and 2 are the running mean and variance moved toward them by (1 - momentum).
import { size } from '../tensor.mjs';
import { elementwise, fitsF32 } from '../lib/gpu.mjs';

function shape(node, [x, scale]) {
  const C = [x.dims[1]];
  return [{ dtype: x.dtype, dims: x.dims.slice() }, { dtype: scale.dtype, dims: C }, { dtype: scale.dtype, dims: C.slice() }];
}

function run(wasm, node, [x, scale, bias, mean, variance], [y, runMean, runVar]) {
  const [N, C] = x.dims;
  const HW = size(x.dims.slice(2));
  const eps = node.attrs.epsilon ?? 1e-5;
  const args = (m, v) => ({ x: x.ptr, scale: scale.ptr, bias: bias.ptr, mean: m, var: v, y: y.ptr, N, C, HW, eps });
  if (!node.attrs.training_mode) { // inference: split over threads by images, or channels of one image
    const [units, plane] = N > 1 ? [N, C * HW] : [C, HW];
    return wasm.split('batchnorm_f32', { units, elements: N * C * HW }, ([u0, u1]) => {
      const [c0, n, c] = N > 1 ? [0, u1 - u0, C] : [u0, 1, u1 - u0];
      return [{ x: x.ptr + u0 * plane * 4, scale: scale.ptr + c0 * 4, bias: bias.ptr + c0 * 4, mean: mean.ptr + c0 * 4,
        var: variance.ptr + c0 * 4, y: y.ptr + u0 * plane * 4, N: n, C: c, HW, eps }];
    });
  }
  const bm = wasm.alloc('float32', [C]);
  const bv = wasm.alloc('float32', [C]);
  try {
    const xd = x.data, bmd = bm.data, bvd = bv.data;
    const md = mean.data, vd = variance.data;
    const momentum = node.attrs.momentum ?? 0.9;
    for (let c = 0; c < C; c++) {
      let sum = 0;
      let sq = 0;
      for (let n = 0; n < N; n++) for (let s = 0; s < HW; s++) sum += xd[(n * C + c) * HW + s];
      const mu = sum / (N * HW);
      for (let n = 0; n < N; n++) for (let s = 0; s < HW; s++) sq += (xd[(n * C + c) * HW + s] - mu) ** 2;
      bmd[c] = mu;
      bvd[c] = sq / (N * HW);
      if (runMean) runMean.data[c] = md[c] * momentum + mu * (1 - momentum);
      if (runVar) runVar.data[c] = vd[c] * momentum + bvd[c] * (1 - momentum);
    }
    wasm.call('batchnorm_f32', args(bm.ptr, bv.ptr));
  } finally {
    bm.release();
    bv.release();
  }
  return undefined;
}

// webgpu: batch_norm.wgsl at inference (not training_mode)
const gpuPart = {
  kernels: ['batch_norm'],
  pipelines: () => [{ shader: 'batch_norm', constants: {} }],
  supports: (node, inputs, gpu) => !node.attrs.training_mode && fitsF32(gpu, inputs.slice(0, 5)) && inputs[0].dims.length >= 2,
  run: (gpu, node, [x, scale, bias, mean, variance], [y]) => elementwise(gpu, 'batch_norm', {},
    { C: x.dims[1], inner: size(x.dims.slice(2)), eps: node.attrs.epsilon ?? 1e-5 }, [x, scale, bias, mean, variance], y),
};

export const units = [{
  op: 'BatchNormalization',
  shape,
  wasm: { kernels: ['norm'], calls: ['batchnorm_f32'], supports: (node, [x]) => x.dtype === 'float32', run },
  ...(globalThis.WEBGPU ? { webgpu: gpuPart } : {}),
}];
