"""The bundle manifest (`model.json`): build it from a model and its shards, and validate it.

The format is documented in docs/manifest.md and defined by `manifest.schema.json` beside this
file; the browser runtime embeds the same schema and checks a manifest against it on load.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import onnx

from .errors import WebedgeError
from .onnx_import import infer_shapes
from .shards import Shard, layout
from .weights import dtype_name

SCHEMA_PATH = Path(__file__).with_name("manifest.schema.json")
FORMAT_VERSION = 1


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def value_info(v: onnx.ValueInfoProto) -> dict:
    """{name, dtype, shape}: fixed dims as ints, symbolic ones by name (unnamed get `<input>_dim<i>`)."""
    t = v.type.tensor_type
    shape = []
    for i, d in enumerate(t.shape.dim):
        if d.HasField("dim_value") and d.dim_value > 0:
            shape.append(d.dim_value)
        else:
            named = d.dim_param not in ("", "?")  # '?' is an exporter's "unknown", not a shared name
            shape.append(d.dim_param if named else f"{v.name}_dim{i}")
    return {"name": v.name, "dtype": dtype_name(t.elem_type), "shape": shape}


def _with_inferred_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with onnx shape inference applied where its outputs declare no shape."""
    if all(o.type.tensor_type.HasField("shape") for o in model.graph.output):
        return model
    inferred = infer_shapes(model)
    known = {v.name: v for v in inferred.graph.value_info}
    for o in inferred.graph.output:
        if not o.type.tensor_type.HasField("shape") and o.name in known:
            o.type.CopyFrom(known[o.name].type)
    return inferred


def model_name(path: Path) -> str:
    """A readable name: the file's stem, or its folder's name for the many files called model.onnx."""
    path = Path(path)
    return path.parent.name if path.stem == "model" and path.parent.name else path.stem


def build(model: onnx.ModelProto, shards: list[Shard], backend: dict, name: str | None = None) -> dict:
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    weights = []
    for w, pieces in layout(shards):
        (i, first), spans = pieces[0], len(pieces) > 1
        weights.append({"name": w.name, "dtype": w.dtype, "shape": w.shape, "shard": i,
                        "offset": first.offset, "length": len(w.data)})
        if spans:
            weights[-1]["pieces"] = [{"shard": i, "offset": p.offset, "length": p.length} for i, p in pieces]
    return {
        "format": "webedge-bundle",
        "version": FORMAT_VERSION,
        "model": {
            "name": name or graph.name or "model",
            "graph_name": graph.name,
            "producer": f"{model.producer_name} {model.producer_version}".strip(),
            "ir_version": model.ir_version,
            "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        },
        "inputs": [value_info(v) for v in graph.input if v.name not in initializers],
        "outputs": [value_info(v) for v in _with_inferred_shapes(model).graph.output],
        "weights": weights,
        "shards": [_shard_entry(s) for s in shards],
        "backend": backend,
    }


def _shard_entry(s: Shard) -> dict:
    entry = {"file": s.file, "bytes": len(s.file_bytes), "sha256": s.sha256}
    if s.encoding:
        entry.update(encoding=s.encoding, size=len(s.data))  # bytes/sha256: the file; size: decoded
    return entry


def shard_size(entry: dict) -> int:
    """Bytes of a shard once decoded, which the weights' offsets address."""
    return entry.get("size", entry["bytes"])


def _placement_problem(w: dict, shards: list[dict]) -> str | None:
    """Why a weight's bytes cannot be where it says (None when they can). A spanning weight's
    `pieces` must lie inside their shards, not overlap, start at its shard/offset and sum to `length`."""
    pieces = w.get("pieces", [w])
    for j, p in enumerate(pieces):
        if p["shard"] >= len(shards) or p["offset"] + p["length"] > shard_size(shards[p["shard"]]):
            return "lies outside its shard" if p is w else f"has piece {j} outside its shard {p['shard']}"
    if "pieces" not in w:
        return None
    if (pieces[0]["shard"], pieces[0]["offset"]) != (w["shard"], w["offset"]):
        return "starts elsewhere than its first piece"
    if sum(p["length"] for p in pieces) != w["length"]:
        return f"has pieces of {sum(p['length'] for p in pieces)} bytes in all, not its length {w['length']}"
    spans = sorted((p["shard"], p["offset"], p["offset"] + p["length"]) for p in pieces)
    if any(a[0] == b[0] and b[1] < a[2] for a, b in zip(spans, spans[1:])):
        return "has overlapping pieces"
    return None


def validate(manifest: object, where: str = "model.json") -> dict:
    """Raise a one-line WebedgeError naming the first field that breaks the schema."""
    try:
        jsonschema.validate(manifest, schema())
    except jsonschema.ValidationError as exc:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.absolute_path) or "(top)"
        raise WebedgeError(f"{where}: invalid manifest at {path}: {exc.message}") from None
    for i, w in enumerate(manifest["weights"]):
        problem = _placement_problem(w, manifest["shards"])
        if problem:
            raise WebedgeError(f"{where}: invalid manifest at .weights[{i}]: tensor '{w['name']}' {problem}")
    for i, sh in enumerate(manifest["shards"]):
        if "encoding" in sh and "size" not in sh:
            raise WebedgeError(f"{where}: invalid manifest at .shards[{i}]: an encoded shard needs its decoded 'size'")
    names = [o["name"] for o in manifest["outputs"]]
    n = len(manifest["shards"])
    for out, indices in manifest.get("needs", {}).items():
        if out not in names:
            raise WebedgeError(f"{where}: invalid manifest at .needs.{out}: no such output (outputs: {', '.join(names)})")
        if any(i >= n for i in indices):
            raise WebedgeError(f"{where}: invalid manifest at .needs.{out}: shard index {max(indices)} "
                               f"is out of range ({n} shard(s))")
    return manifest


def read(folder: Path) -> dict:
    path = Path(folder) / "model.json"
    if not path.is_file():
        raise WebedgeError(f"{folder}: no model.json here; is this a webedge bundle? Make one with `webedge bundle`")
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebedgeError(f"{path}: not valid JSON ({exc})") from None
    return validate(data, str(path))
