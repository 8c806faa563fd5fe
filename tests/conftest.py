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
    bundle(magika_model, out, ep="wasm")
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
