"""What a visitor downloads: the runtime bytes (report.json totals.runtime.gzip: the loader, the
executor linked for the model's ops and its kernel modules) of two real models, held within 3% of
what they weigh now (bench/runtime_bytes.py prints them for every real model). Growth, or a
saving, is a decision: change REACHED with the change that causes it, and docs/runtime.md's table
with it (tests/test_docs_numbers.py checks that table). Issue 9's targets were PP-OCR cls <= 35 kB and Magika <= 40 kB (both held below). The op-unit
work reached 34,349 B and 38,330 B; the shared loader then grew with worker mode, labels, WebGPU's
API (issues 10, 11) and lazy outputs, spanning tensors and the cache clean-up (issue 13), while
kernel stripping, low-precision codecs linked only where used and the HardSwish fusion cut more. Splitting
every heavy op over the worker pool added about 550 B to both."""

from __future__ import annotations

import pytest

from webedge import pretrained
from webedge.bundle import bundle

REACHED = {"ppocr-cls": 34_939, "magika": 34_262}  # bytes, measured with this tree
TOLERANCE = 0.03


@pytest.mark.parametrize("name", sorted(REACHED))
def test_runtime_bytes_stay_where_they_are(tmp_path, name):
    report = bundle(pretrained.fetch(name), tmp_path / name, backend="webedge")
    got = report["totals"]["runtime"]["gzip"]
    assert abs(got - REACHED[name]) <= TOLERANCE * REACHED[name], \
        f"{name}: {got:,} B gzip of runtime, recorded {REACHED[name]:,} B: update REACHED if this is meant"
    target = {"magika": 40_000, "ppocr-cls": 35_000}[name]
    assert got <= target, f"{name}: {got:,} B gzip of runtime, over issue 9's {target:,} B target"

