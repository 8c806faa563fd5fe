"""load(url, {worker: true}): loading and inference in a Web Worker behind the same API.

The worker's outputs equal the main thread's bit for bit, the threads pool runs inside the worker,
progress and errors come through (a WebedgeError stays one, with its message), outputs arrive in
buffers of their own, and dispose() ends the worker. In all three engines through `check(worker=True)`,
the rest in Chromium. Fails (not skips) without the browsers."""

from __future__ import annotations

import pytest

from webedge.bundle import bundle
from webedge.serve import BundleServer
from webedge.testing import browser, check

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory, magika_model):
    out = tmp_path_factory.mktemp("worker") / "site"
    bundle(magika_model, out, backend="webedge")
    return out


@pytest.mark.parametrize("engine, threads", [("chromium", 2), ("firefox", 2), ("webkit", 4)])
def test_worker_mode_matches_onnxruntime_on_threads_in_each_engine(site, magika_model, engine, threads):
    report = check(site, model=magika_model, dims={"unk__214": 3}, warm_runs=1, reload=False, browser=engine,
                   worker=True)
    assert report.ok, report.failures
    assert report.worker and report.threads == threads, (report.threads, report.threads_why)


COMPARE = """async () => {
  const webedge = await import('/webedge.mjs');
  const bytes = new Int32Array(2 * 2048).map((_, i) => (i * 7919) % 257);
  const result = {};
  for (const worker of [false, true]) {
    const phases = new Set();
    const model = await webedge.load('/model.json', {worker, cache: false, onProgress: (e) => phases.add(e.phase)});
    await model.loaded;
    const out = await model.run({bytes});
    const t = out.target_label;
    let runError = null;
    try { await model.run(42); } catch (e) { runError = {name: e.name, message: e.message, isWebedge: e instanceof webedge.WebedgeError}; }
    let badShape = null;
    try { await model.run({bytes: new Int32Array(100)}); } catch (e) { badShape = e.message; }
    await model.dispose();
    let afterDispose = null;
    try { await model.run({bytes}); } catch (e) { afterDispose = e.message; }
    result[worker] = {values: Array.from(t.data), dims: t.dims, type: t.type, ownBuffer: t.data.buffer.byteLength === t.data.byteLength,
                      inputKept: bytes.length, phases: [...phases].sort(), runError, badShape, afterDispose,
                      worker: model.worker, threads: model.threads, labels: model.labels,
                      timingsOrdered: model.stats.timings.start <= model.stats.timings.manifest && model.stats.timings.manifest <= model.stats.timings.ready
                        && model.stats.timings.ready <= performance.now()};
  }
  let missing = null;
  try { await webedge.load('/nope/model.json', {worker: true}); } catch (e) { missing = {name: e.name, message: e.message}; }
  return {...result, missing};
}"""


def test_worker_and_main_thread_agree_on_everything(site):
    server = BundleServer(site).start()
    try:
        with browser.launch(webgpu=False) as chromium:
            page = chromium.new_page()
            page.goto(server.blank_page())
            got = page.evaluate(COMPARE)
    finally:
        server.stop()
    main, worker = got["false"], got["true"]
    assert worker["worker"] is True and main["worker"] is False
    assert worker["values"] == main["values"] and worker["dims"] == main["dims"] == [2, 214]
    assert worker["ownBuffer"] and worker["inputKept"] == 2 * 2048  # outputs own their buffer; inputs were copied
    assert worker["phases"] == main["phases"] == ["compile", "ready", "runtime", "weights"]
    assert worker["runError"] == main["runError"] == {"name": "WebedgeError", "isWebedge": True,
                                                      "message": "model.run() takes an object {inputName: tensor}"}
    assert worker["badShape"] == main["badShape"] and "not a whole multiple of 2048" in worker["badShape"]
    assert worker["afterDispose"] == main["afterDispose"] == "model.run() after model.dispose()"
    assert worker["threads"] == main["threads"] == 2
    assert worker["timingsOrdered"] and main["timingsOrdered"]  # the worker's clock moved onto the page's
    assert got["missing"]["name"] == "WebedgeError"
    # worker mode is the bundle's webedge-worker.mjs, beside model.json: a wrong URL fails on it, saying so
    assert got["missing"]["message"].startswith("webedge-worker.mjs: could not load worker mode from http://")
    assert "/nope/webedge-worker.mjs" in got["missing"]["message"]
    assert got["missing"]["message"].endswith("a bundle has it beside model.json")
