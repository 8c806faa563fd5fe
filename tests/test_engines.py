"""The same browser check in Chromium, Firefox (Gecko) and WebKit.

Real pretrained models (Magika, PP-OCR's text-direction classifier, Silero VAD) bundled on the
webedge runtime run in all three engines, on a cross-origin isolated page (wasm threads) and on a
plain one (one thread), streaming weights as they arrive, and must match onnxruntime. Each engine
is Debian's own browser (chromium, firefox-esr, webkit2gtk-driver); a missing one fails loudly.
"""

from __future__ import annotations

import json

import pytest

from webedge import pretrained
from webedge.bundle import bundle
from webedge.cli import main
from webedge.testing import check
from webedge.testing.drivers import ENGINES, open_driver

pytestmark = pytest.mark.browser

MODELS = {
    "magika": {"dims": {"unk__214": 2}},
    "ppocr-cls": {"dims": {"x_dim0": 1, "x_dim2": 48, "x_dim3": 192}},
    "silero-vad": {"inputs": "silero_inputs"},
}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("engines")
    made = {}
    for name in MODELS:
        model = pretrained.fetch(name)
        bundle(model, work / name, backend="webedge")
        made[name] = (work / name, model)
    return made


@pytest.mark.parametrize("threads", [True, False], ids=["isolated", "single-thread"])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(MODELS))
def test_real_models_match_onnxruntime_in_every_engine(bundles, request, name, engine, threads):
    folder, model = bundles[name]
    spec = MODELS[name]
    inputs = request.getfixturevalue(spec["inputs"]) if "inputs" in spec else None
    report = check(folder, model=model, dims=spec.get("dims"), inputs=inputs, browser=engine, threads=threads,
                   warm_runs=2)
    assert report.ok, report.failures
    assert report.browser.startswith(f"{engine} ") and report.backend == "webedge/wasm"
    assert report.streaming
    assert report.threads > 1 if threads else report.threads == 1, report.threads
    assert all(c.ok for c in report.outputs) and report.outputs
    if engine == "webkit":
        assert "Cache API" in report.not_measured["reload"] and not report.reload
    else:
        assert report.reload["weight_bytes"] == 0, report.reload  # a warm reload downloads no weights


def test_cli_runs_several_engines_and_writes_one_report_each(bundles, tmp_path, capsys):
    folder, model = bundles["ppocr-cls"]
    out = tmp_path / "r.json"
    dims = [a for k, v in MODELS["ppocr-cls"]["dims"].items() for a in ("--dim", f"{k}={v}")]
    code = main(["test", str(folder), "--model", str(model), *dims, "--browser", "firefox,webkit", "--json", str(out),
                 "--runs", "1", "--network", "4g"])
    text = capsys.readouterr().out
    assert code == 0, text
    reports = json.loads(out.read_text())
    assert [r["browser"].split()[0] for r in reports] == ["firefox", "webkit"]
    assert all(r["ok"] for r in reports)
    # neither engine throttles itself: the server shapes the link, and the report says so
    assert all("shaped by the test server" in r["network"] for r in reports)
    assert "browser   firefox " in text and "browser   webkit " in text


def test_unknown_engine_is_one_line(bundles, capsys):
    folder, _ = bundles["ppocr-cls"]
    assert main(["test", str(folder), "--browser", "netscape"]) == 2
    err = capsys.readouterr().err
    assert err == ("webedge: error: unknown browser 'netscape'; choose chromium, firefox or webkit "
                   "(several with a comma: --browser chromium,firefox)\n")


@pytest.mark.parametrize("engine, env, package", [("firefox", "WEBEDGE_FIREFOX", "WEBEDGE_FIREFOX=/no/such/firefox"),
                                                  ("webkit", "WEBEDGE_WEBKIT_DRIVER", "webkit2gtk-driver")])
def test_a_missing_engine_names_what_to_install(monkeypatch, engine, env, package):
    from webedge.errors import WebedgeError

    monkeypatch.setenv(env, "/no/such/firefox")
    if engine == "webkit":
        monkeypatch.setattr("shutil.which", lambda name: None)
        monkeypatch.delenv(env)
    with pytest.raises(WebedgeError, match=package.replace("/", "/")):
        with open_driver(engine):
            pass


def test_webgpu_in_each_engine_is_what_docs_browsers_says(tmp_path):
    # docs/browsers.md: Chromium exposes a SwiftShader adapter, Firefox a software one (Mesa's
    # lavapipe, blocklist ignored), WebKitGTK none (its WebGPU is an off-by-default preview).
    from webedge.serve import BundleServer

    (tmp_path / "x").mkdir()
    server = BundleServer(tmp_path / "x").start()
    server.extra["__webedge__/p.html"] = (b"<!doctype html><p>p", "text/html")
    probe = "async () => ({gpu: !!navigator.gpu, adapter: !!(navigator.gpu && await navigator.gpu.requestAdapter())})"
    try:
        seen = {}
        for engine in ENGINES:
            with open_driver(engine) as d:
                got = d.run(server.url + "__webedge__/p.html", probe, {})
                seen[engine] = got["adapter"]
    finally:
        server.stop()
    assert seen == {"chromium": True, "firefox": True, "webkit": False}


@pytest.mark.parametrize("engine", ["chromium", "firefox"])
def test_a_webgpu_bundle_runs_on_the_gpu_where_the_engine_exposes_it(tmp_path, engine):
    # onnxruntime-web's WebGPU build (webedge's own WebGPU backend is not there yet): Chromium on
    # SwiftShader, Firefox on Mesa's lavapipe. WebKitGTK exposes no WebGPU headless.
    model = pretrained.fetch("magika")
    bundle(model, tmp_path / "site", backend="ort", ep="webgpu")
    report = check(tmp_path / "site", model=model, dims={"unk__214": 2}, backend="webgpu", browser=engine,
                   warm_runs=1, reload=False)
    assert report.ok, report.failures
    assert report.backend == "ort/webgpu" and report.browser.startswith(engine)
