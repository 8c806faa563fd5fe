// load(url, {worker: true}): the same model API, with loading and inference in a dedicated Web Worker,
// so a page stays responsive while weights are verified and inflated and while run() computes.
//
// This module is not part of webedge.mjs: js/build.mjs builds it as webedge-worker.mjs, which every
// bundle carries beside model.json and the loader imports only for {worker: true} (pages that do
// not use worker mode never download it); its WebedgeError is the loader's own (imported from
// ./webedge.mjs). The worker is a module worker made from a Blob that imports the bundle's
// webedge.mjs and webedge-worker.mjs, so it works however the page got its loader (a bundle
// folder, an npm package inside an app bundle) and from another origin that allows CORS. Messages:
//   worker -> page  {type: 'ready'} once it listens; only then does the page send anything. (Once, in a
//                   loaded full-suite run, Firefox 153 waited forever for a worker that never answered;
//                   a request posted while the module worker was still loading its imports is the step
//                   that can go unheard, so the page no longer posts before the worker says it listens.)
//   page -> worker  {type: 'load', url, options, progress}   {type: 'run', id, feeds, options}   {type: 'dispose', id}
//   worker -> page  {type: 'progress', event}  {type: 'loaded', model, stats}  {type: 'weights', error?, stats}
//                   {type: 'result', id, outputs?, error?, stats}
// Inputs are copied to the worker (the caller keeps them); outputs come back transferred (no copy).
// Timings are moved to the page's clock (a worker's performance.now() has its own time origin).
import { WebedgeError } from './errors.mjs';

const describe = (model) => ({
  manifest: model.manifest, inputs: model.inputs, outputs: model.outputs,
  threads: model.threads, simd: model.simd, threadsWhy: model.threadsWhy, streaming: model.streaming, labels: model.labels,
});

// What can change after load (a WebGPU self-test moves the model to wasm) travels with every message.
const statsOf = (model) => ({
  timings: model.stats.timings, networkBytes: model.stats.networkBytes, cacheBytes: model.stats.cacheBytes,
  cache: model.stats.cache, cacheWhy: model.stats.cacheWhy, evicted: model.stats.evicted, timeOrigin: performance.timeOrigin,
  state: { backend: model.backend, device: model.device, fallbackReason: model.fallbackReason, placement: model.placement },
});

const errorOf = (err) => ({ name: err?.name ?? 'Error', message: String(err?.message ?? err), file: err?.file });

function revive(e) {
  return e.name === 'WebedgeError' ? new WebedgeError(e.message, { file: e.file }) : Object.assign(new Error(e.message), { name: e.name });
}

// An output's buffer can be handed over only if the output owns all of it and it is not shared memory.
function transferables(outputs) {
  const list = new Set();
  for (const t of Object.values(outputs)) {
    const d = t.data;
    if (!ArrayBuffer.isView(d)) continue;
    const own = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && !list.has(d.buffer)
      && !(typeof SharedArrayBuffer !== 'undefined' && d.buffer instanceof SharedArrayBuffer);
    if (!own) t.data = d.slice();
    list.add(t.data.buffer);
  }
  return [...list];
}

/** The worker's side: answer the page's messages with a model loaded by `load`. */
export function serveInWorker(load) {
  let model = null;
  const post = (message, transfer = []) => self.postMessage(message, transfer);
  self.onmessage = async ({ data: msg }) => {
    if (msg.type === 'load') {
      try {
        const onProgress = msg.progress ? (event) => post({ type: 'progress', event }) : undefined;
        model = await load(msg.url, { ...msg.options, onProgress });
        post({ type: 'loaded', model: describe(model), stats: statsOf(model) });
        model.loaded.then(() => post({ type: 'weights', stats: statsOf(model) }),
          (err) => post({ type: 'weights', error: errorOf(err), stats: statsOf(model) }));
        const checked = () => post({ type: 'checked', stats: statsOf(model) }); // a failed check surfaces in run()
        model.checked.then(checked, checked);
      } catch (err) {
        post({ type: 'loaded', error: errorOf(err) });
      }
    } else if (msg.type === 'run') {
      try {
        const outputs = await model.run(msg.feeds, msg.options);
        post({ type: 'result', id: msg.id, outputs, stats: statsOf(model) }, transferables(outputs));
      } catch (err) {
        post({ type: 'result', id: msg.id, error: errorOf(err), stats: statsOf(model) });
      }
    } else if (msg.type === 'dispose') {
      try {
        await model?.dispose();
      } finally {
        post({ type: 'result', id: msg.id });
      }
    }
  };
  post({ type: 'ready' });
}

/** The page's side: start the worker, load there, and return a model whose calls go to it. */
export async function loadInWorker(manifestUrl, options, base) {
  if (typeof Worker === 'undefined') throw new WebedgeError('option worker: this environment has no Web Worker');
  const url = new URL(manifestUrl, base).href;
  const moduleUrl = new URL('webedge.mjs', url).href;
  const source = `import { load } from ${JSON.stringify(moduleUrl)};\n`
    + `import { serveInWorker } from ${JSON.stringify(new URL('webedge-worker.mjs', url).href)};\nserveInWorker(load);\n`;
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl, { type: 'module', name: 'webedge' });
  const { onProgress, worker: _, ...rest } = options;
  const pending = new Map();
  let nextId = 0;
  let stats = { timings: {}, networkBytes: 0, cacheBytes: 0, cache: 'memory', cacheWhy: null, evicted: 0 };
  const shift = (s) => {
    const delta = s.timeOrigin - performance.timeOrigin; // worker clock -> page clock
    const timings = Object.fromEntries(Object.entries(s.timings).map(([k, v]) => [k, v + delta]));
    stats = { ...s, timings };
  };
  let settleLoad, settleWeights, settleChecked;
  const loadedModel = new Promise((resolve, reject) => { settleLoad = { resolve, reject }; });
  const checked = new Promise((resolve) => { settleChecked = resolve; });
  const loaded = new Promise((resolve, reject) => { settleWeights = { resolve, reject }; });
  loaded.catch(() => {});
  worker.onerror = (ev) => {
    ev.preventDefault?.();
    const err = new WebedgeError(ev.message ? `webedge.mjs: the worker failed (${ev.message})`
      : `webedge.mjs: the worker could not load ${moduleUrl} (a bundle has it beside model.json: is ${url} a bundle's model.json?)`,
    { file: 'webedge.mjs' });
    settleLoad.reject(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.onmessage = ({ data: msg }) => {
    if (msg.stats) shift(msg.stats);
    if (msg.type === 'ready') {
      worker.postMessage({ type: 'load', url, options: rest, progress: !!onProgress });
    } else if (msg.type === 'progress') {
      try { onProgress?.(msg.event); } catch (err) { console.error('webedge: onProgress callback threw', err); }
    } else if (msg.type === 'loaded') {
      URL.revokeObjectURL(blobUrl);
      if (msg.error) settleLoad.reject(revive(msg.error)); else settleLoad.resolve(msg.model);
    } else if (msg.type === 'checked') {
      settleChecked();
    } else if (msg.type === 'weights') {
      if (msg.error) settleWeights.reject(revive(msg.error)); else settleWeights.resolve();
    } else if (msg.type === 'result') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(revive(msg.error)); else p?.resolve(msg.outputs);
    }
  };
  const call = (message) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id });
  });
  let info;
  try {
    info = await loadedModel;
  } catch (err) {
    worker.terminate();
    throw err;
  }
  let disposed = false;
  return {
    ...info,
    get backend() { return stats.state.backend; },
    get device() { return stats.state.device; },
    get fallbackReason() { return stats.state.fallbackReason; },
    get placement() { return stats.state.placement; },
    worker: true,
    loaded,
    checked,
    stats: {
      get timings() { return stats.timings; },
      get networkBytes() { return stats.networkBytes; },
      get cacheBytes() { return stats.cacheBytes; },
      get cache() { return stats.cache; },
      get cacheWhy() { return stats.cacheWhy; },
      get evicted() { return stats.evicted; },
    },
    async run(feeds, options) {
      if (disposed) throw new WebedgeError('model.run() after model.dispose()');
      await checked;
      return call({ type: 'run', feeds, options });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await call({ type: 'dispose' });
      } finally {
        worker.terminate();
      }
    },
  };
}
