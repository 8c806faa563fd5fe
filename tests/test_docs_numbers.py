"""The byte figures in README.md and docs/runtime.md are measurements, not memory.

Each figure is found by the sentence that states it and compared with a real bundle's
report.json (webedge.report's gzip level 9): Magika on the webedge runtime and on
onnxruntime-web, PP-OCR's text-direction classifier on the webedge runtime (docs/runtime.md's
table, to the byte). A runtime that grows or shrinks by more than the rounding fails here until the
docs say so.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webedge import pretrained
from webedge.bundle import bundle

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
RUNTIME_DOC = (ROOT / "docs" / "runtime.md").read_text()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("docs")
    magika, cls = pretrained.fetch("magika"), pretrained.fetch("ppocr-cls")
    return {"magika-webedge": bundle(magika, work / "mw", backend="webedge"),
            "magika-ort": bundle(magika, work / "mo", backend="ort"),
            "cls-webedge": bundle(cls, work / "cw", backend="webedge")}


def stated(text: str, pattern: str) -> list[float]:
    found = re.search(pattern, text)
    assert found, f"the docs no longer state /{pattern}/; update this test with them"
    return [float(g) for g in found.groups()]


def close(figure: float, measured_bytes: int, unit: float) -> bool:
    """A figure rounded to the digits it shows (at least 0.1 units) matches the measurement."""
    return abs(figure * unit - measured_bytes) <= max(0.051 * unit, 0.01 * measured_bytes)


def test_readme_figures(reports):
    (loader,) = stated(README, r"one ES module, ([\d.]+) kB gzip")
    assert close(loader, reports["magika-webedge"]["files"]["webedge.mjs"]["gzip"], 1e3)
    (ours,) = stated(README, r"own runtime \(([\d.]+) kB gzip in all for\s+Magika")
    assert close(ours, reports["magika-webedge"]["totals"]["runtime"]["gzip"], 1e3)
    (theirs,) = stated(README, r"otherwise onnxruntime-web \(([\d.]+) MB gzip\)")
    assert close(theirs, reports["magika-ort"]["totals"]["runtime"]["gzip"], 1e6)


def test_runtime_doc_figures(reports):
    for row, report in (("PP-OCR cls", "cls-webedge"), ("Magika", "magika-webedge")):
        found = re.search(rf"^\| {row} \| ([\d,]+) B \|", RUNTIME_DOC, re.M)
        assert found, f"docs/runtime.md has no table row for {row}"
        assert int(found.group(1).replace(",", "")) == reports[report]["totals"]["runtime"]["gzip"], f"docs/runtime.md's {row} row is not what a bundle weighs"
