// The onnxruntime-web backend: hand ORT the weight-free graph plus our verified shards as
// external data, and the .wasm bytes we already fetched, so every byte is downloaded once, by us.
// Not part of webedge.mjs: js/build.mjs builds it as webedge-ort.mjs, which only `--backend ort`
// bundles carry (role `adapter`) and the loader imports like the executor; its WebedgeError is
// the loader's own (./webedge.mjs).
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
  const externalData = manifest.shards.map((s, i) => ({ path: s.file, data: shards[i] }));
  manifest.weights.forEach((w, i) => { // a tensor spanning shards: its pieces joined, under the graph's name for it
    if (!w.pieces) return;
    const data = new Uint8Array(w.length);
    w.pieces.reduce((at, p) => (data.set(shards[p.shard].subarray(p.offset, p.offset + p.length), at), at + p.length), 0);
    externalData.push({ path: spanFile(i), data });
  });
  let session;
  try {
    session = await ort.InferenceSession.create(graph, {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
      externalData,
    });
  } catch (cause) {
    throw new WebedgeError(`onnxruntime-web (${ep}) could not create a session: ${cause.message}`, { cause });
  }
  return {
    async run(feeds) {
      const ortFeeds = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const results = await session.run(ortFeeds);
      const out = {};
      for (const spec of manifest.outputs) {
        const t = results[spec.name];
        out[spec.name] = { data: t.data, dims: Array.from(t.dims, Number), type: t.type };
      }
      return out;
    },
    async dispose() {
      await session.release();
    },
  };
}
