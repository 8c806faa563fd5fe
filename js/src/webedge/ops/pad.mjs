// Pad: pads [begin..., end...] over all axes or the given `axes` (input, opset 18); modes
// constant (value input or attribute), edge, reflect, wrap.
import { norm } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';
import { elementwise, fitsF32, MAX_RANK } from '../lib/gpu.mjs';

function params(node, [x, p, , a]) {
  const r = x.dims.length;
  const raw = p ? p.numbers() : node.attrs.pads;
  const axes = a ? a.numbers().map((v) => norm(v, r)) : x.dims.map((_, i) => i);
  const before = x.dims.map(() => 0);
  const after = x.dims.map(() => 0);
  axes.forEach((ax, i) => { before[ax] = raw[i]; after[ax] = raw[i + axes.length]; });
  return { before, dims: x.dims.map((d, i) => d + before[i] + after[i]) };
}

function run(js, node, inputs, [y]) {
  const [x, , cval] = inputs;
  const { before } = params(node, inputs);
  const mode = node.attrs.mode ?? 'constant';
  const value = cval ? cval.data[0] : node.attrs.value ?? 0;
  const r = x.dims.length;
  const dims = y.dims;
  const xs = stridesOf(x.dims);
  const xd = x.data, yd = y.data;
  const idx = new Array(r).fill(0);
  for (let o = 0; o < yd.length; o++) {
    let off = 0;
    let inside = true;
    for (let d = 0; d < r; d++) {
      let i = idx[d] - before[d];
      const n = x.dims[d];
      if (i < 0 || i >= n) {
        if (mode === 'constant') { inside = false; break; }
        if (mode === 'edge') i = i < 0 ? 0 : n - 1;
        else if (mode === 'reflect') i = i < 0 ? -i : 2 * (n - 1) - i;
        else if (mode === 'wrap') i = ((i % n) + n) % n;
        else throw new Error(`Pad mode '${mode}' is not supported`);
      }
      off += i * xs[d];
    }
    yd[o] = inside ? xd[off] : value;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
}

// webgpu: pad.wgsl, float32, any mode (reflect periodic past one reflection, where JS throws)
const GPU_MODES = { constant: 0, reflect: 1, edge: 2, wrap: 3 };
const gpuPart = {
  kernels: ['pad'],
  pipelines: (node) => [{ shader: 'pad', constants: { MODE: GPU_MODES[node.attrs.mode ?? 'constant'] ?? 0 } }],
  hostInputs: [1, 2, 3],
  supports: (node, [x], gpu) => fitsF32(gpu, [x]) && x.dims.length <= MAX_RANK && x.size > 0
    && (node.attrs.mode ?? 'constant') in GPU_MODES,
  run(gpu, node, inputs, [y]) {
    const [x, , cval] = inputs;
    const { before } = params(node, inputs);
    const value = cval ? Number(cval.data[0]) : node.attrs.value ?? 0;
    return elementwise(gpu, 'pad', { MODE: GPU_MODES[node.attrs.mode ?? 'constant'] },
      { rank: x.dims.length || 1, value, out_dims: y.dims.length ? y.dims : [1], in_dims: x.dims.length ? x.dims : [1],
        begin: before.length ? before : [0] }, [x], y);
  },
};

export const units = [{
  op: 'Pad',
  shape: (node, inputs) => [{ dtype: inputs[0].dtype, dims: params(node, inputs).dims }],
  shapeReads: [1, 3],
  ...(globalThis.WEBGPU ? { webgpu: gpuPart } : {}),
  js: { run },
}];
