"""The same bundles in Chromium, Firefox and WebKit: load phases and latency side by side, one run.

For each real model (bundled once on the webedge runtime) and each network, every engine runs
`webedge.testing.check` once per round; the engines' order rotates from round to round so that
a noisy moment of the shared machine does not land on one engine. Printed per model and network:
the median over rounds of each load phase (ms since page start: runtime downloaded, weights
downloaded, backend ready, first result) and of warm inference (mean of back-to-back runs), with
the ratio to Chromium measured in the same run. The page is cross-origin isolated (threads where
the engine has them), streaming on.

Network emulation differs by engine and is printed with the numbers: Chromium throttles itself
(DevTools), Firefox and WebKit get the same preset from the test server's shaped link.
WebKit's warm-cache reload is not measurable (its test session keeps no Cache API storage).

    python bench/engines.py [--models magika,ppocr-cls] [--networks none,4g] [--rounds 3] [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runtime_vs_ort import inputs_for  # noqa: E402  (same real inputs as the other benchmarks)

from webedge import pretrained  # noqa: E402
from webedge.bundle import bundle  # noqa: E402
from webedge.testing import check  # noqa: E402
from webedge.testing.drivers import ENGINES  # noqa: E402

PHASES = [("runtime_ms", "runtime"), ("weights_ms", "weights"), ("ready_ms", "ready"),
          ("first_result_ms", "first result"), ("warm_mean_ms", "warm inference")]
DIMS = {"ppocr-cls": {"x_dim0": 1, "x_dim2": 48, "x_dim3": 192}}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default="magika,ppocr-cls")
    p.add_argument("--networks", default="none,4g")
    p.add_argument("--engines", default=",".join(ENGINES))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=10, help="warm inferences per check")
    a = p.parse_args()
    engines = a.engines.split(",")
    print(f"1-min load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="engines-bench-") as tmp:
        tmp = Path(tmp)
        for name in a.models.split(","):
            model = pretrained.fetch(name)
            site = tmp / name
            bundle(model, site, backend="webedge")
            npz, _ = inputs_for(name, tmp)
            for net in a.networks.split(","):
                got: dict[str, list[dict]] = {e: [] for e in engines}
                versions, threads, network_text = {}, {}, {}
                for r in range(a.rounds):
                    order = engines[r % len(engines):] + engines[:r % len(engines)]
                    for engine in order:
                        rep = check(site, model=model, inputs=npz, dims=None if npz else DIMS.get(name),
                                    network_preset=net, warm_runs=a.runs, browser=engine, reload=False)
                        if not rep.ok:
                            print(f"{name} {net} {engine}: FAILED {rep.failures}")
                            continue
                        got[engine].append(rep.timings)
                        versions[engine], threads[engine], network_text[engine] = rep.browser, rep.threads, rep.network
                print(f"\n## {name}, network {net}, {a.rounds} rounds (median ms; ratio to chromium)")
                print("  " + "  ".join(f"{versions.get(e, e)} ({threads.get(e, '?')} threads)" for e in engines))
                for e in engines:
                    if network_text.get(e, net) != net:
                        print(f"  {e}: network {network_text[e]}")
                print(f"  {'phase':<16}" + "".join(f"{e:>22}" for e in engines))
                for key, label in PHASES:
                    base = statistics.median(t[key] for t in got["chromium"]) if got.get("chromium") else None
                    cells = []
                    for e in engines:
                        if not got[e]:
                            cells.append(f"{'-':>22}")
                            continue
                        v = statistics.median(t[key] for t in got[e])
                        ratio = f" ({v / base:.2f}x)" if base else ""
                        cells.append(f"{v:>13.1f}{ratio:>9}")
                    print(f"  {label:<16}" + "".join(cells))
    print(f"\n1-min load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
