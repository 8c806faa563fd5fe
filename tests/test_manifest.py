"""model.json (the manifest) and report.json of a real bundle."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from models import dynamic_model, make_model, matmul_model, save, vi
from webedge import manifest as manifest_mod
from webedge.bundle import bundle
from webedge.errors import WebedgeError

SCHEMA = json.loads((Path(manifest_mod.__file__).with_name("manifest.schema.json")).read_text())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("manifest")
    out = work / "site"
    bundle(save(dynamic_model(), work / "dynamic.onnx"), out, backend="ort", shard_size=1024)  # W1 and W2: two shards
    return out


@pytest.fixture(scope="module")
def man(site) -> dict:
    return json.loads((site / "model.json").read_text())


@pytest.fixture(scope="module")
def report(site) -> dict:
    return json.loads((site / "report.json").read_text())


# --- model.json -------------------------------------------------------------------------------------

def test_model_json_validates_against_the_schema(man):
    jsonschema.validate(man, SCHEMA)  # the schema file itself, not webedge's wrapper
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert man["format"] == "webedge-bundle" and man["version"] == 1
    assert man["model"]["name"] == "dynamic" and man["model"]["ir_version"] == 10
    assert man["model"]["opsets"] == {"ai.onnx": 17}


def test_manifest_files_exist_with_their_sizes_and_hashes(site, man):
    entries = man["shards"] + [man["backend"]["graph"]] + man["backend"]["files"]
    for e in entries:
        data = (site / e["file"]).read_bytes()
        assert len(data) == e["bytes"], e["file"]
        assert hashlib.sha256(data).hexdigest() == e["sha256"], e["file"]
    assert {f["role"] for f in man["backend"]["files"]} == {"entry", "glue", "wasm", "adapter"}
    assert man["backend"]["eps"] == ["wasm"]


def test_weights_point_into_their_shards(site, man):
    assert [w["name"] for w in man["weights"]] == ["W1", "W2"]  # bias is 64 bytes: inline
    assert [w["shard"] for w in man["weights"]] == [0, 1]
    for w in man["weights"]:
        shard = (site / man["shards"][w["shard"]]["file"]).read_bytes()
        assert w["offset"] + w["length"] <= len(shard)
        assert w["dtype"] == "float32"
        n = 1
        for d in w["shape"]:
            n *= d
        assert w["length"] == 4 * n


def test_symbolic_dims_are_kept_by_name(man):
    assert man["inputs"] == [{"name": "x", "dtype": "float32", "shape": ["batch", "x_dim1", 16]}]
    assert man["outputs"] == [{"name": "y", "dtype": "float32", "shape": ["batch", "y_dim1", 8]}]


def test_unnamed_dynamic_dims_get_generated_names():
    model = make_model([], [vi("img", [None, 3, None, "w"])], [vi("img", [None, 3, None, "w"])])
    info = manifest_mod.value_info(model.graph.input[0])
    assert info == {"name": "img", "dtype": "float32", "shape": ["img_dim0", 3, "img_dim2", "w"]}


def test_initializers_listed_as_inputs_are_not_manifest_inputs():
    model = matmul_model(16)
    model.graph.input.append(vi("W", [16, 16]))  # IR < 4 style: initializer doubles as a graph input
    man = manifest_mod.build(model, [], {"name": "ort", "eps": ["wasm"], "graph": {}, "files": []})
    assert [i["name"] for i in man["inputs"]] == ["x"]


def test_weight_lying_outside_its_shard_is_rejected(man):
    bad = copy.deepcopy(man)
    bad["weights"][1]["offset"] = bad["shards"][1]["bytes"] - bad["weights"][1]["length"] + 1
    with pytest.raises(WebedgeError, match=r"\.weights\[1\]: tensor 'W2' lies outside its shard"):
        manifest_mod.validate(bad)


def test_weight_in_a_shard_that_does_not_exist_is_rejected(man):
    bad = copy.deepcopy(man)
    bad["weights"][0]["shard"] = len(bad["shards"])
    with pytest.raises(WebedgeError, match=r"\.weights\[0\]"):
        manifest_mod.validate(bad)


def test_weight_ending_exactly_at_shard_end_is_accepted(man):
    ok = copy.deepcopy(man)
    ok["weights"][1]["offset"] = ok["shards"][1]["bytes"] - ok["weights"][1]["length"]
    assert manifest_mod.validate(ok) is ok


def test_read_reports_the_field_path_of_a_schema_error(site, tmp_path, man):
    bad = copy.deepcopy(man)
    bad["shards"][0]["sha256"] = "not-a-hash"
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "model.json").write_text(json.dumps(bad))
    with pytest.raises(WebedgeError, match=r"invalid manifest at \.shards\[0\]\.sha256"):
        manifest_mod.read(folder)
    assert manifest_mod.read(site) == man


def test_validate_names_top_level_problems(man):
    with pytest.raises(WebedgeError, match=r"invalid manifest at \(top\): 'weights' is a required property"):
        manifest_mod.validate({k: v for k, v in man.items() if k != "weights"})


# --- report.json ------------------------------------------------------------------------------------

def test_report_has_raw_and_gzip_size_of_every_file(site, report):
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {"report.json"}
    assert set(report["files"]) == on_disk
    for rel, entry in report["files"].items():
        data = (site / rel).read_bytes()
        assert entry["bytes"] == len(data), rel
        assert entry["gzip"] == len(gzip.compress(data, compresslevel=9, mtime=0)), rel
    # the weights are random floats (gzip cannot shrink them much); the wasm compresses well
    wasm = next(k for k in report["files"] if k.endswith(".wasm"))
    assert report["files"][wasm]["gzip"] < report["files"][wasm]["bytes"] / 2


def test_report_totals_add_up_by_kind(report):
    kinds = {"weights": lambda f: f.startswith("weights/"),
             "runtime": lambda f: f.startswith("ort/") or f in ("webedge.mjs", "webedge-ort.mjs"),
             "model": lambda f: f.startswith("graph.") or f == "model.json"}
    for kind, is_kind in kinds.items():
        files = [e for f, e in report["files"].items() if is_kind(f)]
        assert files, kind
        assert report["totals"][kind] == {"bytes": sum(e["bytes"] for e in files),
                                          "gzip": sum(e["gzip"] for e in files)}
    assert report["totals"]["all"]["bytes"] == sum(e["bytes"] for e in report["files"].values())
    assert report["totals"]["all"]["gzip"] == sum(e["gzip"] for e in report["files"].values())


def test_report_counts_ops_and_params(report, man):
    model = dynamic_model()
    assert report["ops"] == dict(Counter(n.op_type for n in model.graph.node)) == {"Add": 1, "MatMul": 2, "Relu": 1}
    assert report["params"]["tensors"] == 2
    assert report["params"]["bytes"] == 16 * 16 * 4 + 16 * 8 * 4
    assert report["params"]["shards"] == len(man["shards"]) == 2
    assert 64 <= report["params"]["inline_bytes"] < 256  # the 16-float bias, with its proto framing
    assert report["model"] == "dynamic"
    assert report["backend"] == {"name": "ort", "version": man["backend"]["version"], "eps": ["wasm"], "why": "asked for"}


def test_output_without_declared_shape_gets_the_inferred_one():
    from onnx import TensorProto, helper

    from webedge import manifest

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    y = helper.make_empty_tensor_value_info("y")
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    assert manifest.build(model, [], {})["outputs"] == [{"name": "y", "dtype": "float32", "shape": ["batch", 4]}]
