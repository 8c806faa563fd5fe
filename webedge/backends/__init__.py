"""Backends a bundle can run on. Today: `ort` (onnxruntime-web); the native webedge runtime comes next."""

from . import ort

BACKENDS = {"ort": ort}
