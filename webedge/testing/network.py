"""Network presets: emulated by the browser (Chromium's DevTools throttling, per page) or, for
engines that cannot throttle themselves (Firefox, WebKit), by the test server's own `ShapedLink`.

Our presets, in the spirit of DevTools' throttling profiles: `4g` is 9 Mb/s down, 1.5 Mb/s up,
60 ms round trip; `3g` is 1.6 Mb/s down, 0.75 Mb/s up, 300 ms; `none` is the bare loopback.
The server-side link adds the latency before each response and sends every body at the preset's
download rate, one link shared by all connections (as a real link is), so the two emulations
agree on bytes/second; they differ in detail (DevTools also delays requests and the handshake).
"""

from __future__ import annotations

import threading
import time

from ..errors import WebedgeError

PRESETS = {
    "none": None,
    "4g": {"latency": 60, "down_mbit": 9.0, "up_mbit": 1.5},
    "3g": {"latency": 300, "down_mbit": 1.6, "up_mbit": 0.75},
}


def preset(name: str) -> dict | None:
    if name not in PRESETS:
        raise WebedgeError(f"unknown network preset '{name}'; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


class ShapedLink:
    """One emulated downlink: `delay()` before a response, `pace(n)` before sending n more bytes."""

    CHUNK = 16 * 1024

    def __init__(self, name: str):
        p = preset(name)
        if p is None:
            raise WebedgeError("the 'none' network needs no shaping")
        self.name = name
        self.latency_s = p["latency"] / 1000
        self.bytes_per_s = p["down_mbit"] * 1e6 / 8
        self._free_at = 0.0
        self._lock = threading.Lock()

    def delay(self) -> None:
        time.sleep(self.latency_s)

    def pace(self, n: int) -> None:
        with self._lock:
            start = max(time.monotonic(), self._free_at)
            self._free_at = start + n / self.bytes_per_s
            done = self._free_at
        time.sleep(max(0.0, done - time.monotonic()))


def apply(cdp, name: str) -> None:
    """Throttle the page behind `cdp` (a Playwright CDPSession) to the named preset."""
    p = preset(name)
    cdp.send("Network.enable")
    if p is None:
        return
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False,
        "latency": p["latency"],
        "downloadThroughput": p["down_mbit"] * 1e6 / 8,
        "uploadThroughput": p["up_mbit"] * 1e6 / 8,
    })
