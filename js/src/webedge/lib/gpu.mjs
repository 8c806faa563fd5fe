// What ops' `webgpu` parts share: grid shapes for the shaders' two dispatch styles, broadcast and
// copy strides as shader Params, and the support checks every part makes (float32 tensors that
// fit one storage binding). Parts call `gpu.run(shader, spec)` (webgpu/device.mjs).
import { size, stridesOf } from '../tensor.mjs';
import { broadcastStrides } from './broadcast.mjs';
import { BINARY } from '../wasm/abi.mjs';

const MAX_GROUPS = 65535; // maxComputeWorkgroupsPerDimension, the WebGPU default
export const MAX_RANK = 8; // the shaders' array<vec4, 2> dims/strides

/** One thread per element, 64 per workgroup: {workgroups, row} (row: threads per grid row). */
export function grid1d(n) {
  const groups = Math.max(1, Math.ceil(n / 64));
  const x = Math.min(groups, MAX_GROUPS);
  return { workgroups: [x, Math.ceil(groups / x), 1], row: x * 64 };
}

/** One workgroup per row: {workgroups, row_groups}. */
export function gridRows(rows) {
  const x = Math.max(1, Math.min(rows, MAX_GROUPS));
  return { workgroups: [x, Math.max(1, Math.ceil(rows / x)), 1], row_groups: x };
}

/** Whether every tensor is float32 (absent ones aside) and fits one binding on `gpu`. */
export function fitsF32(gpu, tensors) {
  return tensors.every((t) => !t || (t.dtype === 'float32' && gpu.fits(size(t.dims) * 4)));
}

/** Element-wise launch over `y`: runs `shader` with Params `params` plus total/row. */
export function elementwise(gpu, shader, constants, params, bindings, y) {
  const n = size(y.dims);
  if (n === 0) return Promise.resolve();
  const { workgroups, row } = grid1d(n);
  return gpu.run(shader, { constants, params: { ...params, total: n, row }, bindings: [...bindings, y], workgroups });
}

/** Broadcast Params for binary.wgsl: y's dims and each operand's strides (rank >= 1). */
export function broadcastParams(a, b, y) {
  const dims = y.dims.length ? y.dims : [1];
  return {
    rank: dims.length, dims,
    a_str: y.dims.length ? broadcastStrides(a.dims, y.dims) : [0],
    b_str: y.dims.length ? broadcastStrides(b.dims, y.dims) : [0],
  };
}

/** A strided copy (copy.wgsl) of region `dims` from x to y at offsets and strides in elements. */
export function copyRegion(gpu, x, y, { dims, xOff = 0, yOff = 0, xStr = stridesOf(dims), yStr = stridesOf(dims) }) {
  const n = size(dims);
  if (n === 0) return Promise.resolve();
  const { workgroups, row } = grid1d(n);
  const d = dims.length ? dims : [1];
  return gpu.run('copy', {
    params: { total: n, row, rank: d.length, x_off: xOff, y_off: yOff, dims: d,
      x_str: dims.length ? xStr : [0], y_str: dims.length ? yStr : [0] },
    bindings: [x, y], workgroups,
  });
}

/** unary.wgsl's OP codes (those of wasm/abi.mjs's UNARY and MATH where both have the op). */
export const GPU_UNARY = {
  Identity: 0, Relu: 1, Clip: 2, HardSigmoid: 3, HardSwish: 4, LeakyRelu: 5, Sigmoid: 6, Tanh: 7, Exp: 8, Log: 9,
  Sqrt: 10, Abs: 11, Neg: 12, Reciprocal: 13, Erf: 14, Gelu: 15, Floor: 16, Ceil: 17, Softplus: 18, Elu: 19,
  Sin: 20, Cos: 21, Round: 22, Softsign: 23, Selu: 24, Celu: 25, ThresholdedRelu: 26, Mish: 27, Sign: 28,
};

/** The webgpu part of a unary op: unary.wgsl with the op's code and parameters (a, b). */
export function unaryGpuPart(params) {
  return {
    kernels: ['unary'],
    hostInputs: [1, 2], // Clip's bounds are read as numbers
    pipelines: (node) => [{ shader: 'unary', constants: { OP: GPU_UNARY[node.op] } }],
    supports: (node, [x], gpu) => node.op in GPU_UNARY && fitsF32(gpu, [x]),
    run(gpu, node, inputs, [y]) {
      const [a, b] = params(node, inputs);
      return elementwise(gpu, 'unary', { OP: GPU_UNARY[node.op] }, { a, b }, [inputs[0]], y);
    },
  };
}

/** binary.wgsl's OP codes: wasm/abi.mjs's BINARY, then Pow and PRelu. */
export const GPU_BINARY = { ...BINARY, Pow: 6, PRelu: 7 };

/** y = a op b on the WebGPU device (float32, broadcast); y may not be a or b. */
export function binaryGpu(gpu, op, a, b, y) {
  return elementwise(gpu, 'binary', { OP: GPU_BINARY[op] }, { ...broadcastParams(a, b, y), act_a: 0, act_b: 0 }, [a, b], y);
}

export const binaryGpuSupports = (node, inputs, gpu) => fitsF32(gpu, inputs) && inputs.every((t) => t.dims.length <= MAX_RANK);

/** A 4-byte placeholder for a binding a shader declares but a node does not have (no bias). */
export function none(gpu) {
  gpu.placeholder ??= gpu.alloc('float32', [1]);
  return gpu.placeholder;
}
