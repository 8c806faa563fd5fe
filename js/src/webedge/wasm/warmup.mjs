// Get the kernels optimized before the first inference needs them.
//
// V8 first compiles WebAssembly with its baseline compiler (Liftoff) and recompiles a function with
// the optimizing one (TurboFan, in the background) only after it has run a while; a call already in
// progress keeps its baseline code. So a model whose first inference is one long Conv runs that
// Conv ~3.5x slower than later ones (Magika's 5x1 conv: 73 ms, then 20 ms; node bench/profile.mjs).
// While the weights are still downloading the CPU is idle: calling every kernel entry point a few
// dozen times on tiny problems spends ~10 ms there and has the optimized code ready when the real
// work starts. Tiny inputs, zero-filled, in one scratch block of the arena; results are discarded.
// The calls name their arguments as wasm/abi.mjs declares them.
import { ACT, BINARY, MATH, RECURRENT, UNARY } from './abi.mjs';

const ROUNDS = 40;
const SCRATCH = 40960;

// kernel -> the calls to make, over a scratch block at `p`: floats at p.., ints at p + 32768
function callsAt(p) {
  const [x, w, b, y, ints] = [p, p + 4096, p + 12288, p + 16384, p + 32768];
  const conv = { x, w, bias: b, y, N: 1, C: 8, H: 6, W: 6, M: 8, sh: 1, sw: 1, dh: 1, dw: 1, group: 1, act: ACT.Relu, a0: 0, a1: 0 };
  const gemm = { a: x, b: w, c: b, y, M: 8, N: 16, K: 16, transA: 0, transB: 0, alpha: 1, beta: 1, c_kind: 2, act: 0, a0: 0, a1: 0 };
  const pool = { x, y, N: 1, C: 8, H: 6, W: 6, OH: 3, OW: 3, KH: 2, KW: 2, sh: 2, sw: 2, dh: 1, dw: 1, pad_top: 0, pad_left: 0 };
  const binary = { a: x, b: w, y, rank: 1, dims: ints, astrides: ints + 64, bstrides: ints + 128 };
  return {
    conv2d_f32: [ // im2col path, pointwise path, depthwise paths (KW 5 at stride 1, any other window)
      { ...conv, KH: 3, KW: 3, OH: 4, OW: 4, oh0: 0, oh1: 4, pad_top: 0, pad_left: 0 },
      { ...conv, KH: 1, KW: 1, OH: 6, OW: 6, oh0: 0, oh1: 6, pad_top: 0, pad_left: 0, act: ACT.none },
      { ...conv, KH: 3, KW: 3, OH: 6, OW: 6, oh0: 0, oh1: 6, pad_top: 1, pad_left: 1, group: 8, $part: 'conv2d_f32/depthwise' },
      { ...conv, KH: 5, KW: 5, OH: 6, OW: 6, oh0: 0, oh1: 6, pad_top: 2, pad_left: 2, group: 8, $part: 'conv2d_f32/dw5' },
    ],
    gemm_f32: [gemm, { ...gemm, M: 1, transB: 1 }, { ...gemm, M: 1 }],
    // two steps of one batch row, H 8, through each kind's gates
    recurrent_f32: Object.entries(RECURRENT).map(([op, kind]) => ({ kind, xw: x, r: w, rt: 0, rb: 0, p: 0, h: b, c: b + 64,
      y, lens: 0, work: y + 1024, S: 2, N: 1, H: 8, ystride: 8, reverse: 0, clip: 0, input_forget: 0, lbr: 0,
      $part: `recurrent_f32/${op}` })),
    unary_f32: [{ op: UNARY.Relu, x, y, n: 256, a0: 0, a1: 0, $part: 'unary_f32/Relu' }],
    math_f32: ['Sigmoid', 'Tanh'].map((op) => ({ op: MATH[op], x, y, n: 256, a0: 0, a1: 0, $part: `math_f32/${op}` })),
    // every op's row loop (a part of its own: compiled on its own), where the module has it
    binary_f32: Object.entries(BINARY).map(([op, code]) => ({ ...binary, op: code, $part: `binary_f32/${op}` })),
    pow_f32: [binary],
    maxpool2d_f32: [pool],
    avgpool2d_f32: [{ ...pool, count_include_pad: 0 }],
    global_avgpool_f32: [{ x, y, NC: 8, HW: 36 }],
    global_maxpool_f32: [{ x, y, NC: 8, HW: 36 }],
    softmax_f32: [{ x, y, outer: 8, axis: 16, inner: 1, log: 0 }],
    layernorm_f32: [{ x, scale: w, bias: b, y, outer: 8, inner: 16, eps: 1e-5 }],
    batchnorm_f32: [{ x, scale: w, bias: w + 64, mean: w + 128, var: w + 192, y, N: 1, C: 8, HW: 16, eps: 1e-5 }],
    instancenorm_f32: [{ x, scale: w, bias: w + 64, y, N: 1, C: 8, HW: 16, eps: 1e-5 }],
  };
}

/** Call every kernel the device has loaded ROUNDS times on tiny problems; a call through a part
 * (`$part`, a function the kernel calls for some ops only) only where the module exports that part:
 * a bundle's modules keep only the parts its plan calls (webedge/backends/wasm_strip.py). */
export function warmUp(device) {
  const { arena } = device;
  const p = arena.alloc(SCRATCH);
  try {
    new Uint8Array(arena.memory.buffer, p, SCRATCH).fill(0);
    const ints = new Int32Array(arena.memory.buffer, p + 32768, 48);
    ints.set([256], 0); // binary_f32: one axis of 256, both strides 1
    ints.set([1], 16);
    ints.set([1], 32);
    for (const [name, calls] of Object.entries(callsAt(p))) {
      if (typeof device.k[name] !== 'function') continue;
      const ready = calls.filter((c) => !c.$part || typeof device.k[c.$part] === 'function').map(({ $part, ...c }) => c);
      for (let r = 0; r < ROUNDS; r++) for (const args of ready) device.call(name, args);
    }
  } finally {
    arena.dispose(p);
  }
}
