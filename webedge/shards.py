"""Pack weight tensors into content-hashed shards, in first-use order.

A shard closes when the next tensor would take it past the target size, so the boundaries depend
only on tensor sizes: fine-tuning a layer changes the bytes (and so the name) of the shards that
hold it and no other. A tensor is never split (ONNX external data addresses one file), so a tensor
bigger than the target gets a shard of its own. With `groups` (one key per tensor; bundle.py
passes the set of outputs that read it, for a model with heads) a shard also closes where the key
changes, so one head's shard holds none of another head's weights. Offsets are aligned to `ALIGN` bytes so that any
typed-array view or SIMD load in the browser is aligned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import progress
from .compression import encode
from .weights import WeightTensor

ALIGN = 64
NAME_HEX = 16  # 64 bits of SHA-256 in a file name: collisions need ~4e9 shards


@dataclass
class Placement:
    tensor: WeightTensor
    offset: int


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
        new_group = groups is not None and k > 0 and groups[k] != groups[k - 1]
        if current.placements and (start + len(w.data) > shard_size or new_group):
            shards.append(current)
            current, start = Shard(), 0
        current.data.extend(b"\0" * (start - len(current.data)))
        current.placements.append(Placement(w, start))
        current.data.extend(w.data)
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
