// The wasm device: the bundle's kernel modules instantiated on one shared memory (the arena), its
// tensors in that memory, and the dispatch of the kernel calls that ops' wasm parts describe —
// one call on this thread, or, with a worker pool, the calls of one op cut into shares that the
// workers and this thread run at once. Ops never see threads: they say how their work splits
// (`split`), this file decides whether it pays.
import { argsOf } from './abi.mjs';
import { warmUp } from './warmup.mjs';
import { Tensor, size } from '../tensor.mjs';
import { ARRAYS } from '../lib/dtypes.mjs';
import { ELEMENT_FLOPS, splitRange } from '../threads.mjs';
import { WebedgeError } from '../../errors.mjs';

const SCRATCH_BYTES = 2048; // small int32 arrays (dims, strides) handed to kernels; ints 192.. hold one per share

export class WasmDevice {
  /** arena: the Arena; exports: the kernel functions by name; modules: names of the loaded
   * kernel modules; pool: a worker Pool or null. */
  constructor(arena, exports, modules, pool = null) {
    this.name = 'wasm';
    this.arena = arena;
    this.k = exports;
    this.modules = new Set(modules);
    this.pool = pool;
    this.scratch = arena.alloc(SCRATCH_BYTES);
    this.scratchView = null; // Int32Array over the scratch block (re-made after the memory grows)
    warmUp(this); // optimized kernel code by the first inference (wasm/warmup.mjs)
  }

  /** Whether every kernel module in `modules` is loaded (an op's wasm part runs only then). */
  has(modules) {
    return modules.every((m) => this.modules.has(m));
  }

  /** Whether a kernel can take tensor `t` by pointer. */
  reads(t) {
    return t.location === 'wasm';
  }

  alloc(dtype, dims) {
    if (!ARRAYS[dtype]) throw new Error(`no typed array for dtype ${dtype}`);
    return new Tensor(dtype, dims, { ptr: this.arena.alloc(size(dims) * ARRAYS[dtype].BYTES_PER_ELEMENT), arena: this.arena });
  }

  /** A copy of tensor `t` in the arena (the executor's transfer into this device); from a GPU
   * buffer it is a readback, so a promise. */
  upload(t) {
    if (globalThis.WEBGPU && t.location === 'webgpu') {
      return t.read().then((data) => {
        const copy = this.alloc(t.dtype, t.dims);
        copy.data.set(data);
        return copy;
      });
    }
    const copy = this.alloc(t.dtype, t.dims);
    copy.data.set(t.data);
    return copy;
  }

  /** Run kernel `name` once with named arguments (wasm/abi.mjs has the lists). */
  call(name, args) {
    this.fn(name)(...argsOf(name, args));
  }

  /** Kernel `name`; the bundle strips the kernels its plan never calls (webedge/backends/wasm_strip.py). */
  fn(name) {
    const fn = this.k[name];
    if (!fn) throw new WebedgeError(`kernel ${name} is not in this bundle's kernel modules: bundle the model again`);
    return fn;
  }

  /** Run kernel `name` over `units` units of work (in multiples of `align`, `flops` in all, or
   * `elements` for a memory-bound op: ELEMENT_FLOPS each):
   * `callsFor([u0, u1])` gives the named-argument calls that compute units [u0, u1); for
   * [0, units] they must compute everything. With a pool and enough work per share the units
   * are split over the threads and a promise is returned; otherwise it runs here. */
  split(name, { units, align = 1, flops, elements }, callsFor) {
    const pool = this.pool;
    if (pool) {
      if (flops === undefined) flops = elements * ELEMENT_FLOPS;
      const parts = Math.min(pool.threads, Math.floor(units / align), Math.floor(flops / pool.minShareFlops));
      if (parts >= 2) {
        const shares = splitRange(units, parts, align).map((range) => callsFor(range).map((c) => argsOf(name, c)));
        return pool.run(name, shares);
      }
    }
    const fn = this.fn(name);
    for (const c of callsFor([0, units])) fn(...argsOf(name, c));
    return undefined;
  }

  /** `values` (small ints: dims, strides) written to the scratch block at int offset `at` (0-511);
   * returns their pointer. */
  ints(at, values) {
    let view = this.scratchView;
    if (!view || view.buffer !== this.arena.memory.buffer) {
      view = this.scratchView = new Int32Array(this.arena.memory.buffer, this.scratch, SCRATCH_BYTES / 4);
    }
    if (at + values.length > view.length) throw new Error(`scratch: ${values.length} ints at ${at} do not fit`);
    for (let i = 0; i < values.length; i++) view[at + i] = values[i];
    return this.scratch + at * 4;
  }
}

/** Instantiate `kernels` ([file, wasm bytes] pairs) on `arena`'s memory; returns the compiled
 * modules, every instance's exports merged, and the module names. A bundle's modules export only
 * the kernels and parts its plan calls (webedge/backends/wasm_strip.py), so a missing kernel is an
 * error when called (WasmDevice.fn), not here. */
export async function instantiateKernels(kernels, arena) {
  const exports = {};
  const modules = [];
  const names = [];
  for (const [file, bytes] of kernels) {
    try {
      const { module, instance } = await WebAssembly.instantiate(bytes, { env: { memory: arena.memory } });
      modules.push(module);
      Object.assign(exports, instance.exports);
      names.push(file.split('/').pop().replace(/\.wasm$/, ''));
    } catch (cause) {
      throw new WebedgeError(`${file}: could not instantiate the kernel module (${cause.message})`, { file, cause });
    }
  }
  return { exports, modules, names };
}
