"""`webedge serve`: a static server for a bundle, with the headers a real host should send.

`application/wasm` and `text/javascript` types, COOP/COEP so the page is cross-origin isolated
(wasm threads), `Cache-Control: immutable` on content-hashed files and `no-cache` on the rest,
and gzip for text and wasm when the browser accepts it, as CDNs do (weight shards go as they are:
float bytes barely compress, and hosts rarely compress application/octet-stream).
The test harness uses the same server; it also counts bytes served per file (to prove a reload
downloads no weights) and can serve extra in-memory files under /__webedge__/.
"""

from __future__ import annotations

import gzip
import http.server
import mimetypes
import re
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

HASHED = re.compile(r"^(weights/[0-9a-f]{16}\.bin|graph\.[0-9a-f]{16}\.onnx|plan\.[0-9a-f]{16}\.json)$")
COMPRESSIBLE = {".wasm", ".mjs", ".js", ".json", ".html", ".onnx"}
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".html": "text/html; charset=utf-8", ".onnx": "application/octet-stream",
         ".bin": "application/octet-stream"}


class BundleServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0, isolate: bool = True,
                 compress: bool = True):
        self.root = Path(root).resolve()
        self.isolate = isolate
        self.compress = compress
        self.gzipped: dict[tuple[str, float], bytes] = {}
        self.extra: dict[str, tuple[bytes, str]] = {}
        self.bytes_served: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.fail_next: dict[str, int] = {}  # path -> how many requests to answer with 503 (retry tests)
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}/"

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


class _Handler(http.server.BaseHTTPRequestHandler):
    server: BundleServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: the harness reports what matters
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        rel = unquote(urlsplit(self.path).path).lstrip("/") or "index.html"
        srv = self.server
        with srv.lock:
            fail = srv.fail_next.get(rel, 0) > 0
            if fail:
                srv.fail_next[rel] -= 1
        if fail:
            return self._send(503, b"try again\n", "text/plain", rel, head)
        if rel in srv.extra:
            body, ctype = srv.extra[rel]
            return self._send(200, body, ctype, rel, head)
        path = (srv.root / rel).resolve()
        if srv.root not in path.parents and path != srv.root or not path.is_file():
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
        immutable = status == 200 and HASHED.match(rel)
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache")
        if self.server.isolate:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return
            with self.server.lock:
                self.server.bytes_served[rel] += len(body)


def serve(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve a bundle until interrupted (the CLI's `webedge serve`)."""
    from . import manifest

    manifest.read(Path(folder))
    server = BundleServer(Path(folder), host, port)
    print(f"serving {Path(folder).resolve()} at {server.url} (cross-origin isolated; Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
