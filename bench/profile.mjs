// Where a webedge bundle's inference time goes, per op, in V8 (the browser's engine) under Node:
//   node bench/profile.mjs SITE_DIR [runs=50] [dim=value ...]
// Loads the bundle's plan, kernels and weights from disk the way the browser runtime does
// (createSession from the bundle's executor, role `executor`), feeds random inputs (symbolic dims default to 1, or
// as given, e.g. sequence=512), and prints the median run time and each op's share of it.
// `device` is the part of the op unit that ran (wasm, js); `kernels` the wasm kernels it called
// (none: its loop ran in JS). Control-flow ops (If, Loop, Scan) include their bodies' ops, which
// are also listed on their own, so they are left out of the shares' total.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [site, runsArg = '50', ...dimArgs] = process.argv.slice(2);
if (!site) {
  console.error('usage: node bench/profile.mjs SITE_DIR [runs] [dim=value ...]');
  process.exit(2);
}
const dir = resolve(site);
const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
if (manifest.backend.name !== 'webedge') {
  console.error(`${site}: bundled for backend '${manifest.backend.name}'; profile needs --backend webedge`);
  process.exit(2);
}
const dims = Object.fromEntries(dimArgs.map((a) => a.split('=')).map(([k, v]) => [k, Number(v)]));
const executor = manifest.backend.files.find((f) => f.role === 'executor');
const runtime = await import(pathToFileURL(join(dir, executor.file)).href);
const plan = JSON.parse(readFileSync(join(dir, manifest.backend.graph.file), 'utf8'));
const kernels = manifest.backend.files.filter((f) => f.role === 'kernel').map((f) => [f.file, readFileSync(join(dir, f.file))]);
const shards = manifest.shards.map((s) => new Uint8Array(readFileSync(join(dir, s.file))));
const weights = manifest.weights.map((w) => ({ ...w, parts: (w.pieces ?? [w]).map((p) => shards[p.shard].subarray(p.offset, p.offset + p.length)) })); // pieces: a tensor spanning shards
const session = await runtime.createSession({ plan, kernels, weights });

const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array };
const feeds = {};
for (const input of manifest.inputs) {
  const shape = input.shape.map((d) => (typeof d === 'number' ? d : dims[d] ?? 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const Arr = ARRAYS[input.dtype];
  if (!Arr) throw new Error(`input ${input.name}: dtype ${input.dtype} not handled here`);
  const data = new Arr(n);
  for (let i = 0; i < n; i++) data[i] = input.dtype === 'int64' ? 16000n : input.dtype === 'float32' ? Math.random() - 0.5 : 1;
  feeds[input.name] = { type: input.dtype, dims: shape, data };
}

const ex = session.executor;
for (let i = 0; i < 5; i++) await session.run(feeds); // warm up (JIT, weight folding)
// Which wasm kernels each op calls: the op being dispatched is noted, every kernel lookup counted.
const called = {};
let current = null;
const dispatch = ex.dispatch.bind(ex);
ex.dispatch = (unit, node, inputs) => {
  const outer = current;
  current = node.op;
  try { return dispatch(unit, node, inputs); } finally { current = outer; }
};
const wasmDevice = ex.devices.wasm;
if (wasmDevice) {
  const fn = wasmDevice.fn.bind(wasmDevice);
  wasmDevice.fn = (name) => {
    if (current) (called[current] ??= new Set()).add(name);
    return fn(name);
  };
}
ex.profile = {};
const times = [];
const runs = Number(runsArg);
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await session.run(feeds);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const CONTROL = new Set(['If', 'Loop', 'Scan']);
const total = Object.entries(ex.profile).filter(([op]) => !CONTROL.has(op)).reduce((a, [, e]) => a + e.ms, 0);
console.log(`${site}: median ${times[runs >> 1].toFixed(3)} ms over ${runs} runs (min ${times[0].toFixed(3)})`);
console.log('op                      device  calls/run   ms/run   share  kernels');
for (const [op, e] of Object.entries(ex.profile).sort((a, b) => b[1].ms - a[1].ms)) {
  const share = CONTROL.has(op) ? '(body)' : `${((100 * e.ms) / total).toFixed(1)}%`;
  const kernels = called[op] ? [...called[op]].join(',') : 'none (JS)';
  console.log(`${op.padEnd(24)}${(e.device ?? '-').padEnd(6)}${String(e.calls / runs).padStart(9)}${(e.ms / runs).toFixed(3).padStart(9)}${share.padStart(8)}  ${kernels}`);
}
