"""`webedge test --html`: a self-contained report whose load waterfall names every request of the
cold load (each shard of the bundle by name) with its times and bytes, marks the load phases, and
lists the outputs' errors, the budgets and each quantized tensor's encoding. Looked at in a browser:
the test takes a screenshot (bench/out/html-report.png) and reads the drawn waterfall back."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from webedge.bundle import bundle
from webedge.testing import browser

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[1] / "bench" / "out"
MARKS = ["manifest", "runtime", "weights", "ready", "first result"]


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.requests, self.marks, self.external = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g" and a.get("class") == "request":
            self.requests.append(a["data-file"])
        if tag == "g" and a.get("class") == "mark":
            self.marks.append(a["data-mark"])
        if tag in ("script", "link", "img") and (a.get("src") or a.get("href")):
            self.external.append((tag, a))


@pytest.fixture(scope="module")
def run(tmp_path_factory, magika_model):
    work = tmp_path_factory.mktemp("html")
    site = work / "site"
    # int8 passes its own check on bundle's four generated noise sets (cosine 0.9995 since Magika's
    # vector-shaped norms stay float32 and its byte table fp16: docs/quantization.md). 32 KiB
    # shards: 6 of them (the Conv weight is one); at 128 KiB only 3 since the norms left int8
    bundle(magika_model, site, backend="webedge", quantize="int8", shard_size="32KiB")
    out = work / "report.html"
    done = subprocess.run([sys.executable, "-m", "webedge", "test", str(site), "--model", str(magika_model),
                           "--dim", "unk__214=2", "--runs", "2", "--budget", "first_result_ms=120000",
                           "--html", str(out), "--json", str(work / "r.json")], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    return site, out, json.loads((work / "r.json").read_text())


def test_waterfall_names_every_shard_and_marks_the_phases(run):
    site, out, report = run
    manifest = json.loads((site / "model.json").read_text())
    shards = [s["file"] for s in manifest["shards"]]
    assert len(shards) >= 4, shards
    html = out.read_text()
    seen = Collect()
    seen.feed(html)
    assert not seen.external, f"the report must be self-contained: {seen.external}"
    missing = [f for f in shards + ["model.json", "webedge.mjs", manifest["backend"]["graph"]["file"]]
               if f not in seen.requests]
    assert not missing, f"not in the waterfall: {missing}"
    assert [m for m in seen.marks if m != "load() called"] == MARKS
    by_file = {r["file"]: r for r in report["requests"]}
    for f in shards:
        r = by_file[f]
        assert 0 < r["start_ms"] <= r["end_ms"] and r["bytes"] == next(s["bytes"] for s in manifest["shards"] if s["file"] == f)
        assert re.search(re.escape(f) + r"</text>", html)


def test_report_lists_errors_budgets_and_quantized_tensors(run):
    site, out, _ = run
    html = out.read_text()
    assert "Outputs against onnxruntime" in html and "target_label" in html
    assert "first_result_ms" in html and ">ok<" in html
    tensors = json.loads((site / "report.json").read_text())["quantization"]["tensors"]
    assert "Quantization: int8" in html
    for t in tensors:
        assert f"<td class=\"\">{t['name']}</td><td class=\"\">{t['encoding']}</td>" in html, t["name"]


def test_report_as_a_browser_draws_it(run):
    site, out, _ = run
    shards = [s["file"] for s in json.loads((site / "model.json").read_text())["shards"]]
    with browser.launch(webgpu=False) as chromium:
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        page.goto(out.as_uri())
        drawn = page.evaluate("""() => {
          const svg = document.querySelector('svg');
          const box = svg.getBoundingClientRect();
          const bars = [...svg.querySelectorAll('g.request')].map((g) => {
            const r = g.querySelector('rect').getBoundingClientRect();
            return {file: g.dataset.file, label: g.querySelector('text').textContent, x: r.x, right: r.right, w: r.width};
          });
          return {width: box.width, height: box.height, left: box.x, right: box.right, bars};
        }""")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "html-report.png"), full_page=True)
    assert drawn["width"] > 600 and drawn["height"] > 200
    labels = {b["label"] for b in drawn["bars"]}
    assert all(f in labels for f in shards), (shards, labels)
    for b in drawn["bars"]:
        assert drawn["left"] <= b["x"] and b["right"] <= drawn["right"] and b["w"] > 0, b


@pytest.mark.parametrize("engine", ["firefox", "webkit"])
def test_every_engine_records_the_requests(run, magika_model, engine):
    """Resource Timing is the engine-independent source: Firefox and WebKit name every shard too."""
    from webedge.testing import check

    site, _, _ = run
    shards = {s["file"] for s in json.loads((site / "model.json").read_text())["shards"]}
    report = check(site, model=magika_model, dims={"unk__214": 1}, warm_runs=0, reload=False, browser=engine)
    assert report.ok, report.failures
    got = {r["file"] for r in report.requests}
    assert shards <= got and "model.json" in got, (shards, got)
    assert all(r["end_ms"] >= r["start_ms"] > 0 for r in report.requests)
    assert report.marks["first result"] >= report.marks["ready"] >= report.marks["manifest"] > 0
