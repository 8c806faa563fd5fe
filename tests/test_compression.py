"""Shard encodings (webedge/compression.py) and their browser-side decoder (js/src/decode.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from models import mlp_model, save
from webedge.bundle import bundle
from webedge.compression import DEFLATE, RAW, SHUFFLE4_DEFLATE, decode, encode, shuffle4, unshuffle4
from webedge.errors import WebedgeError

ROOT = Path(__file__).resolve().parents[1]


def _weights(n: int, seed: int = 0) -> bytes:
    """Trained-looking fp32 weights: small values, so sign/exponent bytes repeat."""
    return (np.random.default_rng(seed).standard_normal(n) * 0.05).astype(np.float32).tobytes()


def test_float_weights_are_shuffled_and_come_back_bit_exact():
    data = _weights(50_000) + b"\x01\x02\x03"  # a tail that is not a whole word
    encoding, stored = encode(data)
    assert encoding == SHUFFLE4_DEFLATE
    assert len(stored) < 0.9 * len(data)
    assert decode(encoding, stored) == data


def test_incompressible_bytes_stay_raw_and_repetitive_bytes_are_deflated():
    noise = np.random.default_rng(1).integers(0, 256, 100_000, dtype=np.uint8).tobytes()
    assert encode(noise) == (RAW, noise)
    text = b"webedge " * 10_000
    encoding, stored = encode(text)
    assert encoding in (DEFLATE, SHUFFLE4_DEFLATE) and decode(encoding, stored) == text
    assert encode(text, compress=False) == (RAW, text)


def test_shuffle_round_trip_and_damaged_stream():
    data = bytes(range(256)) * 3 + b"xy"
    assert unshuffle4(shuffle4(data)) == data
    assert shuffle4(b"abcdefgh") == b"aebfcgdh"
    encoding, stored = encode(_weights(10_000))
    with pytest.raises(WebedgeError, match="truncated"):
        decode(encoding, stored[: len(stored) // 2])


def test_bundle_records_encoding_and_decoded_size(tmp_path):
    src = save(mlp_model([64, 256, 64]), tmp_path / "mlp.onnx")
    bundle(src, tmp_path / "site", backend="webedge")
    man = json.loads((tmp_path / "site" / "model.json").read_text())
    (shard,) = man["shards"]
    stored = (tmp_path / "site" / shard["file"]).read_bytes()
    assert shard["bytes"] == len(stored) and shard["encoding"] in (DEFLATE, SHUFFLE4_DEFLATE)
    assert len(decode(shard["encoding"], stored)) == shard["size"] > shard["bytes"]
    bundle(src, tmp_path / "raw", backend="webedge", compress=False)
    (raw,) = json.loads((tmp_path / "raw" / "model.json").read_text())["shards"]
    assert "encoding" not in raw and raw["bytes"] == shard["size"]


def test_browser_decoder_matches_python(tmp_path):
    node = shutil.which("node")
    assert node, "node is needed to test the browser decoder"
    cases = {"shuffled": _weights(30_001) + b"\x07", "deflated": b"abc" * 5000}
    entries = []
    for name, data in cases.items():
        encoding, stored = encode(data)
        (tmp_path / f"{name}.in").write_bytes(stored)
        entries.append({"name": name, "file": f"{name}.in", "encoding": encoding, "size": len(data)})
    script = f"""
import {{ readFileSync, writeFileSync }} from 'node:fs';
import {{ decodeShard }} from {json.dumps((ROOT / 'js' / 'src' / 'decode.mjs').as_uri())};
for (const e of {json.dumps(entries)}) {{
  const out = await decodeShard(e, new Uint8Array(readFileSync({json.dumps(str(tmp_path))} + '/' + e.file)));
  writeFileSync({json.dumps(str(tmp_path))} + '/' + e.name + '.out', out);
}}
try {{
  await decodeShard({{ file: 'x.bin', encoding: 'deflate-raw', size: 10 }}, new Uint8Array([1, 2, 3]));
}} catch (err) {{ console.log(err.message); }}
"""
    run = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    for name, data in cases.items():
        assert (tmp_path / f"{name}.out").read_bytes() == data
    assert "x.bin: could not inflate the shard" in run.stdout
