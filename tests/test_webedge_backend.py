"""webedge's own runtime end to end in headless Chromium: real pretrained models bundled with
--backend webedge, checked against Python onnxruntime on the original model."""

from __future__ import annotations

import pytest

from webedge import pretrained
from webedge.bundle import bundle
from webedge.errors import WebedgeError
from webedge.testing import check

pytestmark = pytest.mark.browser


def scale_error(report):
    """Max abs error relative to the output's scale (the issue's bar: <= 1e-4)."""
    return max(c.max_abs / max(1e-6, float(abs(report.browser_outputs[c.name]).max())) for c in report.outputs)


@pytest.mark.parametrize("name, dims", [
    ("ppocr-cls", {"x_dim0": 2, "x_dim2": 48, "x_dim3": 192}),
    ("magika", {"unk__214": 3}),
])
def test_real_model_on_webedge_runtime_matches_onnxruntime(tmp_path, name, dims):
    model = pretrained.fetch(name)
    out = tmp_path / name
    rep = bundle(model, out, backend="webedge")
    assert rep["backend"]["name"] == "webedge"
    assert not any(f.startswith("ort/") for f in rep["files"])
    report = check(out, model=model, dims=dims, warm_runs=2)
    assert report.backend == "webedge/wasm"
    assert report.outputs and all(c.cosine > 0.99999 for c in report.outputs), report.failures
    assert scale_error(report) <= 1e-4, [(c.name, c.max_abs) for c in report.outputs]
    assert report.reload["weight_bytes"] == 0
    # the whole runtime (loader + executor + kernels) is a small fraction of onnxruntime-web's wasm
    assert rep["totals"]["runtime"]["gzip"] < 150_000, rep["totals"]["runtime"]


@pytest.mark.parametrize("name, inputs", [("silero-vad", "silero_inputs"), ("ppocr-det", "ppocr_det_inputs")])
def test_control_flow_recurrent_and_upsampling_models(tmp_path, request, name, inputs):
    """Silero VAD: If branches holding an LSTM, two outputs. PP-OCR det: Resize + ConvTranspose."""
    model = pretrained.fetch(name)
    out = tmp_path / name
    bundle(model, out, backend="webedge")
    report = check(out, model=model, inputs=request.getfixturevalue(inputs), warm_runs=1, reload=False)
    assert report.ok, report.failures
    assert scale_error(report) <= 1e-4, [(c.name, c.max_abs) for c in report.outputs]


def test_webedge_backend_refuses_a_model_with_unsupported_ops_and_names_them(tmp_path):
    from onnx import TensorProto, helper, save

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 1])
    graph = helper.make_graph([helper.make_node("DFT", ["x"], ["d"]), helper.make_node("Relu", ["d"], ["y"])], "g",
                              [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 2])])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10), tmp_path / "m.onnx")
    with pytest.raises(WebedgeError, match=r"does not support: DFT; use --backend ort"):
        bundle(tmp_path / "m.onnx", tmp_path / "site", backend="webedge")
    assert not (tmp_path / "site").exists()
