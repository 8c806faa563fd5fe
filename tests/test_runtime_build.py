"""The committed runtime (webedge/runtime/: the loader, the executor's core and op modules, the
worker pool, registry.json) is exactly what js/build.mjs makes of js/src."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ROOT / "webedge" / "runtime"
BUILT_HERE = ("webedge.mjs", "registry.json", "executor", "chunks")  # kernels/ come from wasm/build.py


def _files(folder: Path) -> dict[str, bytes]:
    out = {}
    for name in BUILT_HERE:
        path = folder / name
        for f in [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()):
            out[f.relative_to(folder).as_posix()] = f.read_bytes()
    return out


def test_committed_runtime_matches_js_sources(tmp_path):
    assert (ROOT / "js" / "node_modules" / ".bin" / "esbuild").exists(), "run `make setup` (npm ci in js/) first"
    node = shutil.which("node")
    assert node, "node is needed to build the runtime; install Node.js 20+"
    subprocess.run([node, "build.mjs", "--out", str(tmp_path)], cwd=ROOT / "js", check=True, capture_output=True)
    fresh, committed = _files(tmp_path), _files(RUNTIME)
    assert sorted(fresh) == sorted(committed), "webedge/runtime/ holds other files than js/build.mjs writes: run `make js`"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale in webedge/runtime/: {stale}: run `make js` and commit the result"
