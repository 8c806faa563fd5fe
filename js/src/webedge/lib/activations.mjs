// The activation table: one element function per activation, made from its parameters. The unary
// ops' JS part, the fused epilogue of Conv/Gemm's JS parts (webedge/plan/fuse.py writes `_act`
// and `_act_params`) and the gates of the recurrent ops all take their functions from here; the
// wasm kernels' epilogue codes are in wasm/abi.mjs (ACT), checked against the C enum by a test.
//
// name: [parameters taken from the op's alpha/beta lists (recurrent ops), (a, b) -> (x -> y)]
export const ACTIVATIONS = {
  Relu: [0, () => (x) => (x < 0 ? 0 : x)],
  Clip: [0, (lo, hi) => (x) => { // min > max gives max, as ONNX says; NaN stays NaN
    const v = x < lo ? lo : x;
    return v > hi ? hi : v;
  }],
  HardSigmoid: [2, (a = 0.2, b = 0.5) => (x) => Math.max(0, Math.min(1, a * x + b))],
  HardSwish: [0, () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5))],
  LeakyRelu: [1, (a = 0.01) => (x) => (x < 0 ? a * x : x)],
  Sigmoid: [0, () => (x) => 1 / (1 + Math.exp(-x))],
  Tanh: [0, () => Math.tanh],
  Elu: [1, (a = 1) => (x) => (x < 0 ? a * (Math.exp(x) - 1) : x)],
  Softplus: [0, () => (x) => (x > 20 ? x : Math.log1p(Math.exp(x)))],
  Softsign: [0, () => (x) => x / (1 + Math.abs(x))],
  ThresholdedRelu: [1, (a = 1) => (x) => (x > a ? x : 0)],
  Affine: [2, (a = 1, b = 0) => (x) => a * x + b],
  ScaledTanh: [2, (a = 1, b = 1) => (x) => a * Math.tanh(b * x)],
};

/** The element function of activation `name` with parameters a, b; identity for 'none'. */
export function activation(name, a, b) {
  if (!name || name === 'none') return (x) => x;
  const entry = ACTIVATIONS[name];
  if (!entry) throw new Error(`activation ${name} is not supported`);
  return entry[1](a, b);
}
