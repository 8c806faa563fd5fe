"""The tested artifact is the shipped artifact: the wheel holds every file a bundle can be made of.

Builds the wheel from this checkout (`pip wheel --no-build-isolation`, so with the locked
setuptools and no network) and checks, inside it: every data file of the source package
(`webedge.installation.shipped`), each kernel module in both variants (single-thread and
`kernels/mt/`) for every module the planner can name, the executor, the loader and the page.
A bundle from an installation missing one of them fails with a message about the installation.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from models import matmul_model, save
from webedge import demo_apps, installation, site_files
from webedge.bundle import LOADER, PAGE, WORKER, bundle
from webedge.errors import InstallationError
from webedge.plan.ops import registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "--wheel-dir", str(out), str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    wheels = list(out.glob("webedge-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as z:
        return set(z.namelist())


def test_every_packaged_data_file_is_in_the_wheel(wheel_names):
    shipped = installation.shipped()
    assert len(shipped) >= 15, shipped  # loader, executor, 6 kernels x 2 variants, page, schema, page scripts
    missing = [rel for rel in shipped if f"webedge/{rel}" not in wheel_names]
    assert not missing, f"in the source package but not in the wheel: {missing}"


def test_every_python_package_is_in_the_wheel(wheel_names):
    """pyproject.toml lists the packages (so that demos/ can be mapped in): a new one must be listed."""
    modules = [p.relative_to(ROOT).as_posix() for p in (ROOT / "webedge").rglob("*.py") if "__pycache__" not in p.parts]
    assert len(modules) > 40
    missing = [m for m in modules if m not in wheel_names]
    assert not missing, f"not in the wheel (add their package to [tool.setuptools] packages): {missing}"
    assert "webedge/demos/__init__.py" in wheel_names


def test_every_file_the_bundler_can_copy_is_in_the_wheel(wheel_names):
    reg = registry()
    modules = sorted({k for op in reg["ops"].values() for k in op["kernels"]})
    assert {"linalg", "binary", "unary"} <= set(modules)
    needed = [LOADER, WORKER, "runtime/webedge-ort.mjs", PAGE, "runtime/registry.json", f"runtime/{reg['core']}", "manifest.schema.json",
              "testing/harness_page.js", "testing/conformance_page.js", "testing/drivers/firefox_bridge.cjs",
              site_files.TYPES, site_files.COI_WORKER, site_files.COI_LICENSE]
    needed += [f"demos/{name}/{f}" for name in demo_apps.APPS for f in ("index.html", "app.mjs", "README.md")]
    needed += ["demos/README.md", "demos/shared/loading.mjs", "demos/shared/demo.css"]
    needed += [f"runtime/kernels/{folder}{m}.wasm" for folder in ("", "mt/", "relaxed/", "relaxed-mt/") for m in modules]
    needed += [f"runtime/{m['file']}" for m in reg["modules"].values()] + [f"runtime/{f}" for f in reg["threads"]]
    needed += [rel for rel in installation.shipped() if rel.endswith(".wgsl")]
    missing = [rel for rel in needed if f"webedge/{rel}" not in wheel_names]
    assert not missing, f"the bundler can copy these, but the wheel lacks them: {missing}"


def test_a_missing_runtime_file_blames_the_installation_not_out(tmp_path, monkeypatch, capsys):
    from webedge.cli import main

    fake = tmp_path / "pkg"
    for rel in installation.shipped():
        if rel != "runtime/kernels/mt/linalg.wasm":
            (fake / rel).parent.mkdir(parents=True, exist_ok=True)
            (fake / rel).write_bytes(installation.path_of(rel).read_bytes())
    monkeypatch.setattr(installation, "PACKAGE", fake)
    model = save(matmul_model(16), tmp_path / "m.onnx")
    out = tmp_path / "out"
    with pytest.raises(InstallationError, match="runtime/kernels/mt/linalg.wasm is missing; reinstall webedge"):
        bundle(model, out, backend="webedge")
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert main(["bundle", str(model), "-o", str(out), "--backend", "webedge"]) == 3
    err = capsys.readouterr().err
    assert err == ("webedge: internal error: webedge installation is incomplete: runtime/kernels/mt/linalg.wasm is "
                   "missing; reinstall webedge (pip install --force-reinstall webedge)\n")
