"""How a weight shard is stored: as is, deflated, or byte-shuffled then deflated.

Float weights barely deflate (sign and exponent bytes repeat, mantissas look random), but once the
four bytes of every 32-bit word are split into four planes the exponent plane compresses well: on
Magika's, PP-OCR's and Silero's fp32 weights shuffle+deflate stores 79-86% of the bytes where plain
deflate stores 89-93% (bench/RESULTS.md). The browser inflates with the native DecompressionStream
('deflate-raw') and un-shuffles in one pass (js/src/decode.mjs), so no static host has to be set up
to compress anything: the files are small as they are uploaded.

Each shard keeps whichever of the three is smallest; an encoding must save MIN_SAVING of the bytes
to be worth the browser's time.
"""

from __future__ import annotations

import zlib

import numpy as np

from .errors import WebedgeError

RAW, DEFLATE, SHUFFLE4_DEFLATE = None, "deflate-raw", "shuffle4+deflate-raw"
ENCODINGS = (DEFLATE, SHUFFLE4_DEFLATE)
MIN_SAVING = 0.03
LEVEL = 9


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)  # raw deflate: what DecompressionStream('deflate-raw') reads
    return c.compress(data) + c.flush()


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj(-15)
    out = d.decompress(data) + d.flush()
    if not d.eof:
        raise WebedgeError("compressed shard is truncated")
    return out


def shuffle4(data: bytes) -> bytes:
    """Bytes 0, 4, 8.. then 1, 5, 9.. then 2.. then 3..; a tail shorter than 4 bytes stays last."""
    n4 = len(data) // 4
    planes = np.frombuffer(data, dtype=np.uint8, count=n4 * 4).reshape(n4, 4).T
    return planes.tobytes() + data[n4 * 4:]


def unshuffle4(data: bytes) -> bytes:
    n4 = len(data) // 4
    words = np.frombuffer(data, dtype=np.uint8, count=n4 * 4).reshape(4, n4).T
    return words.tobytes() + data[n4 * 4:]


def encode(data: bytes, compress: bool = True) -> tuple[str | None, bytes]:
    """(encoding, stored bytes) for a shard's raw bytes; (None, data) when nothing saves enough."""
    if not compress or not data:
        return RAW, bytes(data)
    best = (RAW, bytes(data))
    for encoding in ENCODINGS:
        stored = _deflate(shuffle4(bytes(data)) if encoding == SHUFFLE4_DEFLATE else bytes(data))
        if len(stored) < len(best[1]):
            best = (encoding, stored)
    if best[0] is not RAW and len(best[1]) > (1 - MIN_SAVING) * len(data):
        return RAW, bytes(data)
    return best


def decode(encoding: str | None, stored: bytes) -> bytes:
    if encoding is RAW:
        return stored
    if encoding == DEFLATE:
        return _inflate(stored)
    if encoding == SHUFFLE4_DEFLATE:
        return unshuffle4(_inflate(stored))
    raise WebedgeError(f"unknown shard encoding '{encoding}'")
