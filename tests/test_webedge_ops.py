"""JS-only ops of webedge's runtime in headless Chromium, against Python onnxruntime on the same model:
sampling and detection ops with the N-D convolutions (one model), recurrence and control flow
(another). Each model packs several ops so the browser starts only twice."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from webedge.bundle import bundle
from webedge.testing import check

pytestmark = pytest.mark.browser

F = TensorProto.FLOAT


def _model(nodes, inputs, outputs, inits, opset):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                              [helper.make_tensor_value_info(n, t, [f"{n}_{i}" for i in range(r)]) for n, t, r in outputs],
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=10)
    return model


def _run(tmp_path, model, feeds):
    path, inputs, out = tmp_path / "m.onnx", tmp_path / "inputs.npz", tmp_path / "site"
    onnx.save(model, path)
    np.savez(inputs, **feeds)
    rep = bundle(path, out, backend="webedge")
    assert rep["backend"]["name"] == "webedge", rep["backend"]
    report = check(out, model=path, inputs=inputs, warm_runs=1, reload=False)
    assert report.ok, report.failures
    return report


def test_sampling_detection_and_nd_convolution_ops(tmp_path):
    """GridSample 2-D (cubic, reflection) and 3-D (linear, border), RoiAlign, NonMaxSuppression,
    MaxPool -> MaxUnpool, Col2Im, Det, 3-D Conv with a fused Relu, 3-D ConvTranspose."""
    rng = np.random.default_rng(0)
    w3 = numpy_helper.from_array(rng.standard_normal((4, 2, 2, 3, 3)).astype(np.float32), "w3")
    b3 = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "b3")
    wt = numpy_helper.from_array(rng.standard_normal((2, 3, 2, 2, 3)).astype(np.float32), "wt")
    consts = [numpy_helper.from_array(np.array(v, np.int64), n) for n, v in
              (("max_out", [2]), ("image", [4, 5]), ("block", [2, 2]))]
    consts += [numpy_helper.from_array(np.array([v], np.float32), n) for n, v in (("iou", 0.4), ("min_score", 0.1))]
    nodes = [
        helper.make_node("GridSample", ["x", "grid"], ["gs2"], mode="cubic", padding_mode="reflection"),
        helper.make_node("GridSample", ["v", "grid3"], ["gs3"], mode="linear", padding_mode="border", align_corners=1),
        helper.make_node("RoiAlign", ["x", "rois", "roi_batch"], ["roi"], output_height=3, output_width=2,
                         sampling_ratio=2, spatial_scale=0.5),
        helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_out", "iou", "min_score"], ["nms"]),
        helper.make_node("MaxPool", ["x"], ["pooled", "argmax"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("MaxUnpool", ["pooled", "argmax"], ["unpooled"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Col2Im", ["cols", "image", "block"], ["im"], strides=[1, 1], pads=[0, 1, 0, 0]),
        helper.make_node("Det", ["mats"], ["det"]),
        helper.make_node("Conv", ["v", "w3", "b3"], ["c3"], pads=[1, 1, 1, 1, 1, 1], strides=[1, 2, 1]),
        helper.make_node("Relu", ["c3"], ["conv3"]),
        helper.make_node("ConvTranspose", ["v", "wt"], ["convt3"], strides=[2, 1, 2], pads=[0, 1, 1, 0, 0, 1],
                         output_padding=[1, 0, 0]),
    ]
    inputs = [("x", F, [2, 3, 6, 8]), ("grid", F, [2, 4, 5, 2]), ("v", F, [1, 2, 4, 5, 6]),
              ("grid3", F, [1, 2, 3, 4, 3]), ("rois", F, [3, 4]), ("roi_batch", TensorProto.INT64, [3]),
              ("boxes", F, [1, 6, 4]), ("scores", F, [1, 2, 6]), ("cols", F, [1, 8, 15]), ("mats", F, [3, 4, 4])]
    outputs = [(n, F, r) for n, r in (("gs2", 4), ("gs3", 5), ("roi", 4), ("unpooled", 4), ("im", 4), ("det", 1),
                                       ("conv3", 5), ("convt3", 5))]
    model = _model(nodes, inputs, outputs + [("nms", TensorProto.INT64, 2)], [w3, b3, wt, *consts], 20)
    corners = rng.uniform(0, 10, (1, 6, 2, 2)).astype(np.float32)
    boxes = np.concatenate([corners[:, :, 0], corners[:, :, 0] + rng.uniform(1, 5, (1, 6, 2))], -1)
    boxes[0, 1] = boxes[0, 0] + 0.2  # a near-duplicate for suppression to remove
    feeds = {
        "x": rng.standard_normal((2, 3, 6, 8)).astype(np.float32),
        "grid": rng.uniform(-1.3, 1.3, (2, 4, 5, 2)).astype(np.float32),
        "v": rng.standard_normal((1, 2, 4, 5, 6)).astype(np.float32),
        "grid3": rng.uniform(-1.2, 1.2, (1, 2, 3, 4, 3)).astype(np.float32),
        "rois": np.array([[0, 0, 10, 8], [2, 1, 15, 11], [4, 4, 6, 9]], np.float32),
        "roi_batch": np.array([0, 1, 1], np.int64),
        "boxes": boxes.astype(np.float32),
        "scores": rng.uniform(0, 1, (1, 2, 6)).astype(np.float32),
        "cols": rng.standard_normal((1, 8, 15)).astype(np.float32),
        "mats": rng.standard_normal((3, 4, 4)).astype(np.float32),
    }
    report = _run(tmp_path, model, feeds)
    assert report.browser_outputs["convt3"].shape == (1, 3, 9, 5, 11)
    assert len(report.browser_outputs["nms"]) >= 2


def _body(name, nodes, inputs, outputs):
    return helper.make_graph(nodes, name, [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                             [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs])


def test_recurrence_and_control_flow_ops(tmp_path):
    """Bidirectional RNN with sequence lengths and clip; Loop with a carried value, a scan output,
    an outer-scope read and an early exit; Scan with a reversed input on axis 1 and an output
    stacked on axis 1; TensorScatter into a KV-cache-like tensor (opset 24)."""
    rng = np.random.default_rng(1)
    H, I = 3, 4
    inits = [numpy_helper.from_array(rng.standard_normal(s).astype(np.float32) * 0.5, n)
             for n, s in (("W", (2, H, I)), ("R", (2, H, H)), ("B", (2, 2 * H)))]
    inits += [numpy_helper.from_array(np.array(v, dt), n) for n, v, dt in
              (("lens", [5, 3], np.int32), ("trips", 6, np.int64), ("go", True, np.bool_), ("limit", 9.0, np.float32))]
    loop_body = _body("loop_body", [
        helper.make_node("Add", ["acc_in", "step"], ["acc_out"]),  # `step` comes from the outer scope
        helper.make_node("Mul", ["acc_out", "acc_out"], ["sq"]),
        helper.make_node("ReduceSum", ["acc_out"], ["total"], keepdims=0),
        helper.make_node("Less", ["total", "limit"], ["cond_out"]),  # stop once the sum reaches 9
    ], [("i", TensorProto.INT64, []), ("cond_in", TensorProto.BOOL, []), ("acc_in", F, [2])],
        [("cond_out", TensorProto.BOOL, []), ("acc_out", F, [2]), ("sq", F, [2])])
    scan_body = _body("scan_body", [
        helper.make_node("Add", ["s_in", "row"], ["s_out"]),
        helper.make_node("Tanh", ["s_out"], ["elem"]),
    ], [("s_in", F, [3]), ("row", F, [3])], [("s_out", F, [3]), ("elem", F, [3])])
    nodes = [
        helper.make_node("RNN", ["X", "W", "R", "B", "lens"], ["Y", "Y_h"], hidden_size=H, direction="bidirectional",
                         clip=2.0, activations=["Tanh", "Relu"]),
        helper.make_node("Loop", ["trips", "go", "acc0"], ["acc", "squares"], body=loop_body),
        helper.make_node("Scan", ["s0", "xs"], ["s", "elems"], body=scan_body, num_scan_inputs=1,
                         scan_input_axes=[1], scan_input_directions=[1], scan_output_axes=[1]),
        helper.make_node("TensorScatter", ["cache", "update", "pos"], ["cache_out"], mode="circular"),
    ]
    inputs = [("X", F, [5, 2, I]), ("acc0", F, [2]), ("step", F, [2]), ("s0", F, [3]), ("xs", F, [3, 4]),
              ("cache", F, [2, 2, 5, 3]), ("update", F, [2, 2, 2, 3]), ("pos", TensorProto.INT64, [2])]
    outputs = [(n, F, r) for n, r in (("Y", 4), ("Y_h", 3), ("acc", 1), ("squares", 2), ("s", 1), ("elems", 2),
                                       ("cache_out", 4))]
    model = _model(nodes, inputs, outputs, inits, 24)
    feeds = {
        "X": rng.standard_normal((5, 2, I)).astype(np.float32),
        "acc0": np.array([0.5, -1.0], np.float32),
        "step": np.array([1.0, 1.5], np.float32),
        "s0": rng.standard_normal(3).astype(np.float32),
        "xs": rng.standard_normal((3, 4)).astype(np.float32),
        "cache": rng.standard_normal((2, 2, 5, 3)).astype(np.float32),
        "update": rng.standard_normal((2, 2, 2, 3)).astype(np.float32),
        "pos": np.array([1, 4], np.int64),
    }
    report = _run(tmp_path, model, feeds)
    assert report.browser_outputs["squares"].shape == (4, 2)  # the condition ends the loop before 6 trips
    assert report.browser_outputs["elems"].shape == (3, 4)
