"""Chromium through Playwright and the DevTools protocol: HTTP cache off and network throttling
per page, console messages kept. The browser itself is found by `webedge.testing.browser`."""

from __future__ import annotations

from .. import browser, network


class ChromiumDriver:
    engine = "chromium"
    keeps_cache = True
    throttles = True

    def __init__(self, webgpu: bool = True):
        self.webgpu = webgpu
        self._launch = browser.launch(webgpu=webgpu)
        self._browser = self._launch.__enter__()
        try:
            self._context = self._browser.new_context()
            self.version = self._browser.version
        except BaseException:
            self._launch.__exit__(None, None, None)
            raise

    def run(self, url: str, script: str, args: dict, network_preset: str = "none") -> dict:
        page = self._context.new_page()
        try:
            cdp = self._context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            network.apply(cdp, network_preset)
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: console.append(str(e)))
            page.goto(url)
            result = page.evaluate(script, args)
            if isinstance(result, dict):
                result["console"] = console[-5:]
            return result
        finally:
            page.close()

    def close(self) -> None:
        try:
            self._context.close()
        finally:
            self._launch.__exit__(None, None, None)
