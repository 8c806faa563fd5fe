"""Network presets emulated through the DevTools protocol (per browser page).

Our presets, in the spirit of DevTools' throttling profiles: `4g` is 9 Mb/s down, 1.5 Mb/s up,
60 ms round trip; `3g` is 1.6 Mb/s down, 0.75 Mb/s up, 300 ms; `none` is the bare loopback.
"""

from __future__ import annotations

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
