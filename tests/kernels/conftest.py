"""Fixtures for the WebAssembly kernel tests: the test variant of the kernel modules (the shipped
code plus the scalar `_ref` kernels, wasm/build.py --variant test) built once per session into a
temporary folder, and one wasmtime harness over it, reset per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wasm_harness import Harness, build_test_variant  # noqa: E402


@pytest.fixture(scope="session")
def kernels(tmp_path_factory) -> Harness:
    return Harness(kernel_dir=build_test_variant(tmp_path_factory.mktemp("kernels-test-variant")))


@pytest.fixture
def h(kernels: Harness):
    """The shared harness with an empty heap; after the test, no buffer's guard band was touched."""
    kernels.reset()
    yield kernels
    kernels.check_guards()
