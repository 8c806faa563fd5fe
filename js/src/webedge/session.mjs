// The webedge runtime's entry point (built into webedge-runtime.mjs): a session from a bundle's
// plan, kernel modules, op units and weights. The kernel modules are instantiated on one shared
// memory (the wasm device); with threads > 1 (the loader fetched the threaded kernels, kernels/mt/)
// that memory is a SharedArrayBuffer and the worker pool (wasm/pool.mjs, imported only then)
// instantiates the same modules on it. Op units come from the bundle's op modules (ops/*.mjs,
// only those its plan uses), each exporting a list of units (docs/runtime.md).
import { Arena, PAGE } from './wasm/arena.mjs';
import { WasmDevice, instantiateKernels } from './wasm/device.mjs';
import { JsDevice } from './js/device.mjs';
import { Executor } from './executor.mjs';
import { Tensor, size } from './tensor.mjs';
import { fromBytes } from './lib/dtypes.mjs';
import { MIN_SHARE_FLOPS } from './threads.mjs';
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

// `shards`: the bytes of each, or null/false for one load(url, {outputs}) did not fetch; its weights
// stay out until session.addShards([[index, promise of its bytes], ...]) brings them.
export async function createWebedgeSession(args) {
  const session = await createStreamingSession({ ...args, shards: args.shards.map((b) => b && Promise.resolve(b)) });
  await session.weightsPlaced;
  return session;
}

// feed([[shard index, promise of its bytes], ...]): each weight is placed once every shard holding a
// piece of it (manifest `pieces`) has bytes on the way; a node reading it meanwhile waits for it. A
// weight whose shard failed may be fed again (run() fetches it anew).
function feeder(ex, manifest) {
  const have = [];
  const started = new Set();
  return (list) => {
    for (const [i, promise] of list) have[i] = promise;
    const placed = [];
    for (const w of manifest.weights) {
      const from = (w.pieces ?? [w]).map((p) => have[p.shard]);
      if (started.has(w.name) || !from.every(Boolean)) continue;
      started.add(w.name);
      const done = Promise.all(from).then((bytes) => ex.addWeight(placeWeight(ex, { ...w, parts: partsOf(w, (p, k) => bytes[k]) })));
      ex.pending.set(w.name, done);
      done.catch(() => started.delete(w.name));
      placed.push(done);
    }
    return Promise.all(placed);
  };
}

// Like createWebedgeSession, but `shards` are promises (or null): each weight is placed when the
// shards holding it arrived, and a node that reads a weight still on the way waits for those only.
export async function createStreamingSession({ manifest, planBytes, kernels, shards, ops, threads = 1, gpu, shaders,
  placement }) {
  const plan = parsePlan(manifest, planBytes);
  const session = await createSession({ plan, kernels, weights: [], ops, threads, gpu, shaders, placement });
  const ex = session.executor;
  ex.streaming = true;
  const feed = feeder(ex, manifest);
  session.weightsPlaced = feed(shards.map((promise, i) => [i, promise]).filter(([, promise]) => promise));
  session.weightsPlaced.then(() => { ex.streaming = false; }, () => {}); // all in: no more waiting per node
  session.addShards = feed;
  return session;
}

// A weight's bytes as views into its shards: one part, or each piece of a tensor that spans
// shards (manifest `pieces`), in order. shardOf(piece, i): the bytes of that piece's shard.
const partsOf = (w, shardOf) => (w.pieces ?? [w]).map((p, i) => shardOf(p, i).subarray(p.offset, p.offset + p.length));

// float32 weights go straight into the arena, piece by piece (and, with WebGPU, into a GPU buffer
// as well, as they arrive); other dtypes into typed arrays (sub-byte types arrive packed).
function placeWeight(ex, w) {
  const wasm = ex.devices.wasm;
  const parts = w.parts ?? [w.bytes];
  if (w.dtype === 'float32' && wasm) {
    const t = wasm.alloc('float32', w.shape);
    let at = t.ptr;
    for (const b of parts) {
      new Uint8Array(wasm.arena.memory.buffer, at, b.length).set(b);
      at += b.length;
    }
    if (globalThis.WEBGPU) ex.devices.webgpu?.resident(t);
    return [w.name, t];
  }
  let bytes = parts[0];
  if (parts.length > 1) {
    bytes = new Uint8Array(w.length);
    parts.reduce((at, b) => (bytes.set(b, at), at + b.length), 0);
  }
  return [w.name, new Tensor(w.dtype, w.shape, { host: fromBytes(w.dtype, bytes, size(w.shape)) })];
}

/** Op units by ONNX name from op modules (each exports `units`, a list) or units themselves. */
export function unitsOf(ops) {
  const units = new Map();
  for (const item of ops) {
    for (const unit of item.units ?? [item]) {
      if (units.has(unit.op)) throw new WebedgeError(`op ${unit.op} is defined twice`);
      units.set(unit.op, unit);
    }
  }
  return units;
}

function planOps(nodes, into = new Set()) {
  for (const n of nodes) {
    into.add(n.op);
    for (const a of Object.values(n.attrs)) if (a && Array.isArray(a.nodes)) planOps(a.nodes, into);
  }
  return into;
}

// The session itself, from parts: a parsed plan, [file, wasm bytes] kernel pairs, op modules
// (or units), and [{name, dtype, shape, bytes}] weights. The conformance runner and the Node test
// lane call this directly. threads > 1 needs the threaded kernel variants; `session.threads` says
// how many run (1 when workers could not start). placement: op -> device names to try (tests).
export async function createSession({ plan, kernels, weights: weightList, ops, threads = 1, placement, gpu, shaders,
  gpuDevice }) {
  const units = unitsOf(ops ?? []);
  const lacking = [...planOps(plan.nodes)].filter((op) => !units.has(op)).sort();
  if (lacking.length) throw new WebedgeError(`this runtime has no op module for ${lacking.join(', ')}`);
  const arena = new Arena(32, threads > 1 ? { shared: true, reserved: threads * PAGE } : {});
  const { exports, modules, names } = await instantiateKernels(globalThis.WEBGPU ? kernels.filter(([f]) => !f.endsWith('.wgsl')) : kernels, arena);
  let pool = null;
  if (threads > 1) {
    const { startPool } = await import('./wasm/pool.mjs');
    pool = await startPool({ arena, modules, kernels: exports, threads, page: PAGE, minShareFlops: MIN_SHARE_FLOPS });
  }
  const wasm = new WasmDevice(arena, exports, names, pool);
  const devices = { wasm, js: new JsDevice(wasm) };
  // WebGPU: when the linked executor carries the device module (`--ep webgpu` bundles: their
  // core is built with globalThis.WEBGPU true, a wasm bundle's has none of this) and the caller
  // passes the shaders; otherwise, or when the browser has no adapter, wasm (and why).
  let fallbackReason = null;
  if (globalThis.WEBGPU) {
    if (gpuDevice) devices.webgpu = gpuDevice; // one the caller owns and keeps (the conformance worker)
    else if (gpu && (shaders || kernels.some(([f]) => f.endsWith('.wgsl')))) {
      const made = await gpu.createWebGPUDevice(shaders ?? kernels);
      if (made.device) devices.webgpu = made.device;
      else fallbackReason = made.reason;
    }
  }
  const executor = new Executor(plan, { devices, units, weights: new Map(), placement });
  if (globalThis.WEBGPU && devices.webgpu && gpu) gpu.startPipelines(devices.webgpu, plan.nodes, units);
  for (const w of weightList) executor.addWeight(placeWeight(executor, w));
  const session = {
    executor,
    threads: pool ? pool.threads : 1,
    get device() {
      return devices.webgpu ? 'webgpu' : 'wasm';
    },
    fallbackReason,
    placement: () => executor.placementReport(),
    run: (feeds, outputs) => executor.run(feeds, outputs),
    async dispose() {
      pool?.dispose();
      if (globalThis.WEBGPU && devices.webgpu && devices.webgpu !== gpuDevice) devices.webgpu.destroy();
    },
    memoryBytes: () => arena.memory.buffer.byteLength,
  };
  if (globalThis.WEBGPU) {
    /** WebGPU bundles: once `bytes` (the golden pair's file) arrive, run it (webgpu/selftest.mjs);
     * on a mismatch drop WebGPU for good and call onFallback(reason). */
    session.check = (bytes, onFallback, outputs) => gpu.check(session, bytes, () => gpu.drop(devices, executor, gpuDevice),
      onFallback, outputs);
  }
  return session;
}
