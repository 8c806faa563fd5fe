"""Backends a bundle can run on: `ort` (onnxruntime-web, ort.py) and `webedge` (our own wasm
runtime, native.py), both driven through the interface in base.py."""
