"""A child process that answers one JSON line per request line, with time limits on both ends.

The Firefox driver talks to Node (puppeteer-core) this way. A reader thread moves the child's
stdout lines into a queue, so a hung child is a timeout with its stderr's last line, not a hang.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading

from ...errors import WebedgeError


class JsonLineChild:
    def __init__(self, argv: list[str], what: str, env: dict | None = None):
        self.what = what
        # its own process group, so that killing it takes the browser it started along
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env, bufsize=1, start_new_session=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self._keep_err), daemon=True).start()

    @staticmethod
    def _pump(stream, put) -> None:
        for line in stream:
            put(line)
        put(None)

    def _keep_err(self, line: str | None) -> None:
        if line is not None:
            self.stderr = (self.stderr + [line.rstrip()])[-20:]

    def receive(self, timeout_s: float) -> dict:
        try:
            line = self.lines.get(timeout=timeout_s)
        except queue.Empty:
            self.kill()
            raise WebedgeError(f"{self.what} did not answer within {timeout_s:g} s") from None
        if line is None:
            tail = next((s for s in reversed(self.stderr) if s.strip()), "no output")
            raise WebedgeError(f"{self.what} ended unexpectedly: {tail[:300]}")
        message = json.loads(line)
        if "fatal" in message:
            raise WebedgeError(f"{self.what} failed: {message['fatal'][:300]}")
        return message

    def send(self, message: dict) -> None:
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            tail = next((s for s in reversed(self.stderr) if s.strip()), "no output")
            raise WebedgeError(f"{self.what} is gone: {tail[:300]}") from None

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait(timeout=30)

    def close(self, timeout_s: float = 10) -> None:
        if self.proc.poll() is None:
            try:
                self.send({"op": "close"})
                self.proc.wait(timeout=timeout_s)
            except (WebedgeError, subprocess.TimeoutExpired):
                pass
        self.kill()  # whatever the child left in its group (a browser that outlived it)
