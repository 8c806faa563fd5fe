"""Find a Chromium and launch it headless through Playwright, with WebGPU on where it can be.

No browser is ever downloaded: `WEBEDGE_CHROMIUM`, then a system Chromium/Chrome on PATH, then a
browser that `playwright install` put in its cache. Finding none is an error (exit 2), never a skip.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..errors import WebedgeError

SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Quiet, reproducible headless runs on a machine with no internet.
BASE_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
# WebGPU headless on SwiftShader (software Vulkan): correct but slow. A real GPU is used when present.
WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan,WebGPU", "--use-vulkan=swiftshader",
               "--use-webgpu-adapter=swiftshader", "--use-angle=swiftshader"]


def find_chromium() -> str | None:
    """Path of the browser to drive; None means Playwright's own installed Chromium."""
    env = os.environ.get("WEBEDGE_CHROMIUM")
    if env:
        if not (Path(env).is_file() and os.access(env, os.X_OK)):
            raise WebedgeError(f"WEBEDGE_CHROMIUM={env} is not an executable file")
        return env
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        if os.access(path, os.X_OK):
            return path
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            if Path(p.chromium.executable_path).is_file():
                return None
    except Exception:  # noqa: BLE001 - any failure here means "no Playwright browser"
        pass
    raise WebedgeError("no Chromium found: install one (Debian: apt-get install chromium) "
                       "or set WEBEDGE_CHROMIUM=/path/to/chrome")


@contextmanager
def launch(webgpu: bool = True):
    """Yield a Playwright Browser (headless Chromium); closes it and Playwright on exit."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise WebedgeError("the 'playwright' Python package is missing: pip install playwright") from None
    executable = find_chromium()
    args = BASE_ARGS + (WEBGPU_ARGS if webgpu else [])
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=executable, headless=True, args=args)
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0]
            raise WebedgeError(f"could not start Chromium ({executable or 'playwright'}): {first}") from None
        try:
            yield browser
        finally:
            browser.close()
