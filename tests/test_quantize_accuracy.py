"""int4 that meets its own tolerance, and `webedge bundle --quantize` refusing what misses it.

The MLP of issue 13 (256-1024-256-10, Relu, random-normal weights) at int4: worst cosine 0.974 with
max/7 scales, under int4's 0.99; with the clipping search and sum-preserving rounding of
webedge/quantize/codecs.py it must reach 0.99 in at most 16% of its float32 bytes, in onnxruntime
and in Chromium on webedge's runtime. A model whose weights no int8/int4 scale can hold is
refused by `webedge bundle` (one line, exit 2, nothing written) and written with a warning under
`--allow-inaccurate`; a model that cannot run on generated inputs is bundled with its check
skipped and said so.
"""

from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import pytest

from models import reflect_pad_model, relu_mlp_model, saturated_model, save, spread_model
from webedge import cli
from webedge.bundle import bundle
from webedge.compare import Tolerance, compare_one
from webedge.quantize.calibration import calibration_sets
from webedge.quantize.model import quantize_model
from webedge.quantize.tolerances import TOLERANCES

INT4_AT_MOST = 0.16  # of the float32 weight bytes, scales included


def outputs(model, feeds) -> np.ndarray:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)[0]


def test_int4_mlp_meets_its_tolerance_in_at_most_16_percent_of_the_bytes():
    model = relu_mlp_model()
    q, record = quantize_model(model, encoding="int4")
    assert record["tensors_by_encoding"] == {"int4": 3}
    assert record["ratio"] <= INT4_AT_MOST, record["ratio"]
    tol = Tolerance(**TOLERANCES["int4"])
    sets = calibration_sets(model) + [{"x": np.random.default_rng(9).random((64, 256), np.float32)}]
    for feeds in sets:  # bundle's four generated sets, and a batch of 64 more
        check = compare_one("y", outputs(model, feeds), outputs(q, feeds), tol)
        assert check.ok and check.cosine >= 0.99, (feeds["x"].shape, check)


@pytest.mark.browser
def test_int4_mlp_meets_its_tolerance_in_chromium_on_webedges_runtime(tmp_path):
    from webedge.testing import check

    path = save(relu_mlp_model(), tmp_path / "mlp.onnx")
    rep = bundle(path, tmp_path / "site", backend="webedge", quantize="int4")
    assert rep["quantization"]["ratio"] <= INT4_AT_MOST and rep["quantization"]["accuracy"]["ok"]
    report = check(tmp_path / "site", model=path, dims={"batch": 4}, warm_runs=0, reload=False)
    assert report.backend.startswith("webedge")
    assert report.ok, (report.failures, [(c.max_abs, c.cosine) for c in report.outputs])
    assert report.outputs[0].cosine >= 0.99, report.outputs[0]


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("webedge: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("encoding", ["int8", "int4"])
def test_bundle_refuses_a_quantization_that_misses_its_tolerance(tmp_path, capsys, encoding):
    path = save(spread_model(), tmp_path / "spread.onnx")
    out = tmp_path / "site"
    code = cli.main(["bundle", str(path), "-o", str(out), "--quantize", encoding])
    line = one_line_error(capsys)
    assert code == 2, line
    tol = TOLERANCES[encoding]
    for part in (f"--quantize {encoding} misses its tolerance on generated inputs", "output 'y'",
                 f"atol {tol['atol']:g}, rtol {tol['rtol']:g}, cosine >= {tol['min_cosine']:g}", str(out),
                 "--allow-inaccurate", "--calibration-data", "--quantize " + {"int8": "fp16", "int4": "int8"}[encoding]):
        assert part in line, (part, line)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]


@pytest.mark.parametrize("encoding", ["int8", "int4"])
def test_allow_inaccurate_writes_it_with_a_warning_and_records_it(tmp_path, capsys, encoding):
    path = save(spread_model(), tmp_path / "spread.onnx")
    out = tmp_path / "site"
    code = cli.main(["bundle", str(path), "-o", str(out), "--quantize", encoding, "--allow-inaccurate"])
    err = capsys.readouterr().err
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "misses its tolerance" in warnings[0] and "--allow-inaccurate" in warnings[0], err
    acc = json.loads((out / "report.json").read_text())["quantization"]["accuracy"]
    assert acc["checked"] and not acc["ok"] and acc["allowed_inaccurate"] and acc["sets"] == 4
    assert acc["worst"]["output"] == "y" and acc["tolerance"] == TOLERANCES[encoding]


@pytest.mark.parametrize("encoding", ["fp16", "int8", "int4"])
def test_a_quantization_within_tolerance_is_written_with_what_was_measured(tmp_path, capsys, encoding):
    path = save(relu_mlp_model(), tmp_path / "mlp.onnx")
    assert cli.main(["bundle", str(path), "-o", str(tmp_path / "site"), "--quantize", encoding]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err and f"accuracy {encoding} vs float32" in captured.out, captured
    acc = json.loads((tmp_path / "site" / "report.json").read_text())["quantization"]["accuracy"]
    assert acc["checked"] and acc["ok"] and acc["sets"] == 4 and "allowed_inaccurate" not in acc
    assert acc["worst"]["cosine"] >= TOLERANCES[encoding]["min_cosine"]


def test_calibration_data_is_what_the_check_runs_on(tmp_path, capsys):
    """With --calibration-data the check runs on the user's inputs, names them, and does not ask
    for real inputs again."""
    path = save(spread_model(), tmp_path / "spread.onnx")
    np.savez(tmp_path / "cal.npz", x=np.random.default_rng(3).standard_normal((2, 64)).astype(np.float32))
    code = cli.main(["bundle", str(path), "-o", str(tmp_path / "site"), "--quantize", "int8",
                     "--calibration-data", str(tmp_path / "cal.npz")])
    line = one_line_error(capsys)
    assert code == 2 and f"on {tmp_path / 'cal.npz'}" in line and "--calibration-data with" not in line, line


def test_a_model_that_cannot_run_on_generated_inputs_is_bundled_with_the_check_skipped(tmp_path, capsys):
    path = save(reflect_pad_model(), tmp_path / "pad.onnx")
    out = tmp_path / "site"
    assert cli.main(["bundle", str(path), "-o", str(out), "--quantize", "int8"]) == 0
    err = capsys.readouterr().err
    assert "warning: accuracy of int8 not checked: the float32 model does not run on generated inputs" in err, err
    assert "--calibration-data" in err and "Traceback" not in err
    acc = json.loads((out / "report.json").read_text())["quantization"]["accuracy"]
    assert not acc["checked"] and "ok" not in acc
    # with inputs it can run on, it is checked
    np.savez(tmp_path / "cal.npz", x=np.random.default_rng(0).random((8, 64), np.float32))
    rep = bundle(path, out, quantize="int8", calibration=tmp_path / "cal.npz", force=True)
    assert rep["quantization"]["accuracy"]["checked"] and rep["quantization"]["accuracy"]["ok"]


def test_calibration_data_the_float32_model_cannot_run_on_is_one_line(tmp_path, capsys):
    path = save(reflect_pad_model(), tmp_path / "pad.onnx")
    np.savez(tmp_path / "cal.npz", x=np.zeros((1, 64), np.float32))  # too short to reflect-pad by 2
    code = cli.main(["bundle", str(path), "-o", str(tmp_path / "site"), "--quantize", "int4",
                     "--calibration-data", str(tmp_path / "cal.npz")])
    line = one_line_error(capsys)
    assert code == 2 and "the float32 model does not run on it" in line, line
    assert not (tmp_path / "site").exists()


def test_outputs_that_generated_inputs_leave_constant_are_not_taken_as_a_pass(tmp_path, capsys):
    path = save(saturated_model(), tmp_path / "sat.onnx")
    assert cli.main(["bundle", str(path), "-o", str(tmp_path / "site"), "--quantize", "int4"]) == 0
    err = capsys.readouterr().err
    assert "warning: accuracy of int4 not checked" in err and "one constant" in err, err
    acc = json.loads((tmp_path / "site" / "report.json").read_text())["quantization"]["accuracy"]
    assert not acc["checked"]
