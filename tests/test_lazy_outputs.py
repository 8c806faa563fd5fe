"""Lazy outputs: the manifest's per-output `needs`, the head-grouped shard layout, and
load(url, {outputs}) / run(feeds, {outputs}) fetching a head's weights only when it is asked for,
in headless Chromium on both backends (fails, never skips, without a Chromium)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

from models import init, make_model, save, vi
from test_prune import A_BYTES, B_BYTES, B_WIDTH, N, TRUNK_BYTES, two_head_model
from webedge import manifest as manifest_mod
from webedge.bundle import bundle
from webedge.cli import main
from webedge.errors import WebedgeError
from webedge.serve import BundleServer
from webedge.testing import browser


def shards_of(man: dict, output: str) -> set[str]:
    return {man["shards"][i]["file"] for i in man["needs"][output]}


def weights_in(man: dict, i: int) -> set[str]:
    return {w["name"] for w in man["weights"] if w["shard"] == i}


@pytest.mark.parametrize("backend", ["webedge", "ort"])
def test_needs_and_shards_keep_each_head_apart(tmp_path, backend):
    original = save(two_head_model(), tmp_path / "two.onnx")
    bundle(original, tmp_path / "b", backend=backend, shard_size="512KiB")
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
    bundle(path, tmp_path / "b", backend="ort", shard_size="512KiB")
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
    bundle(save(model, tmp_path / "if.onnx"), tmp_path / "b", backend="webedge", shard_size="512KiB")
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
    bundle(original, tmp_path / "b", backend="ort", shard_size="512KiB")
    man = json.loads((tmp_path / "b" / "model.json").read_text())
    bad = {**copy.deepcopy(man), "needs": needs}
    with pytest.raises(WebedgeError) as err:
        manifest_mod.validate(bad)
    assert phrase in str(err.value) and "\n" not in str(err.value), err.value


@pytest.fixture
def chromium():
    """One per test: a module-wide one would keep Playwright's sync loop running under the
    `webedge test` CLI test, which starts its own."""
    with browser.launch() as b:
        yield b


def open_page(chromium, server):
    context = chromium.new_context()
    page = context.new_page()
    context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(server.blank_page())
    return page


# load(url, {outputs: ['A']}), run; then run(feeds, {outputs: ['B']}); the weight files fetched by each step
LAZY = """async ({x, xb, opts}) => {
  const webedge = await import('/webedge.mjs');
  const shards = () => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname.slice(1))
    .filter((p) => p.startsWith('weights/'));
  const events = [];
  const feeds = {x: new Float32Array(x), xb: new Float32Array(xb)};
  const plain = (out) => Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data)]));
  try {
    const model = await webedge.load('/model.json', {...opts, cache: false, outputs: ['A'],
      onProgress: (e) => { if (e.phase === 'weights') events.push([e.loaded, e.total]); }});
    await model.loaded;
    const first = plain(await model.run(feeds));
    const afterA = {files: shards(), network: model.stats.networkBytes, total: events.at(-1)[1]};
    const second = plain(await model.run(feeds, {outputs: ['B']}));
    const afterB = {files: shards(), network: model.stats.networkBytes, total: events.at(-1)[1], last: events.at(-1)};
    const both = plain(await model.run(feeds, {outputs: ['A', 'B']}));
    let unknown = null;
    try { await model.run(feeds, {outputs: ['C']}); } catch (err) { unknown = err.message; }
    await model.dispose();
    return {first, second, both, afterA, afterB, unknown, backend: model.backend, streaming: model.streaming};
  } catch (err) { return {error: err.message}; }
}"""


@pytest.mark.browser
@pytest.mark.parametrize("backend, ep, opts, shard_size", [
    ("webedge", "wasm", {"stream": True}, "512KiB"), ("webedge", "wasm", {"stream": False}, "512KiB"),
    ("webedge", "wasm", {"worker": True}, "512KiB"), ("ort", "wasm", {}, "512KiB"),
    ("webedge", "webgpu", {"backend": "webgpu"}, "512KiB"),
    # B's 256 KiB weight spans 5 shards (tests/test_span_shards.py): all of them wait for run(B)
    ("webedge", "wasm", {"stream": True}, "64KiB"), ("ort", "wasm", {}, "64KiB")])
def test_load_for_a_fetches_trunk_and_a_then_run_b_fetches_b(chromium, tmp_path, backend, ep, opts, shard_size):
    from webedge.ort_session import session as ort_session

    original = save(two_head_model(), tmp_path / "two.onnx")
    bundle(original, tmp_path / "b", backend=backend, ep=ep, shard_size=shard_size)
    man = manifest_mod.read(tmp_path / "b")
    if shard_size == "64KiB":
        assert len(next(w for w in man["weights"] if w["name"] == "Wb")["pieces"]) >= 4
    size = {s["file"]: s["bytes"] for s in man["shards"]}
    rng = np.random.default_rng(3)
    x, xb = rng.standard_normal((1, N)).astype(np.float32), rng.standard_normal((1, B_WIDTH)).astype(np.float32)
    want_a, want_b = ort_session(str(original)).run(["A", "B"], {"x": x, "xb": xb})
    server = BundleServer(tmp_path / "b").start()
    try:
        got = open_page(chromium, server).evaluate(LAZY, {"x": x.ravel().tolist(), "xb": xb.ravel().tolist(),
                                                          "opts": opts})
    finally:
        server.stop()
    assert "error" not in got, got["error"]
    assert got["backend"] == f"{backend}/{ep}", got  # WebGPU: the self-test of A alone passed
    assert got["streaming"] == (backend == "webedge" and opts.get("stream", True))
    a_files, b_files = shards_of(man, "A"), shards_of(man, "B")
    if not opts.get("worker"):  # a worker's requests are in its own timeline, not the page's
        assert set(got["afterA"]["files"]) == a_files, got["afterA"]
        assert set(got["afterB"]["files"]) == a_files | b_files, got["afterB"]
    # load() for A counts only the plan/graph and A's shards; run({outputs: ['B']}) adds exactly B's own
    graph = man["backend"]["graph"]["bytes"]
    a_bytes = sum(size[f] for f in a_files)
    assert got["afterA"]["total"] == graph + a_bytes
    assert sum(size[f] for f in a_files) < TRUNK_BYTES + A_BYTES + 128
    b_only = sum(size[f] for f in b_files - a_files)
    assert got["afterB"]["network"] - got["afterA"]["network"] == b_only
    assert got["afterB"]["total"] == graph + a_bytes + b_only and got["afterB"]["last"][0] == got["afterB"]["last"][1]
    assert b_only > 10 * a_bytes  # B's head is the big one: not fetched until asked for
    assert list(got["first"]) == ["A"] and list(got["second"]) == ["B"] and sorted(got["both"]) == ["A", "B"]
    np.testing.assert_allclose(got["first"]["A"], want_a.ravel(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got["second"]["B"], want_b.ravel(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got["both"]["A"], want_a.ravel(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got["both"]["B"], want_b.ravel(), rtol=1e-4, atol=1e-4)
    assert got["unknown"] == """outputs ["C"]: not a list of this bundle's outputs (A, B)"""


@pytest.mark.browser
def test_load_refuses_unknown_outputs_naming_the_valid_ones(chromium, tmp_path):
    bundle(save(two_head_model(), tmp_path / "two.onnx"), tmp_path / "b", backend="webedge", shard_size="512KiB")
    server = BundleServer(tmp_path / "b").start()
    try:
        page = open_page(chromium, server)
        got = [page.evaluate("""async (outputs) => {
          const webedge = await import('/webedge.mjs');
          try { await webedge.load('/model.json', {outputs}); return 'loaded'; }
          catch (err) { return `${err.name}: ${err.message}`; }
        }""", outputs) for outputs in (["A", "Z"], [], "A")]
    finally:
        server.stop()
    assert got == ["""WebedgeError: outputs ["A","Z"]: not a list of this bundle's outputs (A, B)""",
                   "WebedgeError: outputs []: not a list of this bundle's outputs (A, B)",
                   """WebedgeError: outputs "A": not a list of this bundle's outputs (A, B)"""]


@pytest.mark.browser
def test_the_browser_refuses_a_hostile_needs(chromium, tmp_path):
    bundle(save(two_head_model(), tmp_path / "two.onnx"), tmp_path / "b", backend="webedge", shard_size="512KiB")
    path = tmp_path / "b" / "model.json"
    man = json.loads(path.read_text())
    server = BundleServer(tmp_path / "b").start()
    got = []
    try:
        page = open_page(chromium, server)
        for needs in ({"A": [99]}, {"C": [0]}):
            path.write_text(json.dumps({**man, "needs": needs}))
            got.append(page.evaluate("""async () => {
              const webedge = await import('/webedge.mjs');
              try { await webedge.load('/model.json'); return 'loaded'; } catch (err) { return err.message; }
            }"""))
    finally:
        server.stop()
    assert got == ["model.json: invalid manifest at .needs.A: names no output or shard of this bundle",
                   "model.json: invalid manifest at .needs.C: names no output or shard of this bundle"]


@pytest.mark.browser
def test_webedge_test_outputs_loads_runs_and_compares_only_those(tmp_path, capsys):
    original = save(two_head_model(), tmp_path / "two.onnx")
    bundle(original, tmp_path / "b", backend="webedge", shard_size="512KiB")
    man = manifest_mod.read(tmp_path / "b")
    a_bytes = sum(man["shards"][i]["bytes"] for i in man["needs"]["A"])
    all_bytes = sum(s["bytes"] for s in man["shards"])
    assert main(["test", str(tmp_path / "b"), "--model", str(original), "--outputs", "A", "--runs", "1",
                 "--json", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert f"weight bytes fetched for A: {a_bytes:,} B of {all_bytes:,} B (all outputs)" in out, out
    report = json.loads((tmp_path / "r.json").read_text())
    assert [o["name"] for o in report["outputs"]] == ["A"] and report["ok"]
    assert report["bytes"]["weights"] == a_bytes and report["reload"]["weight_bytes"] == 0
    assert a_bytes <= TRUNK_BYTES + A_BYTES < B_BYTES


@pytest.mark.parametrize("value, phrase", [("C", "--outputs: the bundle has no output 'C' (its outputs: A, B)"),
                                           ("A,A", "names 'A' more than once")])
def test_webedge_test_outputs_refuses_unknown_names_in_one_line(tmp_path, capsys, value, phrase):
    original = save(two_head_model(), tmp_path / "two.onnx")
    bundle(original, tmp_path / "b", backend="webedge", shard_size="512KiB")
    assert main(["test", str(tmp_path / "b"), "--model", str(original), "--outputs", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and phrase in err and "Traceback" not in err, err


def test_the_docs_state_the_measured_bytes(tmp_path):
    """README and docs/manifest.md quote what loading the two-head model for A downloads."""
    bundle(save(two_head_model(), tmp_path / "two.onnx"), tmp_path / "b", backend="webedge", shard_size="512KiB")
    man = manifest_mod.read(tmp_path / "b")
    a_bytes = sum(man["shards"][i]["bytes"] for i in man["needs"]["A"])
    all_bytes = sum(s["bytes"] for s in man["shards"])
    root = Path(__file__).resolve().parents[1]
    for doc, pattern in (("README.md", r"has ([\d,]+) B of shards, and a\s+page loading it for A downloads ([\d,]+) B"),
                         ("docs/manifest.md", r"loading it for A\s+downloads ([\d,]+) B of ([\d,]+) B")):
        found = re.search(pattern, (root / doc).read_text())
        assert found, f"{doc} no longer states the two-head model's lazy-output bytes; update this test with it"
        got = [int(g.replace(",", "")) for g in found.groups()]
        assert sorted(got) == sorted([a_bytes, all_bytes]), doc


RETRY = """async ({x, xb}) => {
  const webedge = await import('/webedge.mjs');
  const feeds = {x: new Float32Array(x), xb: new Float32Array(xb)};
  const model = await webedge.load('/model.json', {cache: false, retries: 0, outputs: ['A']});
  let failed = null;
  try { await model.run(feeds, {outputs: ['B']}); } catch (err) { failed = err.message; }
  const a = Array.from((await model.run(feeds)).A.data);  // A still runs
  const b = Array.from((await model.run(feeds, {outputs: ['B']})).B.data);  // fetched again, now served
  await model.dispose();
  return {failed, a, b};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["webedge", "ort"])
def test_a_failed_on_demand_fetch_fails_that_run_and_the_next_run_tries_again(chromium, tmp_path, backend):
    from webedge.ort_session import session as ort_session

    original = save(two_head_model(), tmp_path / "two.onnx")
    bundle(original, tmp_path / "b", backend=backend, shard_size="512KiB")
    man = manifest_mod.read(tmp_path / "b")
    (b_file,) = shards_of(man, "B") - shards_of(man, "A")
    rng = np.random.default_rng(4)
    x, xb = rng.standard_normal((1, N)).astype(np.float32), rng.standard_normal((1, B_WIDTH)).astype(np.float32)
    want_a, want_b = ort_session(str(original)).run(["A", "B"], {"x": x, "xb": xb})
    server = BundleServer(tmp_path / "b").start()
    server.fail_next[b_file] = 1
    try:
        got = open_page(chromium, server).evaluate(RETRY, {"x": x.ravel().tolist(), "xb": xb.ravel().tolist()})
    finally:
        server.stop()
    assert got["failed"] == f"{b_file}: HTTP 503", got
    np.testing.assert_allclose(got["a"], want_a.ravel(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got["b"], want_b.ravel(), rtol=1e-4, atol=1e-4)


@pytest.mark.browser
@pytest.mark.parametrize("stream", [True, False])
def test_a_node_whose_weight_was_never_fetched_fails_at_once_instead_of_waiting(chromium, tmp_path, stream):
    """A needs that leaves out A's own shard (a bug, or a damaged manifest): run() must say which
    weight is missing, not wait forever for a shard nobody is fetching."""
    bundle(save(two_head_model(), tmp_path / "two.onnx"), tmp_path / "b", backend="webedge", shard_size="512KiB")
    path = tmp_path / "b" / "model.json"
    man = json.loads(path.read_text())
    trunk = next(w["shard"] for w in man["weights"] if w["name"] == "Wt")
    path.write_text(json.dumps({**man, "needs": {**man["needs"], "A": [trunk]}}))
    server = BundleServer(tmp_path / "b").start()
    try:
        got = open_page(chromium, server).evaluate("""async (stream) => {
          const webedge = await import('/webedge.mjs');
          const model = await webedge.load('/model.json', {cache: false, stream, outputs: ['A']});
          const late = new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10000));
          const run = model.run({x: new Float32Array(16), xb: new Float32Array(4096)}).then(() => 'ran', (e) => e.message);
          return Promise.race([run, late]);
        }""", stream)
    finally:
        server.stop()
    assert got == "plan error: MatMul needs 'Wa', which was never computed", got
