"""Floating-point operations of one inference of an ONNX model at given inputs (a multiply-add = 2).

Counts the heavy ops only (Conv, ConvTranspose, MatMul, Gemm, LSTM, GRU), with the shapes of a real
run: onnxruntime runs the model once with every main-graph value exposed as an output. Ops inside
If/Loop/Scan bodies have no shapes that way; a model with heavy ops there gets None (unknown).
"""

from __future__ import annotations

from math import prod
from pathlib import Path

HEAVY = ("Conv", "ConvTranspose", "MatMul", "Gemm", "LSTM", "GRU")


def _node_flops(node, shape) -> int:
    op = node.op_type
    if op == "Conv":  # W [M, C/group, k...], Y [N, M, out...]
        return 2 * prod(shape(node.output[0])) * prod(shape(node.input[1])[1:])
    if op == "ConvTranspose":  # X [N, C, in...], W [C, M/group, k...]
        return 2 * prod(shape(node.input[0])) * prod(shape(node.input[1])[1:])
    if op in ("MatMul", "Gemm"):
        a = shape(node.input[0])
        trans_a = any(x.name == "transA" and x.i for x in node.attribute)
        k = a[0] if op == "Gemm" and trans_a else a[-1]
        return 2 * prod(shape(node.output[0])) * k
    # LSTM / GRU: X [T, B, I] (layout 0), W [D, G*H, I], R [D, G*H, H]
    x, w, r = shape(node.input[0]), shape(node.input[1]), shape(node.input[2])
    return 2 * x[0] * x[1] * w[0] * (prod(w[1:]) + prod(r[1:]))


def count(model_path: str | Path, feeds: dict) -> int | None:
    """Flops of the heavy ops for `feeds` (name -> numpy array), or None where some are in subgraphs."""
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(model_path))
    if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) and _has_heavy(a)
           for n in model.graph.node for a in n.attribute):
        return None
    known = {t.name: list(t.dims) for t in model.graph.initializer}
    have = {o.name for o in model.graph.output}
    wanted = [v for n in model.graph.node if n.op_type in HEAVY for v in (*n.input[:3], n.output[0])
              if v and v not in known and v not in have and v not in feeds]
    for name in dict.fromkeys(wanted):
        model.graph.output.append(onnx.ValueInfoProto(name=name))
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # keep every value
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    known.update({n: list(v.shape) for n, v in zip(names, session.run(names, feeds))})
    known.update({n: list(v.shape) for n, v in feeds.items()})
    return sum(_node_flops(n, known.__getitem__) for n in model.graph.node if n.op_type in HEAVY)


def _has_heavy(attr) -> bool:
    graphs = [attr.g] if attr.HasField("g") else list(attr.graphs)
    return any(n.op_type in HEAVY or any(_has_heavy(a) for a in n.attribute if a.type in (5, 10))
               for g in graphs for n in g.node)
