"""Backends a bundle can run on: `ort` (onnxruntime-web) and `webedge` (our own wasm runtime)."""

from . import native, ort

BACKENDS = {"ort": ort, "webedge": native}
