"""Warm latency of webedge's runtime now against the runtime of a git ref (default 071efef, before
the op units), on the real models the tests use, in headless Chromium, in one run.

Each model is bundled twice with --backend webedge: by this tree, and by the ref's own code (a
temporary git worktree, imported ahead of this tree's editable install). Rounds alternate the two
bundles, the order flipping every round; each measurement is `webedge test`'s warm_mean_ms, the
mean of back-to-back warm inferences on one thread (no cross-origin isolation), as
runtime_vs_ort.py measures it. The load average is printed with every round, and the table gives
each model's median over the rounds, the ratio now / before of the medians and of the fastest
rounds (the least disturbed on a busy machine), lower is better.

    python bench/runtime_before_after.py [--ref 071efef] [--models magika,ppocr-cls,silero-vad,ppocr-det]
                                         [--rounds 5] [--runs 50]
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="071efef")
    ap.add_argument("--models", default="magika,ppocr-cls,silero-vad,ppocr-det")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--json")
    a = ap.parse_args()
    names = a.models.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tree = tmp / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), a.ref], cwd=ROOT, check=True, capture_output=True)
        try:
            sites, inputs = {}, {}
            for name in names:
                model = pretrained.fetch(name)
                inputs[name] = inputs_for(name, tmp)
                sites[name] = {"now": tmp / f"{name}-now", "before": tmp / f"{name}-before"}
                bundle(model, sites[name]["now"], backend="webedge", force=True)
                bundle_at(tree, model, sites[name]["before"])
            times = {name: {"now": [], "before": []} for name in names}
            correct = True
            for r in range(a.rounds):
                order = ["before", "now"] if r % 2 == 0 else ["now", "before"]
                load = os.getloadavg()
                line = []
                for name in names:
                    npz, dims = inputs[name]
                    for which in order:
                        rep = check(sites[name][which], model=pretrained.fetch(name), inputs=npz, dims=dims,
                                    warm_runs=a.runs, reload=False, threads=False)
                        correct &= rep.ok
                        times[name][which].append(rep.timings["warm_mean_ms"])
                    line.append(f"{name} {times[name]['before'][-1]:.2f}/{times[name]['now'][-1]:.2f}")
                print(f"round {r + 1}: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
                      f"warm ms before/now: {', '.join(line)}", file=sys.stderr)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    print(f"warm latency, mean of {a.runs} back-to-back inferences, 1 thread, median of {a.rounds} interleaved rounds")
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
