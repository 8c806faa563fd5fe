"""`webedge serve`, `inspect` and `demo` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def webedge(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "webedge", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_sends_wasm_type_isolation_and_immutable_shards(magika_bundle):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "webedge", "serve", str(magika_bundle), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "serving" in proc.stdout.readline()
        man = json.loads((magika_bundle / "model.json").read_text())

        def head(path):
            for _ in range(50):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}") as r:
                        return r.headers
                except ConnectionError:
                    time.sleep(0.1)
            raise AssertionError("server did not answer")

        wasm = next(f["file"] for f in man["backend"]["files"] if f["role"] == "wasm")
        h = head(wasm)
        assert h["Content-Type"] == "application/wasm"
        assert h["Cross-Origin-Opener-Policy"] == "same-origin"
        assert h["Cross-Origin-Embedder-Policy"] == "require-corp"
        assert "immutable" in head(man["shards"][0]["file"])["Cache-Control"]
        assert head("model.json")["Cache-Control"] == "no-cache"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/../../etc/passwd")
        assert missing.value.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_inspect_model_and_bundle(magika_model, magika_bundle):
    model = webedge("inspect", magika_model)
    assert model.returncode == 0, model.stderr
    assert "input   bytes: int32 ['unk__214', 2048]" in model.stdout
    assert "Conv 1" in model.stdout and "MatMul 2" in model.stdout
    assert "backend ort: supported" in model.stdout
    info = json.loads(webedge("inspect", magika_bundle, "--json").stdout)
    assert info["kind"] == "bundle"
    assert info["params"]["bytes"] == sum(t["bytes"] for t in info["params"]["tensors"]) > 3_000_000
    assert all(t["shard"].startswith("weights/") for t in info["params"]["tensors"])


@pytest.mark.browser
def test_demo_bundles_magika_and_labels_real_files_in_chromium(tmp_path):
    out = tmp_path / "demo"
    done = webedge("demo", "--out", out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout
    lines = done.stdout.splitlines()
    assert any(line.rstrip().split()[-2:-1] == ["python"] and "glob.py" in line for line in lines), done.stdout
    assert any(line.split()[-2:-1] == ["elf"] for line in lines), done.stdout
    assert (out / "index.html").is_file() and (out / "model.json").is_file()


def test_server_gzips_wasm_and_text_but_not_weight_shards(magika_bundle):
    import gzip

    from webedge.serve import BundleServer

    man = json.loads((magika_bundle / "model.json").read_text())
    wasm = next(f for f in man["backend"]["files"] if f["role"] == "wasm")
    server = BundleServer(magika_bundle).start()
    try:
        def get(path):
            req = urllib.request.Request(server.url + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req) as r:
                return r.headers, r.read()

        headers, body = get(wasm["file"])
        assert headers["Content-Encoding"] == "gzip" and len(body) < wasm["bytes"] / 2
        assert len(gzip.decompress(body)) == wasm["bytes"]
        headers, body = get(man["shards"][0]["file"])
        assert headers["Content-Encoding"] is None and len(body) == man["shards"][0]["bytes"]
    finally:
        server.stop()
