"""`webedge bundle`: turn an ONNX model into a static folder that runs it in the browser.

The flow is one way: load and validate the model, cut its weights into first-use-ordered
content-hashed shards, write the weight-free graph, the runtime files, the manifest, the demo page
and report.json into a temporary folder beside OUT, then rename it into place. A failure at any
step removes the temporary folder, so OUT is either the old bundle, the new one, or absent.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import onnx

from . import manifest as manifest_mod
from . import report as report_mod
from . import __version__
from .backends import native, ort
from .errors import WebedgeError
from .onnx_import import load_model
from .quantize.model import check_quantize_args, quantize_model
from .shards import pack
from .weights import extract_weights, set_locations

PACKAGE = Path(__file__).resolve().parent
RUNTIME_JS = PACKAGE / "runtime" / "webedge.mjs"
PAGE = PACKAGE / "page" / "index.html"

# Chosen by bench/shard_size.py (bench/RESULTS.md): on emulated 4G, 1-4 MiB shards tie and 8-16 MiB
# load 2-3% slower (fewer parallel streams); on loopback 4 MiB is fastest (per-request overhead).
DEFAULT_SHARD_SIZE = 4 * 1024 * 1024
EPS = ("wasm", "webgpu")
BACKEND_CHOICES = ("ort", "webedge", "auto")


def parse_size(text: str | int) -> int:
    """'4MB', '512KiB', '1048576' -> bytes (KB/MB are 1000-based, KiB/MiB 1024-based)."""
    if isinstance(text, int):
        return text
    s = str(text).strip().upper().replace(" ", "")
    units = {"GIB": 1 << 30, "MIB": 1 << 20, "KIB": 1 << 10, "GB": 10**9, "MB": 10**6, "KB": 10**3, "B": 1}
    for suffix, mult in units.items():
        if s.endswith(suffix):
            num = s[: -len(suffix)]
            break
    else:
        num, mult = s, 1
    try:
        value = float(num)
    except ValueError:
        raise WebedgeError(f"'{text}' is not a size; write e.g. 4MB, 512KiB or 1048576") from None
    if value <= 0:
        raise WebedgeError(f"size '{text}' must be positive")
    return int(value * mult)


def _file_entry(rel: str, data: bytes, **extra) -> dict:
    return {"file": rel, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **extra}


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise WebedgeError(f"output path {out} is a file; choose a folder path for -o")
    if out.exists() and not force:
        raise WebedgeError(f"output folder {out} already exists; pass --force to replace it")
    if not out.parent.exists():
        raise WebedgeError(f"the parent folder of {out} does not exist; create {out.parent} first")


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
    shutil.copyfile(RUNTIME_JS, tmp / "webedge.mjs")
    shutil.copyfile(PAGE, tmp / "index.html")

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
           compress: bool = True) -> dict:
    """Bundle `model_path` into the folder `out`; return the report (also written as report.json).
    `compress` stores each shard deflated (float weights byte-shuffled first) where that saves >= 3%."""
    out = Path(out).absolute()
    if backend not in BACKEND_CHOICES:
        raise WebedgeError(f"unknown backend '{backend}'; choose one of {', '.join(BACKEND_CHOICES)}")
    if ep not in EPS:
        raise WebedgeError(f"unknown execution provider '{ep}'; choose one of {', '.join(EPS)}")
    shard_size = parse_size(shard_size)
    quant = check_quantize_args(quantize, block_size, tolerance, calibration)
    _check_out(out, force)
    model = load_model(model_path)
    backend, why = choose_backend(model, backend, ep)
    if backend == "ort":
        ort.check_model(model, str(model_path))
        ort.find_dist()  # fail (or install) before writing anything

    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        _write_tree(tmp, model, manifest_mod.model_name(Path(model_path)), backend, ep, shard_size, why, quant,
                    compress=compress)
        if out.exists():
            out.rename(old)
        try:
            tmp.rename(out)
        except OSError:
            if old.exists():
                old.rename(out)  # put the previous bundle back
            raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise WebedgeError(f"no space left on the device while writing {out}; free some space "
                               "or choose another -o") from None
        raise WebedgeError(f"could not write {out}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return json.loads((out / "report.json").read_text())
