// The onnxruntime-web backend: hand ORT the weight-free graph plus our verified shards as
// external data, and the .wasm bytes we already fetched, so every byte is downloaded once, by us.
// Not part of webedge.mjs: js/build.mjs builds it as webedge-ort.mjs, which only `--backend ort`
// bundles carry (role `adapter`) and the loader imports like the executor; its WebedgeError is
// the loader's own (./webedge.mjs).
// Lazy outputs (load(url, {outputs})): ORT wants every external-data file when it creates a
// session, so a shard the loader did not fetch (falsy in `shards`) is handed over as zeros of its
// decoded size, never downloaded, and run() fetches only the outputs asked for. When a later
// run() wants outputs whose shards were zeros, the loader fetches them and addShards() recreates
// the ORT session with the real bytes.
import { WebedgeError } from '../errors.mjs';

// The external-data location the graph gives weights[i] when it spans shards (webedge/backends/ort.py).
const spanFile = (i) => `weights/span-${i}.bin`;

export async function importOrt(manifest, base) {
  const entry = manifest.backend.files.find((f) => f.role === 'entry');
  try {
    return await import(/* webpackIgnore: true */ new URL(entry.file, base).href);
  } catch (cause) {
    throw new WebedgeError(`${entry.file}: could not load onnxruntime-web (${cause.message})`, { file: entry.file, cause });
  }
}

export async function createOrtSession(ort, { manifest, base, ep, wasmBinary, graph, shards, threads }) {
  const glue = manifest.backend.files.find((f) => f.role === 'glue');
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = { mjs: new URL(glue.file, base).href };
  ort.env.wasm.wasmBinary = wasmBinary;
  ort.env.logLevel = 'error';
  const bytes = manifest.shards.map((sh, i) => shards[i] || new Uint8Array(sh.size ?? sh.bytes));
  const externalData = () => {
    const files = manifest.shards.map((sh, i) => ({ path: sh.file, data: bytes[i] }));
    manifest.weights.forEach((w, i) => { // a tensor spanning shards: its pieces joined, under the graph's name for it
      if (!w.pieces) return;
      const data = new Uint8Array(w.length);
      w.pieces.reduce((at, p) => (data.set(bytes[p.shard].subarray(p.offset, p.offset + p.length), at), at + p.length), 0);
      files.push({ path: spanFile(i), data });
    });
    return files;
  };
  const create = async () => {
    try {
      return await ort.InferenceSession.create(graph, {
        executionProviders: [ep],
        graphOptimizationLevel: 'all',
        externalData: externalData(),
      });
    } catch (cause) {
      throw new WebedgeError(`onnxruntime-web (${ep}) could not create a session: ${cause.message}`, { cause });
    }
  };
  let session = create();
  await session;
  const running = new Set(); // runs in flight: a session is released only after them
  return {
    async run(feeds, names = manifest.outputs.map((o) => o.name)) {
      const ortFeeds = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const run = session.then((s) => s.run(ortFeeds, names));
      running.add(run);
      const results = await run.finally(() => running.delete(run));
      const out = {};
      for (const name of names) {
        const t = results[name];
        out[name] = { data: t.data, dims: Array.from(t.dims, Number), type: t.type };
      }
      return out;
    },
    /** [[shard index, promise of its decoded bytes], ...]: in place of their zeros, in a new session
     * (the old one serves until they are in; it stays if one fails to arrive). */
    addShards(list) {
      const old = session;
      const next = Promise.all(list.map(([, p]) => p)).then(async (got) => {
        const s = await old;
        await Promise.allSettled(running);
        list.forEach(([i], k) => { bytes[i] = got[k]; });
        await s.release();
        return create();
      });
      session = next.catch(() => old);
      return next;
    },
    async dispose() {
      await (await session).release();
    },
  };
}
