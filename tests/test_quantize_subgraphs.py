"""Quantization of weights inside If/Loop/Scan bodies (webedge/quantize/weights.py), without a
browser: the weight is quantized, its dequantize lands in the main graph, onnxruntime still gives
the float32 answer within the encoding's tolerance, and the summary counts every weight.

The browser side (Silero VAD, whose LSTM weights live in If branches) is in
tests/test_quantize_browser.py.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from webedge import cli
from webedge.onnx_import import graphs
from webedge.quantize import codecs
from webedge.quantize.weights import MIN_ELEMENTS, NOT_FLOAT, SHAPE, TOO_SMALL, quantize_weights, summary

R = np.random.default_rng(5)
D = 64


def w(*shape, scale=0.1) -> np.ndarray:
    return (R.standard_normal(shape) * scale).astype(np.float32)


W_THEN, W_ELSE, W_LOOP, W_NESTED = w(D, D), w(D, D), w(D, D), w(D, D)
SMALL = w(4, 4)


def control_flow_model(nested_copy: bool = False) -> onnx.ModelProto:
    """y = Loop 3 times { h = tanh(h @ W_loop) ; h = If(c) { h @ W_nested } else { h } } over
    x' = If(c) { x @ W_then } else { x @ W_else + small }.

    W_then is an initializer of the then branch, W_else a Constant node of the else branch, W_loop
    an initializer of the Loop body, W_nested one of an If inside the Loop body (depth 2). With
    `nested_copy`, the nested else branch holds an exact copy of W_nested (as onnxruntime's
    optimizer leaves an outer weight copied into each branch that reads it)."""
    vi = helper.make_tensor_value_info
    then_g = helper.make_graph([helper.make_node("MatMul", ["x", "w_then"], ["t_out"])], "then",
                               [], [vi("t_out", TensorProto.FLOAT, None)], [numpy_helper.from_array(W_THEN, "w_then")])
    else_g = helper.make_graph(
        [helper.make_node("Constant", [], ["w_else"], value=numpy_helper.from_array(W_ELSE)),
         helper.make_node("Constant", [], ["small"], value=numpy_helper.from_array(SMALL[0, :1].copy())),
         helper.make_node("MatMul", ["x", "w_else"], ["e_mm"]),
         helper.make_node("Add", ["e_mm", "small"], ["e_out"])],
        "else", [], [vi("e_out", TensorProto.FLOAT, None)])

    nested_then = helper.make_graph([helper.make_node("MatMul", ["h1", "w_nested"], ["n_out"])], "nested_then",
                                    [], [vi("n_out", TensorProto.FLOAT, None)],
                                    [numpy_helper.from_array(W_NESTED, "w_nested")])
    if nested_copy:
        nested_else = helper.make_graph([helper.make_node("MatMul", ["h1", "w_nested_copy"], ["n_else"])],
                                        "nested_else", [], [vi("n_else", TensorProto.FLOAT, None)],
                                        [numpy_helper.from_array(W_NESTED.copy(), "w_nested_copy")])
    else:
        nested_else = helper.make_graph([helper.make_node("Identity", ["h1"], ["n_else"])], "nested_else",
                                        [], [vi("n_else", TensorProto.FLOAT, None)])
    body = helper.make_graph(
        [helper.make_node("MatMul", ["h_in", "w_loop"], ["mm"]),
         helper.make_node("Tanh", ["mm"], ["h1"]),
         helper.make_node("If", ["c"], ["h_out"], then_branch=nested_then, else_branch=nested_else),
         helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [vi("i", TensorProto.INT64, []), vi("cond_in", TensorProto.BOOL, []), vi("h_in", TensorProto.FLOAT, None)],
        [vi("cond_out", TensorProto.BOOL, []), vi("h_out", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(W_LOOP, "w_loop")])
    nodes = [helper.make_node("If", ["c"], ["x1"], then_branch=then_g, else_branch=else_g),
             helper.make_node("Loop", ["trips", "", "x1"], ["y"], body=body)]
    graph = helper.make_graph(nodes, "control_flow",
                              [vi("x", TensorProto.FLOAT, [2, D]), vi("c", TensorProto.BOOL, [])],
                              [vi("y", TensorProto.FLOAT, [2, D])],
                              [numpy_helper.from_array(np.array(3, np.int64), "trips")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model, full_check=True)
    return model


def run(model: onnx.ModelProto, feeds: dict) -> np.ndarray:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)[0]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def body_float_weights(model: onnx.ModelProto) -> list[str]:
    """Float32 tensors of >= MIN_ELEMENTS still held by a body (initializer or Constant)."""
    found = []
    for g in list(graphs(model.graph))[1:]:
        tensors = list(g.initializer) + [a.t for n in g.node if n.op_type == "Constant" for a in n.attribute
                                         if a.type == onnx.AttributeProto.TENSOR]
        found += [t.name or "constant" for t in tensors
                  if t.data_type == TensorProto.FLOAT and np.prod(t.dims) >= MIN_ELEMENTS]
    return found


FEEDS = {"x": w(2, D, scale=1.0)}
# the output goes through 7 quantized MatMuls (then/else, 3 x loop + nested): int4's error compounds
FLOOR = {"fp16": 0.9999, "int8": 0.999, "int4": 0.9}


def forward(x: np.ndarray, c: bool, ws: dict) -> np.ndarray:
    """control_flow_model in numpy, with the weights `ws`."""
    h = x @ ws["w_then"] if c else x @ ws["w_else"] + SMALL[0, :1]
    for _ in range(3):
        h = np.tanh(h @ ws["w_loop"])
        h = h @ ws["w_nested"] if c else h
    return h


def restored(encoding: str) -> dict:
    """The values each codec restores (MatMul weights: int8 per column, int4 blocks along K)."""
    out = {}
    for name, v in (("w_then", W_THEN), ("w_else", W_ELSE), ("w_loop", W_LOOP), ("w_nested", W_NESTED)):
        out[name] = (codecs.fp16(name, v) if encoding == "fp16" else codecs.int8(name, v, 1) if encoding == "int8"
                     else codecs.int4(name, v, 0, 32))[2]
    return out


@pytest.mark.parametrize("encoding", ["fp16", "int8", "int4"])
@pytest.mark.parametrize("branch", [True, False])
def test_weights_in_if_branches_and_loop_bodies_are_quantized_and_onnxruntime_agrees(encoding, branch):
    model = control_flow_model()
    q, decisions = quantize_weights(model, encoding)
    onnx.checker.check_model(q, full_check=True)
    by_name = {d.name: d for d in decisions}
    for name in ("w_then", "w_else", "w_loop", "w_nested"):
        assert by_name[name].encoding == encoding, (name, by_name[name])
        assert by_name[name].scope != "main" and by_name[name].bytes < by_name[name].fp32_bytes
    assert by_name["w_nested"].scope.count(".") >= 1  # found at depth 2, inside the Loop body's If
    assert body_float_weights(q) == []  # nothing big left in float32 inside a body
    main_inits = {t.name for t in q.graph.initializer}
    for name in ("w_then", "w_else", "w_loop", "w_nested"):
        assert any(n.startswith(f"{name}::") for n in main_inits), name  # stored in the main graph
        assert any(name in n.output for n in q.graph.node), name  # restored there, read by the body
    feeds = {**FEEDS, "c": np.array(branch)}
    ref, got = run(model, feeds), run(q, feeds)
    assert got.shape == ref.shape == (2, D)
    np.testing.assert_allclose(ref, forward(FEEDS["x"], branch, dict(
        w_then=W_THEN, w_else=W_ELSE, w_loop=W_LOOP, w_nested=W_NESTED)), atol=1e-5)
    assert cosine(ref, got) >= FLOOR[encoding], cosine(ref, got)
    # exactly the restored weights are used, in each body
    np.testing.assert_allclose(got, forward(FEEDS["x"], branch, restored(encoding)), atol=1e-5)


def test_identical_copies_in_two_branches_are_stored_once():
    model = control_flow_model(nested_copy=True)
    q, decisions = quantize_weights(model, "int8")
    copy = next(d for d in decisions if d.name == "w_nested_copy")
    assert copy.same_as == "w_nested" and copy.bytes == 0 and copy.encoding == "int8"
    assert not any(t.name.startswith("w_nested_copy") for t in q.graph.initializer)
    for branch in (True, False):
        feeds = {**FEEDS, "c": np.array(branch)}
        assert cosine(run(model, feeds), run(q, feeds)) >= 0.999


def test_a_body_weight_whose_name_is_used_twice_is_renamed_before_it_is_hoisted():
    """Two branches each hold a different initializer named `w`: hoisted under one name, both
    branches would read the same values."""
    vi = helper.make_tensor_value_info
    a, b = w(D, D), w(D, D)
    branches = [helper.make_graph([helper.make_node("MatMul", ["x", "w"], [f"o{k}"])], f"b{k}", [],
                                  [vi(f"o{k}", TensorProto.FLOAT, None)], [numpy_helper.from_array(v, "w")])
                for k, v in enumerate((a, b))]
    graph = helper.make_graph([helper.make_node("If", ["c"], ["y"], then_branch=branches[0], else_branch=branches[1])],
                              "clash", [vi("x", TensorProto.FLOAT, [2, D]), vi("c", TensorProto.BOOL, [])],
                              [vi("y", TensorProto.FLOAT, [2, D])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    q, decisions = quantize_weights(model, "int8")
    onnx.checker.check_model(q, full_check=True)
    assert [d.encoding for d in decisions if d.name == "w"] == ["int8", "int8"]
    for branch, expected in ((True, FEEDS["x"] @ a), (False, FEEDS["x"] @ b)):
        got = run(q, {**FEEDS, "c": np.array(branch)})
        assert cosine(expected, got) >= 0.999, branch


def test_the_summary_counts_every_weight_and_why_it_stayed():
    model = control_flow_model()
    q, decisions = quantize_weights(model, "int8")
    s = summary(decisions, "int8")
    every = sum(np.asarray(numpy_helper.to_array(t)).nbytes for g in graphs(model.graph) for t in g.initializer)
    every += sum(numpy_helper.to_array(a.t).nbytes for g in graphs(model.graph) for n in g.node
                 if n.op_type == "Constant" for a in n.attribute if a.type == onnx.AttributeProto.TENSOR)
    assert s["fp32_bytes"] == every  # all weight bytes, the int64 trip count and the tiny Constant included
    assert s["quantized"]["int8"]["tensors"] == 4 and s["in_subgraphs"] == 4
    assert s["kept"][SHAPE]["tensors"] == 1  # the Loop's trip count
    assert s["kept"][TOO_SMALL]["tensors"] == 1  # the else branch's 1-element Constant
    assert s["ratio"] == round(s["bytes"] / every, 4) and 0.25 < s["ratio"] < 0.3
    kept_bytes = sum(e["bytes"] for e in s["kept"].values())
    assert s["bytes"] == kept_bytes + s["quantized"]["int8"]["bytes"]
    assert NOT_FLOAT not in s["kept"]


def test_weights_read_as_a_shape_stay_as_they_are():
    """Resize's scales (float, big enough, 2-D: only its use keeps it float) and a Reshape's shape."""
    vi = helper.make_tensor_value_info
    scales = np.ones((16, 16), np.float32)
    graph = helper.make_graph([helper.make_node("Resize", ["x", "", "scales"], ["y"]),
                               helper.make_node("Reshape", ["x", "flat"], ["z"]),
                               helper.make_node("MatMul", ["x", "mm"], ["t"])], "rs",
                              [vi("x", TensorProto.FLOAT, None)],
                              [vi("y", TensorProto.FLOAT, None), vi("z", TensorProto.FLOAT, None),
                               vi("t", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(scales, "scales"), numpy_helper.from_array(np.array([-1]), "flat"),
                               numpy_helper.from_array(w(16, 16), "mm")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    _, decisions = quantize_weights(model, "int8")
    by_name = {d.name: d for d in decisions}
    assert by_name["scales"].reason == SHAPE and by_name["scales"].encoding == "fp32"
    assert by_name["flat"].reason == SHAPE and by_name["flat"].encoding == "int64"
    assert by_name["mm"].encoding == "int8" and by_name["mm"].reason == ""


def test_the_cli_prints_every_weight_and_the_share_of_all_weight_bytes(tmp_path, capsys):
    path = tmp_path / "cf.onnx"
    onnx.save(control_flow_model(), path)
    code = cli.main(["bundle", str(path), "-o", str(tmp_path / "site"), "--backend", "ort", "--quantize", "int8"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "of all weight bytes" in out and "4 of them inside If/Loop/Scan bodies" in out, out
    assert "used as a shape or index" in out and "too small" in out, out
    import json

    rep = json.loads((tmp_path / "site" / "report.json").read_text())
    q = rep["quantization"]
    assert q["quantized"]["int8"]["tensors"] == 4 and set(q["kept"]) == {SHAPE, TOO_SMALL}
    assert f"({q['ratio']:.1%} of all weight bytes)" in out
    # onnxruntime-web is handed main-graph external data only: the hoisted weights are in shards
    assert rep["params"]["bytes"] >= 4 * D * D and rep["params"]["inline_bytes"] < 1024, rep["params"]
