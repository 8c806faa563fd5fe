"""Magika's model input from a file's bytes: the first and last 1 KiB, whitespace-stripped.

Follows the feature layout that Magika's `standard_v3_3` config describes (beg_size 1024,
end_size 1024, block_size 4096, padding token 256): read the first and last block, strip
leading (resp. trailing) ASCII whitespace, keep 1024 bytes from the start (resp. the end) and
pad with 256 to 1024. Used by `webedge demo` to feed the model real files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def features(data: bytes, config: dict) -> np.ndarray:
    beg_size, end_size = config["beg_size"], config["end_size"]
    block, pad = config["block_size"], config["padding_token"]
    beg = list(data[:block].lstrip()[:beg_size])
    end_block = data[-block:].rstrip()
    end = list(end_block[-end_size:]) if end_block else []
    return np.array(beg + [pad] * (beg_size - len(beg)) + [pad] * (end_size - len(end)) + end, dtype=np.int32)


def load_config(path: Path) -> dict:
    return json.loads(Path(path).read_text())
