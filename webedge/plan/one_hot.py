"""A one-hot vector times a weight matrix becomes a row lookup: Gather instead of Equal, Cast, MatMul.

Exporters write an embedding as `MatMul(Cast(Equal(Expand(ids, shape), arange(K)), float), W)`
(Magika: its [N, 2048] byte ids against 0..256, then [257, 64] weights). That builds an
[N, 2048, 257] bool tensor, casts it to float and multiplies it out: 270 MFLOP on batch 4, where
the result is only row `id` of W, or zeros for an id outside 0..K-1. The pass writes

    idx  = Squeeze(Expand(ids, shape[:-1] + [1]), [-1])      (no Expand when there was none)
    safe = Where(idx >= 0 and idx < K, idx, K)
    out  = Gather(concat(W, a zero row), safe)

which gives the same values (one product of 1.0 and W's row, the other terms exact zeros) without
the big tensor. Matched only when: the Cast is to float and W a 2-D float initializer; the Equal's
constant side is an int32/int64 initializer whose last axis is exactly 0..K-1 (K = W's rows), whose
other axes have length 1, and whose rank is at most the ids'; the ids' last axis is 1 (a Reshape
to a constant shape ending in 1); the Equal and Cast outputs feed nothing else, are not graph
outputs and are not read inside a subgraph. Pure ONNX ops, so onnxruntime runs the result too.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .fuse import value_uses

INT_TYPES = {TensorProto.INT32, TensorProto.INT64}  # what Gather takes as indices


def _opset(model: onnx.ModelProto) -> int:
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)


def fuse_one_hot_matmul(model: onnx.ModelProto) -> int:
    """Rewrite in place; returns how many one-hot MatMuls became Gathers."""
    graph = model.graph
    if _opset(model) < 13:  # Squeeze with an axes input; older models keep their MatMul
        return 0
    inits = {t.name: t for t in graph.initializer if t.data_location != TensorProto.EXTERNAL}
    producer, uses = value_uses(graph)

    def single(name: str, op: str) -> onnx.NodeProto | None:
        n = producer.get(name)
        return n if n is not None and n.op_type == op and n.domain in ("", "ai.onnx") and uses.get(name) == 1 else None

    def arange_side(eq: onnx.NodeProto, K: int) -> tuple[str, int] | None:
        """(the ids input, its dtype) when the other input of `eq` is arange(K) along its last axis."""
        for k in (0, 1):
            c = inits.get(eq.input[k])
            if c is None or c.data_type not in INT_TYPES or not c.dims or c.dims[-1] != K:
                continue
            if any(d != 1 for d in c.dims[:-1]):
                continue
            if not np.array_equal(numpy_helper.to_array(c).reshape(-1), np.arange(K)):
                continue
            return eq.input[1 - k], c.data_type
        return None

    def last_axis_one(name: str, rank_at_least: int) -> bool:
        r = producer.get(name)
        if r is None or r.op_type != "Reshape" or r.input[1] not in inits:
            return False
        shape = numpy_helper.to_array(inits[r.input[1]]).reshape(-1)
        return len(shape) >= rank_at_least and shape[-1] == 1

    new_inits: list[onnx.TensorProto] = []
    removed: set[int] = set()
    done = 0
    for mm in list(graph.node):
        if mm.op_type != "MatMul" or mm.domain not in ("", "ai.onnx"):
            continue
        w = inits.get(mm.input[1])
        cast = single(mm.input[0], "Cast")
        if w is None or w.data_type != TensorProto.FLOAT or len(w.dims) != 2 or cast is None:
            continue
        if helper.get_attribute_value(next(a for a in cast.attribute if a.name == "to")) != TensorProto.FLOAT:
            continue
        eq = single(cast.input[0], "Equal")
        K = int(w.dims[0])
        side = arange_side(eq, K) if eq is not None and len(eq.input) == 2 else None
        if side is None:
            continue
        ids, dtype = side
        const_rank = len(inits[eq.input[0] if eq.input[1] == ids else eq.input[1]].dims)
        expand = producer.get(ids)
        source = expand.input[0] if expand is not None and expand.op_type == "Expand" else ids
        if not last_axis_one(source, const_rank):
            continue
        p = f"{mm.output[0]}/one_hot_gather"
        np_dtype = helper.tensor_dtype_to_np_dtype(dtype)
        table = numpy_helper.to_array(w)
        new_inits += [
            numpy_helper.from_array(np.concatenate([table, np.zeros((1, table.shape[1]), table.dtype)]),
                                    f"{p}/table"),
            numpy_helper.from_array(np.array([-1], np.int64), f"{p}/last"),
            numpy_helper.from_array(np.array([0], np.int64), f"{p}/zero_i64"),
            numpy_helper.from_array(np.array([1], np.int64), f"{p}/one_i64"),
            numpy_helper.from_array(np.array(0, np_dtype), f"{p}/zero"),
            numpy_helper.from_array(np.array(K, np_dtype), f"{p}/rows"),
        ]
        nodes = []
        if source != ids:  # the Expand, without its last axis: ids' shape but one value per lookup
            nodes += [helper.make_node("Slice", [expand.input[1], f"{p}/zero_i64", f"{p}/last"], [f"{p}/head"]),
                      helper.make_node("Concat", [f"{p}/head", f"{p}/one_i64"], [f"{p}/shape"], axis=0),
                      helper.make_node("Expand", [source, f"{p}/shape"], [f"{p}/ids"])]
            source = f"{p}/ids"
        nodes += [helper.make_node("Squeeze", [source, f"{p}/last"], [f"{p}/idx"]),
                  helper.make_node("GreaterOrEqual", [f"{p}/idx", f"{p}/zero"], [f"{p}/ge"]),
                  helper.make_node("Less", [f"{p}/idx", f"{p}/rows"], [f"{p}/lt"]),
                  helper.make_node("And", [f"{p}/ge", f"{p}/lt"], [f"{p}/inside"]),
                  helper.make_node("Where", [f"{p}/inside", f"{p}/idx", f"{p}/rows"], [f"{p}/safe"]),
                  helper.make_node("Gather", [f"{p}/table", f"{p}/safe"], [mm.output[0]], axis=0)]
        at = list(graph.node).index(mm)
        for k, n in enumerate(nodes):
            graph.node.insert(at + k, n)
        removed.update((id(mm), id(cast), id(eq)))
        if expand is not None and expand.op_type == "Expand" and uses.get(ids) == 1:
            removed.add(id(expand))  # read only by the Equal
        done += 1
    if removed:
        kept = [n for n in graph.node if id(n) not in removed]
        del graph.node[:]
        graph.node.extend(kept)
        graph.initializer.extend(new_inits)
    return done
