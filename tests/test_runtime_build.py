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
    commands = [shlex.split(c) for c in script.split("&&")]
    assert len(commands) == 2  # the loader and webedge's own executor
    for command in commands:
        committed = ROOT / "js" / next(a for a in command if a.startswith("--outfile=")).split("=", 1)[1]
        out = tmp_path / committed.name
        args = [f"--outfile={out}" if a.startswith("--outfile=") else a for a in command[1:]]
        subprocess.run([str(esbuild), *args, "--log-level=error"], cwd=ROOT / "js", check=True)
        assert out.read_bytes() == committed.resolve().read_bytes(), \
            f"webedge/runtime/{committed.name} is stale: run `make js` and commit it"
