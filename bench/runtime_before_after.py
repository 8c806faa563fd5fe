"""Warm latency of webedge's runtime now against the runtime of a git ref (default 071efef, before
the op units), on the real models the tests use, in headless Chromium, in one run.

Each model is bundled twice with --backend webedge: by this tree, and by the ref's own code (a
temporary git worktree, imported ahead of this tree's editable install). Both bundles are checked
once against onnxruntime (`webedge test`). Then one page (not cross-origin isolated: one thread, as
runtime_vs_ort.py measures) loads both bundles and alternates them in rounds of back-to-back warm
inferences, the order flipping every round, so both see the same machine at the same time; each
round's figure is the mean per inference. The load average is printed with every model, and the
table gives each model's median over the rounds, and the ratios now / before of the medians and
of the fastest rounds (the least disturbed on a busy machine); lower is better.

    python bench/runtime_before_after.py [--ref 071efef] [--models magika,ppocr-cls,silero-vad,ppocr-det]
                                         [--rounds 16] [--runs 40]
"""

from __future__ import annotations

import argparse
import json
import os
import site
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from webedge import pretrained
from webedge.bundle import bundle
from webedge.testing import check

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from runtime_vs_ort import inputs_for  # noqa: E402

# Bundle with the webedge package of the tree in argv[1] (site disabled: this tree's editable
# install would win otherwise), argv[2] the site-packages to use, argv[3] model, argv[4] output.
BUNDLE_WITH_TREE = """
import json, sys
tree, packages, model, out = sys.argv[1:]
sys.path[:0] = [tree, *json.loads(packages)]
import webedge
assert webedge.__file__.startswith(tree), webedge.__file__
from webedge.bundle import bundle
bundle(model, out, backend="webedge", force=True)
"""


def bundle_at(tree: Path, model: Path, out: Path) -> None:
    done = subprocess.run([sys.executable, "-S", "-c", BUNDLE_WITH_TREE, str(tree), json.dumps(site.getsitepackages()),
                           str(model), str(out)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bundling {model.name} at {tree} failed:\n{done.stderr[-2000:]}")


# One page, both bundles (served under /before/ and /now/), alternating rounds of `runs` inferences.
ROUNDS_JS = """async ({inputs, rounds, runs}) => {
  const ARR = {float32: Float32Array, int32: Int32Array, int64: BigInt64Array};
  const feeds = {};
  for (const i of inputs) {
    const bytes = Uint8Array.from(atob(i.b64), (c) => c.charCodeAt(0));
    feeds[i.name] = {data: new ARR[i.dtype](bytes.buffer), dims: i.dims};
  }
  const models = {};
  for (const v of ['before', 'now']) {
    models[v] = await (await import(`/${v}/webedge.mjs`)).load(`/${v}/model.json`, {cache: false});
    for (let k = 0; k < 20; k++) await models[v].run(feeds);
  }
  const ms = {before: [], now: []};
  for (let r = 0; r < rounds; r++) {
    for (const v of (r % 2 ? ['now', 'before'] : ['before', 'now'])) {
      const t0 = performance.now();
      for (let k = 0; k < runs; k++) await models[v].run(feeds);
      ms[v].push((performance.now() - t0) / runs);
    }
  }
  return ms;
}"""


def interleaved(folder: Path, npz: Path, dims: dict, rounds: int, runs: int) -> dict:
    import base64

    import numpy as np

    from webedge.serve import BundleServer
    from webedge.testing import browser

    man = json.loads((folder / "now" / "model.json").read_text())
    data = dict(np.load(npz)) if npz else {}
    inputs = []
    for spec in man["inputs"]:
        arr = data.get(spec["name"])
        if arr is None:
            shape = [d if isinstance(d, int) else dims.get(d, 1) for d in spec["shape"]]
            arr = np.random.default_rng(0).random(shape).astype(spec["dtype"])
        inputs.append({"name": spec["name"], "dtype": str(arr.dtype), "dims": list(arr.shape),
                       "b64": base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode()})
    server = BundleServer(folder, isolate=False).start()
    try:
        with browser.launch(webgpu=False) as b:
            context = b.new_context()
            page = context.new_page()
            page.goto(server.blank_page())
            ms = page.evaluate(ROUNDS_JS, {"inputs": inputs, "rounds": rounds, "runs": runs})
            context.close()
    finally:
        server.stop()
    return ms


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="071efef")
    ap.add_argument("--models", default="magika,ppocr-cls,silero-vad,ppocr-det")
    ap.add_argument("--rounds", type=int, default=16)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--json")
    a = ap.parse_args()
    names = a.models.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tree = tmp / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), a.ref], cwd=ROOT, check=True, capture_output=True)
        try:
            times, correct = {}, True
            for name in names:
                model = pretrained.fetch(name)
                npz, dims = inputs_for(name, tmp)
                folder = tmp / name
                folder.mkdir()
                bundle(model, folder / "now", backend="webedge", force=True)
                bundle_at(tree, model, folder / "before")
                for which in ("before", "now"):  # both right, before timing them
                    rep = check(folder / which, model=model, inputs=npz, dims=dims, warm_runs=1, reload=False, threads=False)
                    correct &= rep.ok
                load = os.getloadavg()
                times[name] = interleaved(folder, npz, dims, a.rounds, a.runs)
                print(f"{name}: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before, "
                      f"{' '.join(f'{v:.2f}' for v in os.getloadavg())} after", file=sys.stderr)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    print(f"warm latency, mean of {a.runs} back-to-back inferences per round, 1 thread, {a.rounds} interleaved rounds "
          "in one page")
    print(f"{'model':<11} {f'{a.ref} (ms)':>14} {'now (ms)':>10} {'now/before':>11} {'fastest':>8}  per-round ratios")
    rows = []
    for name in names:
        before, now = times[name]["before"], times[name]["now"]
        b, n = statistics.median(before), statistics.median(now)
        ratios = [x / y for x, y in zip(now, before)]
        rows.append({"model": name, "before_ms": before, "now_ms": now})
        print(f"{name:<11} {b:>14.2f} {n:>10.2f} {n / b:>11.3f} {min(now) / min(before):>8.3f}  "
              f"{' '.join(f'{x:.2f}' for x in ratios)}")
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; all outputs match onnxruntime: "
          f"{'yes' if correct else 'NO'}")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
