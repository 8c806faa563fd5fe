// The worker pool of the wasm device: workers over the arena's shared memory, used when the page
// is cross-origin isolated (SharedArrayBuffer exists only then) and the session runs on more than
// one thread. Loaded on demand (a dynamic import), so single-thread pages never download it.
//
// Each worker instantiates the threaded kernel modules (kernels/mt/*.wasm, compiled once on the
// main thread and posted to it) on the shared memory, moves its stack to [i, i + 1) * 64 KiB (the
// modules export __stack_pointer for that), then blocks in Atomics.wait on its slot of a control
// block in the same memory. The wasm device (wasm/device.mjs) splits an op's kernel calls into
// shares of whole calls over offset pointers; run() writes share i's calls into worker i's slot and wakes it,
// computes share 0 on the main thread, and waits for the rest with Atomics.waitAsync (the main
// thread never blocks). The worker is a Blob URL made from workerMain's source: no extra file,
// so it works from any CDN (a worker script must be same-origin; a blob: URL is) and under COEP.
// It imports nothing: the device passes what it needs (a module of its own, loaded on demand).

const SLOT_BYTES = 16384; // per worker: a 32-byte header, then the calls' arguments as float64
const ARGS_AT = 32;
const MAX_ARGS = (SLOT_BYTES - ARGS_AT) / 8;
// slot header, in int32s: the wake-up sequence number, function index, call count, arguments per
// call, error flag; slot 0's first int32 counts the workers still busy
const SEQ = 0, FN = 1, CALLS = 2, NARGS = 3, ERROR = 4, PENDING = 0;
const START_TIMEOUT_MS = 20_000;

// Runs in each worker (its source becomes the worker's script: it must not use anything outside).
function workerMain() {
  self.onmessage = async ({ data }) => {
    const { memory, modules, names, stackTop, ctl, slot } = data;
    const fns = [];
    const stackPointers = [];
    try {
      const exports = {};
      for (const module of modules) {
        const instance = await WebAssembly.instantiate(module, { env: { memory } });
        instance.exports.__stack_pointer.value = stackTop;
        stackPointers.push(instance.exports.__stack_pointer);
        Object.assign(exports, instance.exports);
      }
      for (const name of names) fns.push(exports[name]);
    } catch (err) {
      postMessage({ error: `${err.message ?? err}` });
      return;
    }
    postMessage({ ok: true });
    const i32 = new Int32Array(memory.buffer); // the control block lies in the first pages: never stale
    const f64 = new Float64Array(memory.buffer);
    const s = slot >> 2;
    let seq = 0;
    for (;;) {
      Atomics.wait(i32, s, seq);
      seq = Atomics.load(i32, s);
      const fn = fns[i32[s + 1]];
      const calls = i32[s + 2];
      const nargs = i32[s + 3];
      try {
        for (let c = 0, at = (slot + 32) >> 3; c < calls; c++, at += nargs) fn(...f64.subarray(at, at + nargs));
      } catch {
        i32[s + 4] = 1;
        for (const sp of stackPointers) sp.value = stackTop; // a trap leaves the stack pointer anywhere
      }
      if (Atomics.sub(i32, ctl >> 2, 1) === 1) Atomics.notify(i32, ctl >> 2);
    }
  };
}

// Yield to the event loop without the 4 ms clamp of setTimeout (for browsers without waitAsync).
const yieldOnce = () => new Promise((resolve) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
  ch.port2.postMessage(0);
});

export class Pool {
  constructor({ arena, kernels, names, workers, ctl, minShareFlops }) {
    this.arena = arena;
    this.k = kernels;
    this.index = new Map(names.map((n, i) => [n, i]));
    this.workers = workers;
    this.threads = workers.length + 1;
    this.minShareFlops = minShareFlops; // bench/threads.py --break-even changes it to measure
    this.ctl = ctl;
    this.busy = null; // the run in flight: a second one waits (two model.run() calls at once)
    this.splits = {}; // kernel name -> how many of its calls ran split (tests and benchmarks read it)
  }

  /** Run `shares` (one list of kernel argument lists per thread; share 0 on this thread) of the
   * kernel `name`; returns `result` when every share is done, or a promise of it. */
  run(name, shares, result) {
    if (this.busy) {
      const again = () => this.run(name, shares, result);
      return this.busy.then(again, again);
    }
    this.splits[name] = (this.splits[name] ?? 0) + 1;
    const memory = this.arena.memory.buffer;
    const i32 = new Int32Array(memory);
    const f64 = new Float64Array(memory);
    const fn = this.k[name];
    const mine = shares[0].slice();
    Atomics.store(i32, this.ctl >> 2, shares.length - 1);
    for (let w = 1; w < shares.length; w++) {
      const calls = shares[w];
      const nargs = calls.length ? calls[0].length : 0;
      const fits = nargs ? Math.min(calls.length, Math.floor(MAX_ARGS / nargs)) : 0;
      mine.push(...calls.slice(fits)); // more calls than the slot holds: the rest run here
      const slot = this.ctl + w * SLOT_BYTES;
      const s = slot >> 2;
      i32[s + FN] = this.index.get(name);
      i32[s + CALLS] = fits;
      i32[s + NARGS] = nargs;
      i32[s + ERROR] = 0;
      for (let c = 0; c < fits; c++) f64.set(calls[c], (slot + ARGS_AT) / 8 + c * nargs);
      Atomics.add(i32, s + SEQ, 1);
      Atomics.notify(i32, s + SEQ);
    }
    let error = null;
    try {
      for (const args of mine) fn(...args);
    } catch (err) {
      error = err; // still wait for the workers: they are writing into this memory
    }
    if (Atomics.load(i32, (this.ctl >> 2) + PENDING) === 0) return this.finish(error, shares.length, result);
    this.busy = this.waitForWorkers(i32).then(() => {
      this.busy = null;
      return this.finish(error, shares.length, result);
    });
    return this.busy;
  }

  async waitForWorkers(i32) {
    const at = (this.ctl >> 2) + PENDING;
    for (let left = Atomics.load(i32, at); left !== 0; left = Atomics.load(i32, at)) {
      if (Atomics.waitAsync) {
        const wait = Atomics.waitAsync(i32, at, left);
        if (wait.async) await wait.value;
      } else {
        await yieldOnce();
      }
    }
  }

  finish(error, used, result) {
    if (error) throw error;
    const i32 = new Int32Array(this.arena.memory.buffer);
    for (let w = 1; w < used; w++) {
      if (i32[((this.ctl + w * SLOT_BYTES) >> 2) + ERROR]) throw new Error(`a kernel call failed in worker ${w}`);
    }
    return result;
  }

  dispose() {
    for (const worker of this.workers) worker.terminate();
    this.workers = [];
  }
}

/** Start `threads - 1` workers on the arena's shared memory with the compiled threaded kernel
 * `modules`; `kernels` are the main thread's instances' exports; worker i's stack is
 * [i, i + 1) * `page` bytes; a split makes shares of at least `minShareFlops`. Resolves to a Pool,
 * or to null when workers cannot start here (e.g. a CSP that forbids blob: workers): the session
 * then runs on one thread. */
export async function startPool({ arena, modules, kernels, threads, page, minShareFlops }) {
  const names = Object.keys(kernels).filter((n) => typeof kernels[n] === 'function');
  const ctl = arena.alloc(threads * SLOT_BYTES);
  new Int32Array(arena.memory.buffer, ctl, (threads * SLOT_BYTES) / 4).fill(0);
  const url = URL.createObjectURL(new Blob([`(${workerMain})()\n`], { type: 'text/javascript' }));
  const workers = [];
  try {
    const started = [];
    for (let i = 1; i < threads; i++) {
      const worker = new Worker(url, { name: `webedge-${i}` });
      workers.push(worker);
      started.push(new Promise((resolve, reject) => {
        worker.onmessage = ({ data }) => (data.ok ? resolve() : reject(new Error(data.error)));
        worker.onerror = (e) => reject(new Error(e.message || 'worker failed to start'));
        setTimeout(() => reject(new Error('worker did not start in time')), START_TIMEOUT_MS);
      }));
      worker.postMessage({ memory: arena.memory, modules, names, stackTop: (i + 1) * page, ctl, slot: ctl + i * SLOT_BYTES });
    }
    await Promise.all(started);
  } catch (err) {
    for (const worker of workers) worker.terminate();
    arena.dispose(ctl);
    console.warn(`webedge: running on one thread (${err.message})`);
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
  for (const worker of workers) worker.onmessage = worker.onerror = null;
  return new Pool({ arena, kernels, names, workers, ctl, minShareFlops });
}
