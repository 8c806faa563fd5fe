"""webedge runtime: warm latency on 1 thread vs N threads (workers over shared memory).

    python bench/threads.py [--models magika,ppocr-det,ppocr-det-640] [--runs 20] [--rounds 3]
    python bench/threads.py --break-even [--runs 15]   # warm ms by split threshold, 2 threads

Models are bundled with --backend webedge and served by a BundleServer with COOP/COEP (cross-origin
isolated, gzip like a CDN); each column loads the bundle in a fresh page of headless Chromium with
`webedge.load('/model.json', {threads})`, runs 5 times untimed, then times --runs warm inferences
(median).
  1 thread (not isolated)  the same bundle from a server without COOP/COEP: the single-thread kernels
                           on a plain memory, what a page that is not isolated gets;
  1 thread / N threads     isolated, `threads: 1` / the default (min(hardwareConcurrency, 4)).
Columns alternate within a round and every cell is the median over --rounds rounds, because other
processes on a small machine make single runs noisy. Inputs: Magika, 4 real files' features
(as bench/runtime_vs_ort.py); PP-OCR det, seeded noise [1, 3, 96, 160] (as runtime_vs_ort.py) and a
[1, 3, 480, 640] page-sized image (ppocr-det-640).

--break-even measures where splitting starts to pay, the choice of MIN_SHARE_FLOPS (threads.mjs): per
model, one isolated 2-thread session runs the model with each split threshold in turn (pool.minShareFlops:
an op is split only into shares of at least that many flops), --runs times each, median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runtime_vs_ort import inputs_for  # noqa: E402

from webedge import pretrained  # noqa: E402
from webedge.bundle import bundle  # noqa: E402
from webedge.serve import BundleServer  # noqa: E402
from webedge.testing import browser  # noqa: E402
from webedge.testing.harness import _serve_inputs  # noqa: E402

MODEL_PAGE_JS = """async ({threads, runs, inputs}) => {
  const webedge = await import('/webedge.mjs');
  const ARR = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array };
  const blob = new Uint8Array(await (await fetch('/__webedge__/inputs.bin')).arrayBuffer());
  const feeds = {};
  for (const i of inputs) feeds[i.name] = { data: new ARR[i.dtype](blob.slice(i.offset, i.offset + i.length).buffer), dims: i.dims, type: i.dtype };
  const model = await webedge.load('/model.json', { threads, stream: false, cache: false });
  for (let k = 0; k < 5; k++) await model.run(feeds); // JIT warm-up of the JS ops too
  const warm = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await model.run(feeds);
    warm.push(performance.now() - t);
  }
  await model.dispose();
  warm.sort((a, b) => a - b);
  return { threads: model.threads, isolated: crossOriginIsolated, median: warm[warm.length >> 1] };
}"""

# One 2-thread session; runs alternate over the split thresholds (the wasm device's pool.minShareFlops),
# 5 untimed first.
SCAN_PAGE_JS = """async ({inputs, thresholds, runs}) => {
  const manifest = await (await fetch('/model.json')).json();
  const rt = await import('/' + manifest.backend.files.find((f) => f.role === 'executor').file);
  const get = async (f) => new Uint8Array(await (await fetch('/' + f)).arrayBuffer());
  const kernels = [];
  for (const f of manifest.backend.files.filter((f) => f.role === 'kernel-mt')) kernels.push([f.file, await get(f.file)]);
  const shards = [];
  for (const s of manifest.shards) shards.push(await get(s.file));
  const session = await rt.createWebedgeSession({ manifest, planBytes: await get(manifest.backend.graph.file), kernels,
    shards, threads: 2 });
  const ARR = { float32: Float32Array, int32: Int32Array };
  const blob = new Uint8Array(await (await fetch('/__webedge__/inputs.bin')).arrayBuffer());
  const feeds = {};
  for (const i of inputs) feeds[i.name] = { data: new ARR[i.dtype](blob.slice(i.offset, i.offset + i.length).buffer), dims: i.dims, type: i.dtype };
  for (let k = 0; k < 5; k++) await session.run(feeds);
  const times = thresholds.map(() => []);
  for (let k = 0; k < runs; k++) {
    for (let j = 0; j < thresholds.length; j++) {
      session.executor.devices.wasm.pool.minShareFlops = thresholds[j] ?? Infinity;
      const t = performance.now();
      await session.run(feeds);
      times[j].push(performance.now() - t);
    }
  }
  await session.dispose();
  return { threads: session.threads, median: times.map((a) => a.sort((x, y) => x - y)[a.length >> 1]) };
}"""
THRESHOLDS = [0.25e6, 1e6, 2e6, 3e6, 4e6, 8e6, 16e6, None]  # flops per share; None: never split


def _open(b, server: BundleServer, script: str, args: dict) -> dict:
    context = b.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "__webedge__/harness.html")
        return page.evaluate(script, args)
    finally:
        context.close()


def model_inputs(name: str, tmp: Path) -> tuple[Path, dict[str, np.ndarray]]:
    if name == "ppocr-det-640":
        x = np.random.default_rng(0).random((1, 3, 480, 640)).astype(np.float32)
        return pretrained.fetch("ppocr-det"), {"x": x}
    npz, _ = inputs_for(name, tmp)
    return pretrained.fetch(name), dict(np.load(npz))


def measure_model(b, name: str, runs: int, rounds: int, tmp: Path) -> dict:
    model, feeds = model_inputs(name, tmp)
    out = tmp / name
    bundle(model, out, backend="webedge", force=True)
    servers = {iso: BundleServer(out, isolate=iso).start() for iso in (True, False)}
    cells: dict[str, list[float]] = {"plain": [], "one": [], "many": []}
    threads = None
    try:
        args = {s: _serve_inputs(server, feeds) for s, server in servers.items()}
        for _ in range(rounds):
            plain = _open(b, servers[False], MODEL_PAGE_JS, {"threads": None, "runs": runs, "inputs": args[False]})
            one = _open(b, servers[True], MODEL_PAGE_JS, {"threads": 1, "runs": runs, "inputs": args[True]})
            many = _open(b, servers[True], MODEL_PAGE_JS, {"threads": None, "runs": runs, "inputs": args[True]})
            assert plain["threads"] == 1 and not plain["isolated"] and one["threads"] == 1 and many["isolated"]
            threads = many["threads"]
            for key, r in (("plain", plain), ("one", one), ("many", many)):
                cells[key].append(r["median"])
    finally:
        for server in servers.values():
            server.stop()
    return {"model": name, "threads": threads, **{k: statistics.median(v) for k, v in cells.items()}}


def break_even(b, name: str, runs: int, tmp: Path) -> list[float]:
    """Median warm ms of `name` on 2 threads for each of THRESHOLDS."""
    model, feeds = model_inputs(name, tmp)
    out = tmp / f"{name}-scan"
    bundle(model, out, backend="webedge", force=True, compress=False)  # the page reads shards raw
    server = BundleServer(out).start()
    try:
        return _open(b, server, SCAN_PAGE_JS, {"runs": runs, "inputs": _serve_inputs(server, feeds),
                                               "thresholds": THRESHOLDS})["median"]
    finally:
        server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="magika,ppocr-det,ppocr-det-640")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--break-even", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, browser.launch(webgpu=False) as b:
        if a.break_even:
            print(f"{'model':<14} " + " ".join(f"{'never' if t is None else f'{t / 1e6:g} MF':>8}" for t in THRESHOLDS)
                  + "   (warm ms on 2 threads, by minimum flops per share)")
            for name in a.models.split(","):
                row = break_even(b, name, a.runs, Path(tmp))
                print(f"{name:<14} " + " ".join(f"{v:>8.2f}" for v in row))
            return 0
        rows = []
        for name in a.models.split(","):
            rows.append(measure_model(b, name, a.runs, a.rounds, Path(tmp)))
            print(f"measured {name}", file=sys.stderr)
    n = rows[0]["threads"]
    print(f"{'model':<14} {'1 thread, not isolated':>23} {'1 thread':>9} {f'{n} threads':>10} {'speed-up':>9}   (warm ms)")
    for r in rows:
        print(f"{r['model']:<14} {r['plain']:>23.2f} {r['one']:>9.2f} {r['many']:>10.2f} {r['one'] / r['many']:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
