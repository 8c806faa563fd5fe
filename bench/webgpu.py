"""webedge on WebGPU against webedge on wasm and onnxruntime-web's WebGPU EP, same models and pages.

For each real model three bundles: `--backend webedge --ep webgpu` (run on WebGPU), `--backend
webedge` (wasm) and `--backend ort --ep webgpu` (onnxruntime-web 1.30's WebGPU build, run on
WebGPU). Each round runs every bundle once in headless Chromium (order rotated per round), checked
against Python onnxruntime; printed: runtime bytes (report.json, gzip: what a page downloads before
the first weight byte), cold load (backend ready, first result), warm inference (mean of --runs),
whether the outputs matched, and for webedge where the nodes ran. Ratios are to webedge-wasm.

Here the WebGPU adapter is SwiftShader (a CPU emulation): its bytes and correctness mean what they
say, its timings say little. On a machine with a GPU the same command measures the GPU (Chromium
picks the hardware adapter when the SwiftShader flags are not forced: --gpu).

    python bench/webgpu.py [--models ppocr-cls,ppocr-det,magika,silero-vad] [--rounds 3] [--runs 10] [--gpu]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runtime_vs_ort import inputs_for  # noqa: E402  (the same real inputs as the other benchmarks)

from webedge import pretrained  # noqa: E402
from webedge.bundle import bundle  # noqa: E402
from webedge.testing import browser, check  # noqa: E402

KINDS = {  # name: (bundle kwargs, backend to run)
    "webedge-webgpu": ({"backend": "webedge", "ep": "webgpu"}, "webgpu"),
    "webedge-wasm": ({"backend": "webedge"}, "wasm"),
    "ort-webgpu": ({"backend": "ort", "ep": "webgpu"}, "webgpu"),
}
DIMS = {"ppocr-cls": {"x_dim0": 1, "x_dim2": 48, "x_dim3": 192}, "magika": {"unk__214": 4}}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default="ppocr-cls,ppocr-det,magika,silero-vad")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--gpu", action="store_true", help="use the machine's GPU adapter instead of SwiftShader")
    a = p.parse_args()
    if a.gpu:
        browser.WEBGPU_ARGS[:] = ["--enable-unsafe-webgpu", "--enable-features=Vulkan,WebGPU"]
    print(f"1-min load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; adapter: "
          f"{'the machine GPU' if a.gpu else 'SwiftShader (timings say little)'}")
    with tempfile.TemporaryDirectory(prefix="webgpu-bench-") as tmp:
        tmp = Path(tmp)
        for name in a.models.split(","):
            model = pretrained.fetch(name)
            npz, _ = inputs_for(name, tmp)
            sites, got, placement, fallback = {}, {k: [] for k in KINDS}, {}, {}
            for kind, (kwargs, _) in KINDS.items():
                sites[kind] = tmp / f"{name}-{kind}"
                bundle(model, sites[kind], **kwargs)
            for r in range(a.rounds):
                kinds = list(KINDS)
                for kind in kinds[r % len(kinds):] + kinds[:r % len(kinds)]:
                    rep = check(sites[kind], model=model, inputs=npz, dims=None if npz else DIMS.get(name),
                                backend=KINDS[kind][1], warm_runs=a.runs, reload=False)
                    got[kind].append(rep)
                    placement[kind], fallback[kind] = rep.placement, rep.fallback
            print(f"\n## {name} ({a.rounds} rounds, medians; ratio to webedge-wasm)")
            print(f"  {'':<16}{'runtime gzip':>14}{'ready ms':>18}{'first result ms':>20}{'warm ms':>18}  outputs")
            base = {k: statistics.median(x.timings[k] for x in got["webedge-wasm"] if x.timings)
                    for k in ("ready_ms", "first_result_ms", "warm_mean_ms")} if got["webedge-wasm"][0].timings else {}
            for kind in KINDS:
                runs = [x for x in got[kind] if x.timings]
                size = json.loads((sites[kind] / "report.json").read_text())["totals"]["runtime"]["gzip"]
                cells = []
                for k in ("ready_ms", "first_result_ms", "warm_mean_ms"):
                    if not runs:
                        cells.append(f"{'-':>18}")
                        continue
                    v = statistics.median(x.timings[k] for x in runs)
                    cells.append(f"{v:>10.1f} ({v / base[k]:.2f}x)" if base.get(k) else f"{v:>18.1f}")
                ok = "match" if all(x.ok for x in got[kind]) else "FAIL: " + "; ".join(got[kind][-1].failures[:1])
                print(f"  {kind:<16}{size:>14,}{''.join(cells)}  {ok}")
            for kind in ("webedge-webgpu",):
                counts: dict[str, int] = {}
                for devices in (placement.get(kind) or {}).values():
                    for d, n in devices.items():
                        counts[d] = counts.get(d, 0) + n
                total = sum(counts.values()) or 1
                print(f"  {kind} placement: " + ", ".join(f"{d} {n} ({n / total:.0%})" for d, n in sorted(counts.items()))
                      + (f"; fell back: {fallback[kind]}" if fallback.get(kind) else ""))
    print(f"\n1-min load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
