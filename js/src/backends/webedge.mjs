// The webedge backend: instantiate the bundle's kernel modules on one shared memory, place the
// weights in it, and execute the plan that Python compiled ahead of time.
import { Arena } from '../webedge/arena.mjs';
import { Executor } from '../webedge/executor.mjs';
import { Tensor, ARRAYS } from '../webedge/tensor.mjs';
import { WebedgeError } from '../errors.mjs';

export async function createWebedgeSession({ manifest, planBytes, kernels, shards }) {
  let plan;
  try {
    plan = JSON.parse(new TextDecoder().decode(planBytes));
  } catch {
    throw new WebedgeError(`${manifest.backend.graph.file}: not a valid plan`);
  }
  if (plan.format !== 'webedge-plan' || plan.version !== 1) {
    throw new WebedgeError(`${manifest.backend.graph.file}: plan format ${plan.format} v${plan.version} is not supported by this runtime`);
  }
  const weights = manifest.weights.map((w) => ({ ...w, bytes: shards[w.shard].subarray(w.offset, w.offset + w.length) }));
  return createSession({ plan, kernels, weights });
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
  const weights = new Map();
  for (const w of weightList) {
    const src = w.bytes;
    let t;
    if (w.dtype === 'float32') {
      const ptr = arena.alloc(w.length);
      new Uint8Array(arena.memory.buffer, ptr, w.length).set(src);
      t = new Tensor('float32', w.shape, { ptr, arena });
    } else {
      t = new Tensor(w.dtype, w.shape, { host: new ARRAYS[w.dtype](src.slice().buffer) });
    }
    weights.set(w.name, t);
  }
  const executor = new Executor(plan, exports, arena, weights);
  return {
    run: (feeds) => executor.run(feeds),
    async dispose() {},
    memoryBytes: () => arena.memory.buffer.byteLength,
  };
}
