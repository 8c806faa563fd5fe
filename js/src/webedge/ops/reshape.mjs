// The ops that give the same elements a new shape: Reshape (shape input or attribute, 0 copies a
// dim unless allowzero, -1 is inferred), Flatten (2-D at `axis`), Squeeze and Unsqueeze (axes by
// attribute in older opsets, by input in newer ones). Their shape rules read the shape/axes input;
// the data is copied as stored.
import { norm } from '../lib/values.mjs';
import { size } from '../tensor.mjs';
import { copyRegion, fitsF32 } from '../lib/gpu.mjs';

// webgpu: the buffer copied as stored
const gpuPart = { kernels: ['copy'], pipelines: () => [{ shader: 'copy', constants: {} }], hostInputs: [1], supports: (node, [x], gpu) => fitsF32(gpu, [x]),
  run: (gpu, node, [x], [y]) => copyRegion(gpu, x, y, { dims: [x.size] }) };

const axesOf = (node, input, fallback) => (input ? input.numbers() : node.attrs.axes ?? fallback);

const RULES = {
  Reshape(node, [x, s]) {
    const want = s ? s.numbers() : node.attrs.shape;
    const dims = want.map((d, i) => (d === 0 && !node.attrs.allowzero ? x.dims[i] : d));
    const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out = dims.map((d) => (d === -1 ? x.size / known : d));
    if (size(out) !== x.size) throw new Error(`cannot reshape [${x.dims}] to [${want}]`);
    return out;
  },
  Flatten(node, [x]) {
    const axis = norm(node.attrs.axis ?? 1, x.dims.length);
    return [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))];
  },
  Squeeze(node, [x, a]) {
    const axes = axesOf(node, a, null)?.map((v) => norm(v, x.dims.length));
    return x.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  },
  Unsqueeze(node, [x, a]) {
    const rank = x.dims.length + axesOf(node, a, []).length;
    const axes = axesOf(node, a, []).map((v) => norm(v, rank));
    const dims = [];
    let j = 0;
    for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x.dims[j++]);
    return dims;
  },
};

export const units = Object.entries(RULES).map(([op, dimsOf]) => ({
  op,
  shape: (node, inputs) => [{ dtype: inputs[0].dtype, dims: dimsOf(node, inputs) }],
  shapeReads: op === 'Flatten' ? [] : [1],
  js: { run: (js, node, [x], [y]) => y.data.set(x.data) },
  ...(globalThis.WEBGPU ? { webgpu: gpuPart } : {}),
}));
