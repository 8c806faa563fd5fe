"""Hostile or careless input: it may not escape, destroy or crash.

Each case gets one clear line, a non-zero exit (2 for bad input), no traceback, nothing written
outside the places webedge owns and nothing of the user's deleted. The path-escape cases are real
escape attempts (a crafted manifest, a model whose external data points outside its folder), each
followed by a check that nothing appeared where it should not. Signals and pipes are sent to a
real `webedge` process; everything else runs `webedge.cli.main` in-process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from models import make_model, matmul_model, save, save_external, vi
import webedge.testing.browser
from webedge import outdir
from webedge.bundle import bundle
from webedge.cli import main
from webedge.errors import WebedgeError
from webedge.serve import BundleServer

WEBEDGE = [sys.executable, "-m", "webedge"]


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)

    def no_browser(*args, **kwargs):
        raise AssertionError("bad input must be refused before any browser is launched")

    monkeypatch.setattr(webedge.testing.browser, "launch", no_browser)


def one_line_error(capsys, argv, phrase: str, code: int = 2) -> str:
    got = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert got == code, (got, captured.err)
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("webedge: error:") and phrase in lines[0], lines[0]
    return lines[0]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden_leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


@pytest.fixture(scope="module")
def webedge_bundle(tmp_path_factory) -> Path:
    """A small bundle on the webedge runtime (compressed shards), made once."""
    work = tmp_path_factory.mktemp("hostile")
    model = save(matmul_model(64), work / "m.onnx")
    bundle(model, work / "site", backend="webedge")
    return work / "site"


# --- crafted manifests: file names that try to leave the bundle ------------------------------------

def _evil_copy(webedge_bundle: Path, dst: Path, name: str) -> Path:
    """The bundle with shard 0 renamed to `name` in the manifest and a real deflated payload there."""
    shutil.copytree(webedge_bundle, dst)
    man = json.loads((dst / "model.json").read_text())
    payload = zlib.compress(b"attacker-chosen bytes\n" * 1000)[2:-4]  # raw deflate, as shards are stored
    shard = man["shards"][0]
    shard.update(file=name, bytes=len(payload), sha256=__import__("hashlib").sha256(payload).hexdigest(),
                 encoding="deflate-raw", size=22_000)
    for w in man["weights"]:
        w["offset"], w["length"] = 0, 4
    (dst / "model.json").write_text(json.dumps(man))
    return dst


@pytest.mark.parametrize("name", ["../../x/payload.bin", "/tmp/payload.bin", "weights/../../payload.bin",
                                  "weights\\..\\..\\payload.bin", "weights//payload.bin", ".hidden/p.bin",
                                  "https://evil.example/p.bin"])
def test_manifest_file_names_must_stay_inside_the_bundle(webedge_bundle, tmp_path, monkeypatch, capsys, name):
    # webedge test without --model decodes shards into a temp folder: aim the name out of it.
    temp_root = tmp_path / "a" / "b"
    temp_root.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(temp_root))
    monkeypatch.setattr("tempfile.tempdir", str(temp_root))
    evil = _evil_copy(webedge_bundle, tmp_path / "evil", name)
    before = {p for p in tmp_path.rglob("*")}
    one_line_error(capsys, ["test", evil], "invalid manifest at .shards[0].file")
    assert {p for p in tmp_path.rglob("*")} == before, "something was written"
    assert not Path("/x/payload.bin").exists() and not Path("/tmp/payload.bin").exists()


def test_the_harness_refuses_an_escaping_name_even_past_the_schema(webedge_bundle, tmp_path):
    # Second lock: the place that writes decoded shards checks the name again.
    from webedge.testing.harness import _decoded_copy

    evil = _evil_copy(webedge_bundle, tmp_path / "evil", "weights/x.bin")
    man = json.loads((evil / "model.json").read_text())
    man["shards"][0]["file"] = "../../escaped.bin"
    (tmp_path / "t" / "u").mkdir(parents=True)
    with pytest.raises(WebedgeError, match="points outside the bundle"):
        _decoded_copy(evil, man, tmp_path / "t" / "u")
    assert not (tmp_path / "escaped.bin").exists()


# --- --force may replace only an empty folder or an earlier bundle ---------------------------------

def test_force_refuses_an_out_that_holds_the_input_model(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    model = save(matmul_model(16), site / "m.onnx")
    one_line_error(capsys, ["bundle", model, "-o", site, "--force"], "holds the input")
    assert model.is_file() and onnx.load(model).graph.node


def test_force_refuses_an_ancestor_of_the_input_and_the_current_folder(tmp_path, capsys):
    models = tmp_path / "proj" / "models"
    models.mkdir(parents=True)
    model = save(matmul_model(16), models / "m.onnx")
    one_line_error(capsys, ["bundle", model, "-o", tmp_path / "proj", "--force"], "holds the input")
    os.chdir(tmp_path / "proj")
    one_line_error(capsys, ["bundle", model, "-o", ".", "--force"], "holds the input")
    other = save(matmul_model(16), tmp_path / "other.onnx")
    one_line_error(capsys, ["bundle", other, "-o", ".", "--force"], "is the current folder")
    assert model.is_file() and other.is_file()


def test_force_refuses_a_folder_that_is_not_a_bundle(tmp_path, capsys):
    model = save(matmul_model(16), tmp_path / "m.onnx")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.tex").write_text("years of work\n")
    one_line_error(capsys, ["bundle", model, "-o", docs, "--force"], "not a webedge bundle")
    assert (docs / "thesis.tex").read_text() == "years of work\n"


def test_force_refuses_an_earlier_bundle_with_files_of_the_user_in_it(webedge_bundle, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(webedge_bundle, site)
    (site / "my-app.js").write_text("// mine\n")
    model = save(matmul_model(16), tmp_path / "m.onnx")
    line = one_line_error(capsys, ["bundle", model, "-o", site, "--force"], "not part of its bundle")
    assert "my-app.js" in line and (site / "my-app.js").is_file()


def test_force_refuses_a_symlink(webedge_bundle, tmp_path, capsys):
    real = tmp_path / "real"
    shutil.copytree(webedge_bundle, real)
    (tmp_path / "link").symlink_to(real)
    model = save(matmul_model(16), tmp_path / "m.onnx")
    one_line_error(capsys, ["bundle", model, "-o", tmp_path / "link", "--force"], "symbolic link")
    assert tree(real) == tree(webedge_bundle)


def test_force_replaces_an_empty_folder_and_an_earlier_bundle(webedge_bundle, tmp_path, capsys):
    model = save(matmul_model(16, seed=5), tmp_path / "m.onnx")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["bundle", str(model), "-o", str(empty), "--force"]) == 0
    site = tmp_path / "site"
    shutil.copytree(webedge_bundle, site)
    assert main(["bundle", str(model), "-o", str(site), "--force"]) == 0
    assert tree(site) != tree(webedge_bundle) and (site / "model.json").is_file()
    assert hidden_leftovers(tmp_path) == []
    capsys.readouterr()


# --- concurrent runs into one OUT -------------------------------------------------------------------

def test_two_runs_racing_for_one_out_exactly_one_wins(tmp_path, monkeypatch):
    # Both runs pass the "OUT is absent" check before either writes: the atomic claim decides.
    model = save(matmul_model(32), tmp_path / "m.onnx")
    out = tmp_path / "site"
    barrier = threading.Barrier(2, timeout=60)
    real = outdir.check_replaceable
    seen: set[int] = set()

    def both_checked(*args, **kwargs):
        real(*args, **kwargs)
        if threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            barrier.wait()

    monkeypatch.setattr(outdir, "check_replaceable", both_checked)
    results: list[object] = []

    def run():
        try:
            results.append(bundle(model, out, backend="webedge"))
        except WebedgeError as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    errors = [r for r in results if isinstance(r, WebedgeError)]
    assert len(results) == 2 and len(errors) == 1, results
    assert "already exists" in str(errors[0])
    assert (out / "model.json").is_file() and hidden_leftovers(tmp_path) == []


def test_two_processes_bundling_into_one_out(tmp_path):
    model = save(matmul_model(32), tmp_path / "m.onnx")
    procs = [subprocess.Popen([*WEBEDGE, "bundle", str(model), "-o", str(tmp_path / "site")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], outs
    loser = next(err for p, (_, err) in zip(procs, outs) if p.returncode == 2)
    assert loser.startswith("webedge: error: output folder") and "already exists" in loser and "Traceback" not in loser
    assert (tmp_path / "site" / "model.json").is_file() and hidden_leftovers(tmp_path) == []


# --- signals and pipes -----------------------------------------------------------------------------

def _handlers_installed(pid: int) -> bool:
    """True once webedge.console has installed its SIGTERM handler (Linux: SigCgt in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


@pytest.fixture(scope="module")
def slow_model(tmp_path_factory) -> Path:
    """A model whose bundling takes long enough (a few seconds) to be interrupted mid-write."""
    rng = np.random.default_rng(0)
    nodes, inits, prev = [], [], "x"
    for i in range(12):
        inits.append(helper.make_tensor(f"w{i}", TensorProto.FLOAT, [512, 512],
                                        rng.standard_normal(512 * 512).astype(np.float32).tobytes(), raw=True))
        nodes.append(helper.make_node("MatMul", [prev, f"w{i}"], [f"h{i}"]))
        prev = f"h{i}"
    nodes.append(helper.make_node("Identity", [prev], ["y"]))
    m = make_model(nodes, [vi("x", [1, 512])], [vi("y", [1, 512])], inits)
    return save(m, tmp_path_factory.mktemp("slow") / "slow.onnx")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_bundle_leaves_nothing_and_prints_one_line(slow_model, tmp_path, sig):
    work = tmp_path / "w"
    work.mkdir()
    proc = subprocess.Popen([*WEBEDGE, "bundle", str(slow_model), "-o", str(work / "site"), "--backend", "webedge"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".site.tmp-") for p in work.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "bundling ended before it could be interrupted"
        time.sleep(0.005)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("webedge: interrupted")
    assert list(work.iterdir()) == [], list(work.iterdir())


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.4, 0.8])
def test_sigint_at_any_moment_from_import_on_prints_no_traceback(slow_model, tmp_path, delay):
    proc = subprocess.Popen([*WEBEDGE, "bundle", str(slow_model), "-o", str(tmp_path / "site")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _handlers_installed(proc.pid):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.001)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode in (130, 0), (proc.returncode, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert hidden_leftovers(tmp_path) == []
    if proc.returncode == 130:
        assert not (tmp_path / "site").exists()


def test_a_closed_pipe_ends_quietly(tmp_path):
    # Output far bigger than a pipe's buffer, read by a reader that stops after 100 bytes.
    nodes = [helper.make_node("Add", [f"v{i}", f"c{i}"], [f"v{i + 1}"]) for i in range(1500)]
    inits = [helper.make_tensor(f"c{i}", TensorProto.FLOAT, [1], [1.0]) for i in range(1500)]
    model = save(make_model(nodes, [vi("v0", [1])], [vi("v1500", [1])], inits), tmp_path / "many.onnx")
    done = subprocess.run(" ".join([*WEBEDGE, "inspect", "--json", str(model)]) + " | head -c 100 >/dev/null",
                          shell=True, capture_output=True, text=True, executable="/bin/bash", timeout=120)
    assert done.stderr == "", done.stderr


# --- external data outside the model's folder ------------------------------------------------------

def _external_at(tmp_path: Path, location: str) -> Path:
    """A model whose weight's external data location is `location` (written as is)."""
    folder = tmp_path / "models"
    folder.mkdir(exist_ok=True)
    model = save_external(matmul_model(16), folder / "ext.onnx", "w.bin")
    m = onnx.load(model, load_external_data=False)
    for t in m.graph.initializer:
        for e in t.external_data:
            if e.key == "location":
                e.value = location
    onnx.save(m, model)
    return model


@pytest.mark.parametrize("location", ["../outside.bin", "/etc/passwd", "sub/../../outside.bin", "link.bin",
                                      "C:\\secret.bin", "..\\outside.bin"])
@pytest.mark.parametrize("command", ["bundle", "inspect"])
def test_external_data_outside_the_model_folder_is_refused(tmp_path, capsys, location, command):
    model = _external_at(tmp_path, location)
    (tmp_path / "outside.bin").write_bytes(np.zeros(256, np.float32).tobytes())
    (model.parent / "link.bin").symlink_to(tmp_path / "outside.bin")
    argv = [command, model] + (["-o", tmp_path / "site"] if command == "bundle" else [])
    line = one_line_error(capsys, argv, "outside the model's folder")
    assert location in line
    assert not (tmp_path / "site").exists()


def test_external_data_refusal_is_no_file_exists_oracle(tmp_path, capsys):
    # The same message whether or not the outside file exists: nothing outside is looked at.
    model = _external_at(tmp_path, "../maybe.bin")
    first = one_line_error(capsys, ["inspect", model], "outside the model's folder")
    (tmp_path / "maybe.bin").write_bytes(b"\0" * 1024)
    assert one_line_error(capsys, ["inspect", model], "outside the model's folder") == first


def test_webedge_test_refuses_a_reference_model_reaching_outside(webedge_bundle, tmp_path, capsys):
    model = _external_at(tmp_path, "/etc/hostname")
    one_line_error(capsys, ["test", webedge_bundle, "--model", model], "outside the model's folder")


# --- sizes and dims --------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["nan", "inf", "1e99", "0.5", "0", "1e400", "4 parsecs"])
def test_shard_size_nonsense_is_one_line(tmp_path, capsys, size):
    model = save(matmul_model(16), tmp_path / "m.onnx")
    one_line_error(capsys, ["bundle", model, "-o", tmp_path / "site", "--shard-size", size], size)
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("n, phrase", [(10**7, "input 'x' of shape [10000000, 64]"),
                                       (10**30, "input 'x' of shape [1000000000000000000000000000000, 64]")])
def test_huge_dims_are_refused_with_the_input_and_its_bytes(webedge_bundle, tmp_path, capsys, n, phrase):
    man = json.loads((webedge_bundle / "model.json").read_text())
    site = tmp_path / "site"
    shutil.copytree(webedge_bundle, site)
    man["inputs"][0]["shape"][0] = "batch"
    (site / "model.json").write_text(json.dumps(man))
    line = one_line_error(capsys, ["test", site, "--model", tmp_path / "none.onnx", "--dim", f"batch={n}"], phrase)
    assert "bytes" in line


def test_an_output_too_big_to_bring_back_is_refused_by_name(webedge_bundle, tmp_path, capsys):
    man = json.loads((webedge_bundle / "model.json").read_text())
    site = tmp_path / "site"
    shutil.copytree(webedge_bundle, site)
    man["inputs"][0]["shape"][0] = "batch"
    man["outputs"][0]["shape"] = ["batch", 2048]
    (site / "model.json").write_text(json.dumps(man))
    line = one_line_error(capsys, ["test", site, "--model", "x.onnx", "--dim", "batch=200000"],
                          "output 'y' would be 1,638,400,000 bytes")
    assert "smaller --dim" in line


# --- webedge serve ---------------------------------------------------------------------------------

def _raw(server: BundleServer, request: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(server.server_address[:2], timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            if not data:
                break
            chunks.append(data)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


@pytest.mark.parametrize("path, status", [(b"/%00", b"400"), (b"/model.json%00.png", b"400"),
                                          (b"/" + b"a" * 300, b"400"), (b"/weights/" + b"%41" * 400, b"400"),
                                          (b"/../../../../etc/passwd", b"404"), (b"/%2e%2e/%2e%2e/etc/passwd", b"404"),
                                          (b"/no-such-file.bin", b"404")])
def test_serve_answers_malformed_paths_instead_of_dropping_them(webedge_bundle, capfd, path, status):
    server = BundleServer(webedge_bundle).start()
    try:
        reply = _raw(server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    finally:
        server.stop()
    assert reply.split(b" ")[1] == status, reply[:200]
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "Exception" not in captured.err, captured.err


def test_serve_closes_idle_connections(webedge_bundle, monkeypatch):
    from webedge import serve

    monkeypatch.setattr(serve._Handler, "timeout", 0.5)
    server = BundleServer(webedge_bundle).start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=10) as s:
            t0 = time.monotonic()
            assert s.recv(10) == b""  # the server hung up on a client that never spoke
            assert time.monotonic() - t0 < 5
    finally:
        server.stop()


def test_serve_bounds_its_connection_threads(webedge_bundle, monkeypatch):
    from webedge import serve

    monkeypatch.setattr(serve, "MAX_CONNECTIONS", 4)
    server = BundleServer(webedge_bundle).start()
    # 4 are served, 3 more wait in the listen backlog (socketserver's request_queue_size is 5)
    idle = [socket.create_connection(server.server_address[:2], timeout=10) for _ in range(7)]
    try:
        time.sleep(0.5)
        handlers = [t for t in threading.enumerate() if "process_request_thread" in t.name]
        assert len(handlers) == 4, len(handlers)
    finally:
        for s in idle:
            s.close()
    try:
        reply = _raw(server, b"GET /model.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 200"), reply[:100]  # slots come back once clients leave
    finally:
        server.stop()


def test_serve_bad_port_and_port_in_use_are_one_line(webedge_bundle, capsys):
    one_line_error(capsys, ["serve", webedge_bundle, "--port", "70000"], "--port 70000 is not a TCP port")
    one_line_error(capsys, ["serve", webedge_bundle, "--port", "http"], "invalid int value: 'http'")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line_error(capsys, ["serve", webedge_bundle, "--port", port], f"cannot listen on 127.0.0.1:{port}")
        assert "pick another --port" in line
    one_line_error(capsys, ["serve", webedge_bundle, "--host", "no.such.host.invalid"], "cannot listen on")


# --- onnxruntime's own logging ---------------------------------------------------------------------

def test_onnxruntime_log_lines_do_not_precede_the_error(tmp_path):
    # A StringNormalizer with a locale the machine lacks: onnxruntime logs the failure at ERROR
    # level, then raises it. Only webedge's one line may reach stderr.
    node = helper.make_node("StringNormalizer", ["x"], ["y"], case_change_action="LOWER", locale="xx_YY")
    m = make_model([node], [vi("x", [1, 3], TensorProto.STRING)], [vi("y", [1, 3], TensorProto.STRING)])
    model = save(m, tmp_path / "sn.onnx")
    done = subprocess.run([*WEBEDGE, "bundle", str(model), "-o", str(tmp_path / "site")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("webedge: error:") and "locale" in done.stderr
    assert ".cc:" not in done.stderr  # no C++ source locations either
