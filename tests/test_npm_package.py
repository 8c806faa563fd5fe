"""js/ is a publishable npm package: `npm pack` makes a tarball holding the loader and its types
(the same loader every bundle ships), which installs into a scratch project with no network,
type-checks there under `tsc --strict`, bundles with esbuild into an app, and that app loads a
bundle's model.json in headless Chromium and decodes its output with the bundle's labels."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from webedge import pretrained
from webedge.bundle import bundle
from webedge.installation import PACKAGE
from webedge.serve import BundleServer
from webedge.testing import browser

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "js"
ESBUILD = JS / "node_modules" / ".bin" / "esbuild"
TSC = JS / "node_modules" / "typescript" / "bin" / "tsc"

APP = """import { load, topK } from 'webedge';

const bytes = new Int32Array(2048).fill(256);
const text = new TextEncoder().encode('#!/usr/bin/env python3\\nimport sys\\n\\ndef main():\\n    print(sys.argv)\\n');
bytes.set(text, 0);
const model = await load('./model/model.json');
const out = await model.run({ bytes });
const [best] = topK(out.target_label, 1, model.labels.target_label);
window.result = { label: best[0].label, dims: out.target_label.dims, backend: model.backend };
"""


def npm() -> str:
    path = shutil.which("npm")
    assert path, "npm is needed to pack js/; install Node.js 20+ with npm"
    return path


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack")
    done = subprocess.run([npm(), "pack", "--pack-destination", str(out), "--loglevel=error"], cwd=JS,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (tgz,) = out.glob("webedge-*.tgz")
    return tgz


def test_the_tarball_holds_the_loader_and_its_types_only(tarball):
    with tarfile.open(tarball) as t:
        names = sorted(t.getnames())
        assert names == ["package/README.md", "package/dist/webedge.d.mts", "package/dist/webedge.mjs",
                         "package/package.json"]
        loader = t.extractfile("package/dist/webedge.mjs").read()
        types = t.extractfile("package/dist/webedge.d.mts").read()
        meta = json.loads(t.extractfile("package/package.json").read())
    assert loader == (PACKAGE / "runtime" / "webedge.mjs").read_bytes(), "the package's loader is not the bundles'"
    assert types == (PACKAGE / "runtime" / "webedge.d.mts").read_bytes()
    from webedge import __version__

    assert meta["name"] == "webedge" and meta["version"] == __version__
    assert "dependencies" not in meta and meta["exports"]["."]["types"] == "./dist/webedge.d.mts"


@pytest.mark.browser
def test_an_app_installs_typechecks_bundles_and_runs_it(tarball, tmp_path, magika_model):
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text(json.dumps({"name": "scratch-app", "private": True, "type": "module"}))
    done = subprocess.run([npm(), "install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", str(tarball)],
                          cwd=app, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (app / "node_modules" / "webedge" / "dist" / "webedge.mjs").is_file()

    (app / "main.mts").write_text(APP.replace("window.result", "(window as any).result"))
    (app / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "strict": True, "noEmit": True, "target": "es2022", "module": "es2022", "moduleResolution": "bundler",
        "lib": ["es2022", "dom"]}, "include": ["main.mts"]}))
    typed = subprocess.run(["node", str(TSC), "-p", "tsconfig.json"], cwd=app, capture_output=True, text=True,
                           timeout=300)
    assert typed.returncode == 0, typed.stdout + typed.stderr

    (app / "main.mjs").write_text(APP)
    site = tmp_path / "site"
    built = subprocess.run([str(ESBUILD), "main.mjs", "--bundle", "--format=esm", "--target=es2022",
                            f"--outfile={site / 'app.js'}", "--log-level=error"], cwd=app, capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "from 'webedge'" not in (site / "app.js").read_text()  # the package is inside the app bundle
    (site / "index.html").write_text("<!doctype html><link rel=icon href='data:,'><script type=module src=app.js></script>")
    labels = tmp_path / "labels.json"
    config = json.loads(pretrained.fetch("magika", pretrained.MODELS["magika"].extras[0]).read_text())
    labels.write_text(json.dumps(config["target_labels_space"]))
    bundle(magika_model, site / "model", backend="webedge", labels=labels)
    server = BundleServer(site).start()
    try:
        with browser.launch(webgpu=False) as chromium:
            page = chromium.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + "index.html")
            page.wait_for_function("window.result !== undefined || false", timeout=120_000)
            result = page.evaluate("window.result")
    finally:
        server.stop()
    assert not errors, errors
    assert result == {"label": "python", "dims": [1, 214], "backend": "webedge/wasm"}
