"""`webedge serve`: a static server for a bundle, with the headers a real host should send.

`application/wasm` and `text/javascript` types, COOP/COEP so the page is cross-origin isolated
(wasm threads), `Cache-Control: immutable` on content-hashed files and `no-cache` on the rest,
and gzip for text and wasm when the browser accepts it, as CDNs do (weight shards go as they are:
float bytes barely compress, and hosts rarely compress application/octet-stream).
The test harness uses the same server; it also counts bytes served per file (to prove a reload
downloads no weights) and can serve extra in-memory files under /__webedge__/.

Requests are input too: a path with a NUL byte, a control character or an over-long segment gets
400, anything outside the folder 404; a connection idle for `IDLE_TIMEOUT_S` is closed, and at
most `MAX_CONNECTIONS` are served at once (further ones wait to be accepted), so a client cannot
pile up threads.
"""

from __future__ import annotations

import errno
import gzip
import json
import http.server
import mimetypes
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Interrupted, WebedgeError
from .hosting import ISOLATION, TYPES, cache_control

COMPRESSIBLE = {".wasm", ".mjs", ".js", ".json", ".html", ".onnx"}
IDLE_TIMEOUT_S = 30
MAX_CONNECTIONS = 64
MAX_SEGMENT = 255  # NAME_MAX on Linux and macOS
MAX_PATH = 2048


class BundleServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0, isolate: bool = True,
                 compress: bool = True, no_store: bool = False, link=None):
        self.root = Path(root).resolve()
        self.isolate = isolate
        self.compress = compress
        self.no_store = no_store  # harness, engines whose HTTP cache cannot be switched off: Cache-Control no-store
        self.link = link  # a network.ShapedLink, for engines that cannot throttle themselves
        self.gzipped: dict[tuple[str, float], bytes] = {}
        self.extra: dict[str, tuple[bytes, str]] = {}
        self.bytes_served: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.fail_next: dict[str, int] = {}  # path -> how many requests to answer with 503 (retry tests)
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__((host, port), _Handler)

    def process_request(self, request, client_address):
        # One daemon thread per connection (ThreadingMixIn's, without its bookkeeping of threads
        # that server_close would never join). The slot is the thread's to release; this thread
        # releases it only for a thread that never started. (Releasing it on any exception, as
        # before, released it twice when a signal landed while the thread was starting: the
        # ValueError that raised replaced the Interrupted, socketserver swallowed it, and
        # `webedge serve` ignored SIGTERM from then on.)
        self.slots.acquire()  # blocks the accept loop while MAX_CONNECTIONS are being served
        t = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        try:
            t.start()
        except BaseException:
            if t.ident is None:
                self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address):  # noqa: ARG002 - a client's fault is not ours to print
        pass

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}/"

    BLANK = "__webedge__/blank.html"

    def blank_page(self) -> str:
        """The URL of an empty page on this server (served from memory): the same origin as the bundle,
        for harnesses and benchmarks that import the bundle's modules into a page of their own."""
        self.extra[self.BLANK] = (b"<!doctype html><link rel=icon href='data:,'><p>blank", "text/html")
        return self.url + self.BLANK

    def reset_counts(self) -> None:
        with self.lock:
            self.bytes_served.clear()

    def precompress(self) -> None:
        """Gzip every compressible file now, so no timed request waits for compression."""
        if not self.compress:
            return
        for path in self.root.rglob("*"):
            if path.is_file() and path.suffix in COMPRESSIBLE:
                key = (str(path.resolve()), path.stat().st_mtime)
                self.gzipped.setdefault(key, gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))

    def start(self) -> "BundleServer":
        self.precompress()
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def bad_path(rel: str) -> bool:
    """A request path no file name can have: control characters (NUL included) or too long."""
    return (len(rel) > MAX_PATH or any(ord(c) < 32 or c == "\x7f" for c in rel)
            or any(len(seg.encode("utf-8", "surrogateescape")) > MAX_SEGMENT for seg in rel.split("/")))


class _Handler(http.server.BaseHTTPRequestHandler):
    server: BundleServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S  # per socket read: an idle keep-alive connection is closed

    def log_message(self, *args) -> None:  # quiet: the harness reports what matters
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        rel = unquote(urlsplit(self.path).path).lstrip("/") or "index.html"
        srv = self.server
        if bad_path(rel):
            return self._send(400, b"bad request path\n", "text/plain", rel, head)
        with srv.lock:
            fail = srv.fail_next.get(rel, 0) > 0
            if fail:
                srv.fail_next[rel] -= 1
        if fail:
            return self._send(503, b"try again\n", "text/plain", rel, head)
        if rel in srv.extra:
            body, ctype = srv.extra[rel]
            return self._send(200, body, ctype, rel, head)
        try:
            path = (srv.root / rel).resolve()
            found = (srv.root in path.parents or path == srv.root) and path.is_file()
        except (OSError, ValueError):
            found = False
        if not found:
            return self._send(404, b"not found\n", "text/plain", rel, head)
        ctype = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        body, encoding = path.read_bytes(), None
        if srv.compress and path.suffix in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", ""):
            key = (str(path.resolve()), path.stat().st_mtime)
            with srv.lock:
                cached = srv.gzipped.get(key)
            if cached is None:
                cached = gzip.compress(body, compresslevel=6, mtime=0)
                with srv.lock:
                    srv.gzipped[key] = cached
            body, encoding = cached, "gzip"
        self._send(200, body, ctype, rel, head, encoding)

    def _send(self, status: int, body: bytes, ctype: str, rel: str, head: bool, encoding: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        if self.server.no_store:
            self.send_header("Cache-Control", "no-store")
        else:
            self.send_header("Cache-Control", cache_control(rel) if status == 200 else "no-cache")
        if self.server.isolate:
            for name, value in ISOLATION.items():
                self.send_header(name, value)
        link = self.server.link if not rel.startswith("__webedge__/") else None
        if link:
            link.delay()
        self.end_headers()
        if not head:
            try:
                if link:
                    for i in range(0, len(body), link.CHUNK):
                        link.pace(len(body[i:i + link.CHUNK]))
                        self.wfile.write(body[i:i + link.CHUNK])
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return
            with self.server.lock:
                self.server.bytes_served[rel] += len(body)


def _is_demo(folder: Path) -> bool:
    """A folder `webedge demo NAME` wrote (its report.json names the demo; its bundles are inside)."""
    try:
        return "demo" in json.loads((folder / "report.json").read_text())
    except (OSError, ValueError, TypeError):
        return False


def serve(folder: Path, host: str = "127.0.0.1", port: int = 8000, isolate: bool = True) -> None:
    """Serve a bundle until interrupted (the CLI's `webedge serve`); `isolate=False` (--plain) sends
    no COOP/COEP, as most static hosts do."""
    from . import manifest

    if not _is_demo(Path(folder)):
        manifest.read(Path(folder))
    if not 0 <= port <= 65535:
        raise WebedgeError(f"--port {port} is not a TCP port; choose one from 1 to 65535 (0: any free port)")
    try:
        server = BundleServer(Path(folder), host, port, isolate=isolate)
    except OSError as exc:
        why = exc.strerror or str(exc)
        hint = "pick another --port" if exc.errno == errno.EADDRINUSE else "check --host and --port"
        raise WebedgeError(f"cannot listen on {host}:{port}: {why}; {hint}") from None
    how = "cross-origin isolated" if isolate else "plain: no COOP/COEP headers, like GitHub Pages"
    print(f"serving {Path(folder).resolve()} at {server.url} ({how}; Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, Interrupted):
        print("stopped", flush=True)  # Ctrl-C is how a server is meant to end: exit status 0
    finally:
        server.server_close()
