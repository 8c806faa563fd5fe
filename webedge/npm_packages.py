"""Pinned npm packages webedge needs at run time, found in the checkout or installed once into its cache.

onnxruntime-web (the `ort` backend's runtime files) and puppeteer-core (the Firefox driver of
`webedge test --browser firefox`) come from npm at an exact version. A checkout has them in
js/node_modules (from js/package-lock.json); an installed webedge puts them under
`$WEBEDGE_CACHE/npm/<name>-<version>/` with `npm install`, the first time they are needed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import WebedgeError

REPO_NODE_MODULES = Path(__file__).resolve().parents[1] / "js" / "node_modules"


def cache_root() -> Path:
    return Path(os.environ.get("WEBEDGE_CACHE", Path.home() / ".cache" / "webedge"))


def _version(package_dir: Path) -> str | None:
    try:
        return json.loads((package_dir / "package.json").read_text()).get("version")
    except (OSError, ValueError):
        return None


def cache_prefix(name: str, version: str) -> Path:
    return cache_root() / f"{name.replace('/', '-')}-{version}"


def find(name: str, version: str, *, install: bool = True, why: str = "") -> Path:
    """The folder of npm package `name` at exactly `version` (its package.json inside)."""
    for modules in (REPO_NODE_MODULES, cache_prefix(name, version) / "node_modules"):
        if _version(modules / name) == version:
            return modules / name
    if not install:
        raise WebedgeError(f"{name} {version} is not installed; run `make setup`")
    npm = shutil.which("npm")
    if not npm:
        raise WebedgeError(f"{name} {version} is needed{why} and npm is not on PATH; install Node.js (npm)")
    prefix = cache_prefix(name, version)
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"webedge: installing {name} {version} from npm into {prefix}", file=sys.stderr)
    done = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(prefix),
                           f"{name}@{version}"], capture_output=True, text=True)
    found = prefix / "node_modules" / name
    if done.returncode != 0 or _version(found) != version:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise WebedgeError(f"could not install {name} {version} with npm: {tail}")
    return found
