"""Write the execution plan (JSON) for a weight-free, optimized ONNX graph.

The plan lists nodes in topological order (ONNX already requires that order) with attributes as
plain JSON, small initializers inline as constants, and for each node the values whose last use it
is (`free`), so the browser releases memory as early as possible. Shapes stay symbolic: each op's
shape rule computes its output shapes at run time, so batch and sequence dims resolve per call.

Behaviour that depends on the opset is stated in the node itself (`_normalise`), so an op unit in
the runtime reads only its node, never the model's opset.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..errors import WebedgeError
from ..weights import dtype_name
from .ops import SUPPORTED, kernels_for

INT_LIMIT = 2**53 - 1  # int64 values travel as JSON numbers; Slice's INT64_MAX means "to the end"
PLAN_VERSION = 1


def _tensor_json(t: onnx.TensorProto) -> dict:
    arr = numpy_helper.to_array(t)
    if arr.dtype.kind in "iu":
        data = np.clip(arr.astype(np.float64), -INT_LIMIT, INT_LIMIT).astype(np.int64).reshape(-1).tolist()
    elif arr.dtype == np.bool_:
        data = arr.astype(np.uint8).reshape(-1).tolist()
    elif arr.dtype == np.float16:
        data = arr.view(np.uint16).reshape(-1).tolist()  # the runtime keeps float16 as half bit patterns
    elif arr.dtype.kind == "V":  # ml_dtypes (js/src/webedge/lowp.mjs): bfloat16/float8/float4 bits; int4/int2 values
        data = (arr.astype(np.int8) if "int" in arr.dtype.name else arr.view(f"u{arr.dtype.itemsize}")).ravel().tolist()
    else:
        # JSON has no inf/nan; the strings below are what JS's Number() reads back as those values
        data = [float(v) if np.isfinite(v) else ("NaN" if np.isnan(v) else "Infinity" if v > 0 else "-Infinity")
                for v in arr.astype(np.float64).reshape(-1)]
    return {"dtype": dtype_name(t.data_type), "dims": list(t.dims), "data": data}


def _attrs(node: onnx.NodeProto, constants: dict, opset: int) -> dict:
    out = {}
    for a in node.attribute:
        if a.type == onnx.AttributeProto.GRAPH:
            out[a.name] = _compile_graph(a.g, constants, opset)
            continue
        if a.type == onnx.AttributeProto.GRAPHS:
            raise WebedgeError(f"{node.op_type} '{node.name}' has a list of subgraphs; not supported: use --backend ort")
        if a.type == onnx.AttributeProto.TENSOR:
            out[a.name] = _tensor_json(a.t)
            continue
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else [x.decode() if isinstance(x, bytes) else x for x in v] \
            if isinstance(v, list) else v
    return out


CONTROL_FLOW = {"If", "Loop", "Scan"}  # ops whose subgraphs the plan carries as nested plans


def missing_ops(model: onnx.ModelProto) -> list[str]:
    from ..onnx_import import graphs

    def lacking(n: onnx.NodeProto) -> bool:
        if n.domain not in ("", "ai.onnx"):
            return True
        if n.op_type == "Constant":
            return False
        has_graph = any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for a in n.attribute)
        return n.op_type not in SUPPORTED or (has_graph and n.op_type not in CONTROL_FLOW)

    return sorted({n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}::{n.op_type}"
                   for g in graphs(model.graph) for n in g.node if lacking(n)})


def _constant_node(n: onnx.NodeProto) -> dict:
    value = next((a for a in n.attribute), None)
    if value is not None and value.type == onnx.AttributeProto.TENSOR:
        return _tensor_json(value.t)
    if value is not None and value.type in (onnx.AttributeProto.FLOAT, onnx.AttributeProto.INT):
        kind = onnx.TensorProto.FLOAT if value.type == onnx.AttributeProto.FLOAT else onnx.TensorProto.INT64
        return _tensor_json(helper.make_tensor(n.output[0], kind, [], [helper.get_attribute_value(value)]))
    if value is not None and value.type in (onnx.AttributeProto.FLOATS, onnx.AttributeProto.INTS):
        vals = list(helper.get_attribute_value(value))
        kind = onnx.TensorProto.FLOAT if value.type == onnx.AttributeProto.FLOATS else onnx.TensorProto.INT64
        return _tensor_json(helper.make_tensor(n.output[0], kind, [len(vals)], vals))
    raise WebedgeError(f"Constant '{n.output[0]}' with attribute '{value.name if value else '?'}' is not supported")


NOT_FOLDABLE = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"}


def _normalise(node: dict, opset: int) -> None:
    """State an op's opset-dependent behaviour in its node (attributes and input layout), so the
    runtime's op units see one form of each op:
      Softmax, LogSoftmax, Hardmax before 13: `axis` defaults to 1 and `_flatten` coerces to 2-D;
      Dropout before 10: the mask has the input's dtype (`_mask_as_input`);
      Upsample, and Resize before 11 (inputs [X, scales]): inputs [X, roi, scales], with the
        asymmetric coordinates and floor rounding of those versions;
      GridSample: the default `mode` of the opset (bilinear before 20, linear from 20);
      Scan 8: `_batch_major` (sequence_lens first, batch axis 0)."""
    op, attrs = node["op"], node["attrs"]
    if op in ("Softmax", "LogSoftmax", "Hardmax") and opset < 13:
        attrs.setdefault("axis", 1)
        attrs["_flatten"] = 1
    elif op == "Dropout" and opset < 10:
        attrs["_mask_as_input"] = 1
    elif op == "Upsample" or (op == "Resize" and opset < 11):
        node["inputs"] = [node["inputs"][0], "", *node["inputs"][1:2]]
        attrs["coordinate_transformation_mode"] = "asymmetric"
        attrs["nearest_mode"] = "floor"
    elif op == "GridSample":
        attrs.setdefault("mode", "linear" if opset >= 20 else "bilinear")
    elif op == "Scan" and opset < 9:
        attrs["_batch_major"] = 1


def _compile_graph(graph: onnx.GraphProto, constants: dict, opset: int, outer_fixed: frozenset = frozenset()) -> dict:
    """Nodes of one graph (main or subgraph) with liveness. Small initializers and Constant
    nodes go into `constants`, shared by all scopes (ONNX names are unique across scopes)."""
    for t in graph.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            constants[t.name] = _tensor_json(t)
    nodes = []
    for n in graph.node:
        if n.op_type == "Constant" and n.domain in ("", "ai.onnx"):
            constants[n.output[0]] = _constant_node(n)
            continue
        node = {"op": n.op_type, "inputs": list(n.input), "outputs": list(n.output), "attrs": _attrs(n, constants, opset)}
        _normalise(node, opset)
        # Outer-scope values a subgraph reads count as reads by this node (for liveness).
        implicit = sorted({x for a in node["attrs"].values() if isinstance(a, dict) and "reads" in a for x in a["reads"]})
        if implicit:
            node["implicit"] = implicit
        nodes.append(node)

    external = {t.name for t in graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL}
    # Nodes that read only weights and constants (e.g. DequantizeLinear of a quantized weight)
    # run once per session in the browser; their outputs are then kept like weights.
    fixed = set(constants) | external | set(outer_fixed)
    for node in nodes:
        if "implicit" not in node and all(not i or i in fixed for i in node["inputs"]) and node["op"] not in NOT_FOLDABLE:
            node["fold"] = True
            fixed.update(o for o in node["outputs"] if o)
    produced = {o for n in nodes for o in n["outputs"] if not n.get("fold")}
    keep = {o.name for o in graph.output}
    last = {}
    reads = set()
    for i, node in enumerate(nodes):
        for name in node["inputs"] + node.get("implicit", []) + node["outputs"]:
            if name:
                last[name] = i
        reads.update(x for x in node["inputs"] + node.get("implicit", []) if x)
    for node in nodes:
        node["free"] = []
    graph_inputs = {v.name for v in graph.input}
    for name, i in last.items():
        # free only what this scope owns: values it computed, and the main graph's inputs
        if name in keep or name in fixed:
            continue
        if name in produced or name in graph_inputs:
            nodes[i]["free"].append(name)
    # `inputs`: what a Loop/Scan body binds per iteration (its formal inputs, in order)
    return {"nodes": nodes, "inputs": [v.name for v in graph.input], "outputs": [o.name for o in graph.output],
            "reads": sorted(reads - produced - set(constants) - external - graph_inputs)}


def compile_plan(graph_model: onnx.ModelProto) -> dict:
    """`graph_model` has its weights as external initializers (see weights.extract_weights)."""
    from ..onnx_import import graphs

    missing = missing_ops(graph_model)
    if missing:
        raise WebedgeError(f"the webedge runtime does not support: {', '.join(missing)}; use --backend ort "
                           "(or --backend auto to pick it automatically)")
    graph = graph_model.graph
    constants: dict = {}
    opset = next((o.version for o in graph_model.opset_import if o.domain in ("", "ai.onnx")), 0)
    main = _compile_graph(graph, constants, opset)
    weights = [t.name for g in graphs(graph) for t in g.initializer if t.data_location == onnx.TensorProto.EXTERNAL]

    def all_nodes(nodes):
        for n in nodes:
            yield n
            for a in n["attrs"].values():
                if isinstance(a, dict) and "nodes" in a:
                    yield from all_nodes(a["nodes"])

    kernels = kernels_for({n["op"] for n in all_nodes(main["nodes"])})
    initializer_names = {t.name for t in graph.initializer}
    return {
        "format": "webedge-plan", "version": PLAN_VERSION, "opset": opset,
        "inputs": [v.name for v in graph.input if v.name not in initializer_names],
        "outputs": main["outputs"],
        "weights": weights, "constants": constants, "nodes": main["nodes"], "kernels": kernels,
    }
