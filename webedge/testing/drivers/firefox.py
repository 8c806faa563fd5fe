"""Firefox (Debian's firefox-esr) over WebDriver BiDi, through puppeteer-core in a Node child process.

Debian ships no geckodriver, but Firefox speaks BiDi itself and puppeteer-core (npm, pinned
below; the last release line that runs on Node 20) drives it. The Node side is
`firefox_bridge.cjs`; this class starts it and exchanges one JSON line per run. Firefox has no
network throttling over BiDi, so the harness shapes the link in its own server.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ...errors import WebedgeError
from ...npm_packages import find
from .bridge import JsonLineChild

PUPPETEER_VERSION = "24.43.1"
BRIDGE = Path(__file__).with_name("firefox_bridge.cjs")
START_TIMEOUT_S = 90
RUN_TIMEOUT_S = 600


def find_firefox() -> str:
    env = os.environ.get("WEBEDGE_FIREFOX")
    if env:
        if not (Path(env).is_file() and os.access(env, os.X_OK)):
            raise WebedgeError(f"WEBEDGE_FIREFOX={env} is not an executable file")
        return env
    for name in ("firefox-esr", "firefox"):
        found = shutil.which(name)
        if found:
            return found
    raise WebedgeError("no Firefox found: install Debian's firefox-esr (apt-get install firefox-esr) "
                       "or set WEBEDGE_FIREFOX=/path/to/firefox")


class FirefoxDriver:
    engine = "firefox"
    keeps_cache = True
    throttles = False

    def __init__(self, webgpu: bool = True):
        firefox = find_firefox()
        node = shutil.which("node")
        if not node:
            raise WebedgeError("the Firefox driver needs Node.js (node on PATH) for puppeteer-core; install nodejs")
        puppeteer = find("puppeteer-core", PUPPETEER_VERSION, why=" to drive Firefox")
        self.child = JsonLineChild([node, str(BRIDGE), str(puppeteer), firefox], "Firefox (puppeteer-core)")
        try:
            ready = self.child.receive(START_TIMEOUT_S)
        except BaseException:
            self.child.kill()
            raise
        self.version = ready["version"].split("/", 1)[-1]
        self.webgpu = webgpu

    def run(self, url: str, script: str, args: dict, network_preset: str = "none") -> dict:
        self.child.send({"op": "run", "url": url, "script": script, "args": args})
        reply = self.child.receive(RUN_TIMEOUT_S)
        if "error" in reply:
            return {"error": f"firefox: {reply['error']}"}
        return reply["result"]

    def close(self) -> None:
        self.child.close()
