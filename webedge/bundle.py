"""`webedge bundle`: turn an ONNX model into a static folder that runs it in the browser.

The flow is one way: load and validate the model; choose the backend and prepare the graph it
runs, once (backends/base.py has the interface both backends implement); quantize and finish that
graph; cut its weights into first-use-ordered content-hashed shards; write the backend's graph
file and runtime files, the manifest, the demo page and report.json into a temporary folder beside
OUT, then rename it into place (`outdir`: which OUT may be replaced, and how a failure or
interruption leaves the old bundle, the new one, or nothing); the site files a static host needs
come last (`site_files`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import onnx

from . import hosting
from . import manifest as manifest_mod
from . import outdir
from . import report as report_mod
from . import selftest
from . import site_files
from .backends.base import Backend, RuntimeFile
from .backends.native import WebedgeBackend
from .backends.ort import OrtBackend
from .errors import WebedgeError
from .installation import packaged
from .onnx_import import load_model
from .prune import needed_names, parse_names, prune
from .quantize.accuracy import CHECKED, check_accuracy
from .quantize.model import check_quantize_args, quantize_model
from .shards import pack
from .weights import extract_weights

LOADER = "runtime/webedge.mjs"  # packaged paths (webedge.installation), copied into every bundle
WORKER = "runtime/webedge-worker.mjs"  # load(url, {worker: true}) imports it from beside model.json
PAGE = "page/index.html"

# Chosen by bench/shard_size.py (bench/RESULTS.md): on emulated 4G, 1-4 MiB shards tie and 8-16 MiB
# load 2-3% slower (fewer parallel streams); on loopback 4 MiB is fastest (per-request overhead).
DEFAULT_SHARD_SIZE = 4 * 1024 * 1024
EPS = ("wasm", "webgpu")
BACKEND_CHOICES = ("ort", "webedge", "auto")


MAX_SHARDS = 10_000  # files in weights/: a bigger tensor spans shards, so --shard-size bounds every file
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


def by_output(reads: dict[str, set[str]], weights: list) -> tuple[list, list | None]:
    """Weights laid out for lazy outputs (load(url, {outputs})): with several outputs that read
    different weights, those read by more than one output (the trunk) first, then each output's
    own, each group in first-use order, and a shard boundary between groups (`pack`'s groups).
    Otherwise the weights as they were, so a one-output bundle is what it always was.
    `reads`: output -> the names it is computed from (prune.needed_names)."""
    outputs = list(reads)
    if len(outputs) < 2:
        return weights, None
    users = [frozenset(o for o in outputs if w.name in reads[o]) for w in weights]
    if len(set(users)) < 2:
        return weights, None
    first = {}
    for i, u in enumerate(users):
        first.setdefault(u, i)
    # shared groups first, then one output's own, then (if any) weights no output reads
    order = sorted(range(len(weights)), key=lambda i: (len(users[i]) < 2, not users[i], first[users[i]], i))
    return [weights[i] for i in order], [users[i] for i in order]


def needs(reads: dict[str, set[str]], shards: list) -> dict[str, list[int]]:
    """The manifest's `needs`: per output, the indices of the shards holding weights it reads."""
    shards_of: dict[str, set[int]] = {}  # a tensor spanning shards lies in each of them
    for i, s in enumerate(shards):
        for p in s.placements:
            shards_of.setdefault(p.tensor.name, set()).add(i)
    return {o: sorted(set().union(*(shards_of.get(n, set()) for n in names))) for o, names in reads.items()}


def _write_tree(tmp: Path, model: onnx.ModelProto, graph: onnx.ModelProto, backend: Backend, name: str,
                shard_size: int, why: str, quantization: dict | None, compress: bool,
                pruning: dict | None = None) -> None:
    """Write the bundle for `graph` (what `backend` runs) into the empty folder `tmp`."""
    graph_model, weights, inline_bytes = extract_weights(graph, subgraphs=backend.subgraphs)
    total = sum(len(w.data) for w in weights)
    if total > MAX_SHARDS * shard_size:  # tensors span shards, so a tiny size means a flood of files
        raise WebedgeError(f"--shard-size {shard_size} B would cut {total:,} B of weights into over {MAX_SHARDS:,} "
                           "shards (a request each); use a larger --shard-size (4MiB loads fastest)")
    outputs = [o.name for o in graph_model.graph.output]
    reads = {o: needed_names(graph_model.graph, o) for o in outputs} if len(outputs) > 1 else {}
    weights, groups = by_output(reads, weights)
    shards = pack(weights, shard_size, compress=compress, groups=groups)
    emitted = backend.emit(graph_model, shards)
    no_selftest = None
    if backend.name == "webedge" and "webgpu" in backend.eps:
        # the golden pair the runtime checks its GPU against (webedge/selftest.py)
        inits = {t.name for t in model.graph.initializer}
        specs = [manifest_mod.value_info(v) for v in model.graph.input if v.name not in inits]
        data, no_selftest = selftest.golden(model, specs, [o.name for o in model.graph.output],
                                            (quantization or {}).get("tolerance"))
        if data:
            emitted.files.append(RuntimeFile(selftest.file_name(data), data, "selftest"))

    (tmp / "weights").mkdir(parents=True)
    for s in shards:
        (tmp / s.file).write_bytes(s.file_bytes)
    (tmp / emitted.graph_file).write_bytes(emitted.graph_bytes)
    for f in emitted.files:
        (tmp / f.rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / f.rel).write_bytes(f.data)
    shutil.copyfile(packaged(LOADER), tmp / "webedge.mjs")
    shutil.copyfile(packaged(WORKER), tmp / "webedge-worker.mjs")
    shutil.copyfile(packaged(PAGE), tmp / "index.html")

    entry = {"name": backend.name, "version": backend.version, "eps": backend.eps,
             "graph": _file_entry(emitted.graph_file, emitted.graph_bytes),
             "files": [_file_entry(f.rel, f.data, role=f.role) for f in emitted.files]}
    manifest = manifest_mod.build(model, shards, entry, name)
    if reads:
        manifest["needs"] = needs(reads, shards)
    if quantization:
        manifest["quantization"] = {k: quantization[k] for k in ("encoding", "ratio", "tolerance") if k in quantization}
    manifest = manifest_mod.validate(manifest)
    (tmp / "model.json").write_text(json.dumps(manifest, indent=1) + "\n")
    report = report_mod.build(tmp, graph, manifest, inline_bytes)
    backend.amend_report(report, manifest)
    report["backend"]["why"] = why
    if no_selftest:
        report["selftest"] = {"none": no_selftest}
    if quantization:
        report["quantization"] = quantization
    if pruning:
        report["pruning"] = pruning
    (tmp / "report.json").write_text(json.dumps(report, indent=1) + "\n")


@dataclass
class Choice:
    backend: Backend
    prepared: onnx.ModelProto  # the graph it runs, prepared once
    why: str


def choose_backend(model: onnx.ModelProto, backend: str, ep: str, where: str = "model") -> Choice:
    """The backend to bundle with, and the model prepared for it: `auto` takes webedge's runtime
    when it runs every op, else onnxruntime-web, saying why."""
    if backend == "ort":
        chosen, why = OrtBackend(ep), "asked for"
    else:
        webedge = WebedgeBackend(ep)
        prepared = webedge.prepare(model)
        refusal = webedge.refusal(prepared)
        if not refusal:
            return Choice(webedge, prepared, "asked for" if backend == "webedge" else "the webedge runtime supports every op")
        if backend == "webedge":
            raise WebedgeError(f"{refusal}; use --backend ort (or --backend auto to fall back automatically)")
        chosen, why = OrtBackend(ep), refusal
    chosen.check(model, where)
    return Choice(chosen, chosen.prepare(model), why)


def bundle(model_path: str | os.PathLike, out: str | os.PathLike, *, backend: str = "auto", ep: str = "wasm",
           shard_size: int | str = DEFAULT_SHARD_SIZE, force: bool = False, quantize: str = "none",
           block_size: int = 32, tolerance: str | None = None, calibration: str | os.PathLike | None = None,
           compress: bool = True, labels: str | os.PathLike | None = None, coi_worker: bool = True,
           allow_inaccurate: bool = False, outputs: str | list[str] | None = None) -> dict:
    """Bundle `model_path` into the folder `out`; return the report (also written as report.json).
    A `quantize` of fp16/int8/int4 that misses its own tolerance against the float32 model (in
    onnxruntime, on `calibration` or generated inputs) is refused unless `allow_inaccurate`
    (webedge/quantize/accuracy.py); report["quantization"]["accuracy"] says what was measured.
    `compress` stores each shard deflated (float weights byte-shuffled first) where that saves >= 3%.
    `labels` (a JSON or text file) and `coi_worker` shape the site files (webedge/site_files.py).
    `outputs` (names, or 'a,b') prunes the model to what those outputs need before anything else
    (webedge/prune.py); report["pruning"] says what was dropped."""
    out = Path(out).absolute()
    if backend not in BACKEND_CHOICES:
        raise WebedgeError(f"unknown backend '{backend}'; choose one of {', '.join(BACKEND_CHOICES)}")
    if ep not in EPS:
        raise WebedgeError(f"unknown execution provider '{ep}'; choose one of {', '.join(EPS)}")
    given_size, shard_size = shard_size, parse_size(shard_size)
    hosting.check_shard_size(shard_size, given_size)
    names = None if outputs is None else parse_names(outputs)
    quant = check_quantize_args(quantize, block_size, tolerance, calibration)
    inputs = [Path(model_path)] + ([Path(calibration)] if calibration else [])
    outdir.check_replaceable(out, inputs, force)  # cheap checks before the expensive work
    packaged(LOADER), packaged(WORKER), packaged(PAGE)
    model = load_model(model_path)
    pruning = None
    if names is not None:
        model, pruning = prune(model, names)
    site_files.precheck(model, labels, coi_worker)
    quantization = None
    # onnxruntime's static quantizer wants the original graph (the optimizer keeps its QDQ pairs);
    # the other encodings quantize the graph the backend runs: after optimizing, before fusing,
    # or the optimizer would fold the dequantization back into float32 weights
    if quant["encoding"] == "int8-static":
        model, quantization = quantize_model(model, **quant)
    choice = choose_backend(model, backend, ep, str(model_path))
    prepared = choice.prepared
    if quant["encoding"] not in ("none", "int8-static"):
        prepared, quantization = quantize_model(prepared, **quant)
        if quant["encoding"] in CHECKED:
            quantization["accuracy"] = check_accuracy(model, prepared, quant["encoding"], calibration,
                                                      allow_inaccurate, str(out))
    graph = choice.backend.finish(prepared)
    name = manifest_mod.model_name(Path(model_path))
    with outdir.staged(out, inputs, force) as tmp:
        _write_tree(tmp, model, graph, choice.backend, name, shard_size, choice.why, quantization, compress,
                    pruning)
        site_files.add(tmp, model, labels_file=labels, coi_worker=coi_worker)
    return json.loads((out / "report.json").read_text())
