"""The browser loader (js/src, built into webedge.mjs) driven directly in headless Chromium:
retries, the Cache API fallback, manifest validation, progress events, feed checking and the
demo page. These fail (not skip) without a Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from webedge.serve import BundleServer
from webedge.testing import browser

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "bench" / "out"


@pytest.fixture(scope="module")
def chromium():
    with browser.launch() as b:
        yield b


@pytest.fixture
def served(magika_bundle, tmp_path):
    """A private copy of the Magika bundle on its own server (tests may damage either)."""
    folder = tmp_path / "site"
    shutil.copytree(magika_bundle, folder)
    server = BundleServer(folder).start()
    yield server
    server.stop()


def open_page(chromium, server, path=None):
    context = chromium.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(server.url + path if path else server.blank_page())
    return page


LOAD_AND_RUN = """async (opts) => {
  const webedge = await import('/webedge.mjs');
  const events = [];
  try {
    const model = await webedge.load('/model.json', {...opts, onProgress: (e) => events.push(e)});
    const out = await model.run({bytes: new Int32Array(2048).fill(65)});
    return {ok: true, cache: model.stats.cache, network: model.stats.networkBytes,
            dims: out.target_label.dims, phases: [...new Set(events.map((e) => e.phase))],
            last: events.filter((e) => e.phase === 'weights').pop()};
  } catch (err) { return {ok: false, error: err.message, name: err.name}; }
}"""


def test_transient_server_errors_are_retried_with_backoff(chromium, served):
    shard = json.loads((served.root / "model.json").read_text())["shards"][0]["file"]
    served.fail_next[shard] = 2  # two 503s, then the real file
    result = open_page(chromium, served).evaluate(LOAD_AND_RUN, {})
    assert result["ok"], result
    assert served.fail_next[shard] == 0
    assert result["dims"] == [1, 2048 // 2048 * 214][:1] + [214]


def test_gives_up_after_the_retries_and_names_the_file(chromium, served):
    shard = json.loads((served.root / "model.json").read_text())["shards"][0]["file"]
    served.fail_next[shard] = 10
    result = open_page(chromium, served).evaluate(LOAD_AND_RUN, {"retries": 1})
    assert not result["ok"]
    assert result["error"] == f"{shard}: HTTP 503"


def test_progress_is_byte_level_by_phase(chromium, served):
    result = open_page(chromium, served).evaluate(LOAD_AND_RUN, {})
    assert result["ok"], result
    assert result["phases"] == ["runtime", "weights", "compile", "ready"] or \
        set(result["phases"]) == {"runtime", "weights", "compile", "ready"}
    man = json.loads((served.root / "model.json").read_text())
    wire = man["backend"]["graph"]["bytes"] + sum(s["bytes"] for s in man["shards"])  # the weights phase, as stored
    assert result["last"]["loaded"] == result["last"]["total"] == wire > 2_000_000


def test_works_from_memory_when_the_cache_api_is_unavailable(chromium, served):
    page = open_page(chromium, served)
    page.evaluate("() => { Object.defineProperty(window, 'caches', {value: undefined}); }")
    result = page.evaluate(LOAD_AND_RUN, {})
    assert result["ok"], result
    assert result["cache"] == "memory"
    again = page.evaluate(LOAD_AND_RUN, {})
    assert again["network"] > 3_000_000  # nothing persisted, so everything is fetched again


def test_invalid_manifest_is_refused_in_the_browser_with_the_field_path(chromium, served):
    path = served.root / "model.json"
    m = json.loads(path.read_text())
    m["shards"][0]["sha256"] = "not-a-hash"
    path.write_text(json.dumps(m))
    result = open_page(chromium, served).evaluate(LOAD_AND_RUN, {})
    assert not result["ok"]
    assert result["name"] == "WebedgeError"
    assert result["error"].startswith("model.json: invalid manifest at .shards[0].sha256: does not match")


def test_run_rejects_wrong_dtype_and_shape_with_clear_messages(chromium, served):
    result = open_page(chromium, served).evaluate("""async () => {
      const webedge = await import('/webedge.mjs');
      const model = await webedge.load('/model.json');
      const msgs = [];
      for (const feeds of [{bytes: new Float32Array(2048)}, {bytes: {data: new Int32Array(100), dims: [1, 100]}},
                           {}, {bytes: new Int32Array(2048), extra: new Int32Array(1)}]) {
        try { await model.run(feeds); msgs.push('no error'); } catch (e) { msgs.push(e.message); }
      }
      return msgs;
    }""")
    assert result == [
        "input 'bytes' must be int32 (Int32Array), got Float32Array",
        "input 'bytes' dim 1 must be 2048, got 100 (expected [unk__214, 2048])",
        "missing input(s) bytes",
        "unknown input(s) extra; the model's inputs are bytes",
    ]


def test_run_rejects_dims_that_are_not_non_negative_integers(chromium, served):
    result = open_page(chromium, served).evaluate("""async () => {
      const webedge = await import('/webedge.mjs');
      const model = await webedge.load('/model.json');
      const msgs = [];
      for (const feeds of [{bytes: {data: new Int32Array(2048 * 6), dims: [-2, -3]}},
                           {bytes: {data: new Int32Array(4096), dims: [2.5, 2048]}},
                           {bytes: {data: new Int32Array(0), dims: [NaN, 2048]}},
                           {bytes: new Int32Array(100)},
                           {bytes: new Int32Array(2048 * 3)}]) {
        try { const out = await model.run(feeds); msgs.push(`ok ${out.target_label.dims}`); } catch (e) { msgs.push(e.message); }
      }
      return msgs;
    }""")
    assert result[0] == "input 'bytes' must have rank 2 [unk__214, 2048], got dims [-2, -3]" or \
        result[0].startswith("input 'bytes' dims [-2, -3]: dim 0 must be a non-negative integer"), result[0]
    assert result[1].startswith("input 'bytes' dims [2.5, 2048]: dim 0 must be a non-negative integer"), result[1]
    assert result[2].startswith("input 'bytes' dims [NaN, 2048]: dim 0 must be a non-negative integer"), result[2]
    assert result[3] == ("input 'bytes' has 100 values, not a whole multiple of 2048 (the fixed dims of "
                         "[unk__214, 2048]); pass {data, dims} with the shape you mean"), result[3]
    assert result[4] == "ok 3,214"


@pytest.mark.parametrize("name", ["../x.bin", "https://evil.example/x.mjs", "//evil.example/x.mjs", "a//b.bin",
                                  ".hidden.bin", "weights\\x.bin"])
def test_the_browser_refuses_manifest_file_names_outside_the_bundle(chromium, served, name):
    path = served.root / "model.json"
    m = json.loads(path.read_text())
    m["backend"]["files"][0]["file"] = name
    path.write_text(json.dumps(m))
    result = open_page(chromium, served).evaluate(LOAD_AND_RUN, {})
    assert not result["ok"]
    assert result["error"].startswith("model.json: invalid manifest at .backend.files[0].file: does not match"), result


def test_demo_page_asks_for_symbolic_dims_instead_of_inventing_them(chromium, served):
    page = open_page(chromium, served, "index.html")
    page.wait_for_function("window.webedgeDemo !== undefined", timeout=120_000)
    assert page.evaluate("window.webedgeDemo.needsDims") == ["unk__214"]
    assert page.evaluate("window.webedgeDemo.outputs") is None  # nothing was run
    assert page.is_visible("#dims") and "?dim=name:value" in page.inner_text("#dims")
    page.fill("#dims input[name=unk__214]", "3")
    page.click("#dims button")
    page.wait_for_url("**dim=unk__214%3A3**")
    page.wait_for_function("window.webedgeDemo !== undefined && window.webedgeDemo.outputs", timeout=120_000)
    assert "[3,214]" in page.inner_text("#outputs")
    bad = open_page(chromium, served, "index.html?dim=unk__214:-1")
    bad.wait_for_function("window.webedgeDemo !== undefined", timeout=120_000)
    assert "must look like ?dim=name:N with N a positive integer" in bad.evaluate("window.webedgeDemo.error")


def test_demo_page_flags_non_finite_outputs(chromium, tmp_path):
    from models import make_model, save, vi
    from onnx import helper

    from webedge.bundle import bundle

    # log(x - 2) on inputs in [0, 1): every output is NaN, which must not look like a result
    nodes = [helper.make_node("Sub", ["x", "two"], ["d"]), helper.make_node("Log", ["d"], ["y"])]
    two = helper.make_tensor("two", 1, [1], [2.0])
    model = save(make_model(nodes, [vi("x", [1, 4])], [vi("y", [1, 4])], [two]), tmp_path / "nan.onnx")
    bundle(model, tmp_path / "site", backend="webedge")
    server = BundleServer(tmp_path / "site").start()
    try:
        page = open_page(chromium, server, "index.html")
        page.wait_for_function("window.webedgeDemo !== undefined", timeout=120_000)
        assert page.evaluate("window.webedgeDemo.nonFinite") == {"y": 4}
        assert "4 of 4 values are not finite" in page.inner_text("#outputs")
        assert "non-finite outputs: y (4 values)" in page.inner_text("#error")
    finally:
        server.stop()


def test_demo_page_shows_progress_inputs_and_outputs(chromium, served):
    page = open_page(chromium, served, "index.html?dim=unk__214:1")
    page.wait_for_function("window.webedgeDemo !== undefined", timeout=120_000)
    assert page.evaluate("window.webedgeDemo.error") is None
    text = page.inner_text("body")
    for needle in ("ort/wasm", "runtime", "weights", "ready", "bytes", "target_label", "[1,214]", "backend ready"):
        assert needle in text, needle
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "demo-page.png"), full_page=True)


def test_threads_only_when_cross_origin_isolated(chromium, magika_bundle):
    for isolate in (True, False):
        server = BundleServer(magika_bundle, isolate=isolate).start()
        try:
            got = open_page(chromium, server).evaluate("""async () => {
              const webedge = await import('/webedge.mjs');
              const model = await webedge.load('/model.json');
              const out = await model.run({bytes: new Int32Array(2048)});
              return {threads: model.threads, isolated: crossOriginIsolated, n: out.target_label.data.length,
                      cores: navigator.hardwareConcurrency};
            }""")
        finally:
            server.stop()
        assert got["isolated"] is isolate
        assert got["threads"] == (min(4, got["cores"]) if isolate else 1), got
        assert got["n"] == 214
