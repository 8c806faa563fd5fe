"""Fixtures for the WebAssembly kernel tests: one wasmtime harness per session, reset per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wasm_harness import Harness  # noqa: E402


@pytest.fixture(scope="session")
def kernels() -> Harness:
    return Harness()


@pytest.fixture
def h(kernels: Harness):
    """The shared harness with an empty heap; after the test, no buffer's guard band was touched."""
    kernels.reset()
    yield kernels
    kernels.check_guards()
