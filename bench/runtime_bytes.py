"""What webedge's runtime weighs per bundle: report.json's totals.runtime.gzip (what a page that is
not cross-origin isolated downloads: the loader, the linked executor, the kernel modules) for
every real model the tests use, beside the same number at 071efef (before the op units: one
150 kB executor with all 157 ops, not minified), and each runtime file's own gzip size.

    python bench/runtime_bytes.py [--models magika,ppocr-cls,ppocr-det,silero-vad] [--files] [--json OUT]

The targets of issue 9: PP-OCR cls <= 35 kB, Magika <= 40 kB; tests/test_runtime_size.py gates
the bytes this prints.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from webedge import pretrained
from webedge.bundle import bundle

# totals.runtime.gzip at 071efef (bundled with --backend webedge there, 2026-12-01)
BEFORE = {"magika": 68_964, "ppocr-cls": 71_298, "ppocr-det": 70_778, "silero-vad": 67_511}
TARGETS = {"magika": 40_000, "ppocr-cls": 35_000}


def measure(name: str, folder: Path) -> dict:
    rep = bundle(pretrained.fetch(name), folder / name, backend="webedge", force=True)
    man = json.loads((folder / name / "model.json").read_text())
    roles = {f["file"]: f["role"] for f in man["backend"]["files"]}
    files = {rel: {**e, "role": roles.get(rel, "loader")} for rel, e in rep["files"].items()
             if rel in roles or rel == "webedge.mjs"}
    return {"model": name, "runtime_gzip": rep["totals"]["runtime"]["gzip"],
            "threads_gzip": rep["totals"].get("threads", {}).get("gzip", 0), "ops": sorted(rep["ops"]), "files": files}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="magika,ppocr-cls,ppocr-det,silero-vad")
    ap.add_argument("--files", action="store_true", help="also print every runtime file's gzip size")
    ap.add_argument("--json")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(name, Path(tmp)) for name in a.models.split(",")]
    print(f"{'model':<11} {'runtime gzip (B)':>17} {'at 071efef':>11} {'ratio':>6} {'target':>8}  threads (B)")
    for r in rows:
        before, target = BEFORE.get(r["model"]), TARGETS.get(r["model"])
        print(f"{r['model']:<11} {r['runtime_gzip']:>17,} {before or 0:>11,} "
              f"{r['runtime_gzip'] / before if before else float('nan'):>6.3f} "
              f"{f'<= {target:,}' if target else '':>8}  {r['threads_gzip']:,}")
        if a.files:
            for rel, e in sorted(r["files"].items(), key=lambda kv: (kv[1]["role"], kv[0])):
                print(f"    {e['gzip']:>8,} B gzip {e['bytes']:>9,} B raw  {e['role']:<12} {rel}")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    print("threads: what a cross-origin isolated page fetches instead of kernels/ (kernels/mt/) and besides it (the pool)")
    return 0 if all(r["runtime_gzip"] <= TARGETS.get(r["model"], float("inf")) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
