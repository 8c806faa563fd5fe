"""webedge's own runtime against onnxruntime-web, on the same real models, pages and network.

For each model, two bundles with the same weights: `--backend webedge` and `--backend ort`
(onnxruntime-web 1.30 wasm). Measured in headless Chromium in one run, served with gzip like a CDN:
  - runtime bytes: gzip size of what each runtime adds (from report.json);
  - cold first result: page start to the first inference's output, HTTP cache off, emulated 4G
    (9 Mb/s, 60 ms RTT), webedge streaming (its default);
  - steady-state latency: mean of back-to-back warm inferences (the whole loop's time / runs; the
    page is not cross-origin isolated, so performance.now() ticks in 0.1 ms steps and a per-run
    median cannot resolve sub-ms models), single-threaded for both (no isolation: onnxruntime-web
    gets no threads either).
Ratios are webedge / onnxruntime-web (lower is better for all three).

    python bench/runtime_vs_ort.py [--models magika,ppocr-cls,silero-vad,ppocr-det] [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from webedge import pretrained
from webedge.bundle import bundle
from webedge.testing import check

ROOT = Path(__file__).resolve().parents[1]


def inputs_for(name: str, folder: Path) -> tuple[Path | None, dict]:
    """(npz or None, dims) for a model: real-looking inputs where the model needs them."""
    rng = np.random.default_rng(0)
    path = folder / f"{name}.npz"
    if name == "magika":
        sys.path.insert(0, str(ROOT))
        from webedge.demo import sample_files, _ends
        from webedge.magika_features import features, load_config

        config = load_config(pretrained.fetch("magika", pretrained.MODELS["magika"].extras[0]))
        files = sample_files(4)
        rows = [features(f.read_bytes() if f.stat().st_size < 1 << 20 else _ends(f), config) for f in files]
        np.savez(path, bytes=np.stack(rows))
    elif name == "silero-vad":
        t = np.arange(512) / 16000
        audio = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(512)).astype(np.float32)
        np.savez(path, input=audio[None], state=np.zeros((2, 1, 128), np.float32), sr=np.array(16000, np.int64))
    elif name == "ppocr-cls":
        np.savez(path, x=rng.random((1, 3, 48, 192)).astype(np.float32))
    elif name == "ppocr-det":
        np.savez(path, x=rng.random((1, 3, 96, 160)).astype(np.float32))
    elif name == "ppocr-rec":  # one text line at PP-OCR's usual recognition size
        np.savez(path, x=rng.random((1, 3, 48, 320)).astype(np.float32))
    else:
        return None, {}
    return path, {}


def measure(name: str, runs: int, tmp: Path) -> dict:
    model = pretrained.fetch(name)
    npz, dims = inputs_for(name, tmp)
    row = {"model": name}
    for backend in ("webedge", "ort"):
        out = tmp / f"{name}-{backend}"
        rep = bundle(model, out, backend=backend, force=True)
        cold = check(out, model=model, inputs=npz, dims=dims, network_preset="4g", warm_runs=0, reload=False)
        warm = check(out, model=model, inputs=npz, dims=dims, warm_runs=runs, reload=False, threads=False)
        row[backend] = {
            "runtime_gzip": rep["totals"]["runtime"]["gzip"],
            "first_result_ms": cold.timings["first_result_ms"],
            "warm_ms": warm.timings["warm_mean_ms"],
            "ok": cold.ok and warm.ok,
        }
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="magika,ppocr-cls,silero-vad,ppocr-det")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--json")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.models.split(","):
            rows.append(measure(name, a.runs, Path(tmp)))
            r = rows[-1]
            print(f"measured {name}: webedge ok={r['webedge']['ok']}, ort ok={r['ort']['ok']}", file=sys.stderr)
    head = (f"{'model':<11} {'runtime gzip (kB)':>22} {'ratio':>7} {'cold 4G first result (ms)':>27} {'ratio':>7} "
            f"{'warm 1-thread (ms)':>21} {'ratio':>7}  correct")
    print(head)
    print(f"{'':<11} {'webedge':>10} {'ort-web':>11} {'':>7} {'webedge':>13} {'ort-web':>13} {'':>7} {'webedge':>10} {'ort-web':>10}")
    for r in rows:
        w, o = r["webedge"], r["ort"]
        print(f"{r['model']:<11} {w['runtime_gzip'] / 1e3:>10.1f} {o['runtime_gzip'] / 1e3:>11.1f} "
              f"{w['runtime_gzip'] / o['runtime_gzip']:>7.3f} {w['first_result_ms']:>13.0f} {o['first_result_ms']:>13.0f} "
              f"{w['first_result_ms'] / o['first_result_ms']:>7.2f} {w['warm_ms']:>10.2f} {o['warm_ms']:>10.2f} "
              f"{w['warm_ms'] / o['warm_ms']:>7.2f}  {'yes' if w['ok'] and o['ok'] else 'NO'}")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return 0 if all(r["webedge"]["ok"] and r["ort"]["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
