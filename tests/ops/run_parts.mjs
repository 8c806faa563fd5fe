// The Node lane of the per-op battery (tests/ops/test_ops.py): runs ONNX node cases on one part of
// their op at a time, straight from js/src (no build, no browser).
//   node tests/ops/run_parts.mjs INDEX.json BLOB.bin > RESULTS.json
// INDEX: {cases: [{name, op, plan, weights, feeds, outputs, devices}]} as webedge/conformance.py
// prepares them (tensors at {offset, length} in BLOB), `outputs` the expected [{name, type, dims}]
// of the first data set. For each case and each device in `devices`, the op's nodes are placed on
// that device only (the other nodes where they would run) and every data set runs; the result is
// the outputs (base64, as the conformance page returns them), or `unsupported` when that part does
// not take the case, or the error. Then the op's shape rule runs once on the first data set's
// inputs, each input's data guarded unless the unit declares it in `shapeReads`, and is compared
// with the expected outputs' dtypes and dims.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSession } from '../../js/src/webedge/session.mjs';
import { Tensor } from '../../js/src/webedge/tensor.mjs';
import { ARRAYS, unpack, pack, BITS } from '../../js/src/webedge/lib/dtypes.mjs';
import { loadOpModules } from '../../js/units.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KERNEL_DIR = join(ROOT, 'webedge', 'runtime', 'kernels');
const [indexPath, blobPath] = process.argv.slice(2);
const index = JSON.parse(readFileSync(indexPath, 'utf8'));
const blob = new Uint8Array(readFileSync(blobPath));
const units = (await loadOpModules()).flatMap((m) => m.units);
const unitOf = new Map(units.map((u) => [u.op, u]));
const kernels = Object.fromEntries(readdirSync(KERNEL_DIR).filter((f) => f.endsWith('.wasm'))
  .map((f) => [f.replace('.wasm', ''), readFileSync(join(KERNEL_DIR, f))]));

const bytesOf = (ref) => blob.slice(ref.offset, ref.offset + ref.length);
const subByte = (type) => BITS[type] < 8;

function feedsOf(set) {
  const feeds = {};
  for (const f of set) {
    if (f.strings) throw new Error(`input '${f.name}': string tensors have no typed array in the webedge runtime`);
    const n = f.dims.reduce((a, b) => a * b, 1);
    const bytes = bytesOf(f);
    const data = subByte(f.type) ? unpack(f.type, bytes, n) : new ARRAYS[f.type](bytes.buffer, 0, bytes.byteLength / ARRAYS[f.type].BYTES_PER_ELEMENT);
    feeds[f.name] = { data, dims: f.dims, type: f.type };
  }
  return feeds;
}

function wire(t) {
  const d = t.data;
  const bytes = subByte(t.type) ? pack(t.type, d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return { type: t.type, dims: t.dims, b64: Buffer.from(bytes).toString('base64') };
}

async function runOn(c, device) {
  const session = await createSession({
    plan: c.plan,
    // the modules as the case's bundle would ship them (stripped to what its plan calls), else whole
    kernels: c.kernels ? c.kernels.map((k) => [`kernels/${k.module}.wasm`, bytesOf(k)]) : c.plan.kernels.map((k) => [`kernels/${k}.wasm`, kernels[k]]),
    weights: c.weights.map((w) => ({ name: w.name, dtype: w.dtype, shape: w.shape, bytes: bytesOf(w) })),
    ops: units,
    placement: { [c.op]: [device] },
  });
  try {
    const outputs = [];
    for (const set of c.feeds) {
      const out = await session.run(feedsOf(set));
      outputs.push(Object.entries(out).map(([name, t]) => ({ name, ...wire(t) })));
    }
    return { ok: true, outputs };
  } catch (err) {
    const text = String(err.message ?? err);
    if (text.includes(`no part of ${c.op} `)) return { unsupported: text };
    return { ok: false, error: text.split('\n')[0] };
  }
}

// A view of t for a shape rule: dtype and dims readable, data only where `allowed`.
function guarded(t, allowed, i, op) {
  if (!t || allowed) return t;
  const refuse = () => { throw new Error(`${op}'s shape rule read the data of input ${i}, which its shapeReads does not declare`); };
  return { dtype: t.dtype, dims: t.dims, size: t.size, location: t.location, get data() { return refuse(); }, numbers: refuse, read: refuse };
}

// The shape rule of the case's node on the first data set's inputs (a single-node case only).
function shapeCheck(c) {
  const unit = unitOf.get(c.op);
  const nodes = c.plan.nodes;
  if (!unit?.shape || nodes.length !== 1 || nodes[0].op !== c.op) return null;
  const node = nodes[0];
  const feeds = feedsOf(c.feeds[0] ?? []);
  const consts = c.plan.constants;
  const weights = Object.fromEntries(c.weights.map((w) => [w.name, w]));
  const tensorOf = (name) => {
    if (!name) return null;
    if (feeds[name]) return new Tensor(feeds[name].type, feeds[name].dims, { host: feeds[name].data });
    if (consts[name]) {
      const k = consts[name];
      const Arr = ARRAYS[k.dtype];
      return new Tensor(k.dtype, k.dims, { host: BITS[k.dtype] === 64 && k.dtype !== 'float64' ? Arr.from(k.data, BigInt) : Arr.from(k.data) });
    }
    if (weights[name]) {
      const w = weights[name];
      const n = w.shape.reduce((a, b) => a * b, 1);
      const bytes = bytesOf(w);
      return new Tensor(w.dtype, w.shape, { host: subByte(w.dtype) ? unpack(w.dtype, bytes, n) : new ARRAYS[w.dtype](bytes.buffer) });
    }
    return undefined;
  };
  const inputs = node.inputs.map(tensorOf);
  if (inputs.includes(undefined)) return null;
  const reads = new Set(unit.shapeReads ?? []);
  try {
    const specs = unit.shape(node, inputs.map((t, i) => guarded(t, reads.has(i), i, c.op)));
    const want = c.outputs;
    for (const w of want) {
      const i = node.outputs.indexOf(w.name);
      if (i < 0) continue;
      const got = specs[i];
      if (!got) return { error: `no spec for output ${i} (${w.name})` };
      if (got.dtype !== w.type || got.dims.join() !== w.dims.join()) {
        return { error: `output ${w.name}: the rule says ${got.dtype} [${got.dims}], the case has ${w.type} [${w.dims}]` };
      }
    }
    return { ok: true };
  } catch (err) {
    return { error: String(err.message ?? err) };
  }
}

const results = {};
for (const c of index.cases) {
  const parts = {};
  for (const device of c.devices) parts[device] = await runOn(c, device);
  results[c.name] = { parts, shape: shapeCheck(c) };
}
process.stdout.write(JSON.stringify(results));
