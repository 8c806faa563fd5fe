"""Fold an activation into the Conv or Gemm before it, so the kernel applies it in its epilogue.

Match: Conv|Gemm -> an activation the kernels' epilogue has (Relu, Clip, HardSigmoid, HardSwish,
LeakyRelu, Sigmoid, Tanh: the `act` codes of the kernel ABI, read from the op registry), where the
Conv/Gemm output feeds only that activation and is not a graph output (Clip bounds must be constants).
Replace: the Conv/Gemm with `_act` and `_act_params` attributes, writing the activation's output.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .ops import registry

FUSABLE = frozenset(registry()["enums"]["act"]) - {"none"}


def _params(node: onnx.NodeProto, constants: dict[str, np.ndarray]) -> list[float] | None:
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "Clip":
        if len(node.input) > 1:
            bounds = []
            for i, default in ((1, -3.4028234663852886e38), (2, 3.4028234663852886e38)):
                name = node.input[i] if i < len(node.input) else ""
                if name == "":
                    bounds.append(default)
                elif name in constants and constants[name].size == 1:
                    bounds.append(float(constants[name].reshape(-1)[0]))
                else:
                    return None
            return bounds
        return [attrs.get("min", -3.4028234663852886e38), attrs.get("max", 3.4028234663852886e38)]
    if node.op_type == "HardSigmoid":
        return [attrs.get("alpha", 0.2), attrs.get("beta", 0.5)]
    if node.op_type == "LeakyRelu":
        return [attrs.get("alpha", 0.01), 0.0]
    return [0.0, 0.0]


def fuse_activations(model: onnx.ModelProto) -> int:
    """Fuse in place; returns how many activations were folded."""
    graph = model.graph
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer if t.data_location != onnx.TensorProto.EXTERNAL}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    outputs = {o.name for o in graph.output}
    removed, fused = set(), 0
    for n in graph.node:
        if n.op_type not in ("Conv", "Gemm") or n.domain not in ("", "ai.onnx"):
            continue
        users = consumers.get(n.output[0], [])
        if len(users) != 1 or n.output[0] in outputs:
            continue
        act = users[0]
        if act.op_type not in FUSABLE or act.domain not in ("", "ai.onnx"):
            continue
        params = _params(act, constants)
        if params is None:
            continue
        n.attribute.extend([helper.make_attribute("_act", act.op_type),
                            helper.make_attribute("_act_params", [float(p) for p in params])])
        n.output[0] = act.output[0]
        removed.add(id(act))
        fused += 1
    kept = [n for n in graph.node if id(n) not in removed]
    del graph.node[:]
    graph.node.extend(kept)
    return fused
