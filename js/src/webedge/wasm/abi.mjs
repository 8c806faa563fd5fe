// The wasm kernel ABI, declared once: every exported kernel, the module (wasm/build.py MODULES)
// that exports it, and its argument list in order. Op parts call kernels by argument name
// (WasmDevice.call), the warm-up builds its calls from these lists, the JS build writes them into
// webedge/runtime/registry.json, and tests/kernels check them against the C signatures, the
// built modules' exports and their wasm types.
//
// Argument types: `*name` is a pointer (an i32 byte offset into the shared memory, 0 for none),
// `name` an int (i32), `name:f` a float (f32). `ref` kernels also exist as `<name>_ref`, the
// scalar reference, built only into the test variant of the module (wasm/build.py --variant test).
const DECLARED = {
  conv2d_f32: ['linalg', '*x *w *bias *y N C H W M KH KW OH OW oh0 oh1 sh sw dh dw pad_top pad_left group act a0:f a1:f', 'ref'],
  gemm_f32: ['linalg', '*a *b *c *y M N K transA transB alpha:f beta:f c_kind act a0:f a1:f', 'ref'],
  col2im_f32: ['linalg', '*cols *bias *y M H W KH KW OH OW sh sw dh dw pad_top pad_left'],
  recurrent_f32: ['linalg', 'kind *xw *r *rt *rb *p *h *c *y *lens *work S N H ystride reverse clip:f input_forget lbr'],
  maxpool2d_f32: ['pool', '*x *y N C H W OH OW KH KW sh sw dh dw pad_top pad_left'],
  avgpool2d_f32: ['pool', '*x *y N C H W OH OW KH KW sh sw dh dw pad_top pad_left count_include_pad'],
  global_avgpool_f32: ['pool', '*x *y NC HW'],
  global_maxpool_f32: ['pool', '*x *y NC HW'],
  resize_f32: ['resize', '*x *y H W OH OW r0 r1 taps *ri *rw *ci *cw'],
  binary_f32: ['binary', 'op *a *b *y rank *dims *astrides *bstrides'],
  pow_f32: ['pow', '*a *b *y rank *dims *astrides *bstrides'],
  unary_f32: ['unary', 'op *x *y n a0:f a1:f'],
  math_f32: ['math', 'op *x *y n a0:f a1:f'],
  softmax_f32: ['softmax', '*x *y outer axis inner log'],
  batchnorm_f32: ['norm', '*x *scale *bias *mean *var *y N C HW eps:f'],
  layernorm_f32: ['norm', '*x *scale *bias *y outer inner eps:f'],
  instancenorm_f32: ['norm', '*x *scale *bias *y N C HW eps:f'],
};

/** kernel name -> {module, args: [{name, type: 'ptr'|'i32'|'f32'}], ref} (for the JS build's registry and
 * the tests; the runtime reads only NAMES, so the minifier leaves this out of the core) */
export const KERNELS = /* @__PURE__ */ (() => Object.fromEntries(Object.entries(DECLARED).map(([name, [module, args, ref]]) => [name, {
  module,
  args: args.split(' ').map((a) => (a[0] === '*' ? { name: a.slice(1), type: 'ptr' }
    : a.endsWith(':f') ? { name: a.slice(0, -2), type: 'f32' } : { name: a, type: 'i32' })),
  ref: ref === 'ref',
}])))();

const NAMES = Object.fromEntries(Object.entries(DECLARED).map(([name, [, args]]) => [name, args.replace(/\*|:f/g, '').split(' ')]));

/** Positional arguments of kernel `name` from an object of named ones; a missing one throws. An
 * object that names them in the declared order (as the ops' call sites do) is read in one step:
 * its own keys keep their order. */
export function argsOf(name, named) {
  const names = NAMES[name];
  const keys = Object.keys(named);
  let i = 0;
  if (keys.length === names.length) while (i < names.length && keys[i] === names[i]) i++;
  if (i === names.length) {
    const values = Object.values(named);
    if (!values.includes(undefined)) return values;
  }
  const out = new Array(names.length);
  for (i = 0; i < names.length; i++) {
    const v = named[names[i]];
    if (v === undefined) throw new Error(`${name}: argument '${names[i]}' missing`);
    out[i] = v;
  }
  return out;
}

// Enumerations the kernels switch on (the C enums: ACT_* in mathf.h, OP_* in binary.c, U_* in
// elementwise.h: one code space, unary_f32 taking some codes and math_f32 the others).
/** `act` of conv2d_f32 / gemm_f32: the fused epilogue */
export const ACT = { none: 0, Relu: 1, Clip: 2, HardSigmoid: 3, HardSwish: 4, LeakyRelu: 5, Sigmoid: 6, Tanh: 7 };
/** `kind` of recurrent_f32 (REC_* in recurrent.c); each kind's gates are the part `recurrent_f32/<op>` */
export const RECURRENT = { RNN: 0, LSTM: 1, GRU: 2 };
/** `op` of binary_f32 (Pow is pow_f32, a module of its own) */
export const BINARY = { Add: 0, Sub: 1, Mul: 2, Div: 3, Max: 4, Min: 5 };
/** `op` of unary_f32: the unary ops without transcendental math */
export const UNARY = {
  Identity: 0, Relu: 1, Clip: 2, HardSigmoid: 3, HardSwish: 4, LeakyRelu: 5, Sqrt: 10, Abs: 11, Neg: 12,
  Reciprocal: 13, Floor: 16, Ceil: 17, Round: 22,
};
/** `op` of math_f32: the unary ops with transcendental math (module math) */
export const MATH = { Sigmoid: 6, Tanh: 7, Exp: 8, Log: 9, Erf: 14, Gelu: 15, Softplus: 18, Elu: 19, Sin: 20, Cos: 21 };
