"""Issue 12's warm targets in one run: webedge / onnxruntime-web (<= 0.7) and webedge / native
onnxruntime on one thread (<= 3), on every real model the tests use, and on a generated CNN+LSTM
text-line recogniser (`crnn`, bench/crnn_model.py: none of the real models is one).

What each engine runs (same inputs for all three: bench/runtime_vs_ort.py's `inputs_for`):
  - webedge: `webedge bundle --backend webedge` (default encoding: fp32 weights, no quantization),
    its plan after webedge's folding and fusion, in headless Chromium;
  - onnxruntime-web: `webedge bundle --backend ort` of the same model (fp32 weights), the bundle's
    graph in onnxruntime-web's wasm build, in the same Chromium page;
  - native: onnxruntime (this Python process) on the original fp32 ONNX file, default graph
    optimizations, intra_op_num_threads=1, inter_op_num_threads=1, sequential execution.
The bundles are fp32 because that is the bundler's default; native runs the same fp32 weights, so
no engine computes in lower precision than another. The page is not cross-origin isolated: both
browser engines get one thread.

Each bundle is first checked against onnxruntime (`webedge.testing.check`). Then one page loads
every bundle, and rounds follow: round r times every engine on every model (engine order rotating
per round) before round r+1 starts, and prints the load average at its start and end. One timing
is a loop of back-to-back warm inferences, run until it has lasted >= --seconds and >= --min-runs
runs, divided by the run count (performance.now() ticks in 0.1 ms steps here, so the whole loop is
timed, never one run). The table gives the median over rounds per engine, the ratios of the
medians, the per-round ratios, which kernel variant webedge ran (the loaded model's `simd` field
where the loader has one, else n/a; and which kernels/ folder the page fetched), and webedge's and
native's GFLOP/s over the heavy ops (bench/flops.py; n/a where they sit in subgraphs).

    python bench/warm_vs_native.py [--models magika,ppocr-cls,ppocr-det,ppocr-rec,silero-vad,crnn]
                                   [--rounds 3] [--seconds 1] [--min-runs 30] [--json out.json]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flops  # noqa: E402
from crnn_model import save_crnn  # noqa: E402
from runtime_vs_ort import inputs_for  # noqa: E402

from webedge import pretrained  # noqa: E402
from webedge.bundle import bundle  # noqa: E402
from webedge.errors import WebedgeError  # noqa: E402
from webedge.testing import check  # noqa: E402

MODELS = "magika,ppocr-cls,ppocr-det,ppocr-rec,silero-vad,crnn"
GENERATED = {"crnn": save_crnn}  # name -> writer of the model into a folder
TARGET_WEB, TARGET_NATIVE = 0.7, 3.0
ENGINES = ("webedge", "ort", "native")

# Load every bundle (served at /<model>/<backend>/) with its feeds, warm each up.
SETUP_JS = """async ({models, warmup}) => {
  const ARR = {float32: Float32Array, int32: Int32Array, int64: BigInt64Array};
  window.bench = {};
  const info = {};
  for (const [name, inputs] of Object.entries(models)) {
    const feeds = {};
    for (const i of inputs) {
      const bytes = Uint8Array.from(atob(i.b64), (c) => c.charCodeAt(0));
      feeds[i.name] = {data: new ARR[i.dtype](bytes.buffer), dims: i.dims};
    }
    for (const backend of ['webedge', 'ort']) {
      const base = `/${name}/${backend}/`;
      const model = await (await import(base + 'webedge.mjs')).load(base + 'model.json', {cache: false});
      for (let k = 0; k < warmup; k++) await model.run(feeds);
      window.bench[`${name}/${backend}`] = {model, feeds};
      if (backend === 'webedge') {
        const dirs = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)
          .filter((p) => p.startsWith(base + 'kernels/') && p.endsWith('.wasm'))
          .map((p) => p.slice(base.length, p.lastIndexOf('/') + 1));
        info[name] = {simd: model.simd ?? 'n/a', kernels: [...new Set(dirs)].join(' '), threads: model.threads};
      }
    }
  }
  return info;
}"""

# One timing: back-to-back warm runs until >= minMs and >= minRuns; ms per run.
TIME_JS = """async ({key, minMs, minRuns}) => {
  const {model, feeds} = window.bench[key];
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (n < minRuns || t - t0 < minMs) {
    await model.run(feeds);
    n++;
    t = performance.now();
  }
  return (t - t0) / n;
}"""


def native_session(model: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def time_native(session, feeds: dict, min_s: float, min_runs: int) -> float:
    n = 0
    t0 = t = time.perf_counter()
    while n < min_runs or t - t0 < min_s:
        session.run(None, feeds)
        n += 1
        t = time.perf_counter()
    return (t - t0) * 1e3 / n


def feeds_for(model: Path, npz: Path | None) -> dict:
    """The inputs every engine gets: the npz's arrays, seeded noise for any input it lacks."""
    data = dict(np.load(npz)) if npz else {}
    for spec in native_session(model).get_inputs():
        if spec.name not in data:
            shape = [d if isinstance(d, int) else 1 for d in spec.shape]
            data[spec.name] = np.random.default_rng(0).random(shape).astype(np.float32)
    return data


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def prepare(names: list[str], tmp: Path) -> tuple[dict, list[str]]:
    """Bundle and check each model; {name: facts}, and one line per model that could not be used."""
    ready, failed = {}, []
    for name in names:
        try:
            model = GENERATED[name](tmp) if name in GENERATED else pretrained.fetch(name)
        except WebedgeError as exc:
            failed.append(f"{name}: cannot fetch the model: {exc}")
            continue
        npz, dims = inputs_for(name, tmp)
        feeds = feeds_for(model, npz)
        facts = {"model": model, "feeds": feeds, "ok": True, "runs": {}}
        for backend in ("webedge", "ort"):
            out = tmp / "site" / name / backend
            out.parent.mkdir(parents=True, exist_ok=True)
            rep = bundle(model, out, backend=backend, force=True)
            enc = (rep.get("quantization") or {}).get("encoding", "fp32")
            graph = json.loads((out / "model.json").read_text())["backend"]["graph"]["file"]
            facts["runs"][backend] = f"{graph} ({enc} weights)"
            verdict = check(out, model=model, inputs=npz, dims=dims, warm_runs=1, reload=False, threads=False)
            facts["ok"] &= verdict.ok
        facts["runs"]["native"] = f"{model.name} (fp32 original, onnxruntime, 1 thread)"
        facts["flops"] = flops.count(model, feeds)
        facts["session"] = native_session(model)
        ready[name] = facts
        print(f"{name}: bundled and checked, outputs {'match' if facts['ok'] else 'DO NOT match'} onnxruntime; "
              f"inputs {', '.join(f'{k} {list(v.shape)}' for k, v in feeds.items())}", file=sys.stderr)
    return ready, failed


def measure(ready: dict, tmp: Path, rounds: int, seconds: float, min_runs: int) -> tuple[dict, dict]:
    from webedge.serve import BundleServer
    from webedge.testing import browser

    pages = {name: [{"name": k, "dtype": str(v.dtype), "dims": list(v.shape),
                     "b64": base64.b64encode(np.ascontiguousarray(v).tobytes()).decode()}
                    for k, v in f["feeds"].items()] for name, f in ready.items()}
    ms = {name: {e: [] for e in ENGINES} for name in ready}
    server = BundleServer(tmp / "site", isolate=False).start()
    try:
        with browser.launch(webgpu=False) as b:
            context = b.new_context()
            page = context.new_page()
            page.goto(server.blank_page())
            info = page.evaluate(SETUP_JS, {"models": pages, "warmup": 5})
            for f in ready.values():
                for _ in range(5):
                    f["session"].run(None, f["feeds"])
            for r in range(rounds):
                print(f"round {r + 1}: load average {load()} at the start", file=sys.stderr)
                order = ENGINES[r % 3:] + ENGINES[:r % 3]
                for name, f in ready.items():
                    for engine in order:
                        if engine == "native":
                            t = time_native(f["session"], f["feeds"], seconds, min_runs)
                        else:
                            t = page.evaluate(TIME_JS, {"key": f"{name}/{engine}", "minMs": seconds * 1e3,
                                                        "minRuns": min_runs})
                        ms[name][engine].append(t)
                print(f"round {r + 1}: load average {load()} at the end", file=sys.stderr)
            context.close()
    finally:
        server.stop()
    return ms, info


def report(ready: dict, ms: dict, info: dict, a) -> list[dict]:
    print(f"warm inference, 1 thread: ms per run, median of {a.rounds} interleaved rounds (loops of >= {a.seconds:g} s "
          f"and >= {a.min_runs} runs); targets webedge/ort-web <= {TARGET_WEB}, webedge/native <= {TARGET_NATIVE}")
    print(f"{'model':<11} {'webedge':>9} {'ort-web':>9} {'native':>9} {'/ort-web':>9} {'/native':>8}  "
          f"{'GFLOP/s we/nat':>15}  {'simd':>5}  kernels   per-round /ort-web | /native")
    rows = []
    for name, f in ready.items():
        med = {e: statistics.median(ms[name][e]) for e in ENGINES}
        web, nat = med["webedge"] / med["ort"], med["webedge"] / med["native"]
        per_web = [w / o for w, o in zip(ms[name]["webedge"], ms[name]["ort"])]
        per_nat = [w / n for w, n in zip(ms[name]["webedge"], ms[name]["native"])]
        fl = f["flops"]
        gf = f"{fl / med['webedge'] / 1e6:.1f}/{fl / med['native'] / 1e6:.1f}" if fl else "n/a"
        meets = f"{'meets' if web <= TARGET_WEB else 'MISSES'}/{'meets' if nat <= TARGET_NATIVE else 'MISSES'}"
        i = info.get(name, {})
        print(f"{name:<11} {med['webedge']:>9.3f} {med['ort']:>9.3f} {med['native']:>9.3f} {web:>9.2f} {nat:>8.2f}  "
              f"{gf:>15}  {str(i.get('simd')):>5}  {i.get('kernels', '?'):<8}  "
              f"{' '.join(f'{x:.2f}' for x in per_web)} | {' '.join(f'{x:.2f}' for x in per_nat)}  {meets}"
              f"{'' if f['ok'] else '  OUTPUTS WRONG'}")
        rows.append({"model": name, "ms": ms[name], "median_ms": med, "ratio_ort_web": web, "ratio_native": nat,
                     "flops": fl, "runs": f["runs"], "webedge": i, "outputs_ok": f["ok"]})
    print("what each engine runs:")
    for name, f in ready.items():
        print(f"  {name}: webedge {f['runs']['webedge']}; ort-web {f['runs']['ort']}; native {f['runs']['native']}; "
              f"heavy-op flops {f['flops'] / 1e6:.1f} M" if f["flops"] else
              f"  {name}: webedge {f['runs']['webedge']}; ort-web {f['runs']['ort']}; native {f['runs']['native']}; "
              "heavy-op flops n/a (in subgraphs)")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0, help="least time of one timing loop")
    ap.add_argument("--min-runs", type=int, default=30, help="least runs of one timing loop")
    ap.add_argument("--json")
    a = ap.parse_args()
    names = a.models.split(",")
    known = [*pretrained.MODELS, *GENERATED]
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"error: unknown model {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        try:
            ready, failed = prepare(names, Path(tmp))
            for line in failed:
                print(f"error: {line}", file=sys.stderr)
            if not ready:
                return 1
            ms, info = measure(ready, Path(tmp), a.rounds, a.seconds, a.min_runs)
        except WebedgeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    rows = report(ready, ms, info, a)
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1, default=str))
    return 0 if not failed and all(r["outputs_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
