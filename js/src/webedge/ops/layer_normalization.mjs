// LayerNormalization over the axes [axis, rank) (wasm layernorm_f32), with the optional Mean and
// InvStdDev outputs (shape of x with the normalised axes set to 1) computed in JS.
import { size } from '../tensor.mjs';
import { fitsF32, gridRows, none } from '../lib/gpu.mjs';

function shape(node, [x]) {
  let axis = node.attrs.axis ?? -1;
  if (axis < 0) axis += x.dims.length;
  const stats = x.dims.map((d, i) => (i < axis ? d : 1));
  return [{ dtype: x.dtype, dims: x.dims.slice() }, { dtype: 'float32', dims: stats }, { dtype: 'float32', dims: stats.slice() }];
}

function run(wasm, node, [x, scale, bias], [y, meanOut, invOut]) {
  let axis = node.attrs.axis ?? -1;
  if (axis < 0) axis += x.dims.length;
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis));
  const eps = node.attrs.epsilon ?? 1e-5;
  wasm.call('layernorm_f32', { x: x.ptr, scale: scale.ptr, bias: bias ? bias.ptr : 0, y: y.ptr, outer, inner, eps });
  if (!meanOut && !invOut) return;
  const xd = x.data;
  const [md, id] = [meanOut?.data, invOut?.data];
  for (let o = 0; o < outer; o++) {
    let sum = 0;
    for (let i = 0; i < inner; i++) sum += xd[o * inner + i];
    const mean = sum / inner;
    let sq = 0;
    for (let i = 0; i < inner; i++) sq += (xd[o * inner + i] - mean) ** 2;
    if (md) md[o] = mean;
    if (id) id[o] = 1 / Math.sqrt(sq / inner + eps);
  }
}

// webgpu: norm.wgsl, one workgroup per row of the normalised axes; not the Mean/InvStdDev outputs.
function runGpu(gpu, node, [x, scale, bias], [y]) {
  let axis = node.attrs.axis ?? -1;
  if (axis < 0) axis += x.dims.length;
  const rows = size(x.dims.slice(0, axis));
  const { workgroups, row_groups } = gridRows(rows);
  return gpu.run('norm', { constants: { PER_CHANNEL: false, HAS_BIAS: !!bias },
    params: { rows, D: size(x.dims.slice(axis)), C: 1, row_groups, eps: node.attrs.epsilon ?? 1e-5 },
    bindings: [x, scale, bias ?? none(gpu), y], workgroups });
}

// the scale (and bias) must be one value per normalised element, as the shader indexes them
const gpuFits = (node, [x, scale, bias], gpu) => {
  let axis = node.attrs.axis ?? -1;
  if (axis < 0) axis += x.dims.length;
  const D = size(x.dims.slice(axis));
  return fitsF32(gpu, [x, scale, bias]) && !node.outputs[1] && !node.outputs[2] && size(scale.dims) === D
    && (!bias || size(bias.dims) === D) && size(x.dims.slice(0, axis)) > 0;
};

export const units = [{
  op: 'LayerNormalization',
  shape,
  wasm: { kernels: ['norm'], calls: ['layernorm_f32'], supports: (node, [x]) => x.dtype === 'float32', run },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['norm'], supports: gpuFits, run: runGpu,
    pipelines: (node) => [{ shader: 'norm', constants: { PER_CHANNEL: false, HAS_BIAS: !!node.inputs[2] } }] } } : {}),
}];
