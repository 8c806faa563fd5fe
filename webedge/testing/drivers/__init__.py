"""One harness contract, three browser engines: what `webedge test --browser` drives.

A driver opens one browser with one fresh profile and, for each `run(url, script, args)`,
navigates a tab of that profile to `url`, evaluates `script` (the source of an async function)
on `args`, and returns its JSON result. A second `run` in the same profile is a reload with a warm
cache (the Cache API persists; the HTTP cache is off, so only webedge's own store can save a
download). Bytes are counted by the test server, so every engine measures them the same way.

| engine   | browser (Debian package)          | protocol                          | network emulation      |
|----------|-----------------------------------|-----------------------------------|------------------------|
| chromium | chromium                          | CDP, through Playwright           | DevTools throttling    |
| firefox  | firefox-esr                       | WebDriver BiDi, via puppeteer-core| the test server shapes |
| webkit   | webkit2gtk-driver (MiniBrowser)   | WebDriver, via selenium, on Xvfb  | the test server shapes |

`throttles` says whether the engine emulates a network itself; where it does not, the harness
shapes the link in its own server (webedge.serve) and the report says so.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Protocol

from ...errors import WebedgeError

ENGINES = ("chromium", "firefox", "webkit")


class Driver(Protocol):
    engine: str      # one of ENGINES
    version: str     # the browser's own version string
    throttles: bool  # emulates network conditions itself
    keeps_cache: bool  # the Cache API survives a page load in this engine's test session
    webgpu: bool     # navigator.gpu can give an adapter on a localhost page

    def run(self, url: str, script: str, args: dict, network: str = "none") -> dict: ...


def parse_browsers(text: str | None) -> list[str]:
    """'chromium,firefox' -> ['chromium', 'firefox']; unknown names are one clear error."""
    names = [n.strip().lower() for n in (text or "chromium").split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown or not names:
        raise WebedgeError(f"unknown browser '{', '.join(unknown) or text}'; choose chromium, firefox or webkit "
                           "(several with a comma: --browser chromium,firefox)")
    return list(dict.fromkeys(names))


@contextmanager
def open_driver(engine: str, webgpu: bool = True) -> Iterator[Driver]:
    """A started driver for `engine`, closed (browser and helpers gone) on exit."""
    if engine == "chromium":
        from .chromium import ChromiumDriver as cls
    elif engine == "firefox":
        from .firefox import FirefoxDriver as cls
    elif engine == "webkit":
        from .webkit import WebKitDriver as cls
    else:
        raise WebedgeError(f"unknown browser '{engine}'; choose one of {', '.join(ENGINES)}")
    driver = cls(webgpu=webgpu)
    try:
        yield driver
    finally:
        driver.close()
