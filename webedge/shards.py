"""Pack weight tensors into content-hashed shards, in first-use order.

A shard closes when the next tensor would take it past the target size, so the boundaries depend
only on tensor sizes: fine-tuning a layer changes the bytes (and so the name) of the shards that
hold it and no other. A tensor bigger than the target spans shards: it fills the open shard to
the target, then whole shards, and its last piece opens the shard the next tensors join, so a
large embedding downloads as several parallel requests and a fine-tune of it re-ships only the
shards its bytes lie in. Each tensor's pieces are listed in the manifest (`pieces`, docs/manifest.md).
With `groups` (one key per tensor; bundle.py passes the set of outputs that read it, for a model
with heads) a shard also closes where the key changes, so one head's shard holds none of another
head's weights. Offsets are aligned to `ALIGN` bytes so that any typed-array view or SIMD load in
the browser is aligned (a spanning tensor is reassembled before it is viewed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import progress
from .compression import encode
from .weights import WeightTensor

ALIGN = 64
NAME_HEX = 16  # 64 bits of SHA-256 in a file name: collisions need ~4e9 shards


def span_file(index: int) -> str:
    """The external-data location an ONNX graph (the ort backend's) gives manifest weights[index]
    when it spans shards: no such file is shipped; the loader joins the pieces under this name
    (js/src/backends/ort.mjs spanFile), as `webedge test` does on disk (testing/harness.py)."""
    return f"weights/span-{index}.bin"


@dataclass
class Placement:
    """Bytes [start, start + length) of `tensor`, at `offset` in its shard: all of it unless it spans."""

    tensor: WeightTensor
    offset: int
    start: int = 0
    length: int = -1  # -1: to the tensor's end

    def __post_init__(self):
        if self.length < 0:
            self.length = len(self.tensor.data) - self.start


@dataclass
class Shard:
    """`data` holds the tensors at their offsets; `stored` is what the file holds (the same bytes,
    or `data` compressed with `encoding`, see compression.py). Name and hash are the stored bytes'."""

    placements: list[Placement] = field(default_factory=list)
    data: bytearray = field(default_factory=bytearray)
    encoding: str | None = None
    stored: bytes | None = None

    def encode(self, compress: bool) -> Shard:
        self.encoding, self.stored = encode(bytes(self.data), compress)
        return self

    @property
    def file_bytes(self) -> bytes:
        return self.stored if self.stored is not None else bytes(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.file_bytes).hexdigest()

    @property
    def file(self) -> str:
        return f"weights/{self.sha256[:NAME_HEX]}.bin"


def pack(weights: list[WeightTensor], shard_size: int, compress: bool = False, groups: list | None = None) -> list[Shard]:
    shards: list[Shard] = []
    current = Shard()
    for k, w in enumerate(weights):
        start = -len(current.data) % ALIGN + len(current.data)
        spans = len(w.data) > shard_size
        new_group = groups is not None and k > 0 and groups[k] != groups[k - 1]
        if current.placements and (new_group or start >= shard_size or not spans and start + len(w.data) > shard_size):
            shards.append(current)
            current, start = Shard(), 0
        done = 0
        while True:
            current.data.extend(b"\0" * (start - len(current.data)))
            length = len(w.data) - done if not spans else min(len(w.data) - done, shard_size - start)
            current.placements.append(Placement(w, start, done, length))
            current.data.extend(w.data[done:done + length])
            done += length
            if done == len(w.data):
                break
            shards.append(current)
            current, start = Shard(), 0
    if current.placements:
        shards.append(current)
    if not compress:
        return [s.encode(False) for s in shards]
    with progress.bar("compressing shards", total=sum(len(s.data) for s in shards), bytes_=True) as bar:
        done = []
        for s in shards:
            done.append(s.encode(True))
            bar.update(len(s.data))
        return done


def layout(shards: list[Shard]) -> list[tuple[WeightTensor, list[tuple[int, Placement]]]]:
    """Each tensor with its (shard index, piece) list, in the order their first pieces lie."""
    pieces: dict[int, tuple[WeightTensor, list]] = {}
    for i, s in enumerate(shards):
        for p in s.placements:
            pieces.setdefault(id(p.tensor), (p.tensor, []))[1].append((i, p))
    return list(pieces.values())
