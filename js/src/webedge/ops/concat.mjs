// Concat along `axis`; empty inputs contribute nothing.
import { norm } from '../lib/values.mjs';
import { size, stridesOf } from '../tensor.mjs';
import { copyRegion, fitsF32, MAX_RANK } from '../lib/gpu.mjs';

function shape(node, inputs) {
  const parts = inputs.filter((t) => t && t.size > 0);
  const first = parts[0] ?? inputs[0];
  const axis = norm(node.attrs.axis, first.dims.length);
  const dims = first.dims.slice();
  dims[axis] = parts.reduce((s, t) => s + t.dims[axis], 0);
  return [{ dtype: first.dtype, dims }];
}

function run(js, node, inputs, [y]) {
  const parts = inputs.filter((t) => t && t.size > 0);
  const axis = norm(node.attrs.axis, y.dims.length);
  const outer = size(y.dims.slice(0, axis));
  const inner = size(y.dims.slice(axis + 1));
  const yd = y.data;
  let offset = 0;
  for (const t of parts) {
    const td = t.data;
    const chunk = t.dims[axis] * inner;
    for (let o = 0; o < outer; o++) yd.set(td.subarray(o * chunk, (o + 1) * chunk), o * y.dims[axis] * inner + offset);
    offset += chunk;
  }
}

// webgpu: one copy.wgsl dispatch per input, into its place along the axis
async function runGpu(gpu, node, inputs, [y]) {
  const axis = norm(node.attrs.axis, y.dims.length);
  const ys = stridesOf(y.dims);
  let offset = 0;
  for (const t of inputs.filter((p) => p && p.size > 0)) {
    await copyRegion(gpu, t, y, { dims: t.dims, yOff: offset * ys[axis], yStr: ys });
    offset += t.dims[axis];
  }
}

export const units = [{ op: 'Concat', shape, js: { run },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['copy'], pipelines: () => [{ shader: 'copy', constants: {} }], run: runGpu,
    supports: (node, inputs, gpu) => fitsF32(gpu, inputs) && inputs.every((t) => !t || t.dims.length <= MAX_RANK) } } : {}) }];
