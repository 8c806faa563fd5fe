"""The files webedge ships inside its own package, and the one way the bundler reaches them.

A bundle is assembled from packaged files (the loader, the executor, the wasm kernels in
`runtime/kernels/` and their threaded twins in `runtime/kernels/mt/`, the demo page, the types and
the service worker); `webedge demo NAME` copies the demo apps, which live in the top-level demos/
of a checkout and are the package `webedge.demos` (webedge/demos/ inside a wheel). A wheel
that lost one of them must fail with a message that blames the installation, never the user's
output folder: `packaged()` raises `InstallationError` naming the missing file.
tests/test_wheel.py builds the wheel and checks every file listed by `shipped()` is inside.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InstallationError

PACKAGE = Path(__file__).resolve().parent
# Folders and files of the package that are data, not Python (pyproject.toml's package-data).
DATA = ("runtime", "page", "testing/harness_page.js", "testing/conformance_page.js",
        "testing/drivers/firefox_bridge.cjs", "manifest.schema.json", "demos")


def packaged(rel: str) -> Path:
    """Path of a packaged data file (relative to the package), or InstallationError if it is absent."""
    path = PACKAGE / rel
    if not path.is_file():
        raise InstallationError(f"webedge installation is incomplete: {rel} is missing; reinstall webedge "
                                "(pip install --force-reinstall webedge)")
    return path


def _demos_root() -> Path:
    """demos/ of a checkout (editable install) or webedge/demos of a wheel: where `webedge.demos` is."""
    import importlib.util

    spec = importlib.util.find_spec("webedge.demos")
    return Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else PACKAGE / "demos"


def path_of(rel: str) -> Path:
    """Where a file named by shipped() is in this source tree or installation."""
    if rel.startswith("demos/"):
        return _demos_root() / rel[len("demos/"):]
    return PACKAGE / rel


def shipped() -> list[str]:
    """Every data file this source tree or installation holds, relative to the package."""
    found = []
    for rel in DATA:
        path = _demos_root() if rel == "demos" else PACKAGE / rel
        if path.is_dir():
            found += [f"{rel}/{p.relative_to(path).as_posix()}" for p in sorted(path.rglob("*"))
                      if p.is_file() and "__pycache__" not in p.parts]
        elif path.is_file():
            found.append(rel)
    return found
