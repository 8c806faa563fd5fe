"""End to end in headless Chromium: real pretrained models bundled, run on ORT-web, checked
against Python onnxruntime on the original model. These fail (not skip) without a Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from webedge import pretrained
from webedge.bundle import bundle
from webedge.testing import check

pytestmark = pytest.mark.browser


def assert_matches(report, max_abs=1e-4):
    assert report.ok, report.failures
    assert report.outputs, "no outputs were compared"
    for c in report.outputs:
        assert c.max_abs <= max_abs, (c.name, c.max_abs)


def test_magika_wasm_matches_onnxruntime_and_reload_downloads_no_weights(magika_bundle, magika_model):
    report = check(magika_bundle, model=magika_model, dims={"unk__214": 2}, warm_runs=2)
    assert_matches(report)
    assert report.backend == "ort/wasm"
    shards = json.loads((magika_bundle / "model.json").read_text())["shards"]
    assert report.bytes["weights"] >= sum(s["bytes"] for s in shards) > 2_500_000  # the real weights (deflated), once
    assert report.reload["weight_bytes"] == 0
    assert report.reload["cache_bytes"] >= report.bytes["weights"] - report.bytes["model"]
    assert report.timings["ready_ms"] > report.timings["manifest_ms"] > 0


def test_magika_webgpu_matches_onnxruntime(tmp_path, magika_model):
    out = tmp_path / "gpu"
    bundle(magika_model, out, backend="ort", ep="webgpu")
    report = check(out, model=magika_model, backend="webgpu", dims={"unk__214": 2}, warm_runs=1, reload=False)
    assert report.backend == "ort/webgpu"
    assert_matches(report)


def test_symbolic_batch_dimension_resolves_at_run_time(magika_bundle, magika_model):
    for batch in (1, 5):
        report = check(magika_bundle, model=magika_model, dims={"unk__214": batch}, warm_runs=0, reload=False)
        assert_matches(report)
        assert report.outputs[0].shape == [batch, 214]


def test_weights_in_constant_nodes_ppocr_classifier(tmp_path):
    model = pretrained.fetch("ppocr-cls")
    out = tmp_path / "cls"
    rep = bundle(model, out, backend="ort")
    assert rep["params"]["tensors"] > 50 and rep["params"]["bytes"] > 500_000  # the Constant-node weights
    report = check(out, model=model, dims={"x_dim0": 2, "x_dim2": 48, "x_dim3": 192}, warm_runs=1)
    assert_matches(report)
    assert report.reload["weight_bytes"] == 0


def test_multi_output_model_silero_vad(tmp_path, silero_model, silero_inputs):
    out = tmp_path / "vad"
    bundle(silero_model, out, backend="ort")
    report = check(out, model=silero_model, inputs=silero_inputs, warm_runs=1, reload=False)
    assert_matches(report)
    assert [c.name for c in report.outputs] == ["output", "stateN"]
    assert report.outputs[1].shape == [2, 1, 128]


def test_corrupted_shard_fails_clearly_with_no_outputs(tmp_path, magika_bundle, magika_model):
    out = tmp_path / "bad"
    shutil.copytree(magika_bundle, out)
    shard = sorted((out / "weights").glob("*.bin"))[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    report = check(out, model=magika_model, dims={"unk__214": 1})
    assert not report.ok
    assert not report.outputs and not report.browser_outputs
    assert any("integrity check failed" in f and f"weights/{shard.name}" in f for f in report.failures), report.failures


def test_missing_shard_names_the_file(tmp_path, magika_bundle, magika_model):
    out = tmp_path / "missing"
    shutil.copytree(magika_bundle, out)
    shard = sorted((out / "weights").glob("*.bin"))[0]
    shard.unlink()
    report = check(out, model=magika_model, dims={"unk__214": 1})
    assert any(f"weights/{shard.name}: HTTP 404" in f for f in report.failures), report.failures


def test_cli_test_exit_codes_and_budgets(magika_bundle, magika_model, tmp_path):
    base = [sys.executable, "-m", "webedge", "test", str(magika_bundle), "--model", str(magika_model),
            "--dim", "unk__214=1", "--runs", "1"]
    ok = subprocess.run(base + ["--budget", "reload_weight_bytes=0", "--json", str(tmp_path / "r.json")],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PASS" in ok.stdout and "warm inference" in ok.stdout
    assert '"ok": true' in (tmp_path / "r.json").read_text()
    over = subprocess.run(base + ["--budget", "total_bytes=1MB"], capture_output=True, text=True, timeout=300)
    assert over.returncode == 1, over.stdout + over.stderr
    assert "FAIL budget total_bytes" in over.stdout
    assert "Traceback" not in over.stderr


def test_no_browser_is_a_clear_error_not_a_skip(magika_bundle, magika_model, monkeypatch):
    env = {"WEBEDGE_CHROMIUM": "/nonexistent/chrome", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "webedge", "test", str(magika_bundle), "--dim", "unk__214=1"],
                          capture_output=True, text=True, timeout=120, env={**__import__("os").environ, **env})
    assert done.returncode == 2
    assert done.stderr.strip() == "webedge: error: WEBEDGE_CHROMIUM=/nonexistent/chrome is not an executable file"


def test_pytest_plugin_fixture_bundles_and_checks(webedge_check, magika_model):
    report = webedge_check(magika_model, dims={"unk__214": 1}, warm_runs=1, reload=False,
                           budgets={"weight_bytes": 4_000_000})
    assert report.ok, report.failures
    assert report.budgets == [{"key": "weight_bytes", "limit": 4_000_000, "value": report.bytes["weights"], "ok": True}]
    assert np.isfinite(report.browser_outputs["target_label"]).all()
