"""Function expansion (webedge/plan/expand.py): ops the runtime lacks become their ONNX bodies."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from webedge.plan.expand import expand_functions
from webedge.plan.ops import SUPPORTED
from webedge.plan.optimize import optimize


def _run(model: onnx.ModelProto, feeds: dict) -> list[np.ndarray]:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)


def _attention_model() -> onnx.ModelProto:
    q = helper.make_tensor_value_info("Q", TensorProto.FLOAT, [2, 3, 4, 8])
    k = helper.make_tensor_value_info("K", TensorProto.FLOAT, [2, 3, 6, 8])
    v = helper.make_tensor_value_info("V", TensorProto.FLOAT, [2, 3, 6, 8])
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)
    node = helper.make_node("Attention", ["Q", "K", "V"], ["Y"], is_causal=1, scale=0.3)
    graph = helper.make_graph([node], "attention", [q, k, v], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])


def test_attention_becomes_primitive_ops_with_the_same_outputs():
    model = _attention_model()
    expanded = expand_functions(model, SUPPORTED)
    ops = {n.op_type for n in expanded.graph.node}
    assert "Attention" not in ops and "CastLike" not in ops  # nested function ops expanded too
    assert ops <= SUPPORTED | {"Constant"}
    rng = np.random.default_rng(0)
    feeds = {"Q": rng.standard_normal((2, 3, 4, 8), dtype=np.float32),
             "K": rng.standard_normal((2, 3, 6, 8), dtype=np.float32),
             "V": rng.standard_normal((2, 3, 6, 8), dtype=np.float32)}
    np.testing.assert_allclose(_run(expanded, feeds)[0], _run(model, feeds)[0], rtol=1e-5, atol=1e-6)
    assert len(model.graph.node) == 1  # the input model is left as it was


def test_schema_attribute_defaults_fill_unset_references():
    # HannWindow's body reads `periodic` and `output_datatype` by reference; neither is set here.
    size = helper.make_tensor_value_info("size", TensorProto.INT64, [])
    out = helper.make_tensor_value_info("w", TensorProto.FLOAT, None)
    graph = helper.make_graph([helper.make_node("HannWindow", ["size"], ["w"])], "hann", [size], [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    expanded = expand_functions(model, SUPPORTED)
    assert "HannWindow" not in {n.op_type for n in expanded.graph.node}
    feeds = {"size": np.array(10, dtype=np.int64)}
    np.testing.assert_allclose(_run(expanded, feeds)[0], _run(model, feeds)[0], atol=1e-6)


def test_ops_the_runtime_has_and_ops_without_a_body_are_kept():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    nodes = [helper.make_node("Celu", ["x"], ["c"]), helper.make_node("Det", ["c"], ["y"])]
    graph = helper.make_graph(nodes, "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    keep = frozenset(SUPPORTED | {"Celu"})
    assert [n.op_type for n in expand_functions(model, keep).graph.node] == ["Celu", "Det"]
    without_celu = frozenset(SUPPORTED - {"Celu"})
    ops = [n.op_type for n in expand_functions(model, without_celu).graph.node]
    assert "Celu" not in ops and ops[-1] == "Det"  # Det has no function body: left for the caller to report


def test_optimize_passes_through_a_model_onnxruntime_has_no_kernel_for():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    nodes = [helper.make_node("Cast", ["x"], ["i"], to=TensorProto.INT2),
             helper.make_node("Cast", ["i"], ["y"], to=TensorProto.FLOAT)]
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y]), opset_imports=[helper.make_opsetid("", 25)])
    out = optimize(model)
    assert [n.op_type for n in out.graph.node] == ["Cast", "Cast"]
