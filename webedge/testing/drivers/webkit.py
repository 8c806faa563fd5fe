"""WebKit (Debian's WebKitGTK) through classic WebDriver: selenium, WebKitWebDriver and
MiniBrowser --automation, on an Xvfb display of its own (MiniBrowser's --headless hangs).

Each run navigates the one MiniBrowser window again and evaluates the script with
execute_async_script. WebKitGTK's WebDriver gives no network events or throttling: the test
server counts bytes and shapes the link; the HTTP cache is kept out by the server's `no-store`
(MiniBrowser has no switch for it). Two engine facts (docs/browsers.md, measured on 2.50.6):
- JSC ships SharedArrayBuffer off in WebKitGTK even on cross-origin isolated pages, where Safari
  has it on; `JSC_useSharedArrayBuffer=1` turns it on, so threads are tested as Safari runs them.
- An automation session is ephemeral, and there the Cache API does not survive a page load
  (IndexedDB and localStorage do): `keeps_cache = False`, so the warm-reload check is reported as
  not measured rather than as a failure of the bundle.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ...errors import WebedgeError

MINIBROWSER_DIRS = ("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1", "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1",
                    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0", "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.0",
                    "/usr/libexec/webkit2gtk-4.1", "/usr/libexec/webkit2gtk-4.0")
RUN_TIMEOUT_S = 600
# evaluate an async function source on arguments[0] and hand its JSON result to WebDriver
ASYNC_CALL = """const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (%s)(arguments[0])).then(done, (e) => done({error: String(e && e.message || e)}));"""


def find_webkit() -> tuple[str, str]:
    """(WebKitWebDriver, MiniBrowser) paths, or one error naming the Debian package."""
    driver = os.environ.get("WEBEDGE_WEBKIT_DRIVER") or shutil.which("WebKitWebDriver")
    browser = os.environ.get("WEBEDGE_MINIBROWSER") or next(
        (str(Path(d) / "MiniBrowser") for d in MINIBROWSER_DIRS if (Path(d) / "MiniBrowser").is_file()), None)
    if not driver or not browser:
        raise WebedgeError("no WebKit found: install Debian's webkit2gtk-driver (apt-get install webkit2gtk-driver "
                           "xvfb), or set WEBEDGE_WEBKIT_DRIVER and WEBEDGE_MINIBROWSER")
    return driver, browser


class _Xvfb:
    """A private X display: `Xvfb -displayfd` picks a free number and writes it to us."""

    def __init__(self):
        xvfb = shutil.which("Xvfb")
        if not xvfb:
            raise WebedgeError("WebKit needs a display: install Debian's xvfb (apt-get install xvfb)")
        read, write = os.pipe()
        self.proc = subprocess.Popen([xvfb, "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0",
                                      "1280x1024x24"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number.isdigit():
            self.close()
            raise WebedgeError("Xvfb did not start (no display number); is xvfb installed and working?")
        self.display = f":{number}"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class WebKitDriver:
    engine = "webkit"
    throttles = False
    keeps_cache = False

    def __init__(self, webgpu: bool = True):
        try:
            from selenium import webdriver
            from selenium.common.exceptions import WebDriverException
            from selenium.webdriver.webkitgtk.options import Options
            from selenium.webdriver.webkitgtk.service import Service
        except ImportError:
            raise WebedgeError("the WebKit driver needs selenium: pip install 'webedge[browsers]'") from None
        self._error = WebDriverException
        driver_path, browser_path = find_webkit()
        self.webgpu = webgpu
        self._xvfb = None if os.environ.get("DISPLAY") and not os.environ.get("WEBEDGE_XVFB") else _Xvfb()
        env = {**os.environ, **({"DISPLAY": self._xvfb.display} if self._xvfb else {}),
               "JSC_useSharedArrayBuffer": "1"}
        self._home = tempfile.TemporaryDirectory(prefix="webedge-webkit-")  # a fresh profile per driver
        env.update(HOME=self._home.name, XDG_CACHE_HOME=f"{self._home.name}/cache",
                   XDG_DATA_HOME=f"{self._home.name}/data")
        options = Options()
        options.binary_location = browser_path
        options.add_argument("--automation")
        try:
            self._driver = webdriver.WebKitGTK(options=options, service=Service(executable_path=driver_path, env=env))
        except WebDriverException as exc:
            self.close()
            raise WebedgeError(f"could not start WebKit ({browser_path}): {str(exc.msg or exc).splitlines()[0]}") from None
        self._driver.set_script_timeout(RUN_TIMEOUT_S)
        caps = self._driver.capabilities
        self.version = caps.get("browserVersion", "?")

    def run(self, url: str, script: str, args: dict, network_preset: str = "none") -> dict:
        try:
            self._driver.get(url)
            return self._driver.execute_async_script(ASYNC_CALL % script, args)
        except self._error as exc:
            return {"error": f"webkit: {str(exc.msg or exc).splitlines()[0]}"}

    def close(self) -> None:
        try:
            if getattr(self, "_driver", None) is not None:
                self._driver.quit()
        finally:
            if self._xvfb:
                self._xvfb.close()
            if getattr(self, "_home", None) is not None:
                self._home.cleanup()
