"""`webedge bundle --outputs`: the graph pruned to the named outputs (webedge/prune.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

from models import init, make_model, save, save_external, vi
from webedge.bundle import bundle
from webedge.cli import main
from webedge.prune import prune
from webedge.testing import check

N, A_CLASSES, B_WIDTH = 16, 4, 4096
TRUNK_BYTES = N * N * 4
A_BYTES = N * A_CLASSES * 4
B_BYTES = N * B_WIDTH * 4  # 256 KiB: the weight --outputs A must leave behind


def two_head_model() -> onnx.ModelProto:
    """h = relu(x @ Wt); A = h @ Wa (small head); B = h @ Wb + xb (large head, with an input of its own).
    Labels for A sit in the metadata."""
    rng = np.random.default_rng(0)
    w = {k: rng.standard_normal(s).astype(np.float32) for k, s in
         (("Wt", (N, N)), ("Wa", (N, A_CLASSES)), ("Wb", (N, B_WIDTH)))}
    nodes = [helper.make_node("MatMul", ["x", "Wt"], ["t"]), helper.make_node("Relu", ["t"], ["h"]),
             helper.make_node("MatMul", ["h", "Wa"], ["A"]),
             helper.make_node("MatMul", ["h", "Wb"], ["hb"]), helper.make_node("Add", ["hb", "xb"], ["B"])]
    model = make_model(nodes, [vi("x", [1, N]), vi("xb", [1, B_WIDTH])],
                       [vi("A", [1, A_CLASSES]), vi("B", [1, B_WIDTH])], [init(k, v) for k, v in w.items()])
    model.graph.value_info.extend([vi("h", [1, N]), vi("hb", [1, B_WIDTH])])
    helper.set_model_props(model, {"labels": json.dumps(["cat", "dog", "owl", "eel"])})
    return model


def weight_names(folder) -> set[str]:
    man = json.loads((folder / "model.json").read_text())
    return {w["name"] for w in man["weights"]}


def test_prune_keeps_what_a_needs_and_only_that():
    model = two_head_model()
    pruned, info = prune(model, ["A"])
    onnx.checker.check_model(pruned, full_check=True)
    g = pruned.graph
    assert [n.op_type for n in g.node] == ["MatMul", "Relu", "MatMul"]
    assert {t.name for t in g.initializer} == {"Wt", "Wa"}
    assert [i.name for i in g.input] == ["x"] and [o.name for o in g.output] == ["A"]
    assert [v.name for v in g.value_info] == ["h"]
    assert pruned.metadata_props == model.metadata_props and pruned.opset_import == model.opset_import
    assert info == {"outputs": ["A"], "dropped_outputs": ["B"], "nodes_dropped": 2,
                    "weight_bytes_dropped": B_BYTES, "inputs_dropped": ["xb"]}
    assert len(model.graph.node) == 5  # the caller's model is left whole


def test_prune_follows_an_if_body_to_the_outer_names_it_reads():
    """onnx.utils.Extractor misses these: the body reads Wk and h, which no node input names."""
    then_g = helper.make_graph([helper.make_node("MatMul", ["h", "Wk"], ["r"])], "then", [], [vi("r", [1, N])])
    else_g = helper.make_graph([helper.make_node("Identity", ["h"], ["r2"])], "else", [], [vi("r2", [1, N])])
    nodes = [helper.make_node("Relu", ["x"], ["h"]), helper.make_node("If", ["c"], ["A"], then_branch=then_g,
                                                                     else_branch=else_g),
             helper.make_node("MatMul", ["x", "Wb"], ["B"])]
    model = make_model(nodes, [vi("x", [1, N]), vi("c", [], onnx.TensorProto.BOOL)],
                       [vi("A", [1, N]), vi("B", [1, N])],
                       [init("Wk", np.eye(N, dtype=np.float32)), init("Wb", np.ones((N, N), np.float32))])
    pruned, info = prune(model, ["A"])
    onnx.checker.check_model(pruned, full_check=True)
    assert {t.name for t in pruned.graph.initializer} == {"Wk"}
    assert [n.op_type for n in pruned.graph.node] == ["Relu", "If"]
    assert [i.name for i in pruned.graph.input] == ["x", "c"] and info["inputs_dropped"] == []


@pytest.mark.parametrize("backend", ["webedge", "ort"])
def test_outputs_a_bundles_trunk_and_a_only_and_passes_in_the_browser(tmp_path, capsys, backend):
    original = save(two_head_model(), tmp_path / "two.onnx")
    whole = bundle(original, tmp_path / "whole", backend=backend)
    assert main(["bundle", str(original), "-o", str(tmp_path / "a"), "--backend", backend, "--outputs", "A"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "pruned" in ln]
    assert lines == [f"  pruned   to A: 2 node(s) and 262.14 kB of weights dropped with B; "
                     "input 'xb' dropped (no kept node reads it)"], lines
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["pruning"]["weight_bytes_dropped"] == B_BYTES
    assert whole["params"]["bytes"] >= TRUNK_BYTES + A_BYTES + B_BYTES
    assert report["params"]["bytes"] <= TRUNK_BYTES + A_BYTES
    assert "Wb" in weight_names(tmp_path / "whole") and "Wb" not in weight_names(tmp_path / "a")
    assert "Wb" not in (tmp_path / "a" / json.loads((tmp_path / "a" / "model.json").read_text())
                        ["backend"]["graph"]["file"]).read_bytes().decode("latin-1")
    man = json.loads((tmp_path / "a" / "model.json").read_text())
    assert sum(s["size"] for s in man["shards"]) <= TRUNK_BYTES + A_BYTES
    assert [o["name"] for o in man["outputs"]] == ["A"] and [i["name"] for i in man["inputs"]] == ["x"]
    assert man["labels"] == {"A": ["cat", "dog", "owl", "eel"]}  # the metadata survived the pruning
    result = check(tmp_path / "a", model=original, warm_runs=0, reload=False)
    assert result.ok, result.failures
    assert [c.name for c in result.outputs] == ["A"]  # compared, not skipped


def test_outputs_on_a_model_with_external_data(tmp_path):
    original = save_external(two_head_model(), tmp_path / "two.onnx")
    report = bundle(original, tmp_path / "a", backend="webedge", outputs="A")
    assert report["params"]["bytes"] == TRUNK_BYTES + A_BYTES and report["pruning"]["outputs"] == ["A"]


@pytest.mark.parametrize("args, phrase", [
    (["--outputs", "C"], "the model has no output 'C' (its outputs: A, B)"),
    (["--outputs", ""], "name at least one output"),
    (["--outputs", "A,"], "name at least one output"),
    (["--outputs", "A,A"], "names 'A' more than once"),
    (["--outputs", "A", "--labels", "LABELS"], "the model has no output 'B' (its outputs: A)"),
])
def test_bad_outputs_are_one_line_exit_2_and_write_nothing(tmp_path, capsys, args, phrase):
    original = save(two_head_model(), tmp_path / "two.onnx")
    (tmp_path / "labels.json").write_text(json.dumps({"B": ["x"] * B_WIDTH}))
    args = [str(tmp_path / "labels.json") if a == "LABELS" else a for a in args]
    assert main(["bundle", str(original), "-o", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and phrase in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_the_docs_state_the_measured_bytes(tmp_path):
    original = save(two_head_model(), tmp_path / "two.onnx")
    whole = bundle(original, tmp_path / "whole", backend="webedge")["params"]["bytes"]
    pruned = bundle(original, tmp_path / "a", backend="webedge", outputs=["A"])["params"]["bytes"]
    root = Path(__file__).resolve().parents[1]
    for doc, pattern in (("README.md", r"weights from ([\d,]+) B to ([\d,]+) B"),
                         ("docs/manifest.md", r"([\d,]+) B of weights whole, is ([\d,]+) B as `--outputs A`")):
        found = re.search(pattern, (root / doc).read_text())
        assert found, f"{doc} no longer states the two-head model's bytes; update this test with it"
        assert [int(g.replace(",", "")) for g in found.groups()] == [whole, pruned], doc
