"""The plan compiler: optimizer + fusions + liveness, opset normalisation, the op registry the JS
build writes, and how `--backend webedge|auto` decide."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from webedge.backends import native
from webedge.bundle import bundle, choose_backend
from webedge.errors import WebedgeError
from webedge.plan.ops import SUPPORTED, registry
from webedge.weights import extract_weights

ROOT = Path(__file__).resolve().parents[1]


def conv_relu_model(with_bn=True):
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w"),
             numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "b")]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1])]
    last = "c"
    if with_bn:
        for name, v in (("s", 1.5), ("o", 0.1), ("m", 0.2), ("v", 2.0)):
            inits.append(numpy_helper.from_array(np.full(8, v, np.float32), name))
        nodes.append(helper.make_node("BatchNormalization", ["c", "s", "o", "m", "v"], ["bn"]))
        last = "bn"
    nodes.append(helper.make_node("Relu", [last], ["y"]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 8, 8, 8])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)


def test_python_reads_the_ops_the_js_op_modules_define():
    """The support check's op list is the registry's, and the registry's is what the op modules in
    js/src/webedge/ops/ define (read from source here; test_runtime_build checks the committed file)."""
    js = subprocess.run(["node", "--input-type=module", "-e",
                         "globalThis.WEBGPU = true;"  # as js/build.mjs reads them: with their webgpu parts
                         "import { loadOpModules } from './js/units.mjs';"
                         "const mods = await loadOpModules();"
                         "console.log(JSON.stringify(Object.fromEntries(mods.flatMap((m) => m.units.map((u) => "
                         "[u.op, {module: 'ops/' + m.file, devices: ['webgpu', 'wasm', 'js'].filter((d) => u[d] || "
                         "(d === 'js' && u.control))}])))))"],
                        cwd=ROOT, capture_output=True, text=True, check=True)
    defined = json.loads(js.stdout)
    assert set(defined) == set(SUPPORTED) == set(registry()["ops"])
    for op, unit in defined.items():
        assert {k: registry()["ops"][op][k] for k in unit} == unit, op


def test_batchnorm_folds_into_conv_and_relu_fuses_into_its_epilogue():
    prepared = native.prepare(conv_relu_model())
    ops = [n.op_type for n in prepared.graph.node]
    assert ops == ["Conv"]
    attrs = {a.name: helper.get_attribute_value(a) for a in prepared.graph.node[0].attribute}
    assert attrs["_act"] == b"Relu"
    assert prepared.graph.node[0].output[0] == "y"


@pytest.mark.parametrize("scale", ["div", "mul"])
def test_hardswish_spelled_out_becomes_one_and_fuses_into_the_conv(scale):
    """x * Clip(x + 3, 0, 6) / 6 (PP-OCR's HardSwish, 18 times) -> HardSwish, then the Conv's epilogue;
    the same with a Clip output used elsewhere is left alone."""
    def model(extra_use=False):
        rng = np.random.default_rng(0)
        inits = [numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w"),
                 numpy_helper.from_array(np.float32(3), "three"), numpy_helper.from_array(np.float32(0), "zero"),
                 numpy_helper.from_array(np.float32(6), "six"), numpy_helper.from_array(np.float32(1 / 6), "sixth")]
        nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
                 helper.make_node("Add", ["c", "three"], ["a"]), helper.make_node("Clip", ["a", "zero", "six"], ["k"]),
                 helper.make_node("Mul", ["k", "c"], ["m"]),
                 helper.make_node("Div", ["m", "six"], ["y"]) if scale == "div" else helper.make_node("Mul", ["sixth", "m"], ["y"])]
        outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 8, 8])]
        if extra_use:
            outs.append(helper.make_tensor_value_info("k", TensorProto.FLOAT, [1, 8, 8, 8]))
        graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])], outs, inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)

    prepared = native.prepare(model())
    assert [n.op_type for n in prepared.graph.node] == ["Conv"]
    attrs = {a.name: helper.get_attribute_value(a) for a in prepared.graph.node[0].attribute}
    assert attrs["_act"] == b"HardSwish" and prepared.graph.node[0].output[0] == "y"
    assert "HardSwish" not in [n.op_type for n in native.prepare(model(extra_use=True)).graph.node]


def _gelu_tanh_model(style="jax", c=0.044715, extra_use=False, one_shape=()):
    """x [2, 5, 7] -> 0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + c * x^3))), its Muls nested as JAX writes
    them (Magika) or regrouped; `one_shape`: the shape of the constant 1."""
    consts = {"half": np.float32(0.5), "one": np.ones(one_shape, np.float32), "k": np.float32(0.7978846),
              "c": np.float32(c)}
    inits = [numpy_helper.from_array(np.asarray(v), n) for n, v in consts.items()]
    mk = helper.make_node
    if style == "jax":
        nodes = [mk("Mul", ["c", "x"], ["m0"]), mk("Mul", ["x", "m0"], ["m1"]), mk("Mul", ["x", "m1"], ["cube"])]
    else:
        nodes = [mk("Mul", ["x", "x"], ["sq"]), mk("Mul", ["x", "c"], ["xc"]), mk("Mul", ["sq", "xc"], ["cube"])]
    nodes += [mk("Add", ["x", "cube"], ["poly"]), mk("Mul", ["k", "poly"], ["arg"]), mk("Tanh", ["arg"], ["t"]),
              mk("Add", ["one", "t"], ["br"])]
    if style == "jax":
        nodes += [mk("Mul", ["half", "br"], ["hb"]), mk("Mul", ["x", "hb"], ["y"])]
    else:
        nodes += [mk("Mul", ["x", "half"], ["hx"]), mk("Mul", ["br", "hx"], ["y"])]
    outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5, 7])]
    if extra_use:
        outs.append(helper.make_tensor_value_info("t", TensorProto.FLOAT, [2, 5, 7]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 5, 7])], outs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)


@pytest.mark.parametrize("style", ["jax", "regrouped"])
@pytest.mark.parametrize("one_shape", [(), (1, 1, 1)])
def test_gelu_tanh_spelled_out_becomes_one_gelu(style, one_shape):
    """Magika's GELU (nine elementwise nodes, JAX's export) -> Gelu(approximate='tanh'); a [1, 1, 1]
    constant is taken when x's rank (3) is known to be at least its own."""
    prepared = native.prepare(_gelu_tanh_model(style, one_shape=one_shape))
    assert [n.op_type for n in prepared.graph.node] == ["Gelu"]
    node = prepared.graph.node[0]
    assert list(node.input) == ["x"] and list(node.output) == ["y"]
    assert {a.name: helper.get_attribute_value(a) for a in node.attribute} == {"approximate": b"tanh"}


@pytest.mark.parametrize("case", [dict(c=0.04), dict(extra_use=True), dict(one_shape=(1, 1, 1, 1))])
def test_gelu_tanh_lookalikes_stay_as_they_are(case):
    """Another constant, an inner value read elsewhere, or a constant that would broadcast x to a
    higher rank: not a GELU, left alone."""
    ops = [n.op_type for n in native.prepare(_gelu_tanh_model(**case)).graph.node]
    assert "Gelu" not in ops and "Tanh" in ops


def test_a_conv_output_an_if_body_reads_keeps_its_activation_apart():
    """Conv -> Relu fuses only where nothing else reads the Conv's output, a subgraph included."""
    from webedge.plan.fuse import fuse_activations

    def model(body_reads_conv):
        w = numpy_helper.from_array(np.ones((2, 1, 1, 1), np.float32), "w")
        read = "c" if body_reads_conv else "x"
        branch = helper.make_graph([helper.make_node("Identity", [read], ["t"])], "b", [],
                                   [helper.make_tensor_value_info("t", TensorProto.FLOAT, None)])
        nodes = [helper.make_node("Conv", ["x", "w"], ["c"]), helper.make_node("Relu", ["c"], ["y"]),
                 helper.make_node("If", ["cond"], ["z"], then_branch=branch, else_branch=branch)]
        graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 2]),
                                               helper.make_tensor_value_info("cond", TensorProto.BOOL, [])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 2, 2]),
                                   helper.make_tensor_value_info("z", TensorProto.FLOAT, None)], [w])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)

    inner = model(body_reads_conv=True)
    assert fuse_activations(inner) == 0 and [n.op_type for n in inner.graph.node] == ["Conv", "Relu", "If"]
    outer = model(body_reads_conv=False)
    assert fuse_activations(outer) == 1 and [n.op_type for n in outer.graph.node] == ["Conv", "If"]


def test_plan_frees_each_value_after_its_last_use():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    nodes = [helper.make_node("Exp", ["x"], ["a"]), helper.make_node("Neg", ["a"], ["b"]),
             helper.make_node("Add", ["a", "b"], ["c"]), helper.make_node("Sqrt", ["c"], ["y"])]
    graph = helper.make_graph(nodes, "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    plan = native.plan(extract_weights(model)[0])
    assert [n["free"] for n in plan["nodes"]] == [["x"], [], ["a", "b"], ["c"]]
    assert plan["kernels"] == ["binary", "math", "unary"]  # Add; Exp; Neg and Sqrt (the registry's kernels)


def test_unsupported_ops_are_listed_and_auto_falls_back_to_ort(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 1])
    node = helper.make_node("DFT", ["x"], ["y"])
    graph = helper.make_graph([node], "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    with pytest.raises(WebedgeError, match="the webedge runtime does not support: DFT; use --backend ort"):
        choose_backend(model, "webedge", "wasm")
    choice = choose_backend(model, "auto", "wasm")
    assert (choice.backend.name, choice.why) == ("ort", "the webedge runtime does not support: DFT")
    path = tmp_path / "m.onnx"
    onnx.save(model, path)
    report = bundle(path, tmp_path / "site", backend="auto")
    assert report["backend"]["name"] == "ort" and "DFT" in report["backend"]["why"]


def test_webedge_bundle_ships_only_the_kernels_its_plan_uses(tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(conv_relu_model(), path)
    report = bundle(path, tmp_path / "site", backend="webedge")
    assert report["backend"]["name"] == "webedge"
    runtime = sorted(f for f in report["files"] if f.startswith("kernels/"))
    # mt/: the threaded variant; relaxed/, relaxed-mt/: the relaxed-SIMD ones (Relu is fused)
    assert runtime == ["kernels/linalg.wasm", "kernels/mt/linalg.wasm", "kernels/relaxed-mt/linalg.wasm",
                       "kernels/relaxed/linalg.wasm"]
    assert not any(f.startswith("ort/") for f in report["files"])
    man = json.loads((tmp_path / "site" / "model.json").read_text())
    # BatchNormalization was folded, so the shards hold the folded Conv weight and bias only
    assert sorted(w["name"] for w in man["weights"]) == ["w"] or len(man["weights"]) <= 2


def test_loop_body_is_a_nested_plan_with_its_inputs_and_outer_reads():
    """A Loop body binds (iter, cond, carried...) by name each iteration and reads `step` from the
    outer scope: the Loop node lists `step` as an implicit read, so the outer plan keeps it alive."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]), helper.make_node("Add", ["acc_in", "step"], ["acc_out"])],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                 helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
                 helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [2])])
    nodes = [helper.make_node("Neg", ["x"], ["step"]),
             helper.make_node("Loop", ["n", "", "x"], ["y"], body=body)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("n", TensorProto.INT64, []),
                                           helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    plan = native.plan(extract_weights(model)[0])
    loop = next(n for n in plan["nodes"] if n["op"] == "Loop")
    assert loop["attrs"]["body"]["inputs"] == ["i", "cond_in", "acc_in"]
    assert loop["implicit"] == ["step"] and "step" in loop["free"]


def _plan_of(nodes, inputs, outputs, opset, inits=()):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                              [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs], list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=7)
    return native.plan(extract_weights(model, subgraphs=True)[0])


def test_opset_dependent_behaviour_is_stated_in_the_plan_nodes():
    """The compiler writes what an op's opset means into its node, so op units read only nodes."""
    F = TensorProto.FLOAT
    x4 = [("x", F, [1, 2, 3, 4])]
    old = _plan_of([helper.make_node("Softmax", ["x"], ["y"])], x4, [("y", F, [1, 2, 3, 4])], 11)["nodes"][0]
    new = _plan_of([helper.make_node("Softmax", ["x"], ["y"])], x4, [("y", F, [1, 2, 3, 4])], 13)["nodes"][0]
    assert old["attrs"] == {"axis": 1, "_flatten": 1} and new["attrs"] == {}
    up = _plan_of([helper.make_node("Upsample", ["x", "s"], ["y"], mode="nearest")], x4, [("y", F, [1, 2, 6, 8])], 9,
                  [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "s")])["nodes"][0]
    assert up["inputs"] == ["x", "", "s"]
    assert up["attrs"] == {"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"}
    resize10 = _plan_of([helper.make_node("Resize", ["x", "s"], ["y"])], x4, [("y", F, [1, 2, 6, 8])], 10,
                        [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "s")])["nodes"][0]
    assert resize10["inputs"] == ["x", "", "s"] and resize10["attrs"]["nearest_mode"] == "floor"
    grid = [("x", F, [1, 1, 4, 4]), ("g", F, [1, 2, 2, 2])]
    for opset, mode in ((16, "bilinear"), (20, "linear")):
        gs = _plan_of([helper.make_node("GridSample", ["x", "g"], ["y"])], grid, [("y", F, [1, 1, 2, 2])], opset)
        assert gs["nodes"][0]["attrs"]["mode"] == mode
    drop = _plan_of([helper.make_node("Dropout", ["x"], ["y", "m"])], x4, [("y", F, [1, 2, 3, 4]), ("m", F, [1, 2, 3, 4])], 7)
    assert drop["nodes"][0]["attrs"]["_mask_as_input"] == 1


def test_op_units_read_nodes_not_the_opset():
    """No op module looks at the plan's opset (the compiler normalised it away, see above)."""
    offenders = [p.name for p in (ROOT / "js" / "src" / "webedge" / "ops").glob("*.mjs") if ".opset" in p.read_text()]
    assert not offenders, offenders


def test_bundle_runs_onnxruntimes_optimizer_once(tmp_path, monkeypatch):
    """Choosing the backend and building the bundle share one prepared graph, for `auto` too,
    and also when auto then falls back to onnxruntime-web."""
    import webedge.backends.native as native_mod

    calls = []
    real = native_mod.optimize
    monkeypatch.setattr(native_mod, "optimize", lambda m: calls.append(1) or real(m))
    path = tmp_path / "m.onnx"
    onnx.save(conv_relu_model(), path)
    for backend in ("auto", "webedge"):
        calls.clear()
        assert bundle(path, tmp_path / backend, backend=backend)["backend"]["name"] == "webedge"
        assert len(calls) == 1, backend
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 1])
    graph = helper.make_graph([helper.make_node("DFT", ["x"], ["y"])], "g", [x],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 2])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10), path)
    calls.clear()
    assert bundle(path, tmp_path / "dft", backend="auto")["backend"]["name"] == "ort"
    assert len(calls) == 1


def test_fusable_activations_are_the_kernel_epilogue_codes():
    from webedge.plan.fuse import FUSABLE

    assert FUSABLE == set(registry()["enums"]["act"]) - {"none"} and "Relu" in FUSABLE
