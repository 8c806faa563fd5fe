// Get the kernels optimized before the first inference needs them.
//
// V8 first compiles WebAssembly with its baseline compiler (Liftoff) and recompiles a function with
// the optimizing one (TurboFan, in the background) only after it has run a while; a call already in
// progress keeps its baseline code. So a model whose first inference is one long Conv runs that
// Conv ~3.5x slower than later ones (Magika's 5x1 conv: 73 ms, then 20 ms; node bench/profile.mjs).
// While the weights are still downloading the CPU is idle: calling every kernel entry point a few
// dozen times on tiny problems spends ~10 ms there and has the optimized code ready when the real
// work starts. Tiny inputs, zero-filled, in one scratch block of the arena; results are discarded.
const ROUNDS = 40;

// export name -> argument list over a scratch block at `p` (floats at p.., ints at p + 8192)
const CALLS = {
  conv2d_f32: (p) => [
    // im2col path, pointwise path, depthwise path
    [p, p + 4096, p + 12288, p + 16384, 1, 8, 6, 6, 8, 3, 3, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 8, 6, 6, 8, 1, 1, 6, 6, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 8, 6, 6, 8, 3, 3, 6, 6, 1, 1, 1, 1, 1, 1, 8, 1, 0, 0],
  ],
  gemm_f32: (p) => [
    [p, p + 4096, p + 12288, p + 16384, 8, 16, 16, 0, 0, 1, 1, 2, 0, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 16, 16, 0, 1, 1, 1, 2, 0, 0, 0],
    [p, p + 4096, p + 12288, p + 16384, 1, 16, 16, 0, 0, 1, 1, 2, 0, 0, 0],
  ],
  unary_f32: (p) => [[1, p, p + 16384, 256, 0, 0], [6, p, p + 16384, 256, 0, 0], [7, p, p + 16384, 256, 0, 0]],
  binary_f32: (p) => [[0, p, p + 4096, p + 16384, 1, p + 32768, p + 32768 + 64, p + 32768 + 128],
    [2, p, p + 4096, p + 16384, 1, p + 32768, p + 32768 + 64, p + 32768 + 128]],
  maxpool2d_f32: (p) => [[p, p + 16384, 1, 8, 6, 6, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0]],
  avgpool2d_f32: (p) => [[p, p + 16384, 1, 8, 6, 6, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0, 0]],
  global_avgpool_f32: (p) => [[p, p + 16384, 8, 36]],
  global_maxpool_f32: (p) => [[p, p + 16384, 8, 36]],
  softmax_f32: (p) => [[p, p + 16384, 8, 16, 1, 0]],
  layernorm_f32: (p) => [[p, p + 4096, p + 8192, p + 16384, 8, 16, 1e-5]],
  batchnorm_f32: (p) => [[p, p + 4096, p + 4160, p + 4224, p + 4288, p + 16384, 1, 8, 16, 1e-5]],
  instancenorm_f32: (p) => [[p, p + 4096, p + 4160, p + 16384, 1, 8, 16, 1e-5]],
};
const SCRATCH = 40960;

export function warmUp(exports, arena) {
  const names = Object.keys(CALLS).filter((name) => typeof exports[name] === 'function');
  if (!names.length) return;
  const p = arena.alloc(SCRATCH);
  try {
    new Uint8Array(arena.memory.buffer, p, SCRATCH).fill(0);
    const ints = new Int32Array(arena.memory.buffer, p + 32768, 48);
    ints.set([256], 0); // binary_f32: one axis of 256, both strides 1
    ints.set([1], 16);
    ints.set([1], 32);
    for (const name of names) {
      const calls = CALLS[name](p);
      for (let r = 0; r < ROUNDS; r++) for (const args of calls) exports[name](...args);
    }
  } finally {
    arena.dispose(p);
  }
}
