"""Host configuration: `_headers` says what `webedge serve` sends (the same rules, webedge.hosting),
`--shard-size` stays under the smallest common per-file limit, oversized files are named, and
`webedge serve --plain` sends no isolation headers."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from models import matmul_model, save
from webedge import hosting
from webedge.bundle import bundle
from webedge.cli import main
from webedge.serve import BundleServer


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("/"):
            rules.append((line.strip(), {}))
        else:
            name, _, value = line.strip().partition(":")
            assert name not in rules[-1][1], f"{name} twice in one rule"
            rules[-1][1][name] = value.strip()
    return rules


def matches(pattern: str, path: str) -> bool:
    return pattern == path or (pattern.endswith("/*") and path.startswith(pattern[:-1]))


@pytest.mark.parametrize("backend", ["webedge", "ort"])
def test_headers_file_prescribes_what_webedge_serve_sends(magika_model, tmp_path, backend):
    site = tmp_path / "site"
    bundle(magika_model, site, backend=backend)
    rules = parse_headers_file((site / "_headers").read_text())
    assert len(rules) <= 100  # Cloudflare Pages' rule limit
    server = BundleServer(site).start()
    try:
        files = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != "_headers"]
        assert any(f.startswith("weights/") for f in files)
        for rel in files:
            prescribed: dict[str, str] = {}
            for pattern, headers in rules:
                if matches(pattern, "/" + rel):
                    for name, value in headers.items():
                        assert name not in prescribed, f"two rules set {name} on /{rel}: hosts would join them"
                        prescribed[name] = value
            with urllib.request.urlopen(server.url + rel) as r:
                sent = r.headers
            for name, value in prescribed.items():
                assert sent[name] == value, (rel, name, sent[name], value)
            assert sent["Cache-Control"] == prescribed.get("Cache-Control", "no-cache"), rel
    finally:
        server.stop()


def test_shard_size_over_the_host_limit_is_one_line(tmp_path, capsys):
    model = save(matmul_model(16), tmp_path / "m.onnx")
    assert main(["bundle", str(model), "-o", str(tmp_path / "site"), "--shard-size", "26MiB"]) == 2
    err = capsys.readouterr().err
    assert err == ("webedge: error: --shard-size 26MiB is over 25 MiB, the largest file Cloudflare Pages serves; "
                   "a bundle must fit any static host, so use at most 25MiB (4MiB loads fastest, bench/RESULTS.md)\n")
    assert not (tmp_path / "site").exists()
    assert main(["bundle", str(model), "-o", str(tmp_path / "site"), "--shard-size", "25MiB"]) == 0


def test_a_file_over_the_limit_is_named_in_the_report(tmp_path, monkeypatch, capsys):
    model = save(matmul_model(64), tmp_path / "m.onnx")  # a 16 kB weight: it spans 4 kB shards, none over
    monkeypatch.setattr(hosting, "MAX_FILE_BYTES", 8192)
    monkeypatch.setattr(hosting, "FILE_LIMITS", {"Tiny Host": 8192, "GitHub Pages": 100 << 20})
    assert main(["bundle", str(model), "-o", str(tmp_path / "site"), "--backend", "webedge", "--no-compress",
                 "--shard-size", "4096"]) == 0
    report = json.loads((tmp_path / "site" / "report.json").read_text())
    over = report["host_limits"]["over"]
    assert [o["refused_by"] for o in over] == [["Tiny Host"]] * len(over)
    assert over and not any(o["file"].startswith("weights/") for o in over)  # the runtime files are
    assert "over the per-file limit of Tiny Host" in capsys.readouterr().out


def test_onnxruntime_webgpu_build_is_over_cloudflares_limit_and_the_bundle_says_so(magika_model, tmp_path):
    report = bundle(magika_model, tmp_path / "gpu", backend="ort", ep="webgpu")
    (over,) = report["host_limits"]["over"]  # the WebGPU build's wasm, 25.5 MiB in onnxruntime-web 1.30
    assert over["file"].startswith("ort/ort-wasm-simd-threaded.") and over["file"].endswith(".wasm")
    assert over["bytes"] > 25 << 20 and over["refused_by"] == ["Cloudflare Pages"]
    assert "host_limits" not in bundle(magika_model, tmp_path / "cpu", backend="ort")


def test_serve_plain_sends_no_isolation_headers(magika_model, tmp_path):
    from test_cli_commands import free_port

    site = tmp_path / "site"
    bundle(magika_model, site, backend="webedge")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "webedge", "serve", str(site), "--port", str(port), "--plain"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "plain: no COOP/COEP headers" in proc.stdout.readline()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/webedge.mjs") as r:
            assert r.headers["Content-Type"] == "text/javascript"
            assert r.headers["Cross-Origin-Opener-Policy"] is None
            assert r.headers["Cross-Origin-Embedder-Policy"] is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_signal_while_a_connection_thread_starts_releases_its_slot_once(monkeypatch, tmp_path):
    # The signal handler raises Interrupted wherever the main thread is; here, inside Thread.start
    # after the connection's thread began (it has served and released its slot by then).
    import socket
    import threading

    from webedge.errors import Interrupted
    from webedge.serve import MAX_CONNECTIONS

    server = BundleServer(tmp_path, port=0)
    real_start = threading.Thread.start

    def start_then_interrupt(thread):
        real_start(thread)
        thread.join()
        raise Interrupted(15)

    a, b = socket.socketpair()
    b.close()  # the connection ends at once: its thread serves nothing and finishes
    monkeypatch.setattr(threading.Thread, "start", start_then_interrupt)
    try:
        with pytest.raises(Interrupted):  # not a ValueError from releasing the slot twice
            server.process_request(a, ("127.0.0.1", 1))
    finally:
        monkeypatch.undo()
        server.server_close()
    assert server.slots._value == MAX_CONNECTIONS
