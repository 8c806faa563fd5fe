"""Threads on hosts that send no headers: the bundle's coi-serviceworker.js (vendored from npm's
coi-serviceworker 0.1.7) isolates the page after one reload, the page says how many threads run
and why, `webedge test --host plain` measures it, and `--no-coi-worker` leaves it out.
Browser tests fail (not skip) without the browsers (docs/browsers.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from webedge.bundle import bundle
from webedge.installation import PACKAGE
from webedge.serve import BundleServer
from webedge.testing import browser, check

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "bench" / "out"


@pytest.fixture(scope="module")
def magika_site(tmp_path_factory, magika_model):
    out = tmp_path_factory.mktemp("coi") / "site"
    bundle(magika_model, out, backend="webedge")
    return out


def test_vendored_worker_is_the_npm_package_with_its_license():
    pkg = ROOT / "js" / "node_modules" / "coi-serviceworker"
    assert json.loads((pkg / "package.json").read_text())["version"] == "0.1.7"
    assert (PACKAGE / "runtime" / "coi-serviceworker.js").read_bytes() == (pkg / "coi-serviceworker.min.js").read_bytes()
    assert (PACKAGE / "runtime" / "coi-serviceworker.LICENSE").read_bytes() == (pkg / "LICENSE").read_bytes()
    assert b"MIT License" in (pkg / "LICENSE").read_bytes()


def test_bundle_ships_the_worker_and_the_page_includes_it(magika_site, tmp_path, magika_model):
    assert (magika_site / "coi-serviceworker.js").is_file() and (magika_site / "coi-serviceworker.LICENSE").is_file()
    assert '<script src="coi-serviceworker.js"></script>' in (magika_site / "index.html").read_text()
    report = json.loads((magika_site / "report.json").read_text())
    assert report["coi_worker"] is True and "coi-serviceworker.js" in report["files"]
    off = bundle(magika_model, tmp_path / "off", backend="webedge", coi_worker=False)
    assert not (tmp_path / "off" / "coi-serviceworker.js").exists()
    assert "coi-serviceworker" not in (tmp_path / "off" / "index.html").read_text()
    assert off["coi_worker"] is False and "coi-serviceworker.js" not in off["files"]


@pytest.mark.browser
def test_generic_page_on_a_plain_host_reloads_once_into_two_threads(magika_site):
    """As on GitHub Pages: no headers; the page registers the worker, reloads, runs on 2 threads
    (this machine has 2 cores), and says so."""
    server = BundleServer(magika_site, isolate=False).start()
    navigations = []
    try:
        with browser.launch(webgpu=False) as chromium:
            context = chromium.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
            page.goto(server.url + "index.html?dim=unk__214:1")
            page.wait_for_function("window.webedgeDemo !== undefined && crossOriginIsolated", timeout=120_000)
            got = page.evaluate("({threads: webedgeDemo.model.threads, why: webedgeDemo.model.threadsWhy,"
                                " error: webedgeDemo.error ?? null, cores: navigator.hardwareConcurrency,"
                                " shown: document.getElementById('threads').textContent,"
                                " width: document.documentElement.scrollWidth})")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "generic-page-phone.png"), full_page=True)
            context.close()
    finally:
        server.stop()
    assert got["error"] is None, got
    assert got["threads"] == min(4, got["cores"]) == 2, got
    assert got["shown"] == got["why"] == "2 threads (cross-origin isolated)"
    assert got["width"] <= 390, f"the page is {got['width']} px wide on a 390 px phone"
    # the first visit, then the reload; coi-serviceworker 0.1.7 sometimes reloads a second time (it
    # asks from two events, 'updatefound' and an active worker with no controller, seen in suite runs)
    assert 2 <= len(navigations) <= 3, navigations


@pytest.mark.browser
def test_generic_page_without_the_worker_says_why_it_runs_on_one_thread(tmp_path, magika_model):
    bundle(magika_model, tmp_path / "site", backend="webedge", coi_worker=False)
    server = BundleServer(tmp_path / "site", isolate=False).start()
    try:
        with browser.launch(webgpu=False) as chromium:
            page = chromium.new_page()
            page.goto(server.url + "index.html?dim=unk__214:1")
            page.wait_for_function("window.webedgeDemo !== undefined", timeout=120_000)
            shown = page.inner_text("#threads")
    finally:
        server.stop()
    assert shown.startswith("1 thread: the page is not cross-origin isolated: its host sends no COOP/COEP headers"), shown


@pytest.mark.browser
@pytest.mark.parametrize("engine, threads", [("chromium", 2), ("firefox", 2), ("webkit", 4)])
def test_webedge_test_host_plain_gets_threads_through_the_worker(magika_site, magika_model, tmp_path, engine, threads):
    """`webedge test --host plain`: no headers at all, threads from the service worker. WebKitGTK
    reports 4 cores on this 2-core machine once SharedArrayBuffer is on (docs/browsers.md)."""
    out = tmp_path / "plain.json"
    done = subprocess.run([sys.executable, "-m", "webedge", "test", str(magika_site), "--model", str(magika_model),
                           "--dim", "unk__214=2", "--host", "plain", "--browser", engine, "--runs", "1",
                           "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    report = json.loads(out.read_text())
    assert report["host"].startswith("plain (no COOP/COEP headers; coi-serviceworker.js registered"), report["host"]
    assert report["isolated"] is True and report["threads"] == threads, report
    assert "host      plain" in done.stdout


@pytest.mark.browser
def test_host_plain_without_the_worker_is_one_thread_and_says_why(tmp_path, magika_model):
    bundle(magika_model, tmp_path / "site", backend="webedge", coi_worker=False)
    report = check(tmp_path / "site", model=magika_model, dims={"unk__214": 1}, warm_runs=0, reload=False, host="plain")
    assert report.ok, report.failures
    assert report.threads == 1 and not report.isolated
    assert "--no-coi-worker" in report.host
    assert report.threads_why.startswith("1 thread: the page is not cross-origin isolated")
