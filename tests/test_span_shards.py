"""Tensors that span shards: a weight bigger than --shard-size is cut across consecutive shards,
listed piece by piece in the manifest, and reassembled by both browser backends (real Chromium:
these fail, not skip, without one) and by `webedge test`'s onnxruntime reference."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto, helper

from models import init, make_model, mlp_model, save, vi
from webedge.bundle import bundle
from webedge.cli import main
from webedge.errors import WebedgeError
from webedge.manifest import validate
from webedge.testing import check

KiB = 1024
SHARD = 64 * KiB
# W0 32 KiB, then three 256x256 float32 layers (256 KiB each), W3 16 KiB: with 64 KiB shards each
# big layer spans five shards, and layers share the shards at their ends.
WIDTHS = (32, 256, 256, 256, 16)


def span_model(layer_seeds=None):
    """The MLP plus an int32 path (z = i + Wi, Wi 256 KiB) so non-float32 reassembly is exercised."""
    m = mlp_model(WIDTHS, layer_seeds=layer_seeds)
    wi = np.random.default_rng(7).integers(-1000, 1000, (1, 65536)).astype(np.int32)
    g = m.graph
    g.node.append(helper.make_node("Add", ["i", "Wi"], ["z"]))
    g.initializer.append(init("Wi", wi))
    g.input.append(vi("i", [1, 65536], TensorProto.INT32))
    g.output.append(vi("z", [1, 65536], TensorProto.INT32))
    return m


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "model.json").read_text())


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    return save(span_model(), tmp_path_factory.mktemp("span") / "span.onnx")


def test_big_weights_span_at_least_four_shards_and_small_ones_do_not(model_file, tmp_path):
    bundle(model_file, tmp_path / "site", backend="ort", shard_size=SHARD, compress=False)
    man = manifest_of(tmp_path / "site")
    by_name = {w["name"]: w for w in man["weights"]}
    for name in ("W1", "W2", "Wi"):
        w = by_name[name]
        assert len({p["shard"] for p in w["pieces"]}) >= 4, name
        assert sum(p["length"] for p in w["pieces"]) == w["length"] == 256 * KiB
        assert (w["shard"], w["offset"]) == (w["pieces"][0]["shard"], w["pieces"][0]["offset"])
        shards = [p["shard"] for p in w["pieces"]]
        assert shards == list(range(shards[0], shards[0] + len(shards))), "consecutive shards"
    assert all("pieces" not in by_name[n] for n in ("W0", "b0", "b1", "W3"))
    assert all(s["bytes"] <= SHARD for s in man["shards"])
    assert max(s["bytes"] for s in man["shards"]) == SHARD


def test_one_changed_layer_renames_only_the_shards_holding_it(tmp_path):
    base = save(span_model(), tmp_path / "a.onnx")
    bundle(base, tmp_path / "a", backend="ort", shard_size=SHARD)
    files_a = [s["file"] for s in manifest_of(tmp_path / "a")["shards"]]
    for layer in (0, 2):
        tuned = save(span_model({layer: 999}), tmp_path / f"t{layer}.onnx")
        out = tmp_path / f"t{layer}"
        bundle(tuned, out, backend="ort", shard_size=SHARD)
        man = manifest_of(out)
        files_b = [s["file"] for s in man["shards"]]
        assert len(files_b) == len(files_a)
        holding = {p["shard"] for w in man["weights"] if w["name"] in (f"W{layer}", f"b{layer}")
                   for p in w.get("pieces", [w])}
        renamed = {i for i, (fa, fb) in enumerate(zip(files_a, files_b)) if fa != fb}
        assert renamed == holding, (layer, renamed, holding)
        assert len(renamed) < len(files_a) // 2
    assert len({p["shard"] for w in manifest_of(tmp_path / "t2")["weights"] if w["name"] == "W2"
                for p in w["pieces"]}) >= 4


@pytest.mark.browser
@pytest.mark.parametrize("backend,compress,stream", [
    ("webedge", True, True), ("webedge", False, True), ("webedge", True, False), ("webedge", False, False),
    ("ort", True, True), ("ort", False, True)])
def test_spanning_weights_match_onnxruntime_in_chromium(model_file, tmp_path, backend, compress, stream):
    out = tmp_path / "site"
    bundle(model_file, out, backend=backend, shard_size=SHARD, compress=compress)
    man = manifest_of(out)
    assert sum("pieces" in w for w in man["weights"]) == 3
    assert any(s.get("encoding") for s in man["shards"]) == compress
    report = check(out, model=model_file, warm_runs=0, reload=False, stream=stream)
    assert report.ok, report.failures
    assert {c.name for c in report.outputs} == {"y", "z"}
    for c in report.outputs:
        assert c.max_abs <= 1e-4, (c.name, c.max_abs)
    assert report.backend == f"{backend}/wasm"
    assert report.streaming == (backend == "webedge" and stream)


@pytest.mark.browser
def test_quantized_weights_that_span_shards_are_reassembled_too(model_file, tmp_path):
    out = tmp_path / "site"
    bundle(model_file, out, backend="webedge", shard_size=SHARD, quantize="fp16")
    spanning = [w for w in manifest_of(out)["weights"] if "pieces" in w]
    assert {w["name"]: w["dtype"] for w in spanning} == {"W1::fp16": "float16", "W2::fp16": "float16", "Wi": "int32"}
    report = check(out, model=model_file, warm_runs=0, reload=False)  # within the bundle's own tolerance
    assert report.ok, report.failures


@pytest.mark.browser
def test_webedge_test_without_model_joins_the_pieces_for_its_reference(model_file, tmp_path):
    out = tmp_path / "site"
    bundle(model_file, out, backend="ort", shard_size=SHARD, compress=False)
    report = check(out, warm_runs=0, reload=False)  # reference: onnxruntime on the bundle's graph + shards
    assert report.ok, report.failures
    assert "graph and shards" in report.reference
    assert {c.name for c in report.outputs} == {"y", "z"} and all(c.max_abs <= 1e-4 for c in report.outputs)


@pytest.mark.browser
def test_streaming_waits_for_every_shard_of_a_spanning_weight_on_a_slow_link(model_file, tmp_path):
    out = tmp_path / "site"
    bundle(model_file, out, backend="webedge", shard_size=SHARD)
    report = check(out, model=model_file, warm_runs=0, reload=False, network_preset="4g")
    assert report.ok, report.failures
    assert report.streaming and all(c.max_abs <= 1e-4 for c in report.outputs)


# --- hostile pieces: one clear line ----------------------------------------------------------------

@pytest.fixture(scope="module")
def good_manifest(model_file, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("hostile-span") / "site"
    bundle(model_file, out, backend="webedge", shard_size=SHARD)
    return out, manifest_of(out)


def _spanning(man: dict) -> tuple[int, dict]:
    return next((i, w) for i, w in enumerate(man["weights"]) if w["name"] == "W1")


def _piece_out_of_range(w, man):
    w["pieces"][-1]["shard"] = len(man["shards"])


def _piece_past_shard_end(w, man):
    w["pieces"][1]["length"] += 1
    w["pieces"][2]["length"] -= 1


def _short_sum(w, man):
    w["pieces"][-1]["length"] -= 4


def _overlap(w, man):
    w["pieces"][1]["offset"], w["pieces"][1]["length"] = 8, w["pieces"][1]["length"] - 16
    w["pieces"].insert(2, {"shard": w["pieces"][1]["shard"], "offset": 0, "length": 16})


def _first_piece_elsewhere(w, man):
    w["offset"] += 64


def _one_piece(w, man):
    w["pieces"] = w["pieces"][:1]


def _piece_not_an_object(w, man):
    w["pieces"][0] = 3


@pytest.mark.parametrize("spoil,phrase", [
    (_piece_out_of_range, "has piece 4 outside its shard"),  # W1: 5 pieces
    (_piece_past_shard_end, "has piece 1 outside its shard"),
    (_short_sum, "bytes in all, not its length 262144"),
    (_overlap, "has overlapping pieces"),
    (_first_piece_elsewhere, "starts elsewhere than its first piece"),
    (_one_piece, ".pieces: "),
    (_piece_not_an_object, "pieces[0]"),
])
def test_hostile_pieces_are_refused_in_one_line(good_manifest, tmp_path, capsys, spoil, phrase):
    folder, man = good_manifest
    bad = copy.deepcopy(man)
    i, w = _spanning(bad)
    spoil(w, bad)
    with pytest.raises(WebedgeError) as exc:
        validate(bad)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("model.json: invalid manifest at .weights[") and phrase in msg, msg
    # and through the CLI: one line, exit 2, nothing run
    site = tmp_path / "site"
    shutil.copytree(folder, site)
    (site / "model.json").write_text(json.dumps(bad))
    assert main(["inspect", str(site)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and len(captured.err.splitlines()) == 1, captured.err
    assert phrase in captured.err


def test_the_manifest_of_a_good_bundle_validates(good_manifest):
    _, man = good_manifest
    validate(copy.deepcopy(man))


@pytest.mark.browser
def test_the_browser_loader_refuses_hostile_pieces_too(good_manifest, tmp_path):
    from webedge.serve import BundleServer
    from webedge.testing import browser

    folder, man = good_manifest
    cases = {"range": _piece_out_of_range, "sum": _short_sum}
    got = {}
    with browser.launch() as b:
        for key, spoil in cases.items():
            site = tmp_path / key
            shutil.copytree(folder, site)
            bad = copy.deepcopy(man)
            i, w = _spanning(bad)
            spoil(w, bad)
            (site / "model.json").write_text(json.dumps(bad))
            server = BundleServer(site).start()
            try:
                page = b.new_context().new_page()
                page.goto(server.blank_page())
                got[key] = page.evaluate("""async () => {
                  const webedge = await import('/webedge.mjs');
                  try { await webedge.load('/model.json'); return 'loaded'; } catch (e) { return e.name + ': ' + e.message; }
                }""")
            finally:
                server.stop()
    assert got["range"] == f"WebedgeError: model.json: invalid manifest at .weights[{i}]: tensor 'W1' lies outside its shard"
    assert got["sum"] == (f"WebedgeError: model.json: invalid manifest at .weights[{i}]: tensor 'W1' has pieces of "
                          "262140 bytes in all, not its length 262144")


# --- the streaming session in Node: a spanning weight waits for every shard it lies in ----------------

STREAMING = r"""
import { createStreamingSession } from './js/src/webedge/session.mjs';
import * as binary from './js/src/webedge/ops/binary.mjs';

// y = (x + w0) * w1: w0 in shard 0; w1 (float32) and w2 (int32, read by z = i + w2) span shards 1 and 2
const plan = { format: 'webedge-plan', version: 1, constants: {}, outputs: ['y', 'z'], nodes: [
  { op: 'Add', inputs: ['x', 'w0'], outputs: ['t'], attrs: {}, free: [] },
  { op: 'Mul', inputs: ['t', 'w1'], outputs: ['y'], attrs: {}, free: ['t'] },
  { op: 'Add', inputs: ['i', 'w2'], outputs: ['z'], attrs: {}, free: [] }] };
const manifest = { backend: { graph: { file: 'plan.json' } }, weights: [
  { name: 'w0', dtype: 'float32', shape: [2], shard: 0, offset: 0, length: 8 },
  { name: 'w1', dtype: 'float32', shape: [2], shard: 1, offset: 4, length: 8,
    pieces: [{ shard: 1, offset: 4, length: 4 }, { shard: 2, offset: 0, length: 4 }] },
  { name: 'w2', dtype: 'int32', shape: [3], shard: 1, offset: 8, length: 12,
    pieces: [{ shard: 1, offset: 8, length: 8 }, { shard: 2, offset: 4, length: 4 }] }] };
const arrive = [];
const shards = [0, 1, 2].map((i) => new Promise((resolve) => { arrive[i] = resolve; }));
const session = await createStreamingSession({ manifest, planBytes: new TextEncoder().encode(JSON.stringify(plan)),
  kernels: [], shards, ops: [binary] });
const log = [];
const x = { type: 'float32', dims: [2], data: Float32Array.of(1, 2) };
const i = { type: 'int32', dims: [3], data: Int32Array.of(1, 2, 3) };
const first = session.run({ x, i }).then((out) => { log.push(`done ${Array.from(out.y.data)} ${Array.from(out.z.data)}`); });
const tick = () => new Promise((r) => setTimeout(r, 20));
arrive[0](new Uint8Array(Float32Array.of(10, 20).buffer));
const s1 = new Uint8Array(16);
new DataView(s1.buffer).setFloat32(4, 2, true);
new DataView(s1.buffer).setInt32(8, 100, true);
new DataView(s1.buffer).setInt32(12, 200, true);
arrive[1](s1);
await tick();
log.push('shards 0 and 1 in');
const s2 = new Uint8Array(8);
new DataView(s2.buffer).setFloat32(0, 3, true);
new DataView(s2.buffer).setInt32(4, 300, true);
arrive[2](s2);
await first;
await session.weightsPlaced;
log.push(`streaming ${session.executor.streaming}`);
process.stdout.write(JSON.stringify(log));
"""


def test_streaming_places_a_spanning_weight_only_when_all_its_shards_are_in():
    import shutil as sh
    import subprocess

    node = sh.which("node")
    assert node, "node is needed; install Node.js 20+"
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([node, "--input-type=module", "-e", STREAMING], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["shards 0 and 1 in", "done 22,66 101,202,303", "streaming false"]


def test_a_shard_size_that_would_make_a_flood_of_files_is_one_line(model_file, tmp_path, capsys):
    got = main(["bundle", str(model_file), "-o", str(tmp_path / "site"), "--shard-size", "64"])
    captured = capsys.readouterr()
    assert got == 2 and "Traceback" not in captured.err
    (line,) = captured.err.splitlines()
    assert re.fullmatch(r"webedge: error: --shard-size 64 B would cut [\d,]+ B of weights into over 10,000 shards "
                        r"\(a request each\); use a larger --shard-size \(4MiB loads fastest\)", line), line
    assert not (tmp_path / "site").exists()
