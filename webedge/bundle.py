"""`webedge bundle`: turn an ONNX model into a static folder that runs it in the browser.

The flow is one way: load and validate the model, cut its weights into first-use-ordered
content-hashed shards, write the weight-free graph, the runtime files, the manifest, the demo page
and report.json into a temporary folder beside OUT, then rename it into place (`outdir`: which
OUT may be replaced, and how a failure or interruption leaves the old bundle, the new one, or
nothing).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from pathlib import Path

import onnx

from . import hosting
from . import manifest as manifest_mod
from . import outdir
from . import report as report_mod
from . import site_files
from . import __version__
from .backends import native, ort
from .errors import WebedgeError
from .installation import packaged
from .onnx_import import load_model
from .quantize.model import check_quantize_args, quantize_model
from .shards import pack
from .weights import extract_weights, set_locations

LOADER = "runtime/webedge.mjs"  # packaged paths (webedge.installation), copied into every bundle
PAGE = "page/index.html"

# Chosen by bench/shard_size.py (bench/RESULTS.md): on emulated 4G, 1-4 MiB shards tie and 8-16 MiB
# load 2-3% slower (fewer parallel streams); on loopback 4 MiB is fastest (per-request overhead).
DEFAULT_SHARD_SIZE = 4 * 1024 * 1024
EPS = ("wasm", "webgpu")
BACKEND_CHOICES = ("ort", "webedge", "auto")


MAX_SHARD_SIZE = 2**31 - 1  # one fetch() into one ArrayBuffer; hosts cap single files lower still


def parse_size(text: str | int) -> int:
    """'4MB', '512KiB', '1048576' -> bytes (KB/MB are 1000-based, KiB/MiB 1024-based); a whole,
    finite number of bytes from 1 to 2 GiB, else one WebedgeError line."""
    s = str(text).strip().upper().replace(" ", "")
    units = {"GIB": 1 << 30, "MIB": 1 << 20, "KIB": 1 << 10, "GB": 10**9, "MB": 10**6, "KB": 10**3, "B": 1}
    for suffix, mult in units.items():
        if s.endswith(suffix):
            num = s[: -len(suffix)]
            break
    else:
        num, mult = s, 1
    try:
        value = float(num) * mult
    except (ValueError, OverflowError):
        value = math.nan
    if not math.isfinite(value):
        raise WebedgeError(f"'{text}' is not a size; write e.g. 4MB, 512KiB or 1048576")
    if value <= 0:
        raise WebedgeError(f"size '{text}' must be positive")
    if value > MAX_SHARD_SIZE:
        raise WebedgeError(f"size '{text}' is too large: at most 2 GiB (one shard is one download)")
    if value != int(value):
        raise WebedgeError(f"size '{text}' is not a whole number of bytes; write e.g. 512KiB or 1048576")
    return int(value)


def _file_entry(rel: str, data: bytes, **extra) -> dict:
    return {"file": rel, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **extra}


def _write_tree(tmp: Path, model: onnx.ModelProto, name: str, backend_name: str, ep: str, shard_size: int,
                why: str, quant: dict, compress: bool = True) -> None:
    # webedge's runtime gets the optimized graph; quantize after optimizing, or the optimizer would
    # fold the dequantization back into float32 weights
    # (onnxruntime's static quantizer is the exception: it wants the original graph, and the
    # optimizer keeps its QDQ pairs)
    quantization = None
    static = quant["encoding"] == "int8-static"
    if static:
        model, quantization = quantize_model(model, **quant)
    source = native.prepare(model, fuse=False) if backend_name == "webedge" else model
    if quant["encoding"] != "none" and not static:
        source, quantization = quantize_model(source, **quant)
    if backend_name == "webedge":
        source = native.fuse(source)
    graph_model, weights, inline_bytes = extract_weights(source, subgraphs=backend_name == "webedge")
    shards = pack(weights, shard_size, compress=compress)
    if backend_name == "webedge":
        plan = native.plan(graph_model)
        graph_bytes = json.dumps(plan, separators=(",", ":")).encode()
        graph_file = f"plan.{hashlib.sha256(graph_bytes).hexdigest()[:16]}.json"
        files, eps, version = native.files_for(plan), native.EPS, __version__
    else:
        set_locations(graph_model, {p.tensor.name: (s.file, p.offset, len(p.tensor.data))
                                    for s in shards for p in s.placements})
        graph_bytes = graph_model.SerializeToString()
        graph_file = f"graph.{hashlib.sha256(graph_bytes).hexdigest()[:16]}.onnx"
        files, eps, version = ort.files_for(ep), ort.EPS_RUNNABLE[ep], ort.ORT_VERSION

    (tmp / "weights").mkdir(parents=True)
    for s in shards:
        (tmp / s.file).write_bytes(s.file_bytes)
    (tmp / graph_file).write_bytes(graph_bytes)
    runtime_files = []
    for rel, src, role in files:
        data = src.read_bytes()
        (tmp / rel).parent.mkdir(exist_ok=True)
        (tmp / rel).write_bytes(data)
        runtime_files.append(_file_entry(rel, data, role=role))
    shutil.copyfile(packaged(LOADER), tmp / "webedge.mjs")
    shutil.copyfile(packaged(PAGE), tmp / "index.html")

    backend = {"name": backend_name, "version": version, "eps": eps,
               "graph": _file_entry(graph_file, graph_bytes), "files": runtime_files}
    manifest = manifest_mod.build(model, shards, backend, name)
    if quantization:
        manifest["quantization"] = {k: quantization[k] for k in ("encoding", "ratio", "tolerance") if k in quantization}
    manifest = manifest_mod.validate(manifest)
    (tmp / "model.json").write_text(json.dumps(manifest, indent=1) + "\n")
    report = report_mod.build(tmp, source, manifest, inline_bytes)
    if backend_name == "webedge":
        native.split_threaded_totals(report)
    report["backend"]["why"] = why
    if quantization:
        report["quantization"] = quantization
    (tmp / "report.json").write_text(json.dumps(report, indent=1) + "\n")


def choose_backend(model: onnx.ModelProto, backend: str, ep: str) -> tuple[str, str]:
    """(backend, why): `auto` takes webedge's runtime when it runs every op, else onnxruntime-web."""
    if backend == "ort":
        return "ort", "asked for"
    if ep != "wasm":
        if backend == "webedge":
            raise WebedgeError(f"the webedge runtime has no {ep} execution provider yet; use --backend ort --ep {ep}")
        return "ort", f"the webedge runtime has no {ep} execution provider yet"
    missing = native.unsupported(native.prepare(model))
    if not missing:
        return "webedge", "asked for" if backend == "webedge" else "the webedge runtime supports every op"
    if backend == "webedge":
        raise WebedgeError(f"the webedge runtime does not support: {', '.join(missing)}; use --backend ort "
                           "(or --backend auto to fall back automatically)")
    return "ort", f"the webedge runtime does not support: {', '.join(missing)}"


def bundle(model_path: str | os.PathLike, out: str | os.PathLike, *, backend: str = "auto", ep: str = "wasm",
           shard_size: int | str = DEFAULT_SHARD_SIZE, force: bool = False, quantize: str = "none",
           block_size: int = 32, tolerance: str | None = None, calibration: str | os.PathLike | None = None,
           compress: bool = True, labels: str | os.PathLike | None = None, coi_worker: bool = True) -> dict:
    """Bundle `model_path` into the folder `out`; return the report (also written as report.json).
    `compress` stores each shard deflated (float weights byte-shuffled first) where that saves >= 3%.
    `labels` (a JSON or text file) and `coi_worker` shape the site files (webedge/site_files.py)."""
    out = Path(out).absolute()
    if backend not in BACKEND_CHOICES:
        raise WebedgeError(f"unknown backend '{backend}'; choose one of {', '.join(BACKEND_CHOICES)}")
    if ep not in EPS:
        raise WebedgeError(f"unknown execution provider '{ep}'; choose one of {', '.join(EPS)}")
    given_size, shard_size = shard_size, parse_size(shard_size)
    hosting.check_shard_size(shard_size, given_size)
    quant = check_quantize_args(quantize, block_size, tolerance, calibration)
    inputs = [Path(model_path)] + ([Path(calibration)] if calibration else [])
    outdir.check_replaceable(out, inputs, force)  # cheap checks before the expensive work
    packaged(LOADER), packaged(PAGE)
    model = load_model(model_path)
    site_files.precheck(model, labels, coi_worker)
    backend, why = choose_backend(model, backend, ep)
    if backend == "ort":
        ort.check_model(model, str(model_path))
        ort.find_dist()  # fail (or install) before writing anything

    with outdir.staged(out, inputs, force) as tmp:
        _write_tree(tmp, model, manifest_mod.model_name(Path(model_path)), backend, ep, shard_size, why, quant,
                    compress=compress)
        site_files.add(tmp, model, labels_file=labels, coi_worker=coi_worker)
    return json.loads((out / "report.json").read_text())
