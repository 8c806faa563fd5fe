"""pytest plugin (auto-loaded once webedge is installed): the `webedge_check` fixture.

    def test_my_model_in_the_browser(webedge_check):
        report = webedge_check("model.onnx", dims={"batch": 1}, budgets={"first_inference_ms": 500})
        assert report.ok, report.failures

Given an .onnx file it bundles it into a temporary folder first (keyword `ep`, `shard_size`);
given a bundle folder it opens it as is. It returns a `webedge.testing.Report`. Every keyword of
`webedge.testing.check` passes through; `browser="firefox"` or `"webkit"` runs another engine,
so a suite covers all three with `@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])`.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def webedge_check(tmp_path_factory):
    from ..bundle import bundle
    from .harness import check

    def run(target, *, ep: str = "wasm", shard_size=None, **options):
        target = Path(target)
        if target.is_file():
            out = tmp_path_factory.mktemp("webedge") / "bundle"
            kwargs = {"ep": ep} | ({"shard_size": shard_size} if shard_size else {})
            bundle(target, out, **kwargs)
            options.setdefault("model", target)
            target = out
        return check(target, **options)

    return run
