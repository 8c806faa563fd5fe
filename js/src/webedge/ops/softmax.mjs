// Softmax and LogSoftmax along `axis`, over [outer, axis, inner] blocks.
//   wasm: softmax_f32 on float32;   js: float16/32/64, in double.
// `_flatten` (written by webedge/plan/compile.py for opsets before 13) coerces the input to 2-D
// at `axis`: one softmax over everything after it.
import { encoder, numbersOf } from '../lib/values.mjs';
import { size } from '../tensor.mjs';
import { fitsF32, gridRows } from '../lib/gpu.mjs';

const shape = (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }];

/** [outer, len, inner] of x for a softmax-like op along node.attrs.axis (also Hardmax's). */
export function softmaxBlocks(node, x) {
  const r = x.dims.length;
  let axis = node.attrs.axis ?? -1;
  if (axis < 0) axis += r;
  const outer = size(x.dims.slice(0, axis));
  if (node.attrs._flatten) return [outer, size(x.dims.slice(axis)), 1];
  return [outer, x.dims[axis], size(x.dims.slice(axis + 1))];
}

const wasmPart = (log) => ({
  kernels: ['softmax'],
  calls: log ? ['softmax_f32', 'softmax_f32/log'] : ['softmax_f32'], // the log part: LogSoftmax's only
  supports: (node, [x]) => x.dtype === 'float32',
  run(wasm, node, [x], [y]) {
    const [outer, axis, inner] = softmaxBlocks(node, x);
    wasm.call('softmax_f32', { x: x.ptr, y: y.ptr, outer, axis, inner, log });
  },
});

function runJs(js, node, [x], [y]) {
  const [outer, n, inner] = softmaxBlocks(node, x);
  const xv = numbersOf(x), yd = y.data;
  const put = encoder(y.dtype) ?? ((v) => v);
  const log = node.op === 'LogSoftmax';
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (t) => (o * n + t) * inner + i;
      let max = -Infinity;
      for (let t = 0; t < n; t++) max = Math.max(max, xv[at(t)]);
      let sum = 0;
      for (let t = 0; t < n; t++) sum += Math.exp(xv[at(t)] - max);
      for (let t = 0; t < n; t++) yd[at(t)] = put(log ? xv[at(t)] - max - Math.log(sum) : Math.exp(xv[at(t)] - max) / sum);
    }
  }
}

const jsPart = { supports: (node, [x]) => x.dtype !== 'bfloat16', run: runJs }; // bfloat16: no codec here

// webgpu: softmax.wgsl, one workgroup per [outer, inner] row
const gpuPart = (log) => ({
  kernels: ['softmax'],
  pipelines: () => [{ shader: 'softmax', constants: { LOG: log } }],
  supports: (node, [x], gpu) => fitsF32(gpu, [x]),
  run(gpu, node, [x], [y]) {
    const [outer, D, inner] = softmaxBlocks(node, x);
    if (outer * inner === 0) return undefined;
    const { workgroups, row_groups } = gridRows(outer * inner);
    return gpu.run('softmax', { constants: { LOG: log }, params: { outer, D, inner, row_groups }, bindings: [x, y], workgroups });
  },
});

export const units = [
  { op: 'Softmax', shape, wasm: wasmPart(0), js: jsPart, ...(globalThis.WEBGPU ? { webgpu: gpuPart(false) } : {}) },
  { op: 'LogSoftmax', shape, wasm: wasmPart(1), js: jsPart, ...(globalThis.WEBGPU ? { webgpu: gpuPart(true) } : {}) },
];
