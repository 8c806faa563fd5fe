// Split along `axis` into the given sizes (input, or attribute before opset 13), or into equal
// parts (the last one smaller) when none are given.
import { copyRows } from '../lib/copy.mjs';
import { norm } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';
import { copyRegion, fitsF32, MAX_RANK } from '../lib/gpu.mjs';

function sizesOf(node, x, s, axis) {
  const n = node.outputs.length;
  if (s) return s.numbers();
  if (node.attrs.split) return node.attrs.split;
  const chunk = Math.ceil(x.dims[axis] / n);
  return Array.from({ length: n }, (_, i) => Math.min(chunk, x.dims[axis] - chunk * i));
}

function shape(node, [x, s]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  return sizesOf(node, x, s, axis).map((len) => ({ dtype: x.dtype, dims: x.dims.map((d, i) => (i === axis ? len : d)) }));
}

function run(js, node, [x, s], outputs) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const xs = stridesOf(x.dims);
  let start = 0;
  sizesOf(node, x, s, axis).forEach((len, i) => {
    if (outputs[i]) copyRows(outputs[i].dims, xs, x.data, start * xs[axis], outputs[i].data);
    start += len;
  });
}

// webgpu: one copy.wgsl dispatch per output, from its place along the axis
async function runGpu(gpu, node, [x, s], outputs) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const xs = stridesOf(x.dims);
  let start = 0;
  for (const [i, len] of sizesOf(node, x, s, axis).entries()) {
    if (outputs[i]) await copyRegion(gpu, x, outputs[i], { dims: outputs[i].dims, xOff: start * xs[axis], xStr: xs });
    start += len;
  }
}

export const units = [{ op: 'Split', shape, shapeReads: [1], js: { run },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['copy'], pipelines: () => [{ shader: 'copy', constants: {} }], hostInputs: [1], run: runGpu,
    supports: (node, [x], gpu) => fitsF32(gpu, [x]) && x.dims.length <= MAX_RANK } } : {}) }];
