// Element-wise math computed in JS (double precision, rounded once on store) on any float dtype:
// Celu, Selu, ThresholdedRelu, Shrink (any numeric dtype), Mish, Softsign, Acos, Asin, Atan,
// Acosh, Asinh, Atanh, Cosh, Sinh, Tan, and the tests IsInf and IsNaN (bool outputs).
import { ACTIVATIONS } from '../lib/activations.mjs';
import { numbersOf, encoder } from '../lib/values.mjs';
import { unaryGpuPart } from '../lib/gpu.mjs';

const softplus = ACTIVATIONS.Softplus[1]();

// op -> attributes -> (x -> y)
const FUNCTIONS = {
  Celu: ({ alpha = 1.0 }) => (v) => Math.max(0, v) + Math.min(0, alpha * Math.expm1(v / alpha)),
  Selu: ({ alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875 }) => (v) => gamma * (v > 0 ? v : alpha * Math.expm1(v)),
  ThresholdedRelu: ({ alpha = 1.0 }) => ACTIVATIONS.ThresholdedRelu[1](alpha),
  Shrink: ({ lambd = 0.5, bias = 0 }) => (v) => (v < -lambd ? v + bias : v > lambd ? v - bias : 0),
  Mish: () => (v) => v * Math.tanh(softplus(v)),
  Softsign: () => ACTIVATIONS.Softsign[1](),
  Acos: () => Math.acos, Asin: () => Math.asin, Atan: () => Math.atan, Acosh: () => Math.acosh,
  Asinh: () => Math.asinh, Atanh: () => Math.atanh, Cosh: () => Math.cosh, Sinh: () => Math.sinh, Tan: () => Math.tan,
  IsInf: ({ detect_negative: neg = 1, detect_positive: pos = 1 }) => (v) => (v === Infinity && pos) || (v === -Infinity && neg),
  IsNaN: () => (v) => v !== v,
};
const TESTS = new Set(['IsInf', 'IsNaN']);

function run(js, node, [x], [y]) {
  const fn = FUNCTIONS[node.op](node.attrs);
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(y.dtype);
  for (let i = 0; i < yd.length; i++) yd[i] = enc ? enc(fn(xv[i])) : fn(xv[i]);
}

// webgpu: unary.wgsl for the ones it has (Celu, Selu, ThresholdedRelu, Mish, Softsign), float32
const GPU_PARAMS = {
  Selu: ({ alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875 }) => [alpha, gamma],
  Celu: ({ alpha = 1.0 }) => [alpha, 0], ThresholdedRelu: ({ alpha = 1.0 }) => [alpha, 0],
};
const GPU_PART = globalThis.WEBGPU ? unaryGpuPart((node) => (GPU_PARAMS[node.op] ?? (() => [0, 0]))(node.attrs)) : null;

export const units = Object.keys(FUNCTIONS).map((op) => ({
  op,
  shape: (node, [x]) => [{ dtype: TESTS.has(op) ? 'bool' : x.dtype, dims: x.dims.slice() }],
  js: { run },
  ...(globalThis.WEBGPU && ['Celu', 'Selu', 'ThresholdedRelu', 'Mish', 'Softsign'].includes(op) ? { webgpu: GPU_PART } : {}),
}));
