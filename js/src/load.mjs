// load(): manifest -> runtime + weights (parallel, verified, cached) -> backend session -> model.
import { validateManifest } from './manifest.mjs';
import { openStore } from './store.mjs';
import { createPool, getVerified } from './files.mjs';
import { decodeShard } from './decode.mjs';
import { Progress } from './progress.mjs';
import { prepareFeeds } from './tensor.mjs';
import { WebedgeError } from './errors.mjs';
import { threadsFor } from './webedge/threads.mjs';
import { threadsNote } from './isolation.mjs';
import { checkSimdOption, kernelRole, simdFor } from './simd.mjs';

const now = () => performance.now();
const bytesOf = (files) => files.reduce((s, f) => s + f.bytes, 0);

async function readManifest(url, retries) {
  const file = url.pathname.split('/').pop();
  let res;
  try {
    res = await fetch(url, { cache: 'no-cache' });
  } catch (cause) {
    throw new WebedgeError(`${file}: network error (${cause.message})`, { file, cause });
  }
  if (!res.ok) throw new WebedgeError(`${file}: HTTP ${res.status} — is this the URL of a webedge bundle's model.json?`, { file });
  let manifest;
  try {
    manifest = await res.json();
  } catch {
    throw new WebedgeError(`${file}: not valid JSON`, { file });
  }
  return validateManifest(manifest, file);
}

// webedge's executor and the onnxruntime-web adapter are modules of their own: a page downloads
// the one its bundle's backend needs.
async function importModule(manifest, base, role, what) {
  const entry = manifest.backend.files.find((f) => f.role === role);
  try {
    return await import(/* webpackIgnore: true */ new URL(entry.file, base).href);
  } catch (cause) {
    throw new WebedgeError(`${entry.file}: could not load ${what} (${cause.message})`, { file: entry.file, cause });
  }
}
const importExecutor = (manifest, base) => importModule(manifest, base, 'executor', 'the webedge executor');

function chooseEp(manifest, requested) {
  const eps = manifest.backend.eps;
  const hasGpu = typeof navigator !== 'undefined' && !!navigator.gpu;
  if (requested) {
    if (!eps.includes(requested)) {
      throw new WebedgeError(`backend '${requested}' is not in this bundle (it has ${eps.join(', ')}); re-bundle with --ep ${requested}`);
    }
    if (requested === 'webgpu' && !hasGpu) throw new WebedgeError("backend 'webgpu' asked for, but this browser has no navigator.gpu");
    return requested;
  }
  return eps.find((ep) => ep !== 'webgpu' || hasGpu) ?? eps[0];
}

// Threads of webedge's runtime: >1 only on a cross-origin isolated page and with a bundle that
// ships the threaded kernels (kernels/mt/); the loader then fetches those instead of kernels/.
function webedgeThreads(manifest, requested) {
  const threads = threadsFor(requested);
  return manifest.backend.files.some((f) => f.role === 'kernel-mt') ? threads : 1;
}

// Every option load() reads; any other key is a typo, refused before anything is fetched.
export const OPTIONS = ['backend', 'onProgress', 'concurrency', 'cache', 'retries', 'stream', 'threads', 'worker',
  'selfTest', 'placement', 'outputs', 'simd'];

function checkOptions(options) {
  if (!options || typeof options !== 'object') throw new WebedgeError('load(url, options): options must be an object');
  const unknown = Object.keys(options).filter((k) => !OPTIONS.includes(k));
  if (unknown.length) {
    throw new WebedgeError(`unknown option(s) ${unknown.join(', ')}; load() takes ${OPTIONS.join(', ')}`);
  }
  checkSimdOption(options.simd);
}

// The output names `names` (all of them when undefined), checked against the bundle's.
function pick(manifest, names) {
  const all = manifest.outputs.map((o) => o.name);
  if (names === undefined) return all;
  if (names?.length && names.every?.((n) => all.includes(n))) return names;
  throw new WebedgeError(`outputs ${JSON.stringify(names)}: not a list of this bundle's outputs (${all.join(', ')})`);
}

/**
 * Load a webedge bundle.
 * @param {string} manifestUrl  URL of the bundle's model.json (relative to the page)
 * @param {{backend?: 'wasm'|'webgpu', onProgress?: Function, concurrency?: number, cache?: boolean, retries?: number,
 *          stream?: boolean, threads?: number}} options  stream (default true): on webedge's runtime, resolve as
 *   soon as the runtime and plan are in and let run() compute each layer as its weights arrive; `model.loaded`
 *   resolves when all weights are in. threads: webedge's runtime runs on this many threads when the page is
 *   cross-origin isolated (default min(navigator.hardwareConcurrency, 4)); always 1 when it is not
 *   (`model.threadsWhy` says why). worker: load and run in a dedicated Web Worker (worker.mjs), same API.
 *   outputs: fetch only the weights these outputs need (manifest `needs`); run(feeds, {outputs}) fetches more.
 *   simd: 'relaxed' or 'simd128' forces a wasm kernel set; by default relaxed SIMD where the browser has it
 *   (its fused multiply-adds round once: results differ from SIMD128's in the last bits).
 */
export async function load(manifestUrl, options = {}) {
  checkOptions(options);
  const pageBase = globalThis.document?.baseURI ?? location.href;
  if (options.worker) { // worker mode lives in the bundle's webedge-worker.mjs (worker.mjs), fetched only here
    const file = new URL('webedge-worker.mjs', new URL(manifestUrl, pageBase)).href;
    let mode;
    try {
      mode = await import(/* webpackIgnore: true */ file);
    } catch (cause) {
      throw new WebedgeError(`webedge-worker.mjs: could not load worker mode from ${file} (${cause.message}); `
        + 'a bundle has it beside model.json', { file: 'webedge-worker.mjs', cause });
    }
    return mode.loadInWorker(manifestUrl, options, pageBase);
  }
  const { backend, onProgress, concurrency = 6, cache = true, retries = 3, stream = true, selfTest: checkGpu = true } = options;
  const timings = { start: now() };
  const progress = new Progress(onProgress);
  const base = new URL(manifestUrl, pageBase);
  const manifest = await readManifest(base, retries);
  timings.manifest = now();

  const ep = chooseEp(manifest, backend);
  const store = await openStore(cache);
  const pool = createPool(concurrency);
  const stats = { networkBytes: 0, cacheBytes: 0, evicted: 0 };
  const ctx = { base, store, pool, progress, stats, retries };
  const isOrt = manifest.backend.name === 'ort';
  const threads = isOrt ? threadsFor() : webedgeThreads(manifest, options.threads);
  // fetch only the kernel set that runs: relaxed SIMD or SIMD128 (simd.mjs), threaded or not
  const simd = isOrt ? null : simdFor(manifest, options.simd);
  const role = isOrt ? null : kernelRole(simd, threads);
  // webedge's runtime on WebGPU also fetches its WGSL shaders (only the plan's; never on wasm)
  const gpuRuntime = !isOrt && ep === 'webgpu';
  const binaries = manifest.backend.files.filter((f) => f.role === 'wasm' || f.role === role
    || (gpuRuntime && f.role === 'shader'));
  const loadFor = pick(manifest, options.outputs);
  const getShard = (i) => getVerified(manifest.shards[i], { ...ctx, phase: 'weights' })
    .then((bytes) => decodeShard(manifest.shards[i], bytes));
  const shardsFor = (names) => [...new Set(names.flatMap((n) => manifest.needs?.[n] ?? [...manifest.shards.keys()]))];
  const first = shardsFor(loadFor);
  const golden = gpuRuntime && checkGpu ? manifest.backend.files.find((f) => f.role === 'selftest') : null;
  if (golden) progress.setTotal('selftest', golden.bytes);
  progress.setTotal('runtime', bytesOf(binaries));
  progress.setTotal('weights', bytesOf([manifest.backend.graph, ...first.map((i) => manifest.shards[i])]));
  // the cache's key for this bundle (store.mjs): its manifest's URL; every file its manifest names
  const bundleKey = base.origin + base.pathname;
  const named = [...manifest.backend.files, manifest.backend.graph, ...manifest.shards];
  await store.reserve(bundleKey, [...binaries, manifest.backend.graph, ...first.map((i) => manifest.shards[i]),
    ...(golden ? [golden] : [])]);

  // onnxruntime-web bundles: the adapter (backends/ort.mjs, the bundle's webedge-ort.mjs), then ORT itself
  const adapter = isOrt ? importModule(manifest, base, 'adapter', 'the onnxruntime-web adapter') : null;
  const runtime = Promise.all([adapter?.then((a) => a.importOrt(manifest, base)),
    ...binaries.map((f) => getVerified(f, { ...ctx, phase: 'runtime' }))])
    .then(([ort, ...bins]) => { timings.runtime = now(); return { ort, bins }; });
  // [file, bytes] of the wasm kernels and (WebGPU) the WGSL shaders: the session tells them apart
  const split = (bins) => ({ kernels: binaries.map((f, i) => [f.file, bins[i]]) });
  const plan = getVerified(manifest.backend.graph, { ...ctx, phase: 'weights' }); // first in the pool's queue
  // shard index -> true when load() fetches it, a promise that run() fetched and placed it, else false
  const placing = [];
  const files = [plan, ...manifest.shards.map((_, i) => (placing[i] = first.includes(i)) && getShard(i))];
  const everything = Promise.all(files).then((all) => {
    timings.weights = now();
    return all;
  });
  everything.catch(() => {}); // a failure surfaces through whoever awaits it, not as unhandled

  // Streaming (webedge runtime): the session starts once runtime and plan are in; each node
  // waits only for the shards holding its own weights, so computing overlaps the download.
  const streaming = !isOrt && stream;
  let session;
  if (streaming) {
    const [{ bins }, graph] = await Promise.all([runtime, files[0]]);
    progress.setTotal('compile', 0);
    progress.emit('compile');
    session = await (await importExecutor(manifest, base)).createStreamingSession({
      manifest, planBytes: graph, shards: files.slice(1), ...split(bins), threads, placement: options.placement });
  } else {
    const [{ ort, bins }, [graph, ...shards]] = await Promise.all([runtime, everything]);
    progress.setTotal('compile', 0);
    progress.emit('compile');
    session = isOrt
      ? await (await adapter).createOrtSession(ort, { manifest, base, ep, wasmBinary: bins[0], graph, shards, threads })
      : await (await importExecutor(manifest, base)).createWebedgeSession({ manifest, planBytes: graph, shards,
        ...split(bins), threads, placement: options.placement });
  }
  timings.started = now();
  const loaded = (streaming ? Promise.all([everything, session.weightsPlaced]) : Promise.resolve()).then(() => {
    timings.ready = now();
    progress.setTotal('ready', 0);
    progress.emit('ready');
    return store.settle(bundleKey, [...new Set(named.map((f) => f.sha256))]);
  }).then((n) => { stats.evicted = n; });
  loaded.catch(() => {});
  if (!streaming) await loaded;
  // WebGPU: once every weight is in, the golden input must give the golden outputs, or the whole
  // model moves to wasm (a GPU that is wrong without an error). run() waits for the verdict.
  const verdict = golden && session.device === 'webgpu'
    ? session.check(Promise.all([loaded, getVerified(golden, { ...ctx, phase: 'selftest' })]).then(([, b]) => b),
      (reason) => progress.emit('fallback', { device: 'wasm', reason }), loadFor)
    : Promise.resolve();
  verdict.catch(() => {});

  let disposed = false;
  const running = isOrt ? threads : session.threads;
  const threadedKernels = isOrt || manifest.backend.files.some((f) => f.role === 'kernel-mt');
  return {
    manifest,
    inputs: manifest.inputs,
    outputs: manifest.outputs,
    /** Class names along each labelled output's last axis (manifest `labels`), e.g. labels.target_label[i]. */
    labels: manifest.labels ?? {},
    /** Why this many threads, in one sentence (a page can show it when it is 1). */
    threadsWhy: threadsNote({ threads: running, requested: options.threads, threadedKernels }),
    /** What runs: 'ort/wasm', 'ort/webgpu', 'webedge/wasm' or 'webedge/webgpu' (the device in use). */
    get backend() {
      return `${manifest.backend.name}/${isOrt ? ep : session.device}`;
    },
    /** The device webedge's runtime computes on ('webgpu' or 'wasm'); onnxruntime-web: its EP. */
    get device() {
      return isOrt ? ep : session.device;
    },
    /** Why a WebGPU bundle runs on wasm here (no adapter, a failed self-test), else null. */
    get fallbackReason() {
      return isOrt ? null : session.fallbackReason ?? null;
    },
    /** Where each executed node ran and why ({nodes: [{op, output, device, why}], byOp}); webedge only. */
    get placement() {
      return isOrt ? null : session.placement();
    },
    threads: running,
    /** The wasm kernel set webedge's runtime runs: 'relaxed' (relaxed SIMD, fused multiply-adds) or
     * 'simd128'; null on onnxruntime-web. */
    simd,
    streaming,
    worker: false,
    /** Resolves when every weight is downloaded, verified and in place (rejects if one fails). */
    loaded,
    stats: {
      timings,
      get networkBytes() { return stats.networkBytes; },
      get cacheBytes() { return stats.cacheBytes; },
      get cache() { return store.mode; },
      /** Why the cache is not used although the browser has one (the storage quota), else null. */
      get cacheWhy() { return store.why; },
      /** Files of this bundle's earlier deployments deleted from the cache after this load. */
      get evicted() { return stats.evicted; },
    },
    /** Resolves once a WebGPU bundle's self-test decided where the model runs (at once otherwise). */
    checked: verdict,
    /** run(feeds, {outputs}): those outputs only, their missing weights fetched first (default: load's). */
    async run(feeds, { outputs: names = loadFor } = {}) {
      if (disposed) throw new WebedgeError('model.run() after model.dispose()');
      const prepared = prepareFeeds(manifest.inputs, feeds);
      names = pick(manifest, names);
      const more = shardsFor(names).filter((i) => !placing[i]);
      if (more.length) {
        progress.phases.weights.total += bytesOf(more.map((i) => manifest.shards[i]));
        const added = session.addShards(more.map((i) => [i, getShard(i)]));
        for (const i of more) placing[i] = added;
        added.catch(() => more.forEach((i) => { placing[i] = false; })); // the next run() tries again
      }
      await Promise.all([verdict, ...shardsFor(names).map((i) => placing[i])]);
      return session.run(prepared, names);
    },
    async dispose() {
      if (!disposed) {
        disposed = true;
        await session.dispose();
      }
    },
  };
}

