"""Weight-only quantization of a model: choose each weight's codec and axis by how it is used.

int8 scales run along the output-channel axis of the op that reads the weight (Conv: 0,
ConvTranspose: 1, MatMul/Gemm: N, Gather: rows, LSTM/GRU: gate rows); int4 blocks run along the
reduction axis of MatMul/Gemm weights and the embedding axis of Gather tables, and any other
weight falls back to int8. fp16 applies to every float32 weight. Tensors under `MIN_ELEMENTS`
(biases, norms, scalars) and 1-D tensors stay float32.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..errors import WebedgeError
from . import codecs

ENCODINGS = ("none", "fp16", "int8", "int4", "int8-static", "auto")
MIN_ELEMENTS = 256


@dataclass
class Decision:
    name: str
    encoding: str  # fp32 (kept), fp16, int8, int4
    fp32_bytes: int
    bytes: int
    max_abs_error: float

    def as_dict(self) -> dict:
        return asdict(self)


def promote_constants(model: onnx.ModelProto) -> None:
    """Large float Constant nodes (Paddle exports keep weights there) become initializers."""
    graph = model.graph
    kept = []
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value" and a.type == onnx.AttributeProto.TENSOR), None)
        if (node.op_type == "Constant" and node.domain in ("", "ai.onnx") and value is not None
                and value.data_type == onnx.TensorProto.FLOAT and int(np.prod(value.dims)) >= MIN_ELEMENTS):
            init = graph.initializer.add()
            init.CopyFrom(value)
            init.name = node.output[0]
            continue
        kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)


def _uses(graph: onnx.GraphProto) -> dict[str, list[tuple[onnx.NodeProto, int]]]:
    uses: dict[str, list] = {}
    for node in graph.node:
        for i, name in enumerate(node.input):
            uses.setdefault(name, []).append((node, i))
    return uses


def _axes(w: np.ndarray, uses: list[tuple[onnx.NodeProto, int]]) -> tuple[int | None, int | None]:
    """(int8 channel axis or None for per-tensor, int4 block axis or None if int4 does not apply)."""
    found = set()
    for node, i in uses:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type
        if op == "Conv" and i == 1:
            found.add((0, None))
        elif op == "ConvTranspose" and i == 1:
            found.add((1, None))
        elif op == "MatMul" and i == 1 and w.ndim >= 2:
            found.add((w.ndim - 1, w.ndim - 2))
        elif op == "Gemm" and i == 1:
            found.add((0, 1) if attrs.get("transB", 0) else (1, 0))
        elif op == "Gather" and i == 0 and attrs.get("axis", 0) == 0:
            found.add((0, w.ndim - 1))
        elif op in ("LSTM", "GRU", "RNN") and i in (1, 2):
            found.add((1, None))
        else:
            return None, None  # read by something else: per-tensor int8 is the only safe choice
    if len(found) == 1:
        return found.pop()
    return None, None


def quantize_weights(model: onnx.ModelProto, encoding: str, *, block: int = 32,
                     choices: dict[str, str] | None = None) -> tuple[onnx.ModelProto, list[Decision]]:
    """A copy of `model` with its weights encoded; `choices` (name -> encoding) overrides per tensor."""
    if encoding not in ("fp16", "int8", "int4", "auto"):
        raise WebedgeError(f"unknown weight encoding '{encoding}'; choose one of {', '.join(ENCODINGS)}")
    if block < 2 or block % 2:
        raise WebedgeError(f"--block-size must be an even number >= 2, got {block}")
    out = onnx.ModelProto()
    out.CopyFrom(model)
    promote_constants(out)
    graph = out.graph
    uses = _uses(graph)
    graph_inputs = {v.name for v in graph.input}
    decisions, new_inits, new_nodes, dropped = [], [], [], set()
    for init in graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        w = numpy_helper.to_array(init)
        want = (choices or {}).get(init.name, encoding if encoding != "auto" else "fp32")
        if want == "fp32" or w.size < MIN_ELEMENTS or w.ndim < 2 or init.name in graph_inputs:
            decisions.append(Decision(init.name, "fp32", w.nbytes, w.nbytes, 0.0))
            continue
        axis, block_axis = _axes(w, uses.get(init.name, []))
        if want == "int4" and block_axis is None:
            want = "int8"  # int4 is for MatMul/Gemm/Gather weights only
        if want == "fp16":
            inits, nodes, restored = codecs.fp16(init.name, w)
        elif want == "int8":
            inits, nodes, restored = codecs.int8(init.name, w, axis)
        else:
            inits, nodes, restored = codecs.int4(init.name, w, block_axis, block)
        stored = sum(numpy_helper.to_array(t).nbytes for t in inits)
        decisions.append(Decision(init.name, want, w.nbytes, stored, float(np.abs(restored - w).max())))
        new_inits += inits
        new_nodes += nodes
        dropped.add(init.name)
    kept = [t for t in graph.initializer if t.name not in dropped]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    nodes = new_nodes + list(graph.node)  # dequant nodes read only initializers: first is topological
    del graph.node[:]
    graph.node.extend(nodes)
    return out, decisions


def summary(decisions: list[Decision], encoding: str) -> dict:
    fp32 = sum(d.fp32_bytes for d in decisions)
    stored = sum(d.bytes for d in decisions)
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.encoding] = counts.get(d.encoding, 0) + 1
    return {"encoding": encoding, "fp32_bytes": fp32, "bytes": stored, "ratio": round(stored / fp32, 4) if fp32 else 1.0,
            "tensors_by_encoding": counts, "tensors": [d.as_dict() for d in decisions]}
