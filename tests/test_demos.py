"""The demo apps as a user builds them: `webedge demo NAME -o DIR` for each of demos/, from the
command line, passes in headless Chromium on its known answer (the page served with no COOP/COEP
headers, so with threads only through the bundle's service worker), at desktop and phone size,
with the screenshots kept in bench/out/demos/. The check can fail, a folder with the user's files
is never replaced, and the VAD page streams a (fake) microphone. Fails, never skips, without Chromium."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from webedge import demo_apps
from webedge.errors import CheckFailed, WebedgeError

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "bench" / "out" / "demos"


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_demo_list_names_every_app():
    done = subprocess.run([sys.executable, "-m", "webedge", "demo", "--list"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("magika", "vad", "ocr"):
        assert any(line.startswith(name + " ") for line in done.stdout.splitlines()), done.stdout


@pytest.mark.parametrize("name", list(demo_apps.APPS))
def test_demo_builds_and_passes_its_known_answer(name, tmp_path):
    out = tmp_path / f"site-{name}"
    done = subprocess.run([sys.executable, "-m", "webedge", "demo", name, "-o", str(out), "--screenshots", str(SHOTS)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr
    assert done.stdout.rstrip().endswith("PASS"), done.stdout[-2000:]
    assert "2 threads (cross-origin isolated)" in done.stdout  # on a plain host: the service worker at work
    assert f"webedge serve --plain {out}" in done.stdout
    assert png_size(SHOTS / f"{name}-desktop.png")[0] == 1280
    assert png_size(SHOTS / f"{name}-phone.png")[0] == 390
    report = json.loads((out / "report.json").read_text())
    assert report["demo"] == name
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    on_disk.remove("report.json")
    assert sorted(report["files"]) == on_disk
    for f in ("index.html", "app.mjs", "README.md", "coi-serviceworker.js", "shared/loading.mjs"):
        assert (out / f).is_file(), f
    for folder in demo_apps.APPS[name].bundles:
        assert (out / folder / "model.json").is_file() and (out / folder / "webedge.mjs").is_file()


def test_a_wrong_answer_fails_the_demo(tmp_path, monkeypatch, capsys):
    sources = tmp_path / "sources"
    shutil.copytree(demo_apps.source_root(), sources, ignore=shutil.ignore_patterns("__pycache__"))
    expected = sources / "magika" / "samples" / "expected.json"
    data = json.loads(expected.read_text())
    data["labels"]["fizzbuzz.py"] = "javascript"
    expected.write_text(json.dumps(data))
    monkeypatch.setattr(demo_apps, "source_root", lambda: sources)
    with pytest.raises(CheckFailed, match="2 check"):
        demo_apps.run("magika", tmp_path / "site")
    out = capsys.readouterr().out
    assert "FAIL desktop: fizzbuzz.py: expected javascript, the page says python" in out
    assert "FAIL phone: fizzbuzz.py: expected javascript, the page says python" in out


def test_a_folder_holding_other_files_is_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(WebedgeError, match="is not empty and is not a webedge bundle"):
        demo_apps.build("vad", out)
    assert (out / "notes.txt").read_text() == "mine" and len(list(out.iterdir())) == 1
    demo_apps.build("vad", tmp_path / "demo")
    demo_apps.build("vad", tmp_path / "demo")  # an earlier demo is replaced
    (tmp_path / "demo" / "extra.txt").write_text("user file")
    with pytest.raises(WebedgeError, match="holds files that are not part of its bundle"):
        demo_apps.build("vad", tmp_path / "demo")


def test_unknown_demo_is_one_line(capsys):
    from webedge.cli import main

    assert main(["demo", "nope"]) == 2
    assert capsys.readouterr().err == ("webedge: error: unknown demo 'nope'; choose one of magika, vad, ocr "
                                       "(webedge demo --list)\n")


def test_vad_page_streams_the_microphone(tmp_path):
    """Chromium's fake capture device (a beep) through getUserMedia, the AudioWorklet and the resampler:
    chunks come in, each a finite probability."""
    from playwright.sync_api import sync_playwright

    from webedge.serve import BundleServer
    from webedge.testing.browser import BASE_ARGS, find_chromium

    out = tmp_path / "vad"
    demo_apps.build("vad", out)
    server = BundleServer(out, isolate=False).start()
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=find_chromium(), headless=True, args=BASE_ARGS + [
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--autoplay-policy=no-user-gesture-required"])
            try:
                context = chromium.new_context()
                context.grant_permissions(["microphone"], origin=server.url.rstrip("/"))
                page = context.new_page()
                page.goto(server.url + "index.html")
                page.wait_for_function("!document.getElementById('mic').disabled", timeout=120_000)
                page.click("#mic")
                page.wait_for_function("window.demoMic && window.demoMic.chunks >= 30", timeout=60_000)
                mic = page.evaluate("window.demoMic")
                status = page.inner_text("#status")
                error = page.inner_text("#error")
            finally:
                chromium.close()
    finally:
        server.stop()
    assert mic["finite"] and mic["chunks"] >= 30, mic
    assert "microphone (" in status and "Hz → 16 kHz" in status, status
    assert not error.strip(), error


def test_main_demo_prints_an_address_with_the_symbolic_dims(tmp_path):
    from webedge.demo import _dims_query

    (tmp_path / "model.json").write_text(json.dumps({"inputs": [
        {"name": "bytes", "dtype": "int32", "shape": ["batch", 2048]},
        {"name": "mask", "dtype": "bool", "shape": ["batch", "len"]}]}))
    assert _dims_query(tmp_path) == "?dim=batch:1&dim=len:1"
    (tmp_path / "model.json").write_text(json.dumps({"inputs": [{"name": "x", "dtype": "float32", "shape": [1, 3]}]}))
    assert _dims_query(tmp_path) == ""
