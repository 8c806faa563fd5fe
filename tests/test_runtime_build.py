"""The committed runtime (webedge/runtime/webedge.mjs) is exactly what js/src builds to."""

import json
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_committed_runtime_matches_js_sources(tmp_path):
    esbuild = ROOT / "js" / "node_modules" / ".bin" / "esbuild"
    assert esbuild.exists(), "run `make setup` (npm ci in js/) first"
    script = json.loads((ROOT / "js" / "package.json").read_text())["scripts"]["build"]
    out = tmp_path / "webedge.mjs"
    args = [f"--outfile={out}" if a.startswith("--outfile=") else a for a in shlex.split(script)[1:]]
    subprocess.run([str(esbuild), *args, "--log-level=error"], cwd=ROOT / "js", check=True)
    assert out.read_bytes() == (ROOT / "webedge" / "runtime" / "webedge.mjs").read_bytes(), \
        "webedge/runtime/webedge.mjs is stale: run `make js` and commit it"
