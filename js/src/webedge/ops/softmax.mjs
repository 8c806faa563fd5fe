// Softmax and LogSoftmax along `axis` (wasm: softmax_f32 over [outer, axis, inner] blocks).
// `_flatten` (written by webedge/plan/compile.py for opsets before 13) coerces the input to 2-D
// at `axis`: one softmax over everything after it.
import { size } from '../tensor.mjs';

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
  supports: (node, [x]) => x.dtype === 'float32',
  run(wasm, node, [x], [y]) {
    const [outer, axis, inner] = softmaxBlocks(node, x);
    wasm.call('softmax_f32', { x: x.ptr, y: y.ptr, outer, axis, inner, log });
  },
});

export const units = [
  { op: 'Softmax', shape, wasm: wasmPart(0) },
  { op: 'LogSoftmax', shape, wasm: wasmPart(1) },
];
