"""The loader's cache housekeeping (js/src/store.mjs) in headless Chromium: after a load, the files
that only a bundle's previous deployment named are deleted from the Cache API, while files that
another bundle on the origin names stay; and when navigator.storage.estimate() says the download
will not fit, the model loads from memory and says why. These fail (not skip) without a Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from tests.models import mlp_model, save
from webedge.bundle import bundle
from webedge.serve import BundleServer
from webedge.testing import browser

pytestmark = pytest.mark.browser
WIDTHS = (32, 96, 64, 80, 64, 64)  # with 24 KiB shards, layer 1 lies in shards of its own (tests/test_shards.py)
SHARD_SIZE = 24 * 1024
X = np.full((2, WIDTHS[0]), 0.5, np.float32)

LOAD = """async ([url, estimate]) => {
  if (estimate) navigator.storage.estimate = async () => estimate;
  const webedge = await import(new URL('webedge.mjs', new URL(url, location.href)).href);
  const model = await webedge.load(url);
  await model.loaded;
  const out = await model.run({x: new Float32Array(2 * 32).fill(0.5)});
  const cache = await caches.open('webedge-files-v1');
  return {cache: model.stats.cache, why: model.stats.cacheWhy, evicted: model.stats.evicted,
          y: Array.from(out.y.data), keys: (await cache.keys()).map((r) => new URL(r.url).pathname)};
}"""


@pytest.fixture(scope="module")
def chromium():
    with browser.launch() as b:
        yield b


@pytest.fixture(scope="module")
def deployments(tmp_path_factory):
    """Two bundles of one MLP: v1, and v2 with layer 1 "fine-tuned"; their models beside them."""
    root = tmp_path_factory.mktemp("deployments")
    out = {}
    for name, model in (("v1", mlp_model(WIDTHS)), ("v2", mlp_model(WIDTHS, layer_seeds={1: 12345}))):
        path = save(model, root / f"{name}.onnx")
        bundle(path, root / name, backend="webedge", shard_size=SHARD_SIZE)
        out[name] = (root / name, path)
    return out


def hashes(folder: Path) -> set[str]:
    m = json.loads((folder / "model.json").read_text())
    return {f["sha256"] for f in [*m["backend"]["files"], m["backend"]["graph"], *m["shards"]]}


def cached(result) -> set[str]:
    return {k.rsplit("/", 1)[1] for k in result["keys"] if k.count("/") == 2}  # /.webedge-cache/<sha256>


def expected(model_path: Path) -> np.ndarray:
    return ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"]).run(None, {"x": X})[0]


def deploy(site: Path, at: str, folder: Path) -> None:
    shutil.rmtree(site / at, ignore_errors=True)
    shutil.copytree(folder, site / at)


def serve(chromium, site: Path):
    server = BundleServer(site).start()
    server.extra["blank.html"] = (b"<!doctype html><link rel=icon href='data:,'><p>blank", "text/html")
    context = chromium.new_context()
    page = context.new_page()
    context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    return server, context, page


def load(page, server, url: str, estimate: dict | None = None) -> dict:
    page.goto(server.url + "blank.html")
    return page.evaluate(LOAD, [url, estimate])


def test_a_new_deployment_deletes_the_files_only_the_old_one_named(chromium, deployments, tmp_path):
    (v1, v1_model), (v2, v2_model) = deployments["v1"], deployments["v2"]
    only_v1 = hashes(v1) - hashes(v2)
    assert len(only_v1) == 2  # layer 1's two shards; runtime, plan and the other shards are shared
    site = tmp_path / "site"
    deploy(site, "app", v1)
    server, context, page = serve(chromium, site)
    try:
        first = load(page, server, "/app/model.json")
        assert first["cache"] == "persistent" and first["why"] is None and first["evicted"] == 0
        np.testing.assert_allclose(first["y"], expected(v1_model).ravel(), rtol=1e-4, atol=1e-5)
        assert only_v1 <= cached(first)
        deploy(site, "app", v2)
        second = load(page, server, "/app/model.json")
        np.testing.assert_allclose(second["y"], expected(v2_model).ravel(), rtol=1e-4, atol=1e-5)
        assert second["evicted"] == len(only_v1)
        assert not only_v1 & cached(second), "the old deployment's shards are still cached"
        assert cached(first) - only_v1 <= cached(second), "a file the new deployment still names was deleted"
        third = load(page, server, "/app/model.json")  # nothing left to clean
        assert third["evicted"] == 0 and cached(third) == cached(second)
    finally:
        context.close()
        server.stop()


def test_files_another_bundle_on_the_origin_names_are_kept(chromium, deployments, tmp_path):
    (v1, _), (v2, _) = deployments["v1"], deployments["v2"]
    site = tmp_path / "site"
    deploy(site, "app", v1)
    deploy(site, "other", v1)  # a second bundle that happens to hold v1's bytes
    server, context, page = serve(chromium, site)
    try:
        load(page, server, "/other/model.json")
        first = load(page, server, "/app/model.json")
        deploy(site, "app", v2)
        second = load(page, server, "/app/model.json")
        assert second["evicted"] == 0
        assert hashes(v1) & cached(first) <= cached(second), "another bundle's files were evicted"
    finally:
        context.close()
        server.stop()


def test_a_download_that_does_not_fit_the_quota_loads_from_memory_and_says_so(chromium, deployments, tmp_path):
    v1, v1_model = deployments["v1"]
    site = tmp_path / "site"
    deploy(site, "app", v1)
    server, context, page = serve(chromium, site)
    try:
        got = load(page, server, "/app/model.json", {"usage": 990_000, "quota": 1_000_000})  # 10 kB left
        assert got["cache"] == "memory"
        assert "of storage left: not cached" in got["why"] and "0.0 MB of storage left" in got["why"], got["why"]
        np.testing.assert_allclose(got["y"], expected(v1_model).ravel(), rtol=1e-4, atol=1e-5)
        assert not cached(got), "files were written to a cache that had no room"
        roomy = load(page, server, "/app/model.json", {"usage": 0, "quota": 10**9})
        assert roomy["cache"] == "persistent" and roomy["why"] is None
        assert hashes(v1) & cached(roomy)
    finally:
        context.close()
        server.stop()
