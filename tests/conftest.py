"""Shared fixtures: real pretrained models (from their PyPI packages) and bundles made once per run."""

from __future__ import annotations

import numpy as np
import pytest

from webedge import pretrained
from webedge.bundle import bundle


@pytest.fixture(scope="session")
def magika_model():
    return pretrained.fetch("magika")


@pytest.fixture(scope="session")
def magika_bundle(tmp_path_factory, magika_model):
    out = tmp_path_factory.mktemp("magika") / "site"
    bundle(magika_model, out, backend="ort", ep="wasm")
    return out


@pytest.fixture(scope="session")
def silero_model():
    return pretrained.fetch("silero-vad")


@pytest.fixture(scope="session")
def silero_inputs(tmp_path_factory):
    """A real-looking VAD call: 512 samples of a 440 Hz tone plus noise at 16 kHz, zero state."""
    rng = np.random.default_rng(7)
    t = np.arange(512) / 16000
    audio = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(512)).astype(np.float32)
    path = tmp_path_factory.mktemp("silero") / "inputs.npz"
    np.savez(path, input=audio[None, :], state=np.zeros((2, 1, 128), np.float32), sr=np.array(16000, np.int64))
    return path


@pytest.fixture(scope="session")
def ppocr_det_inputs(tmp_path_factory):
    """A page-like image for PP-OCR's text detector: dark word-shaped bars on a light background,
    normalised the way PaddleOCR feeds it ((x/255 - 0.5) / 0.5, NCHW)."""
    rng = np.random.default_rng(3)
    img = np.full((96, 160, 3), 235, np.float32)
    for y in (12, 40, 68):
        x = 8
        while x < 140:
            w = int(rng.integers(4, 14))
            img[y:y + 14, x:x + w] = rng.integers(10, 60)
            x += w + int(rng.integers(2, 6))
    path = tmp_path_factory.mktemp("det") / "inputs.npz"
    np.savez(path, x=((img / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None].astype(np.float32))
    return path
