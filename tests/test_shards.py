"""Weight extraction and shard packing: order, alignment, boundaries, content-hash names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper

from models import constants_model, first_use_model, mlp_model, save
from webedge.bundle import bundle
from webedge.compression import decode
from webedge.shards import ALIGN, NAME_HEX, pack, span_file
from webedge.weights import INLINE_BYTES, WeightTensor, extract_weights


def wt(name: str, size: int, fill: int | None = None) -> WeightTensor:
    fill = (sum(name.encode()) % 251 + 1) if fill is None else fill
    return WeightTensor(name, "uint8", [size], bytes([fill]) * size, "initializer")


def where(shards) -> dict[str, tuple[int, int]]:
    return {p.tensor.name: (i, p.offset) for i, s in enumerate(shards) for p in s.placements}


# --- pack -------------------------------------------------------------------------------------------

def test_offsets_are_aligned_and_data_is_where_the_offset_says():
    weights = [wt("a", 10), wt("b", 100), wt("c", 1), wt("d", 64), wt("e", 65), wt("f", 3)]
    shards = pack(weights, 10_000)
    assert len(shards) == 1
    placements = shards[0].placements
    assert [p.tensor.name for p in placements] == ["a", "b", "c", "d", "e", "f"]
    assert [p.offset for p in placements] == [0, 64, 192, 256, 320, 448]
    for p in placements:
        assert p.offset % ALIGN == 0
        assert bytes(shards[0].data[p.offset:p.offset + len(p.tensor.data)]) == p.tensor.data
    # padding is zeros and the shard ends right after the last tensor
    assert bytes(shards[0].data[10:64]) == b"\0" * 54
    assert len(shards[0].data) == 448 + 3


def test_shard_closes_when_next_tensor_would_pass_the_target():
    # 300 at 0, 300 at 320 (ends 620 <= 640): one shard; the third would end at 940 > 640
    weights = [wt("a", 300), wt("b", 300), wt("c", 300), wt("d", 20)]
    shards = pack(weights, 640)
    assert where(shards) == {"a": (0, 0), "b": (0, 320), "c": (1, 0), "d": (1, 320)}
    assert [len(s.data) for s in shards] == [620, 340]
    assert all(len(s.data) <= 640 for s in shards)


def test_tensor_exactly_filling_the_shard_stays_in_it():
    shards = pack([wt("a", 64), wt("b", 64)], 128)
    assert where(shards) == {"a": (0, 0), "b": (0, 64)}


def pieces(shards) -> dict[str, list[tuple[int, int, int, int]]]:
    """tensor -> [(shard, offset, start in the tensor, length)] for every piece, in order."""
    out: dict[str, list] = {}
    for i, s in enumerate(shards):
        for p in s.placements:
            out.setdefault(p.tensor.name, []).append((i, p.offset, p.start, p.length))
    return out


def test_tensor_larger_than_shard_size_spans_consecutive_shards():
    # huge fills shard 0 after small1 (128..1000), then three whole shards, then its last 1128 -
    # no: 5000 - 872 - 3000 = 1128 > 1000, so four whole shards and 128 bytes that open shard 5
    weights = [wt("small1", 100), wt("huge", 5000), wt("small2", 100), wt("small3", 100)]
    shards = pack(weights, 1000)
    got = pieces(shards)
    assert got["small1"] == [(0, 0, 0, 100)]
    assert got["huge"] == [(0, 128, 0, 872), (1, 0, 872, 1000), (2, 0, 1872, 1000), (3, 0, 2872, 1000),
                           (4, 0, 3872, 1000), (5, 0, 4872, 128)]
    assert got["small2"] == [(5, 128, 0, 100)] and got["small3"] == [(5, 256, 0, 100)]
    assert all(len(s.data) <= 1000 for s in shards)
    huge = weights[1].data
    joined = b"".join(bytes(shards[i].data[o:o + n]) for i, o, _, n in got["huge"])
    assert joined == huge
    assert [p.offset % ALIGN for s in shards for p in s.placements] == [0] * 9


def test_a_tensor_that_fits_is_never_split():
    # b (600 B) would overflow shard 0 after a: it moves to shard 1 whole, as before spanning existed
    shards = pack([wt("a", 600), wt("b", 600), wt("c", 1500)], 1000)
    got = pieces(shards)
    assert got["a"] == [(0, 0, 0, 600)] and got["b"] == [(1, 0, 0, 600)]
    assert got["c"] == [(1, 640, 0, 360), (2, 0, 360, 1000), (3, 0, 1360, 140)]


def test_oversized_first_tensor_does_not_leave_an_empty_shard():
    shards = pack([wt("huge", 5000), wt("small", 10)], 1000)
    assert [[p.tensor.name for p in s.placements] for s in shards] == [["huge"]] * 5 + [["small"]]
    assert all(s.placements for s in shards) and [len(s.data) for s in shards] == [1000] * 5 + [10]


def test_spanning_boundaries_depend_only_on_sizes():
    sizes = [("a", 300), ("big", 4000), ("b", 700), ("big2", 2500), ("c", 64)]
    one = pack([wt(n, k) for n, k in sizes], 1024)
    other = pack([wt(n, k, fill=7) for n, k in sizes], 1024)
    assert pieces(one) == pieces(other)
    # a different byte in `b` renames only the shard(s) b lies in
    changed = pack([wt(n, k, fill=9 if n == "b" else None) for n, k in sizes], 1024)
    holding_b = {i for i, *_ in pieces(one)["b"]}
    for i, (x, y) in enumerate(zip(one, changed)):
        assert (x.file != y.file) == (i in holding_b), i


def test_tiny_shard_size_still_packs_every_byte():
    shards = pack([wt("a", 300), wt("b", 10)], 48)  # under ALIGN: pieces of 48 bytes, b in a shard of its own
    got = pieces(shards)
    assert [n for *_, n in got["a"]] == [48] * 6 + [12] and got["b"] == [(7, 0, 0, 10)]


def test_no_weights_no_shards():
    assert pack([], 1000) == []


def test_shard_names_are_sha256_prefixes_of_content():
    shards = pack([wt("a", 300), wt("b", 300), wt("c", 300)], 640)
    names = set()
    for s in shards:
        digest = hashlib.sha256(bytes(s.data)).hexdigest()
        assert s.sha256 == digest
        assert s.file == f"weights/{digest[:NAME_HEX]}.bin"
        names.add(s.file)
    assert len(names) == len(shards)
    # same bytes under other tensor names: same shard names (names depend on content only)
    renamed = pack([wt("x", 300, fill=wt("a", 1).data[0]), wt("y", 300, fill=wt("b", 1).data[0]),
                    wt("z", 300, fill=wt("c", 1).data[0])], 640)
    assert [s.file for s in renamed] == [s.file for s in shards]
    # one byte different: a different name
    changed = pack([wt("a", 300), wt("b", 300), wt("c", 300, fill=0)], 640)
    assert changed[0].file == shards[0].file and changed[1].file != shards[1].file


# --- content-hash stability across a fine-tune --------------------------------------------------------

# Every bias has >= 64 floats (>= 256 bytes), so biases are shard weights too. With 24 KiB shards the
# layout is [W0 b0] [W1] [b1 W2 b2] [W3 b3] [W4 b4]: layer 1 straddles shards 1 and 2.
WIDTHS = (32, 96, 64, 80, 64, 64)


def shard_map(folder: Path) -> tuple[list[str], dict[str, int]]:
    man = json.loads((folder / "model.json").read_text())
    return [s["file"] for s in man["shards"]], {w["name"]: w["shard"] for w in man["weights"]}


def test_changing_one_layer_renames_only_its_shards(tmp_path):
    shard_size = 24 * 1024
    before_model = mlp_model(WIDTHS)
    after_model = mlp_model(WIDTHS, layer_seeds={1: 12345})  # "fine-tune" layer 1 (W1: 96x64, b1: 64)
    a = tmp_path / "a"
    b = tmp_path / "b"
    bundle(save(before_model, tmp_path / "before.onnx"), a, backend="ort", shard_size=shard_size)
    bundle(save(after_model, tmp_path / "after.onnx"), b, backend="ort", shard_size=shard_size)

    files_a, shard_of_a = shard_map(a)
    files_b, shard_of_b = shard_map(b)
    assert len(files_a) == 5
    assert shard_of_a == shard_of_b, "boundaries depend on sizes only, so the layout must not move"
    # first-use order: W0 b0 W1 b1 W2 ...
    man = json.loads((a / "model.json").read_text())
    assert [w["name"] for w in man["weights"]] == [f"{k}{i}" for i in range(len(WIDTHS) - 1) for k in "Wb"]

    holding = {shard_of_a["W1"], shard_of_a["b1"]}
    assert holding == {1, 2}, "the layout this test was designed for changed; re-check WIDTHS"
    for i, (fa, fb) in enumerate(zip(files_a, files_b)):
        if i in holding:
            assert fa != fb, f"shard {i} holds layer 1 but kept its name"
        else:
            assert fa == fb, f"shard {i} does not hold layer 1 but was renamed"
    for folder, files in ((a, files_a), (b, files_b)):
        for f in files:
            assert (folder / f).is_file()
            assert f == f"weights/{hashlib.sha256((folder / f).read_bytes()).hexdigest()[:NAME_HEX]}.bin"
    # an unchanged shard is byte-identical, so a browser cache keyed by name stays valid
    kept = next(i for i in range(len(files_a)) if i not in holding)
    assert (a / files_a[kept]).read_bytes() == (b / files_b[kept]).read_bytes()


# --- extract_weights ---------------------------------------------------------------------------------

def test_weights_come_in_first_use_order():
    model = first_use_model()
    graph_model, weights, _ = extract_weights(model)
    assert [w.name for w in weights] == ["early", "mid", "late", "unused"]  # unused ones go last
    by_name = {t.name: t for t in model.graph.initializer}
    for w in weights:
        expected = numpy_helper.to_array(by_name[w.name])
        assert w.source == "initializer"
        assert w.dtype == "float32" and w.shape == list(expected.shape)
        assert w.data == expected.astype("<f4").tobytes()
    # the original model is not modified
    assert all(t.data_location == onnx.TensorProto.DEFAULT and t.raw_data for t in model.graph.initializer)
    assert all(t.data_location == onnx.TensorProto.EXTERNAL and not t.raw_data
               for t in graph_model.graph.initializer)


def test_small_initializers_stay_inline():
    model = mlp_model((4, 8, 4))  # W0 32 floats, b0 8 floats, ...: all under INLINE_BYTES
    graph_model, weights, inline_bytes = extract_weights(model)
    assert weights == []
    assert all(t.data_location != onnx.TensorProto.EXTERNAL for t in graph_model.graph.initializer)
    assert inline_bytes >= sum(numpy_helper.to_array(t).nbytes for t in model.graph.initializer)


def test_big_constants_become_external_initializers_tiny_ones_stay_inline():
    model = constants_model()
    graph_model, weights, inline_bytes = extract_weights(model)
    by_name = {w.name: w for w in weights}
    assert set(by_name) == {"Wc", "Wi"}
    assert [w.name for w in weights] == ["Wc", "Wi"]  # Wc is read by node 2, Wi by node 4
    assert by_name["Wc"].source == "constant" and by_name["Wi"].source == "initializer"
    assert len(by_name["Wc"].data) == 16 * 16 * 4 >= INLINE_BYTES
    assert by_name["Wc"].shape == [16, 16]

    ops = [(n.op_type, list(n.output)) for n in graph_model.graph.node]
    assert ("Constant", ["Wc"]) not in ops, "the big Constant node must be gone"
    assert ("Constant", ["tiny"]) in ops, "the tiny Constant node must stay"
    inits = {t.name: t for t in graph_model.graph.initializer}
    assert inits["Wc"].data_location == onnx.TensorProto.EXTERNAL
    assert list(inits["Wc"].dims) == [16, 16] and inits["Wc"].data_type == onnx.TensorProto.FLOAT
    assert "tiny" not in inits
    tiny_const = next(n for n in model.graph.node if n.output[0] == "tiny")
    assert inline_bytes == tiny_const.attribute[0].t.ByteSize()


def test_bundled_graph_runs_in_onnxruntime_like_the_original(tmp_path):
    model = constants_model()
    src = save(model, tmp_path / "constants.onnx")
    out = tmp_path / "site"
    bundle(src, out, backend="ort", shard_size=1024)  # Wc (1024 B) and Wi (512 B) land in two shards
    man = json.loads((out / "model.json").read_text())
    assert len(man["shards"]) == 2

    graph_path = out / man["backend"]["graph"]["file"]
    assert graph_path.name.startswith("graph.") and graph_path.suffix == ".onnx"
    assert graph_path.stat().st_size < 1024, "the graph file must not carry the weights"

    x = np.random.default_rng(3).standard_normal((3, 16)).astype(np.float32)
    expected = ort.InferenceSession(str(src), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    actual = ort.InferenceSession(str(graph_path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("shard_size", [512, 4 * 1024 * 1024])
def test_bundled_mlp_runs_in_onnxruntime_like_the_original(tmp_path, shard_size):
    model = mlp_model(WIDTHS)
    src = save(model, tmp_path / "mlp.onnx")
    out = tmp_path / "site"
    bundle(src, out, backend="ort", shard_size=shard_size)
    man = json.loads((out / "model.json").read_text())
    spanning = [w for w in man["weights"] if "pieces" in w]
    if shard_size > 100_000:
        assert len(man["shards"]) == 1 and not spanning
    else:  # every weight but the biases is over 512 B: cut into pieces (up to 512 B each)
        assert len(spanning) == len(WIDTHS) - 1 + sum(w >= 128 for w in WIDTHS[1:])
        assert len(man["shards"]) >= sum(w["length"] for w in man["weights"]) // 512
    x = np.random.default_rng(5).standard_normal((2, WIDTHS[0])).astype(np.float32)
    expected = ort.InferenceSession(str(src), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    # the graph and the shards, decoded and joined as the browser's loader does, are the original model
    for entry in man["shards"]:
        path = out / entry["file"]
        path.write_bytes(decode(entry.get("encoding"), path.read_bytes()))
    for k, w in enumerate(spanning and man["weights"]):
        if "pieces" in w:
            (out / span_file(k)).write_bytes(b"".join((out / man["shards"][p["shard"]]["file"]).read_bytes()
                                                      [p["offset"]:p["offset"] + p["length"]] for p in w["pieces"]))
    actual = ort.InferenceSession(str(out / man["backend"]["graph"]["file"]),
                                  providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_array_equal(actual, expected)
