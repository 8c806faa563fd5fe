"""The onnxruntime-web backend: which of its files a bundle needs, and where to get them.

onnxruntime-web is pinned (`ORT_VERSION`) and comes from npm. Each execution provider needs one
entry module, the Emscripten glue it imports and that glue's .wasm; nothing else is copied. The
WebGPU bundle uses the `ort.webgpu` build: the default (jsep) build computes Magika's first Conv
wrongly on SwiftShader (see shared FACTS), and its wasm also runs the wasm EP, so a WebGPU bundle
falls back to CPU where a browser has no WebGPU.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import hashlib

import onnx

from .. import npm_packages
from ..errors import WebedgeError
from ..installation import packaged
from ..shards import layout, span_file
from ..weights import set_locations
from .base import Emitted, RuntimeFile

ADAPTER = "runtime/webedge-ort.mjs"  # the loader's onnxruntime-web adapter (js/src/backends/ort.mjs)
ORT_VERSION = "1.30.0"
# Newest model format onnxruntime-web 1.30 accepts (measured: IR 14 and opset 27+ are refused).
MAX_IR_VERSION = 13
MAX_OPSET = 26

EP_FILES = {
    "wasm": {"entry": "ort.wasm.min.mjs", "glue": "ort-wasm-simd-threaded.mjs",
             "wasm": "ort-wasm-simd-threaded.wasm"},
    "webgpu": {"entry": "ort.webgpu.min.mjs", "glue": "ort-wasm-simd-threaded.asyncify.mjs",
               "wasm": "ort-wasm-simd-threaded.asyncify.wasm"},
}
EPS_RUNNABLE = {"wasm": ["wasm"], "webgpu": ["webgpu", "wasm"]}

def _dist_ok(dist: Path) -> bool:
    pkg = dist.parent / "package.json"
    try:
        return json.loads(pkg.read_text()).get("version") == ORT_VERSION and (dist / EP_FILES["wasm"]["wasm"]).is_file()
    except (OSError, ValueError):
        return False


def find_dist(install: bool = True) -> Path:
    """The `dist/` folder of onnxruntime-web ORT_VERSION: $WEBEDGE_ORT_DIST, the checkout's
    js/node_modules, or the webedge cache (installed from npm the first time; npm_packages)."""
    env = os.environ.get("WEBEDGE_ORT_DIST")
    if env:
        if not _dist_ok(Path(env)):
            raise WebedgeError(f"WEBEDGE_ORT_DIST={env} is not the dist/ folder of onnxruntime-web {ORT_VERSION}")
        return Path(env)
    dist = npm_packages.find("onnxruntime-web", ORT_VERSION, install=install,
                             why=" for --backend ort (or set WEBEDGE_ORT_DIST to its dist/ folder)") / "dist"
    if not _dist_ok(dist):
        raise WebedgeError(f"{dist} lacks onnxruntime-web's wasm files; delete {dist.parent} so it is installed again")
    return dist


def check_model(model: onnx.ModelProto, where: str) -> None:
    """Refuse, at bundle time, a model onnxruntime-web would refuse in the browser."""
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if model.ir_version > MAX_IR_VERSION or opset > MAX_OPSET:
        raise WebedgeError(
            f"{where}: IR version {model.ir_version}, opset {opset}; onnxruntime-web {ORT_VERSION} accepts at most "
            f"IR {MAX_IR_VERSION} and opset {MAX_OPSET}: re-export with an older opset "
            "(or onnx.version_converter) and set model.ir_version")


def files_for(ep: str) -> list[tuple[str, Path, str]]:
    """(path in bundle, source path, role) for every runtime file the EP needs."""
    dist = find_dist()
    return [(f"ort/{name}", dist / name, role) for role, name in EP_FILES[ep].items()]


class OrtBackend:
    """`--backend ort`: onnxruntime-web runs the model as it is (its own optimizer runs in the
    browser); weights stay external initializers whose locations name the shards."""

    name = "ort"
    version = ORT_VERSION
    subgraphs = False

    def __init__(self, ep: str = "wasm"):
        self.ep = ep
        self.eps = EPS_RUNNABLE[ep]

    def prepare(self, model: onnx.ModelProto) -> onnx.ModelProto:
        return model

    def refusal(self, prepared: onnx.ModelProto) -> str | None:
        return None  # onnxruntime-web runs what onnxruntime does; `check` refuses what it would not load

    def check(self, model: onnx.ModelProto, where: str) -> None:
        check_model(model, where)
        find_dist()  # fail (or install) before writing anything

    def finish(self, prepared: onnx.ModelProto) -> onnx.ModelProto:
        return prepared

    def emit(self, graph_model: onnx.ModelProto, shards: list) -> Emitted:
        # weights[k] of the manifest (layout order); one spanning shards is one buffer the loader
        # joins from its pieces, under a name of its own (shards.span_file)
        locations = {}
        for k, (w, pieces) in enumerate(layout(shards)):
            i, p = pieces[0]
            locations[w.name] = (shards[i].file, p.offset, p.length) if len(pieces) == 1 else (span_file(k), 0, len(w.data))
        set_locations(graph_model, locations)
        graph_bytes = graph_model.SerializeToString()
        return Emitted(f"graph.{hashlib.sha256(graph_bytes).hexdigest()[:16]}.onnx", graph_bytes,
                       [RuntimeFile(rel, src.read_bytes(), role) for rel, src, role in files_for(self.ep)]
                       + [RuntimeFile("webedge-ort.mjs", packaged(ADAPTER).read_bytes(), "adapter")])

    def amend_report(self, report: dict, manifest: dict) -> None:
        pass

