"""The one interface `webedge bundle` drives both backends through.

A backend, given the loaded model:
  prepare(model)        the graph it runs, made once (webedge: ONNX functions expanded, then
                        onnxruntime's basic optimizer; onnxruntime-web: the model as it is);
  refusal(prepared)     why it cannot run that graph, or None;
  finish(prepared)      the graph after quantization (webedge: its fusions);
  emit(graph, shards)   the graph file (webedge: the JSON plan; ort: the weight-free .onnx) and the
                        runtime files the bundle ships for it;
  amend_report(report, manifest)  its entries in report.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import onnx


@dataclass
class RuntimeFile:
    rel: str  # path inside the bundle
    data: bytes
    role: str  # manifest role: executor, executor-mt, kernel, kernel-mt (webedge); entry, glue, wasm (ort)


@dataclass
class Emitted:
    graph_file: str
    graph_bytes: bytes
    files: list[RuntimeFile] = field(default_factory=list)


class Backend(Protocol):
    name: str  # manifest backend.name
    version: str
    eps: list[str]  # execution providers the bundle runs on, best first
    subgraphs: bool  # whether weights inside subgraphs (If branches, loop bodies) go to the shards too

    def prepare(self, model: onnx.ModelProto) -> onnx.ModelProto: ...

    def refusal(self, prepared: onnx.ModelProto) -> str | None: ...

    def finish(self, prepared: onnx.ModelProto) -> onnx.ModelProto: ...

    def emit(self, graph_model: onnx.ModelProto, shards: list) -> Emitted: ...

    def amend_report(self, report: dict, manifest: dict) -> None: ...
