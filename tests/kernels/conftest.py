"""Fixtures for the WebAssembly kernel tests: the test variants of the kernel modules (the shipped
code plus the scalar `_ref` kernels, wasm/build.py --variant test and --variant test-relaxed) built
once per session into temporary folders, and one wasmtime harness over each, reset per test. Every
kernel test runs on both: SIMD128 and relaxed SIMD (whose fused multiply-adds round once, so its
results differ from SIMD128's and from the _ref kernels' in the last bits; the tolerances allow it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wasm_harness import Harness, build_test_variant  # noqa: E402


VARIANTS = {"simd128": "test", "relaxed": "test-relaxed"}


@pytest.fixture(scope="session", params=list(VARIANTS))
def kernels(request, tmp_path_factory) -> Harness:
    variant = VARIANTS[request.param]
    harness = Harness(kernel_dir=build_test_variant(tmp_path_factory.mktemp(f"kernels-{variant}"), variant))
    harness.variant = request.param
    return harness


@pytest.fixture
def h(kernels: Harness):
    """The shared harness with an empty heap; after the test, no buffer's guard band was touched."""
    kernels.reset()
    yield kernels
    kernels.check_guards()
