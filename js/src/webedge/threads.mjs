// How many threads webedge's runtime runs on, and how an op's work is cut into shares. The loader
// asks `threadsFor` before it downloads anything (a page that is not cross-origin isolated gets
// the single-thread kernels); the worker pool itself (wasm/pool.mjs) is a module of its own,
// loaded only by sessions that run on more than one thread.
import { WebedgeError } from '../errors.mjs';

export const DEFAULT_MAX_THREADS = 4;
const MAX_THREADS = 16;
// An op is split only into shares of at least this many flops. Measured on whole models
// (bench/threads.py --break-even, bench/RESULTS.md "Threads"), 2 threads on a 2-vCPU VM: 1 MFLOP
// shares make PP-OCR det 96x160 6-8% slower than no split (the hand-off, and the other core's
// caches passing tensors back); 2-4 MFLOP is fastest there, and from 4 MFLOP up the 480x640
// detector loses splits that paid.
export const MIN_SHARE_FLOPS = 3_000_000;
// What one element of a memory-bound op (binary, unary, pooling taps, BatchNormalization, Resize)
// counts as against that threshold: such ops move about 8-12 bytes per element, and a GEMM
// share of 8 flops takes about as long here. Transcendental math (math_f32) counts
// ELEMENT_FLOPS * 4 per element.
export const ELEMENT_FLOPS = 8;

/** The thread count for a page: 1 unless cross-origin isolated; else `requested`, by default
 * min(hardwareConcurrency, 4). Throws on a `requested` that is not a positive integer. */
export function threadsFor(requested) {
  if (requested != null && !(Number.isInteger(requested) && requested >= 1)) {
    throw new WebedgeError(`option threads must be a positive integer, got ${JSON.stringify(requested)}`);
  }
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') return 1;
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  return Math.min(MAX_THREADS, requested ?? Math.min(cores, DEFAULT_MAX_THREADS));
}

// [start, end) ranges cutting `units` into `parts` pieces, each a multiple of `align` but the last.
export function splitRange(units, parts, align = 1) {
  const chunk = Math.ceil(units / align / parts) * align;
  const ranges = [];
  for (let u = 0; u < units; u += chunk) ranges.push([u, Math.min(units, u + chunk)]);
  return ranges;
}
