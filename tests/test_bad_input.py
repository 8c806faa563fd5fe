"""Bad input to the CLI: one line on stderr, exit status 2, no traceback, nothing written.

Runs `webedge.cli.main` in-process; no browser is launched (the `webedge test` cases here all fail
before one would be).
"""

from __future__ import annotations

import errno
import json
import pathlib
import shutil

import numpy as np
import pytest
from onnx import helper

from models import make_model, matmul_model, save, save_external, vi
import webedge.testing.browser
from webedge.cli import main


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch, tmp_path):
    # No budget config from the repository's pyproject; onnxruntime-web from the repo's js/node_modules.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WEBEDGE_ORT_DIST", raising=False)

    def no_browser(*args, **kwargs):
        raise AssertionError("a usage error must be reported before any browser is launched")

    monkeypatch.setattr(webedge.testing.browser, "launch", no_browser)


def leftovers(out: pathlib.Path) -> list[str]:
    """Temporary or backup folders `bundle` may leave beside OUT."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith(f".{out.name}.tmp-") or p.name.startswith(f".{out.name}.old-"))


def expect_error(capsys, argv: list[str], phrase: str) -> str:
    """Run the CLI, assert it failed as a user error with `phrase` in its one stderr line."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert code == 2, (code, captured.err)
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1 and captured.err.endswith("\n"), captured.err
    line = lines[0]
    assert line.startswith("webedge: error:"), line
    assert phrase in line, line
    return line


def expect_bundle_error(capsys, model: pathlib.Path, out: pathlib.Path, phrase: str, *extra) -> str:
    line = expect_error(capsys, ["bundle", model, "-o", out, *extra], phrase)
    assert not out.exists(), f"{out} was created"
    assert leftovers(out) == []
    return line


def bundle_ok(capsys, model: pathlib.Path, out: pathlib.Path, *extra) -> None:
    code = main(["bundle", str(model), "-o", str(out), *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""
    assert (out / "model.json").is_file()


@pytest.fixture(scope="module")
def shared_bundle(tmp_path_factory) -> pathlib.Path:
    """One real bundle per module (bundling copies and gzips 14 MB of wasm): y = x @ W, x is [batch, 16]."""
    from webedge.bundle import bundle

    work = tmp_path_factory.mktemp("shared")
    out = work / "site"
    bundle(save(matmul_model(16, batch="batch"), work / "dyn.onnx"), out, backend="ort")
    return out


@pytest.fixture
def bundled(shared_bundle, tmp_path) -> pathlib.Path:
    """A private copy of the shared bundle, free to be damaged."""
    out = tmp_path / "site"
    shutil.copytree(shared_bundle, out)
    return out


def snapshot(folder: pathlib.Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the model file itself -------------------------------------------------------------------------

def test_text_file_is_not_onnx(tmp_path, capsys):
    model = tmp_path / "notes.onnx"
    model.write_text("hello, this is a text file and not an ONNX model\n")
    line = expect_bundle_error(capsys, model, tmp_path / "site", "not an ONNX model")
    assert str(model) in line


def test_truncated_protobuf(tmp_path, capsys):
    data = matmul_model(32).SerializeToString()
    model = tmp_path / "half.onnx"
    model.write_bytes(data[: len(data) // 2])
    expect_bundle_error(capsys, model, tmp_path / "site", "truncated or corrupt")


def test_empty_file(tmp_path, capsys):
    model = tmp_path / "empty.onnx"
    model.write_bytes(b"")
    expect_bundle_error(capsys, model, tmp_path / "site", "file is empty")


def test_missing_model_file(tmp_path, capsys):
    expect_bundle_error(capsys, tmp_path / "nope.onnx", tmp_path / "site", "no such file")


def test_node_with_wrong_input_count_fails_checker(tmp_path, capsys):
    bad = make_model([helper.make_node("Relu", ["x", "x"], ["y"])], [vi("x", [1, 4])], [vi("y", [1, 4])])
    model = save(bad, tmp_path / "relu2.onnx")
    line = expect_bundle_error(capsys, model, tmp_path / "site", "fails the ONNX checker")
    assert "input size 2" in line


def test_op_missing_from_default_domain_fails_checker(tmp_path, capsys):
    bad = make_model([helper.make_node("NotARealOp", ["x"], ["y"])], [vi("x", [1, 4])], [vi("y", [1, 4])])
    model = save(bad, tmp_path / "noop.onnx")
    line = expect_bundle_error(capsys, model, tmp_path / "site", "fails the ONNX checker")
    assert "NotARealOp" in line


def test_unknown_op_domain(tmp_path, capsys):
    bad = make_model([helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")],
                     [vi("x", [1, 4])], [vi("y", [1, 4])],
                     opsets=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)])
    model = save(bad, tmp_path / "custom.onnx")
    line = expect_bundle_error(capsys, model, tmp_path / "site", "unknown domain")
    assert "com.example::Frobnicate" in line


def test_missing_external_data(tmp_path, capsys):
    model = save_external(matmul_model(16), tmp_path / "ext.onnx", "w.bin")
    (tmp_path / "w.bin").unlink()
    line = expect_bundle_error(capsys, model, tmp_path / "site", "which is missing")
    assert "'w.bin'" in line


def test_truncated_external_data(tmp_path, capsys):
    model = save_external(matmul_model(16), tmp_path / "ext.onnx", "w.bin")
    data = (tmp_path / "w.bin").read_bytes()
    assert len(data) >= 16 * 16 * 4
    (tmp_path / "w.bin").write_bytes(data[: len(data) // 2])
    line = expect_bundle_error(capsys, model, tmp_path / "site", "truncated")
    assert "w.bin" in line


def test_ir_version_14_refused_for_ort(tmp_path, capsys):
    model = save(matmul_model(16, ir_version=14), tmp_path / "ir14.onnx")
    line = expect_bundle_error(capsys, model, tmp_path / "site", "IR version 14", "--backend", "ort")
    assert "onnxruntime-web" in line and "at most IR 13" in line


def test_ir_version_14_is_fine_for_the_webedge_runtime(tmp_path, capsys):
    model = save(matmul_model(16, ir_version=14), tmp_path / "ir14.onnx")
    assert main(["bundle", str(model), "-o", str(tmp_path / "site")]) == 0  # auto picks webedge's runtime
    assert "webedge" in capsys.readouterr().out


# --- the output path ------------------------------------------------------------------------------

def test_output_path_is_an_existing_file(tmp_path, capsys):
    model = save(matmul_model(16), tmp_path / "m.onnx")
    out = tmp_path / "site"
    out.write_text("precious\n")
    expect_error(capsys, ["bundle", model, "-o", out], "is a file")
    assert out.read_text() == "precious\n"
    assert leftovers(out) == []


def test_output_parent_missing(tmp_path, capsys):
    model = save(matmul_model(16), tmp_path / "m.onnx")
    out = tmp_path / "no" / "such" / "site"
    expect_error(capsys, ["bundle", model, "-o", out], "does not exist")
    assert not (tmp_path / "no").exists()


def test_existing_output_folder_needs_force(bundled, tmp_path, capsys):
    out = bundled
    before = snapshot(out)

    model_b = save(matmul_model(16, seed=2), tmp_path / "b.onnx")
    expect_error(capsys, ["bundle", model_b, "-o", out], "already exists; pass --force")
    assert snapshot(out) == before
    assert leftovers(out) == []

    bundle_ok(capsys, model_b, out, "--force", "--backend", "ort")
    after = snapshot(out)
    assert after != before
    # replaced, not merged: the old shard and graph are gone, only the new bundle's files are there
    old_shards = {k for k in before if k.startswith("weights/")}
    new_shards = {k for k in after if k.startswith("weights/")}
    assert len(old_shards) == 1 and len(new_shards) == 1 and not (old_shards & new_shards)
    man = json.loads(after["model.json"])
    assert {s["file"] for s in man["shards"]} == new_shards
    assert {k for k in after if k.startswith("graph.")} == {man["backend"]["graph"]["file"]}
    assert leftovers(out) == []


def test_no_space_left_keeps_previous_bundle(bundled, tmp_path, capsys, monkeypatch):
    out = bundled
    before = snapshot(out)
    model_b = save(matmul_model(16, seed=2), tmp_path / "b.onnx")

    calls = []

    def full_disk(self, data):
        calls.append(self)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", full_disk)
    line = expect_error(capsys, ["bundle", model_b, "-o", out, "--force"], "no space")
    monkeypatch.undo()

    assert calls, "the bundle writer never called Path.write_bytes; the fault was not injected"
    assert str(out) in line
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_no_space_left_without_previous_bundle(tmp_path, capsys, monkeypatch):
    model = save(matmul_model(16), tmp_path / "m.onnx")

    def full_disk(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", full_disk)
    expect_bundle_error(capsys, model, tmp_path / "site", "no space")


# --- `webedge test` usage errors (before any browser) ----------------------------------------------

def test_test_folder_without_model_json(tmp_path, capsys):
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    expect_error(capsys, ["test", folder], "no model.json")


def test_test_path_that_is_not_a_folder(tmp_path, capsys):
    expect_error(capsys, ["test", tmp_path / "missing"], "not a folder")


def test_test_model_json_not_json(bundled, capsys):
    (bundled / "model.json").write_text("{ not json")
    expect_error(capsys, ["test", bundled], "not valid JSON")


def test_test_model_json_fails_schema(bundled, capsys):
    man = json.loads((bundled / "model.json").read_text())
    man["inputs"][0]["dtype"] = "complex64"
    (bundled / "model.json").write_text(json.dumps(man))
    line = expect_error(capsys, ["test", bundled], "invalid manifest at .inputs[0].dtype")
    assert "complex64" in line


def test_test_model_json_missing_field(bundled, capsys):
    man = json.loads((bundled / "model.json").read_text())
    del man["backend"]["graph"]["sha256"]
    (bundled / "model.json").write_text(json.dumps(man))
    line = expect_error(capsys, ["test", bundled], "invalid manifest at .backend.graph")
    assert "sha256" in line


def test_test_dynamic_dim_without_value(bundled, capsys):
    man = json.loads((bundled / "model.json").read_text())
    assert man["inputs"][0]["shape"] == ["batch", 16]
    line = expect_error(capsys, ["test", bundled], "--dim batch=N")
    assert "'batch'" in line


def test_test_bad_dim_flag(bundled, capsys):
    expect_error(capsys, ["test", bundled, "--dim", "batch"], "must look like NAME=POSITIVE_INT")


def test_test_unknown_budget_key(bundled, capsys):
    line = expect_error(capsys, ["test", bundled, "--budget", "coffee_ms=5"], "unknown budget 'coffee_ms'")
    assert "first_inference_ms" in line  # the message lists the known keys


def test_test_budget_without_value(bundled, capsys):
    expect_error(capsys, ["test", bundled, "--budget", "first_inference_ms"], "must look like KEY=VALUE")


def test_test_inputs_file_missing_an_array(bundled, tmp_path, capsys):
    npz = tmp_path / "in.npz"
    np.savez(npz, not_x=np.zeros((1, 16), np.float32))
    expect_error(capsys, ["test", bundled, "--inputs", npz], "has no array for input(s) x")


def test_test_wrong_backend_for_bundle(bundled, capsys):
    expect_error(capsys, ["test", bundled, "--backend", "webgpu"], "re-bundle with --ep webgpu")


def test_test_unknown_network_preset(bundled, capsys):
    expect_error(capsys, ["test", bundled, "--network", "carrier-pigeon"], "unknown network preset 'carrier-pigeon'")
