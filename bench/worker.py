"""Worker mode: what `load(url, {worker: true})` costs and what it buys, against the main thread.

    python bench/worker.py [--models magika,ppocr-det-640] [--runs 10] [--rounds 3]

Each model is bundled with --backend webedge and served cross-origin isolated (2 threads on this
machine, in either mode). Per cell, a fresh page of headless Chromium starts a 5 ms setInterval
(its longest gap between ticks is the page's longest stall: what a user feels as a frozen page),
then `load()` with the Cache API off, awaits `model.loaded`, times the first run and --runs warm
runs (median). Modes alternate within a round; every figure is the median over --rounds rounds.
  ready        ms from calling load() to `model.loaded` resolving (worker: includes starting it)
  first        the first run()
  warm         median warm run() (worker: includes posting inputs and the transferred outputs)
  stall load   the page's longest gap between timer ticks while loading and running first
  stall warm   the same during the warm runs
Inputs as bench/threads.py: Magika 4 real files, PP-OCR det a seeded [1, 3, 480, 640] image.
Prints a markdown table with the worker/main ratio of each figure, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from threads import model_inputs  # noqa: E402

from webedge.bundle import bundle  # noqa: E402
from webedge.serve import BundleServer  # noqa: E402
from webedge.testing import browser  # noqa: E402
from webedge.testing.harness import _serve_inputs  # noqa: E402

PAGE_JS = """async ({worker, runs, inputs}) => {
  const webedge = await import('/webedge.mjs');
  const ARR = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array };
  const blob = new Uint8Array(await (await fetch('/__webedge__/inputs.bin')).arrayBuffer());
  const feeds = {};
  for (const i of inputs) feeds[i.name] = { data: new ARR[i.dtype](blob.slice(i.offset, i.offset + i.length).buffer), dims: i.dims, type: i.dtype };
  let last = performance.now(), stall = 0;
  const timer = setInterval(() => { const t = performance.now(); stall = Math.max(stall, t - last); last = t; }, 5);
  const t0 = performance.now();
  const model = await webedge.load('/model.json', { worker, cache: false });
  await model.loaded;
  const ready = performance.now() - t0;
  const f0 = performance.now();
  await model.run(feeds);
  const first = performance.now() - f0;
  await new Promise((r) => setTimeout(r, 20));
  const stallLoad = stall;
  stall = 0; last = performance.now();
  const warm = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await model.run(feeds);
    warm.push(performance.now() - t);
  }
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  await model.dispose();
  warm.sort((a, b) => a - b);
  return { worker: model.worker, threads: model.threads, ready, first, warm: warm[warm.length >> 1], stallLoad, stallWarm: stall };
}"""
FIGURES = ("ready", "first", "warm", "stallLoad", "stallWarm")


def measure(b, name: str, runs: int, rounds: int, tmp: Path) -> dict:
    model, feeds = model_inputs(name, tmp)
    out = tmp / name
    bundle(model, out, backend="webedge", force=True)
    server = BundleServer(out).start()
    cells = {mode: {k: [] for k in FIGURES} for mode in (False, True)}
    threads = set()
    try:
        args = _serve_inputs(server, feeds)
        for _ in range(rounds):
            for mode in (False, True):
                context = b.new_context()
                try:
                    page = context.new_page()
                    page.goto(server.url + "__webedge__/harness.html")
                    r = page.evaluate(PAGE_JS, {"worker": mode, "runs": runs, "inputs": args})
                finally:
                    context.close()
                assert r["worker"] is mode, r
                threads.add(r["threads"])
                for k in FIGURES:
                    cells[mode][k].append(r[k])
    finally:
        server.stop()
    return {"model": name, "threads": sorted(threads),
            **{f"{k}_{'worker' if m else 'main'}": statistics.median(v[k]) for m, v in cells.items() for k in FIGURES}}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="magika,ppocr-det-640")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, browser.launch(webgpu=False) as b:
        for name in a.models.split(","):
            rows.append(measure(b, name, a.runs, a.rounds, Path(tmp)))
            print(f"  measured {name}", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}\n")
    labels = {"ready": "ready (load to model.loaded)", "first": "first run", "warm": f"warm run (median of {a.runs})",
              "stallLoad": "longest page stall, load + first run", "stallWarm": "longest page stall, warm runs"}
    print("| model | figure | main thread | worker | worker / main |")
    print("|---|---|---:|---:|---:|")
    for r in rows:
        for i, k in enumerate(FIGURES):
            main_v, worker_v = r[f"{k}_main"], r[f"{k}_worker"]
            name = f"{r['model']} ({', '.join(map(str, r['threads']))} threads)" if i == 0 else ""
            print(f"| {name} | {labels[k]} | {main_v:.1f} ms | {worker_v:.1f} ms | {worker_v / main_v:.2f} |")


if __name__ == "__main__":
    main()
