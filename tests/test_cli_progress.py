"""Progress bars on a terminal for the slow steps, none elsewhere, and errors still one line.

Commands run under a pseudo-terminal (so stderr is a TTY, as for a user) and with pipes (as in CI).
The terminal's final screen is rebuilt from what it received (carriage returns overwrite), so a bar
that was not erased would show there."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from webedge.bundle import bundle

BAR = "quantize auto: scoring each tensor alone"


def on_terminal(argv: list[str], timeout: float = 900, delay: str | None = None) -> tuple[int, str]:
    """Run `python -m webedge ARGV` with stdout and stderr on a 120x40 pseudo-terminal; `delay`
    sets WEBEDGE_PROGRESS_DELAY_S (how long a step runs before its bar shows)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, **({"WEBEDGE_PROGRESS_DELAY_S": delay} if delay is not None else {})}
    proc = subprocess.Popen([sys.executable, "-m", "webedge", *map(str, argv)], stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, close_fds=True, env=env)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                raise AssertionError(f"no output for {timeout} s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def screen(raw: str) -> list[str]:
    """The lines a terminal shows at the end: '\\r' returns to the line start and overwrites."""
    lines = []
    for line in raw.replace("\r\n", "\n").split("\n"):
        shown = ""
        for part in line.split("\r"):
            shown = part + shown[len(part):]
        lines.append(shown.rstrip())
    return [line for line in lines if line]


@pytest.fixture(scope="module")
def magika_auto_args(magika_model, tmp_path_factory):
    work = tmp_path_factory.mktemp("progress")
    return work, [magika_model, "--quantize", "auto", "--tolerance", "cosine=0.99", "--force"]


def test_auto_quantization_shows_a_bar_on_a_terminal_and_erases_it(magika_auto_args):
    work, args = magika_auto_args
    code, raw = on_terminal(["bundle", *args[:1], "-o", work / "tty", *args[1:]], delay="0")
    assert code == 0, raw
    assert BAR in raw and ("it/s" in raw or "s/it" in raw), raw[-2000:]
    final = screen(raw)
    assert not any(BAR in line for line in final), final  # erased once done
    assert any(line.startswith("bundled ") for line in final) and any("quantized auto" in line for line in final)


def test_no_bar_with_quiet_or_without_a_terminal(magika_auto_args):
    work, args = magika_auto_args
    code, raw = on_terminal(["bundle", *args[:1], "-o", work / "quiet", *args[1:], "--quiet"], delay="0")
    assert code == 0 and BAR not in raw, raw[-2000:]
    piped = subprocess.run([sys.executable, "-m", "webedge", "bundle", str(args[0]), "-o", str(work / "piped"),
                            *map(str, args[1:])], capture_output=True, text=True, timeout=900)
    assert piped.returncode == 0 and BAR not in piped.stderr and piped.stderr == "", piped.stderr


@pytest.mark.browser
def test_a_failed_test_after_its_bar_ends_in_one_line(magika_model, tmp_path):
    site = tmp_path / "site"
    bundle(magika_model, site, backend="webedge")
    shard = site / json.loads((site / "model.json").read_text())["shards"][0]["file"]
    data = bytearray(shard.read_bytes())
    data[100] ^= 0xFF  # the browser's integrity check must refuse it
    shard.write_bytes(bytes(data))
    code, raw = on_terminal(["test", site, "--model", magika_model, "--dim", "unk__214=1"], delay="0")
    assert code == 1, raw
    assert "webedge test in chromium" in raw  # the phases were shown while it ran
    final = screen(raw)
    assert final[-1] == "webedge: 1 check(s) failed", final[-5:]
    assert "Traceback" not in raw and not any("webedge test in chromium" in line for line in final), final
    assert any("integrity check failed" in line for line in final)


def test_a_quick_step_draws_no_bar_at_all(tmp_path):
    from models import matmul_model, save

    model = save(matmul_model(16), tmp_path / "m.onnx")
    code, raw = on_terminal(["bundle", model, "-o", tmp_path / "site"])  # the default 1 s delay
    assert code == 0 and "compressing shards" not in raw and "%|" not in raw, raw


def test_library_calls_print_no_bars(magika_model, tmp_path, capfd):
    from webedge import progress

    assert not progress.enabled()
    bundle(magika_model, tmp_path / "lib", backend="webedge")
    assert capfd.readouterr().err == ""
