"""`report.json`: what a bundle weighs (raw and gzip, by file and by kind) and what it computes."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import onnx

from .onnx_import import graphs


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def kind_of(path: str) -> str:
    """weights, runtime, model, page, or worker: webedge-worker.mjs, runtime that only pages loading
    with {worker: true} download, so totals.runtime (what a page downloads) leaves it out."""
    if path.startswith("weights/"):
        return "weights"
    if path == "webedge-worker.mjs":
        return "worker"
    if path.startswith(("ort/", "kernels/", "chunks/", "shaders/", "webedge-runtime.")) or path in ("webedge.mjs", "webedge-ort.mjs"):
        return "runtime"
    if path.startswith(("graph.", "plan.", "selftest.")) or path == "model.json":
        return "model"
    return "page"


def op_counts(model: onnx.ModelProto) -> dict[str, int]:
    counts = Counter()
    for g in graphs(model.graph):
        for n in g.node:
            counts[n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}::{n.op_type}"] += 1
    return dict(sorted(counts.items()))


def build(folder: Path, model: onnx.ModelProto, manifest: dict, inline_param_bytes: int) -> dict:
    files = {}
    totals: dict[str, dict[str, int]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "report.json"):
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        entry = {"bytes": len(data), "gzip": gzip_size(data)}
        files[rel] = entry
        total = totals.setdefault(kind_of(rel), {"bytes": 0, "gzip": 0})
        total["bytes"] += entry["bytes"]
        total["gzip"] += entry["gzip"]
    totals["all"] = {k: sum(t[k] for t in totals.values()) for k in ("bytes", "gzip")}
    weights = manifest["weights"]
    return {
        "model": manifest["model"]["name"],
        "backend": {k: manifest["backend"][k] for k in ("name", "version", "eps") if k in manifest["backend"]},
        "totals": totals,
        "files": files,
        "ops": op_counts(model),
        "params": {
            "tensors": len(weights),
            "bytes": sum(w["length"] for w in weights),
            "inline_bytes": inline_param_bytes,
            "shards": len(manifest["shards"]),
        },
    }
