// LayerNormalization over the axes [axis, rank) (wasm layernorm_f32), with the optional Mean and
// InvStdDev outputs (shape of x with the normalised axes set to 1) computed in JS.
import { size } from '../tensor.mjs';

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

export const units = [{
  op: 'LayerNormalization',
  shape,
  wasm: { kernels: ['norm'], supports: (node, [x]) => x.dtype === 'float32', run },
}];
