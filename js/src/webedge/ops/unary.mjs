// Unary element-wise ops: Identity, the activations (Relu, Clip, HardSigmoid, HardSwish,
// LeakyRelu, Sigmoid, Tanh, Elu, Softplus, Gelu), math (Exp, Log, Sqrt, Abs, Neg, Reciprocal,
// Erf, Floor, Ceil, Sin, Cos, Round), Not and Sign.
//   wasm: on float32, unary_f32 (wasm/kernels/unary.c) or, for the transcendental ones, math_f32
//         (math.c); op codes in wasm/abi.mjs (Gelu's tanh approximation: a0 = 1). Not for Not and
//         Sign. Split over threads by element ranges.
//   js:   any dtype, computed on JS numbers (float16 decoded, 64-bit integers as numbers).
//   webgpu: unary.wgsl on float32 (lib/gpu.mjs's GPU_UNARY codes), not Not.
import { ACTIVATIONS } from '../lib/activations.mjs';
import { MATH, UNARY } from '../wasm/abi.mjs';
import { isBig, numbersOf, numberToHalf } from '../lib/values.mjs';
import { unaryGpuPart } from '../lib/gpu.mjs';

const FLT_MAX = 3.4028234663852886e38;

// Abramowitz & Stegun 7.1.26 (error < 1.5e-7).
function erf(x) {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}
const roundEven = (v) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
const act = (name) => ACTIVATIONS[name][1];

// op -> (a0, a1) -> (x -> y), the parameters from `params`
const FUNCTIONS = {
  Neg: () => (x) => -x, Abs: () => Math.abs, Not: () => (x) => (x ? 0 : 1), Sign: () => Math.sign,
  Relu: act('Relu'), Clip: act('Clip'), HardSigmoid: act('HardSigmoid'), HardSwish: act('HardSwish'),
  LeakyRelu: act('LeakyRelu'), Sigmoid: act('Sigmoid'), Tanh: act('Tanh'), Elu: act('Elu'), Softplus: act('Softplus'),
  Exp: () => Math.exp, Log: () => Math.log, Sqrt: () => Math.sqrt, Reciprocal: () => (x) => 1 / x, Erf: () => erf,
  Gelu: (tanh) => (tanh ? (x) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3))) : (x) => 0.5 * x * (1 + erf(x / Math.SQRT2))),
  Floor: () => Math.floor, Ceil: () => Math.ceil, Sin: () => Math.sin, Cos: () => Math.cos, Round: () => roundEven,
};

// The op's two parameters (a0, a1 of the kernel), from its attributes or Clip's bound inputs.
function params(node, [, lo, hi]) {
  const at = node.attrs;
  switch (node.op) {
    case 'Clip':
      if (lo !== undefined || hi !== undefined) return [lo ? numbersOf(lo)[0] : -Infinity, hi ? numbersOf(hi)[0] : Infinity];
      return [at.min ?? -FLT_MAX, at.max ?? FLT_MAX];
    case 'HardSigmoid': return [at.alpha ?? 0.2, at.beta ?? 0.5];
    case 'LeakyRelu': return [at.alpha ?? 0.01, 0];
    case 'Elu': return [at.alpha ?? 1.0, 0];
    case 'Gelu': return [at.approximate === 'tanh' ? 1 : 0, 0];
    default: return [0, 0];
  }
}

// A computed number -> what a tensor of `dtype` stores.
function storeAs(dtype) {
  if (dtype === 'float16') return numberToHalf;
  if (isBig(dtype)) return (v) => BigInt(Math.trunc(v));
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'bool') return (v) => v;
  return Math.trunc;
}

function runJs(js, node, inputs, [y]) {
  const x = inputs[0];
  if (node.op === 'Identity') return y.data.set(x.data);
  const fn = FUNCTIONS[node.op](...params(node, inputs));
  const xv = numbersOf(x), yd = y.data;
  const put = storeAs(x.dtype);
  for (let i = 0; i < xv.length; i++) yd[i] = put(fn(xv[i]));
  return undefined;
}

// The wasm part of a unary op: unary_f32 or math_f32 (`kernel`, in `module`) with the op's code.
// `calls`: the kernel and the op's own part of it (webedge/backends/wasm_strip.py).
const wasmPart = (kernel, module, codes, op) => ({
  kernels: [module],
  calls: [kernel, `${kernel}/${op}`],
  hostInputs: [1, 2], // Clip's bounds are read as numbers
  supports: (node, [x]) => x.dtype === 'float32',
  run(wasm, node, inputs, [y]) { // split over threads by element ranges
    const [a0, a1] = params(node, inputs);
    const [op, xp, yp] = [codes[node.op], inputs[0].ptr, y.ptr];
    const elements = module === 'math' ? 4 * y.size : y.size; // transcendental math: 4 elements' worth each
    return wasm.split(kernel, { units: y.size, align: 4, elements }, ([i0, i1]) => [
      { op, x: xp + i0 * 4, y: yp + i0 * 4, n: i1 - i0, a0, a1 }]);
  },
});
// webgpu: unary.wgsl, float32 only (Not works on bools)
const GPU_PART = globalThis.WEBGPU ? unaryGpuPart(params) : null;

export const units = ['Identity', ...Object.keys(FUNCTIONS)].map((op) => ({
  op,
  shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }],
  wasm: op in UNARY ? wasmPart('unary_f32', 'unary', UNARY, op) : op in MATH ? wasmPart('math_f32', 'math', MATH, op) : undefined,
  js: { run: runJs },
  ...(globalThis.WEBGPU && op !== 'Not' ? { webgpu: GPU_PART } : {}),
}));
