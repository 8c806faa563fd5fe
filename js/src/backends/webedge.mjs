// The webedge backend: instantiate the bundle's kernel modules on one shared memory, place the
// weights in it, and execute the plan that Python compiled ahead of time. With threads > 1 (the
// loader fetched the threaded kernels, kernels/mt/) the memory is a SharedArrayBuffer and a
// worker pool (webedge/threads.mjs) instantiates the same modules on it.
import { Arena, PAGE } from '../webedge/arena.mjs';
import { Executor } from '../webedge/executor.mjs';
import { startPool } from '../webedge/threads.mjs';
import { warmUp } from '../webedge/warmup.mjs';
import { Tensor, fromBytes, size } from '../webedge/tensor.mjs';
import { WebedgeError } from '../errors.mjs';

function parsePlan(manifest, planBytes) {
  let plan;
  try {
    plan = JSON.parse(new TextDecoder().decode(planBytes));
  } catch {
    throw new WebedgeError(`${manifest.backend.graph.file}: not a valid plan`);
  }
  if (plan.format !== 'webedge-plan' || plan.version !== 1) {
    throw new WebedgeError(`${manifest.backend.graph.file}: plan format ${plan.format} v${plan.version} is not supported by this runtime`);
  }
  return plan;
}

export async function createWebedgeSession({ manifest, planBytes, kernels, shards, threads = 1 }) {
  const plan = parsePlan(manifest, planBytes);
  const weights = manifest.weights.map((w) => ({ ...w, bytes: shards[w.shard].subarray(w.offset, w.offset + w.length) }));
  return createSession({ plan, kernels, weights, threads });
}

// Like createWebedgeSession, but `shards` are promises: each shard's tensors are placed when it
// arrives, and a node that reads a weight still on the way waits for that shard only.
export async function createStreamingSession({ manifest, planBytes, kernels, shards, threads = 1 }) {
  const plan = parsePlan(manifest, planBytes);
  const session = await createSession({ plan, kernels, weights: [], threads });
  const ex = session.executor;
  ex.streaming = true;
  const placed = shards.map((promise, i) => {
    const mine = manifest.weights.filter((w) => w.shard === i);
    const done = promise.then((bytes) => {
      for (const w of mine) ex.addWeight(placeWeight(ex.arena, { ...w, bytes: bytes.subarray(w.offset, w.offset + w.length) }));
    });
    for (const w of mine) ex.pending.set(w.name, done);
    done.catch(() => {});
    return done;
  });
  session.weightsPlaced = Promise.all(placed);
  session.weightsPlaced.catch(() => {});
  return session;
}

function placeWeight(arena, w) {
  if (w.dtype === 'float32') {
    const ptr = arena.alloc(w.length ?? w.bytes.length);
    new Uint8Array(arena.memory.buffer, ptr, w.bytes.length).set(w.bytes);
    return [w.name, new Tensor('float32', w.shape, { ptr, arena })];
  }
  return [w.name, new Tensor(w.dtype, w.shape, { host: fromBytes(w.dtype, w.bytes, size(w.shape)) })]; // sub-byte types arrive packed
}

// The session itself, from parts: a parsed plan, [file, wasm bytes] kernel pairs and
// [{name, dtype, shape, bytes}] weights. The conformance runner calls this directly.
// threads > 1 needs the threaded kernel variants; `session.threads` says how many run (1 when
// workers could not start).
export async function createSession({ plan, kernels, weights: weightList, threads = 1 }) {
  const arena = new Arena(32, threads > 1 ? { shared: true, reserved: threads * PAGE } : {});
  const exports = {};
  const modules = [];
  for (const [file, bytes] of kernels) {
    try {
      const { module, instance } = await WebAssembly.instantiate(bytes, { env: { memory: arena.memory } });
      modules.push(module);
      Object.assign(exports, instance.exports);
    } catch (cause) {
      throw new WebedgeError(`${file}: could not instantiate the kernel module (${cause.message})`, { file, cause });
    }
  }
  warmUp(exports, arena); // optimized kernel code by the first inference (webedge/warmup.mjs)
  const pool = threads > 1 ? await startPool({ arena, modules, kernels: exports, threads }) : null;
  const weights = new Map(weightList.map((w) => placeWeight(arena, w)));
  const executor = new Executor(plan, exports, arena, weights);
  executor.pool = pool;
  return {
    executor,
    threads: pool ? pool.threads : 1,
    run: (feeds) => executor.run(feeds),
    async dispose() {
      pool?.dispose();
    },
    memoryBytes: () => arena.memory.buffer.byteLength,
  };
}
