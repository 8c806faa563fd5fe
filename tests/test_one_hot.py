"""webedge.plan.one_hot: MatMul(Cast(Equal(ids, arange(K))), W) becomes a Gather of W's rows.

Each rewritten graph must give exactly what onnxruntime gives on the original, ids outside 0..K-1
(zero rows) included; graphs where the pattern does not hold must be left alone.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from webedge.plan.one_hot import fuse_one_hot_matmul

K, F, L = 9, 5, 6  # table rows, features, ids per row


def one_hot_model(*, expand=True, dtype=np.int32, values=None, const_shape=(1, 1, K), extra_use=False,
                  cast_to=TensorProto.FLOAT) -> onnx.ModelProto:
    """ids [N, L] -> Reshape [-1, L, 1] -> (Expand to [N, L, K]) -> Equal arange -> Cast -> MatMul W [K, F]."""
    tp = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    values = np.arange(K) if values is None else values
    inits = [numpy_helper.from_array(np.array([-1, L, 1], np.int64), "shape3"),
             numpy_helper.from_array(np.broadcast_to(np.asarray(values, dtype), const_shape).copy(), "classes"),
             numpy_helper.from_array(np.random.default_rng(0).standard_normal((K, F)).astype(np.float32), "W")]
    nodes = [helper.make_node("Reshape", ["ids", "shape3"], ["col"])]
    eq_in = "col"
    if expand:
        inits.append(numpy_helper.from_array(np.array([K], np.int64), "k"))
        nodes += [helper.make_node("Shape", ["col"], ["s"]),
                  helper.make_node("Slice", ["s", "zero", "two"], ["head"]),
                  helper.make_node("Concat", ["head", "k"], ["target"], axis=0),
                  helper.make_node("Expand", ["col", "target"], ["wide"])]
        inits += [numpy_helper.from_array(np.array([0], np.int64), "zero"),
                  numpy_helper.from_array(np.array([2], np.int64), "two")]
        eq_in = "wide"
    nodes += [helper.make_node("Equal", [eq_in, "classes"], ["hot"]),
              helper.make_node("Cast", ["hot"], ["hotf"], to=cast_to),
              helper.make_node("MatMul", ["hotf", "W"], ["y"])]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", L, F])]
    if extra_use:
        outputs.append(helper.make_tensor_value_info("hot", TensorProto.BOOL, ["N", L, K]))
    graph = helper.make_graph(nodes, "one_hot", [helper.make_tensor_value_info("ids", tp, ["N", L])], outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def run(model: onnx.ModelProto, ids: np.ndarray) -> list[np.ndarray]:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"ids": ids})


def ids_for(dtype) -> np.ndarray:
    ids = np.random.default_rng(1).integers(0, K, (3, L)).astype(dtype)
    ids[0, :4] = [-1, K, 1000, -K]  # outside the table: zero rows
    return ids


@pytest.mark.parametrize("expand", [True, False])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_the_rewrite_gives_exactly_the_original_outputs(expand, dtype):
    original = one_hot_model(expand=expand, dtype=dtype)
    fused = one_hot_model(expand=expand, dtype=dtype)
    assert fuse_one_hot_matmul(fused) == 1
    ops = [n.op_type for n in fused.graph.node]
    assert "Gather" in ops and not {"Equal", "Cast", "MatMul"} & set(ops)
    assert ops.count("Expand") == int(expand)  # the wide Expand is gone, a narrow one replaces it
    onnx.checker.check_model(fused, full_check=True)
    ids = ids_for(dtype)
    (want,), (got,) = run(original, ids), run(fused, ids)
    np.testing.assert_array_equal(got, want)
    assert not got[0, :4].any() and got[1:].any()


@pytest.mark.parametrize("case", [
    dict(values=np.arange(K)[::-1]),            # not 0..K-1
    dict(values=np.arange(1, K + 1)),           # shifted
    dict(const_shape=(2, 1, K)),                # the constant is not 1 along its other axes
    dict(extra_use=True),                       # the bool one-hot is a graph output too
    dict(cast_to=TensorProto.DOUBLE),           # not a float one-hot
])
def test_graphs_outside_the_pattern_are_left_alone(case):
    model = one_hot_model(**case)
    before = model.SerializeToString()
    assert fuse_one_hot_matmul(model) == 0
    assert model.SerializeToString() == before


def test_magika_embeds_its_bytes_with_a_gather(magika_model):
    from webedge.backends import native

    prepared = native.prepare(onnx.load(str(magika_model)))
    ops = [n.op_type for n in prepared.graph.node]
    assert "Gather" in ops and "Equal" not in ops
