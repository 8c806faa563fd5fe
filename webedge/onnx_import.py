"""Load an ONNX model from disk and prove it is one we can bundle.

Every way a model file can be wrong is turned into one `WebedgeError` line that says what is
wrong and what to do: not ONNX at all, truncated, failing the checker, an op domain we do not
know, external data that is missing or short. Loading is done by the `onnx` package; this module
only decides what its failures mean.
"""

from __future__ import annotations

import os
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from .errors import WebedgeError

# Domains whose ops a backend can actually run. Anything else is a custom op library.
KNOWN_DOMAINS = {"", "ai.onnx", "ai.onnx.ml", "com.microsoft"}


def _external_tensors(model: onnx.ModelProto):
    """Yield every tensor (initializers and Constant values, subgraphs included) stored outside."""
    for graph in graphs(model.graph):
        for t in graph.initializer:
            if t.data_location == onnx.TensorProto.EXTERNAL:
                yield t
        for node in graph.node:
            for a in node.attribute:
                if a.type == onnx.AttributeProto.TENSOR and a.t.data_location == onnx.TensorProto.EXTERNAL:
                    yield a.t


def graphs(graph: onnx.GraphProto):
    """The graph and, depth first, every subgraph held by an If/Loop/Scan attribute."""
    yield graph
    for node in graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                yield from graphs(a.g)
            elif a.type == onnx.AttributeProto.GRAPHS:
                for g in a.graphs:
                    yield from graphs(g)


def _external_path(t: onnx.TensorProto, location: str, base: Path) -> Path:
    """The file a tensor's external data lives in; it must be a relative path that stays inside
    the model's folder (symlinks resolved). Checked on the string first, so nothing outside the
    folder is looked at (no file-exists oracle for a hostile model)."""
    refuse = (f"tensor '{t.name}' keeps its data at external location '{location}', outside the model's folder; "
              "an ONNX file may only name data files beside it: move the data next to the model and re-save it")
    parts = location.replace("\\", "/").split("/")
    if (not location or "\0" in location or location.startswith(("/", "\\")) or ":" in parts[0]
            or ".." in parts):
        raise WebedgeError(refuse)
    where = base / location
    root = base.resolve()
    try:
        inside = root in where.resolve().parents
    except (OSError, RuntimeError, ValueError):  # a symlink loop, an over-long name
        inside = False
    if not inside:
        raise WebedgeError(refuse)
    return where


def _check_external_data(model: onnx.ModelProto, base: Path) -> None:
    for t in _external_tensors(model):
        info = {e.key: e.value for e in t.external_data}
        location = info.get("location", "")
        where = _external_path(t, location, base)
        if not where.is_file():
            raise WebedgeError(
                f"tensor '{t.name}' keeps its data in external file '{location}', which is missing "
                f"next to the model ({where}); copy it there or re-save the model with its data inline"
            )
        try:
            end = int(info.get("offset", 0)) + int(info.get("length", 0))
        except ValueError:
            raise WebedgeError(f"tensor '{t.name}': external data offset/length are not integers; "
                               "re-export the model") from None
        if os.path.getsize(where) < end:
            raise WebedgeError(
                f"external data file '{location}' is {os.path.getsize(where)} bytes but tensor "
                f"'{t.name}' needs bytes up to {end}; the file is truncated, re-export the model"
            )


def load_model(path: str | os.PathLike) -> onnx.ModelProto:
    """Read, parse and validate an ONNX model, with its external data loaded into memory."""
    path = Path(path)
    if not path.exists():
        raise WebedgeError(f"{path}: no such file")
    if path.is_dir():
        raise WebedgeError(f"{path}: is a folder, expected an .onnx file")
    data = path.read_bytes()
    if not data:
        raise WebedgeError(f"{path}: file is empty, expected an ONNX model")
    try:
        model = onnx.load_model_from_string(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        # A serialized ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
        if data[0] == 0x08:
            raise WebedgeError(
                f"{path}: looks like an ONNX model but could not be parsed ({exc}); "
                "the file is truncated or corrupt, download or export it again"
            ) from None
        raise WebedgeError(f"{path}: not an ONNX model (protobuf parse failed); pass a .onnx file") from None
    if model.ir_version == 0 or not model.HasField("graph"):
        raise WebedgeError(f"{path}: not an ONNX model (no IR version or graph); pass a .onnx file")
    if not model.graph.node:
        raise WebedgeError(f"{path}: the model's graph has no nodes; nothing to run")

    _check_external_data(model, path.parent)
    try:
        onnx.load_external_data_for_model(model, str(path.parent))
    except (OSError, ValueError) as exc:
        raise WebedgeError(f"{path}: could not read its external data: {exc}") from None

    unknown = sorted({(n.domain, n.op_type) for g in graphs(model.graph) for n in g.node
                      if n.domain not in KNOWN_DOMAINS})
    if unknown:
        ops = ", ".join(f"{d}::{op}" for d, op in unknown)
        raise WebedgeError(
            f"{path}: uses ops from an unknown domain ({ops}); no backend can run custom ops, "
            "export the model with standard ONNX ops"
        )

    try:
        onnx.checker.check_model(model)
    except (onnx.checker.ValidationError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WebedgeError(f"{path}: fails the ONNX checker: {first}") from None
    return model


def check_model_file(path: str | os.PathLike) -> Path:
    """A model file another tool (onnxruntime) will open: it must parse, and its external data must
    stay inside its folder. Returns the path; raises one WebedgeError line otherwise."""
    path = Path(path)
    if not path.is_file():
        raise WebedgeError(f"{path}: no such file")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception:  # noqa: BLE001 - protobuf and onnx raise many types for a bad file
        raise WebedgeError(f"{path}: not an ONNX model (protobuf parse failed); pass a .onnx file") from None
    _check_external_data(model, path.parent)
    return path


def infer_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    """Shape inference that never fails the bundle: a model ORT can run may still confuse it."""
    try:
        return onnx.shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    except Exception:  # noqa: BLE001 - inference is an optional refinement, the model stays valid
        return model
