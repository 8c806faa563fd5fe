"""What a static host must send for a bundle, in one place: `webedge serve` sends it, and
`webedge bundle` writes it as `_headers` for the hosts that read that file (Netlify, Cloudflare
Pages). docs/hosting.md gives the same rules for nginx, Apache and S3/CloudFront.

- COOP `same-origin` + COEP `require-corp` make the page cross-origin isolated, which wasm
  threads need. Hosts that cannot send headers (GitHub Pages) get the same effect from the
  bundle's service worker (webedge/coi_worker.py).
- Content-hashed files (`weights/<hash>.bin`, `graph.<hash>.onnx`, `plan.<hash>.json`) never
  change under their name: cache them for a year, immutable. Everything else (model.json, the
  page, the loader) must be revalidated, or a re-deploy would pair a new manifest with an old
  loader.
- `.wasm` must be `application/wasm` (streaming compilation refuses anything else) and `.mjs`
  a JavaScript type (module scripts refuse `application/octet-stream`).
- No file may be larger than the smallest common per-file limit (Cloudflare Pages: 25 MiB), so
  `--shard-size` stops there and a bundle notes any file (one huge tensor, onnxruntime-web's
  WebGPU build) that is over it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import WebedgeError

HASHED = re.compile(r"^(weights/[0-9a-f]{16}\.bin|graph\.[0-9a-f]{16}\.onnx|plan\.[0-9a-f]{16}\.json)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp",
             "Cross-Origin-Resource-Policy": "same-origin"}
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".html": "text/html; charset=utf-8", ".onnx": "application/octet-stream",
         ".bin": "application/octet-stream", ".mts": "text/plain; charset=utf-8"}

# Per-file limits of common static hosts (their documentation, 2026): the smallest one binds.
FILE_LIMITS = {"Cloudflare Pages": 25 * 1024 * 1024, "GitHub Pages": 100 * 1024 * 1024}
MAX_FILE_BYTES = min(FILE_LIMITS.values())
MAX_FILE_HOST = min(FILE_LIMITS, key=FILE_LIMITS.get)


def cache_control(rel: str) -> str:
    return IMMUTABLE if HASHED.match(rel) else REVALIDATE


def check_shard_size(size: int, given: str | int) -> None:
    """Refuse a --shard-size that would make files some hosts refuse (one WebedgeError line)."""
    if size > MAX_FILE_BYTES:
        raise WebedgeError(f"--shard-size {given} is over {MAX_FILE_BYTES >> 20} MiB, the largest file "
                           f"{MAX_FILE_HOST} serves; a bundle must fit any static host, so use at most "
                           f"{MAX_FILE_BYTES >> 20}MiB (4MiB loads fastest, bench/RESULTS.md)")


def oversized(folder: Path) -> list[dict]:
    """Files of the bundle over MAX_FILE_BYTES (shards stay under it: a bigger tensor spans shards;
    onnxruntime-web 1.30's WebGPU build is 25.5 MiB), each with the hosts that refuse it."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        n = path.stat().st_size
        if n > MAX_FILE_BYTES:
            found.append({"file": path.relative_to(folder).as_posix(), "bytes": n,
                          "refused_by": [h for h, limit in FILE_LIMITS.items() if n > limit]})
    return found


def headers_file(files: list[str], isolate: bool = True) -> str:
    """`_headers` for Netlify and Cloudflare Pages, for a bundle holding `files` (relative paths).
    Paths are spelled out except `/weights/*` (a splat at the end is the one form both hosts
    match alike), and no two rules set the same header on one path: both hosts join repeated
    headers with a comma, which would make 'no-cache, public, max-age=...' of a shard."""
    lines = ["# Written by `webedge bundle` for Netlify and Cloudflare Pages (other hosts: docs/hosting.md).", ""]
    if isolate:
        lines += ["# Cross-origin isolation, for wasm threads.", "/*"]
        lines += [f"  {k}: {v}" for k, v in ISOLATION.items()]
        lines.append("")
    hashed = ["/weights/*"] + [f"/{f}" for f in files if HASHED.match(f) and not f.startswith("weights/")]
    lines.append("# Content-hashed files never change under their name.")
    lines += [f"{path}\n  Cache-Control: {IMMUTABLE}" for path in hashed]
    lines += ["", "# The manifest names everything else: always revalidate it.", f"/model.json\n  Cache-Control: {REVALIDATE}"]
    typed = [(f, TYPES[Path(f).suffix]) for f in files if Path(f).suffix in (".mjs", ".wasm")]
    if typed:
        lines += ["", "# Module scripts need a JavaScript type; wasm needs application/wasm."]
        lines += [f"/{f}\n  Content-Type: {t}" for f, t in typed]
    return "\n".join(lines) + "\n"
