"""Lazy outputs: the manifest's per-output `needs` and the head-grouped shard layout."""

from __future__ import annotations

import copy
import json

import numpy as np
import onnx
import pytest
from onnx import helper

from models import init, make_model, save, vi
from test_prune import N, two_head_model
from webedge import manifest as manifest_mod
from webedge.bundle import bundle
from webedge.errors import WebedgeError


def shards_of(man: dict, output: str) -> set[str]:
    return {man["shards"][i]["file"] for i in man["needs"][output]}


def weights_in(man: dict, i: int) -> set[str]:
    return {w["name"] for w in man["weights"] if w["shard"] == i}


@pytest.mark.parametrize("backend", ["webedge", "ort"])
def test_needs_and_shards_keep_each_head_apart(tmp_path, backend):
    original = save(two_head_model(), tmp_path / "two.onnx")
    bundle(original, tmp_path / "b", backend=backend, shard_size="2KB")
    man = manifest_mod.read(tmp_path / "b")
    by_name = {w["name"]: w["shard"] for w in man["weights"]}
    assert set(man["needs"]) == {"A", "B"}
    assert man["needs"]["A"] == sorted([by_name["Wt"], by_name["Wa"]])
    assert man["needs"]["B"] == sorted([by_name["Wt"], by_name["Wb"]])
    assert by_name["Wt"] == 0  # the trunk first
    assert weights_in(man, by_name["Wa"]) == {"Wa"} and weights_in(man, by_name["Wb"]) == {"Wb"}


def test_a_one_output_bundle_has_no_needs_and_its_layout_is_by_first_use(tmp_path):
    model = onnx.load(save(two_head_model(), tmp_path / "two.onnx"))
    del model.graph.output[1]  # B's nodes stay, unused: the layout must not change for them
    path = save(model, tmp_path / "one.onnx")
    bundle(path, tmp_path / "b", backend="ort", shard_size="2KB")
    man = manifest_mod.read(tmp_path / "b")
    assert "needs" not in man
    assert [w["name"] for w in man["weights"]] == ["Wt", "Wa", "Wb"]  # first-use order, as always


def test_needs_follow_an_if_body_to_its_weights(tmp_path):
    """A's only weight is read inside an If branch (webedge's runtime shards body weights)."""
    rng = np.random.default_rng(1)
    then_g = helper.make_graph([helper.make_node("MatMul", ["h", "Wk"], ["r"])], "then", [], [vi("r", [1, N])])
    else_g = helper.make_graph([helper.make_node("Identity", ["h"], ["r2"])], "else", [], [vi("r2", [1, N])])
    nodes = [helper.make_node("Relu", ["x"], ["h"]),
             helper.make_node("If", ["c"], ["A"], then_branch=then_g, else_branch=else_g),
             helper.make_node("MatMul", ["x", "Wb"], ["B"])]
    model = make_model(nodes, [vi("x", [1, N]), vi("c", [], onnx.TensorProto.BOOL)], [vi("A", [1, N]), vi("B", [1, N])],
                       [init("Wk", rng.standard_normal((N, N)).astype(np.float32)),
                        init("Wb", rng.standard_normal((N, N)).astype(np.float32))])
    bundle(save(model, tmp_path / "if.onnx"), tmp_path / "b", backend="webedge", shard_size="1KB")
    man = manifest_mod.read(tmp_path / "b")
    by_name = {w["name"]: w["shard"] for w in man["weights"]}
    assert man["needs"] == {"A": [by_name["Wk"]], "B": [by_name["Wb"]]} and by_name["Wk"] != by_name["Wb"]


@pytest.mark.parametrize("needs, phrase", [
    ({"C": [0]}, "invalid manifest at .needs.C: no such output (outputs: A, B)"),
    ({"A": [99]}, "invalid manifest at .needs.A: shard index 99 is out of range"),
    ({"A": [-1]}, "invalid manifest at .needs.A[0]"),
    ({"A": "0"}, "invalid manifest at .needs.A"),
])
def test_hostile_needs_are_refused_in_one_line(tmp_path, needs, phrase):
    original = save(two_head_model(), tmp_path / "two.onnx")
    bundle(original, tmp_path / "b", backend="ort", shard_size="2KB")
    man = json.loads((tmp_path / "b" / "model.json").read_text())
    bad = {**copy.deepcopy(man), "needs": needs}
    with pytest.raises(WebedgeError) as err:
        manifest_mod.validate(bad)
    assert phrase in str(err.value) and "\n" not in str(err.value), err.value
