"""`webedge inspect`: what a model or a bundle holds, and which backends can run it.

For a model: opset, inputs/outputs, ops with counts, parameter bytes by tensor. Backend support
is decided by trying: onnxruntime (whose CPU kernels are the ones onnxruntime-web's wasm build
compiles) creates a session for the model or names the op it lacks; for webedge's runtime the op
registry (webedge/runtime/registry.json) says which ops it has and on which devices each runs.
For a bundle: what report.json says, the runtime files one by one included.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import manifest as manifest_mod
from .backends import ort as ort_backend
from .errors import WebedgeError
from .onnx_import import load_model
from .report import op_counts
from .weights import extract_weights


def _ort_support(path: Path) -> dict:
    from .ort_session import reason, session

    try:
        session(str(path))
        return {"ok": True, "note": f"onnxruntime-web {ort_backend.ORT_VERSION} (wasm, webgpu with CPU fallback)"}
    except Exception as exc:  # noqa: BLE001 - any refusal is "not supported", with its first line
        return {"ok": False, "note": reason(exc, 200)}


def _webedge_support(model) -> dict:
    from .backends import native
    from .plan.ops import registry

    try:
        prepared = native.prepare(model)
        missing = native.unsupported(prepared)
    except WebedgeError as exc:
        return {"ok": False, "note": str(exc)}
    ops = registry()["ops"]
    devices = {op: ops[op]["devices"] for op in op_counts(prepared) if op in ops}
    if missing:
        return {"ok": False, "note": f"missing ops: {', '.join(missing)}", "devices": devices}
    return {"ok": True, "note": "webedge runtime (wasm), every op supported", "devices": devices}


def inspect_model(path: Path) -> dict:
    model = load_model(path)
    _, weights, inline = extract_weights(model)
    try:
        ort_backend.check_model(model, str(path))
        support = _ort_support(path)
    except WebedgeError as exc:
        support = {"ok": False, "note": str(exc)}
    io = manifest_mod.build(model, [], {})
    return {
        "kind": "model", "path": str(path),
        "ir_version": model.ir_version,
        "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        "inputs": io["inputs"], "outputs": io["outputs"],
        "ops": op_counts(model),
        "params": {"bytes": sum(len(w.data) for w in weights), "inline_bytes": inline,
                   "tensors": [{"name": w.name, "dtype": w.dtype, "shape": w.shape, "bytes": len(w.data),
                                "source": w.source} for w in sorted(weights, key=lambda w: -len(w.data))]},
        "backends": {"ort": support, "webedge": _webedge_support(model)},
    }


def inspect_bundle(folder: Path) -> dict:
    man = manifest_mod.read(folder)
    report_path = folder / "report.json"
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    return {
        "kind": "bundle", "path": str(folder), "opsets": man["model"]["opsets"],
        "inputs": man["inputs"], "outputs": man["outputs"], "ops": report.get("ops", {}),
        "params": {"bytes": sum(w["length"] for w in man["weights"]),
                   "inline_bytes": report.get("params", {}).get("inline_bytes", 0),
                   "tensors": [{"name": w["name"], "dtype": w["dtype"], "shape": w["shape"], "bytes": w["length"],
                                "shard": man["shards"][w["shard"]]["file"]}
                               for w in sorted(man["weights"], key=lambda w: -w["length"])]},
        "backends": {man["backend"]["name"]: {"ok": True, "note": f"eps {', '.join(man['backend']['eps'])}"}},
        "totals": report.get("totals", {}),
        "runtime_files": {f["file"]: {"role": f["role"], **report.get("files", {}).get(f["file"], {})}
                          for f in man["backend"]["files"]},
    }


def inspect_path(target: Path) -> dict:
    if target.is_dir():
        return inspect_bundle(target)
    return inspect_model(target)


def print_inspection(info: dict, top: int = 15) -> None:
    print(f"{info['kind']}  {info['path']}")
    print("opsets  " + ", ".join(f"{d} {v}" for d, v in info["opsets"].items()))
    for label in ("inputs", "outputs"):
        for v in info[label]:
            print(f"{label[:-1]:<7} {v['name']}: {v['dtype']} {v['shape']}")
    print(f"ops     {sum(info['ops'].values())} nodes: " + ", ".join(f"{op} {n}" for op, n in info["ops"].items()))
    p = info["params"]
    print(f"params  {p['bytes']:,} bytes in {len(p['tensors'])} tensors (+{p['inline_bytes']:,} inline)")
    for t in p["tensors"][:top]:
        print(f"  {t['bytes']:>12,}  {t['dtype']:<8} {str(t['shape']):<20} {t['name']}")
    if len(p["tensors"]) > top:
        print(f"  … {len(p['tensors']) - top} more")
    for name, s in info["backends"].items():
        print(f"backend {name}: {'supported' if s['ok'] else 'NOT supported'} — {s['note']}")
        if s.get("devices"):
            print("  ops on  " + ", ".join(f"{op} ({'/'.join(d)})" for op, d in s["devices"].items()))
    for rel, f in info.get("runtime_files", {}).items():
        print(f"runtime {f.get('gzip', 0):>9,} B gzip  {f['role']:<12} {rel}")
