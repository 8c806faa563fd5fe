"""The wasm device's bookkeeping, in Node: the arena's free list (blocks never overlap, freed
neighbours merge, everything freed is one block again, memory grows when nothing fits), the kernel
ABI's named arguments (any order, a missing or undefined one throws) and the scratch ints."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import { Arena, PAGE } from './js/src/webedge/wasm/arena.mjs';
import { argsOf, KERNELS } from './js/src/webedge/wasm/abi.mjs';
import { WasmDevice } from './js/src/webedge/wasm/device.mjs';

// Arena: a seeded random sequence of allocs and frees against a list of the live blocks.
let seed = 7;
const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
const arena = new Arena(17, { reserved: PAGE });
const live = new Map();
let overlaps = 0, unsorted = 0, unmerged = 0;
for (let step = 0; step < 4000; step++) {
  if (live.size && rand(3) === 0) {
    const ptrs = [...live.keys()];
    const p = ptrs[rand(ptrs.length)];
    arena.dispose(p);
    live.delete(p);
  } else {
    const bytes = 1 + rand(step % 97 === 0 ? 300000 : 5000);
    const p = arena.alloc(bytes);
    for (const [q, n] of live) if (p < q + n && q < p + bytes) overlaps++;
    live.set(p, bytes);
  }
  const f = arena.free;
  for (let i = 1; i < f.length; i++) {
    if (f[i].start <= f[i - 1].start) unsorted++;
    if (f[i].start === f[i - 1].end) unmerged++;
  }
}
for (const p of live.keys()) arena.dispose(p);
const end = arena.memory.buffer.byteLength;

// argsOf: declared order, another order, a missing and an undefined argument.
const names = KERNELS.softmax_f32.args.map((a) => a.name);
const inOrder = argsOf('softmax_f32', { x: 1, y: 2, outer: 3, axis: 4, inner: 5, log: 0 });
const reordered = argsOf('softmax_f32', { log: 0, inner: 5, axis: 4, outer: 3, y: 2, x: 1 });
const throws = (f) => { try { f(); return null; } catch (e) { return e.message; } };
const missing = throws(() => argsOf('softmax_f32', { x: 1, y: 2, outer: 3, axis: 4, inner: 5 }));
const undef = throws(() => argsOf('softmax_f32', { x: 1, y: 2, outer: 3, axis: undefined, inner: 5, log: 0 }));

// Scratch ints, also after the memory has grown (a new buffer: the old view is detached).
const dev = new WasmDevice(new Arena(17), {}, []);
const p0 = dev.ints(4, [7, 8, 9]);
dev.arena.alloc(40 * PAGE);
const p1 = dev.ints(10, [5, 6]);
const ints = new Int32Array(dev.arena.memory.buffer);
const tooMany = throws(() => dev.ints(506, [1, 2, 3, 4, 5, 6, 7]));
process.stdout.write(JSON.stringify({
  overlaps, unsorted, unmerged, free: arena.free, end, reserved: PAGE,
  names, inOrder, reordered, missing, undef,
  scratch: [Array.from(ints.subarray(p0 / 4, p0 / 4 + 3)), Array.from(ints.subarray(p1 / 4, p1 / 4 + 2)), p1 - p0], tooMany,
}));
"""


def run_script() -> dict:
    node = shutil.which("node")
    assert node, "node is needed; install Node.js 20+"
    done = subprocess.run([node, "--input-type=module", "-e", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_wasm_arena_free_list_and_scratch_and_named_arguments():
    got = run_script()
    assert got["overlaps"] == 0
    assert got["unsorted"] == 0 and got["unmerged"] == 0
    assert got["free"] == [{"start": got["reserved"], "end": got["end"]}]
    assert got["end"] > 17 * 65536  # it grew
    assert got["names"] == ["x", "y", "outer", "axis", "inner", "log"]
    assert got["inOrder"] == got["reordered"] == [1, 2, 3, 4, 5, 0]
    assert "'log' missing" in got["missing"]
    assert "'axis' missing" in got["undef"]
    assert got["scratch"] == [[7, 8, 9], [5, 6], 24]
    assert "do not fit" in got["tooMany"]
