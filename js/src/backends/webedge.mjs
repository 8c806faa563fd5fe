// The webedge backend: instantiate the bundle's kernel modules on one shared memory, place the
// weights in it, and execute the plan that Python compiled ahead of time.
import { Arena } from '../webedge/arena.mjs';
import { Executor } from '../webedge/executor.mjs';
import { Tensor, ARRAYS } from '../webedge/tensor.mjs';
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

export async function createWebedgeSession({ manifest, planBytes, kernels, shards }) {
  const plan = parsePlan(manifest, planBytes);
  const weights = manifest.weights.map((w) => ({ ...w, bytes: shards[w.shard].subarray(w.offset, w.offset + w.length) }));
  return createSession({ plan, kernels, weights });
}

// Like createWebedgeSession, but `shards` are promises: each shard's tensors are placed when it
// arrives, and a node that reads a weight still on the way waits for that shard only.
export async function createStreamingSession({ manifest, planBytes, kernels, shards }) {
  const plan = parsePlan(manifest, planBytes);
  const session = await createSession({ plan, kernels, weights: [] });
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
  return [w.name, new Tensor(w.dtype, w.shape, { host: new ARRAYS[w.dtype](w.bytes.slice().buffer) })];
}

// The session itself, from parts: a parsed plan, [file, wasm bytes] kernel pairs and
// [{name, dtype, shape, bytes}] weights. The conformance runner calls this directly.
export async function createSession({ plan, kernels, weights: weightList }) {
  const arena = new Arena();
  const exports = {};
  for (const [file, bytes] of kernels) {
    try {
      const { instance } = await WebAssembly.instantiate(bytes, { env: { memory: arena.memory } });
      Object.assign(exports, instance.exports);
    } catch (cause) {
      throw new WebedgeError(`${file}: could not instantiate the kernel module (${cause.message})`, { file, cause });
    }
  }
  const weights = new Map(weightList.map((w) => placeWeight(arena, w)));
  const executor = new Executor(plan, exports, arena, weights);
  return {
    executor,
    run: (feeds) => executor.run(feeds),
    async dispose() {},
    memoryBytes: () => arena.memory.buffer.byteLength,
  };
}
