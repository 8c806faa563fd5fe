"""Write the execution plan (JSON) for a weight-free, optimized ONNX graph.

The plan lists nodes in topological order (ONNX already requires that order) with attributes as
plain JSON, small initializers inline as constants, and for each node the values whose last use it
is (`free`), so the browser releases memory as early as possible. Shapes stay symbolic: each op
computes its output shape at run time, so batch and sequence dims resolve per call.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..errors import WebedgeError
from ..weights import dtype_name
from .ops import KERNEL_OF, SUPPORTED

INT_LIMIT = 2**53 - 1  # int64 values travel as JSON numbers; Slice's INT64_MAX means "to the end"
PLAN_VERSION = 1


def _tensor_json(t: onnx.TensorProto) -> dict:
    arr = numpy_helper.to_array(t)
    if arr.dtype.kind in "iu":
        data = np.clip(arr.astype(np.float64), -INT_LIMIT, INT_LIMIT).astype(np.int64).reshape(-1).tolist()
    elif arr.dtype == np.bool_:
        data = arr.astype(np.uint8).reshape(-1).tolist()
    else:
        # JSON has no inf/nan; the strings below are what JS's Number() reads back as those values
        data = [float(v) if np.isfinite(v) else ("NaN" if np.isnan(v) else "Infinity" if v > 0 else "-Infinity")
                for v in arr.astype(np.float64).reshape(-1)]
    return {"dtype": dtype_name(t.data_type), "dims": list(t.dims), "data": data}


def _attrs(node: onnx.NodeProto) -> dict:
    out = {}
    for a in node.attribute:
        if a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            raise WebedgeError(f"{node.op_type} '{node.name}' has a subgraph; the webedge runtime cannot run "
                               "control flow yet: use --backend ort")
        if a.type == onnx.AttributeProto.TENSOR:
            out[a.name] = _tensor_json(a.t)
            continue
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else [x.decode() if isinstance(x, bytes) else x for x in v] \
            if isinstance(v, list) else v
    return out


def missing_ops(model: onnx.ModelProto) -> list[str]:
    from ..onnx_import import graphs

    return sorted({n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}::{n.op_type}"
                   for g in graphs(model.graph) for n in g.node
                   if n.domain not in ("", "ai.onnx") or (n.op_type not in SUPPORTED and n.op_type != "Constant")
                   or any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for a in n.attribute)})


def compile_plan(graph_model: onnx.ModelProto) -> dict:
    """`graph_model` has its weights as external initializers (see weights.extract_weights)."""
    missing = missing_ops(graph_model)
    if missing:
        raise WebedgeError(f"the webedge runtime does not support: {', '.join(missing)}; use --backend ort "
                           "(or --backend auto to pick it automatically)")
    graph = graph_model.graph
    weights = [t.name for t in graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    constants = {t.name: _tensor_json(t) for t in graph.initializer if t.data_location != onnx.TensorProto.EXTERNAL}
    nodes = []
    for n in graph.node:
        if n.op_type == "Constant":
            value = next((a for a in n.attribute), None)
            if value is None or value.type != onnx.AttributeProto.TENSOR:
                t = helper.make_tensor(n.output[0], onnx.TensorProto.FLOAT, [], [helper.get_attribute_value(value)]) \
                    if value is not None and value.type == onnx.AttributeProto.FLOAT else None
                if t is None:
                    raise WebedgeError(f"Constant '{n.output[0]}' with attribute "
                                       f"'{value.name if value else '?'}' is not supported")
                constants[n.output[0]] = _tensor_json(t)
            else:
                constants[n.output[0]] = _tensor_json(value.t)
            continue
        nodes.append({"op": n.op_type, "inputs": list(n.input), "outputs": list(n.output), "attrs": _attrs(n)})

    # Liveness: free each computed value after its last reader (never graph outputs or fixed tensors).
    fixed = set(weights) | set(constants)
    keep = {o.name for o in graph.output}
    last = {}
    for i, node in enumerate(nodes):
        for name in node["inputs"] + node["outputs"]:
            if name:
                last[name] = i
    for node in nodes:
        node["free"] = []
    for name, i in last.items():
        if name not in fixed and name not in keep:
            nodes[i]["free"].append(name)
    kernels = sorted({KERNEL_OF[n["op"]] for n in nodes if KERNEL_OF.get(n["op"])} | {"elementwise"})
    opset = next((o.version for o in graph_model.opset_import if o.domain in ("", "ai.onnx")), 0)
    initializer_names = {t.name for t in graph.initializer}
    return {
        "format": "webedge-plan", "version": PLAN_VERSION, "opset": opset,
        "inputs": [v.name for v in graph.input if v.name not in initializer_names],
        "outputs": [o.name for o in graph.output],
        "weights": weights, "constants": constants, "nodes": nodes, "kernels": kernels,
    }
