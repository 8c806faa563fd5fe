"""The executor's contract with op units and devices, in Node with stand-in devices: parts are
tried in DEVICE_ORDER and fall back when `supports` says no or their kernels are missing; an input
a device cannot read is transferred to it (also when the transfer is asynchronous, as a GPU
readback is), outputs are allocated on the part's device from the shape rule, transferred copies
are released, and `placement` forces a device."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import { Executor, DEVICE_ORDER } from './js/src/webedge/executor.mjs';
import { JsDevice } from './js/src/webedge/js/device.mjs';
import { Tensor } from './js/src/webedge/tensor.mjs';

// A device that reads only its own tensors and takes others by an asynchronous copy.
class Remote {
  constructor(name) { this.name = name; this.uploads = 0; this.released = 0; }
  has() { return true; }
  reads(t) { return t.where === this.name; }
  alloc(dtype, dims) { const t = new Tensor(dtype, dims, { host: new Float32Array(dims.reduce((a, b) => a * b, 1)) }); t.where = this.name; t.release = () => { this.released++; }; return t; }
  upload(t) { this.uploads++; return Promise.resolve().then(() => { const c = this.alloc(t.dtype, t.dims); c.data.set(t.data); return c; }); }
}
const ran = [];
const twice = (device) => (dev, node, [x], [y]) => { ran.push(`${node.outputs[0]}@${dev.name}`); for (let i = 0; i < y.data.length; i++) y.data[i] = 2 * x.data[i]; };
const units = new Map([['Twice', {
  op: 'Twice',
  shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }],
  webgpu: { supports: (node, [x]) => x.dims.length === 1, run: twice('webgpu') },
  wasm: { kernels: ['missing'], run: twice('wasm') },
  js: { run: twice('js') },
}]]);
const gpu = new Remote('webgpu');
const node = (i, o) => ({ op: 'Twice', inputs: [i], outputs: [o], attrs: {}, free: [] });
const plan = { constants: {}, outputs: ['c', 'e'], nodes: [node('x', 'a'), node('a', 'b'), node('b', 'c'), node('m', 'e')] };
const fake = { name: 'wasm', has: () => false, reads: () => true, alloc: () => { throw new Error('no'); } };
const ex = new Executor(plan, { devices: { webgpu: gpu, wasm: fake, js: new JsDevice(null) }, units, weights: new Map() });
const out = await ex.run({ x: { type: 'float32', dims: [3], data: Float32Array.of(1, 2, 3) },
                           m: { type: 'float32', dims: [1, 2], data: Float32Array.of(5, 6) } });
const forced = new Executor(plan, { devices: { webgpu: gpu, wasm: fake, js: new JsDevice(null) }, units, weights: new Map(),
  placement: { Twice: ['js'] } });
ran.push('|');
await forced.run({ x: { type: 'float32', dims: [3], data: Float32Array.of(1, 2, 3) }, m: { type: 'float32', dims: [1, 2], data: Float32Array.of(5, 6) } });
process.stdout.write(JSON.stringify({ order: DEVICE_ORDER, ran, c: Array.from(out.c.data), e: Array.from(out.e.data),
  uploads: gpu.uploads, released: gpu.released }));
"""


def test_placement_fallback_and_async_transfers():
    node = shutil.which("node")
    assert node, "node is needed; install Node.js 20+"
    done = subprocess.run([node, "--input-type=module", "-e", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["order"] == ["webgpu", "wasm", "js"]
    # x (host) -> webgpu by one async transfer; a and b stay there; m is 2-D: webgpu's supports() says
    # no, wasm lacks its kernel module, so js runs it; with placement, js runs everything
    assert got["ran"] == ["a@webgpu", "b@webgpu", "c@webgpu", "e@js", "|", "a@js", "b@js", "c@js", "e@js"]
    assert got["c"] == [8, 16, 24] and got["e"] == [10, 12]
    assert got["uploads"] == 1
    assert got["released"] == 4  # the transferred copy of x, then a, b and c when the run ends


STREAMING = r"""
import { createStreamingSession } from './js/src/webedge/session.mjs';
import * as binary from './js/src/webedge/ops/binary.mjs';

// y = (x + w0) * w1, w0 in shard 0 and w1 in shard 1, which arrive when the test says so.
const plan = { format: 'webedge-plan', version: 1, constants: {}, outputs: ['y'], nodes: [
  { op: 'Add', inputs: ['x', 'w0'], outputs: ['t'], attrs: {}, free: [] },
  { op: 'Mul', inputs: ['t', 'w1'], outputs: ['y'], attrs: {}, free: ['t'] }] };
const manifest = { backend: { graph: { file: 'plan.json' } }, weights: [
  { name: 'w0', dtype: 'float32', shape: [2], shard: 0, offset: 0, length: 8 },
  { name: 'w1', dtype: 'float32', shape: [2], shard: 1, offset: 0, length: 8 }] };
const arrive = [];
const shards = [0, 1].map((i) => new Promise((resolve) => { arrive[i] = resolve; }));
const session = await createStreamingSession({ manifest, planBytes: new TextEncoder().encode(JSON.stringify(plan)),
  kernels: [], shards, ops: [binary] });
const log = [];
const x = { type: 'float32', dims: [2], data: Float32Array.of(1, 2) };
const first = session.run({ x }).then((out) => { log.push(`done ${Array.from(out.y.data)}`); });
await new Promise((r) => setTimeout(r, 20));
log.push(`waiting, streaming ${session.executor.streaming}`);
arrive[0](new Uint8Array(Float32Array.of(10, 20).buffer));
await new Promise((r) => setTimeout(r, 20));
log.push('shard 0 in');
arrive[1](new Uint8Array(Float32Array.of(2, 3).buffer));
await first;
await session.weightsPlaced;
log.push(`streaming ${session.executor.streaming}`);
const again = await session.run({ x });
log.push(`again ${Array.from(again.y.data)}`);
process.stdout.write(JSON.stringify(log));
"""


def test_streaming_session_waits_for_each_shard_then_stops_waiting():
    node = shutil.which("node")
    assert node, "node is needed; install Node.js 20+"
    done = subprocess.run([node, "--input-type=module", "-e", STREAMING], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["waiting, streaming true", "shard 0 in", "done 22,66", "streaming false", "again 22,66"]
