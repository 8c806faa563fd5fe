"""The committed kernel binaries: shared-memory safe (no data section, only env.memory imported),
the documented ABI signatures, and byte-identical to a fresh build of wasm/kernels/*.c."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import wasmtime
from wasm_harness import KERNEL_DIR, ROOT

SRC_DIR = ROOT / "wasm" / "kernels"


def _load_build():
    spec = importlib.util.spec_from_file_location("wasm_build", ROOT / "wasm" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = _load_build()
BUILT = sorted(KERNEL_DIR.glob("*.wasm"))

P, I, F = "i32", "i32", "f32"  # pointers are i32 byte offsets
SIGNATURES = {
    "conv": {n: [P, P, P, P] + [I] * 16 + [I, F, F] for n in ("conv2d_f32", "conv2d_f32_ref")},
    "gemm": {n: [P, P, P, P] + [I] * 5 + [F, F, I, I, F, F] for n in ("gemm_f32", "gemm_f32_ref")},
    "pool": {
        "maxpool2d_f32": [P, P] + [I] * 14,
        "avgpool2d_f32": [P, P] + [I] * 15,
        "global_avgpool_f32": [P, P, I, I],
        "global_maxpool_f32": [P, P, I, I],
    },
    "elementwise": {
        "binary_f32": [I, P, P, P, I, P, P, P],
        "unary_f32": [I, P, P, I, F, F],
    },
    "softmax": {"softmax_f32": [P, P, I, I, I, I]},
    "norm": {
        "batchnorm_f32": [P] * 6 + [I, I, I, F],
        "layernorm_f32": [P] * 4 + [I, I, F],
        "instancenorm_f32": [P] * 4 + [I, I, I, F],
    },
}


def test_every_source_is_built():
    assert {p.stem for p in BUILT} == {p.stem for p in SRC_DIR.glob("*.c")} == set(SIGNATURES)


@pytest.mark.parametrize("path", BUILT, ids=lambda p: p.name)
def test_no_data_section_and_only_shared_memory(path: Path):
    data = path.read_bytes()
    ids = [sid for sid, _ in build.sections(data)]
    assert 11 not in ids and 12 not in ids, f"{path.name} has a data section"
    build.check(data, path.name)  # imports only env.memory, function exports, stack at 64 KiB


@pytest.mark.parametrize("path", BUILT, ids=lambda p: p.name)
def test_abi_signatures(path: Path):
    module = wasmtime.Module.from_file(wasmtime.Engine(), str(path))
    got = {}
    for exp in module.exports:
        ty = exp.type
        assert isinstance(ty, wasmtime.FuncType), exp.name
        assert list(ty.results) == [], f"{exp.name} returns something"
        got[exp.name] = [str(p) for p in ty.params]
    assert got == SIGNATURES[path.stem]


def test_committed_binaries_match_a_fresh_build(tmp_path):
    fresh = build.build(out_dir=tmp_path, quiet=True)
    for name, path in fresh.items():
        committed = KERNEL_DIR / f"{name}.wasm"
        assert committed.exists(), f"{committed} missing: run python wasm/build.py"
        assert committed.read_bytes() == path.read_bytes(), f"{name}.wasm is stale: run python wasm/build.py"


def test_build_rejects_a_data_segment(tmp_path):
    """The check the build applies: a string literal (static data) fails it."""
    src = tmp_path / "bad.c"
    src.write_text('__attribute__((export_name("f"))) const char *f(void) { return "static data"; }\n')
    with pytest.raises(build.BuildError, match="data"):
        build.compile_one(src, tmp_path / "bad.wasm")


def test_stack_headroom(h):
    """The deepest calls (conv's GEMM and depthwise paths with their 48 KiB buffers, gemm, the math)
    stay well inside the 64 KiB stack: an overflow would run below address 0 and trap."""
    rng = np.random.default_rng(0)
    f = lambda *shape: h.put(rng.uniform(-1, 1, shape).astype(np.float32))  # noqa: E731
    x, w, b = f(1, 8, 20, 20), f(8, 8, 3, 3), f(8)
    wd = f(8, 1, 3, 3)
    ints = h.put(np.array([4, 5, 20], np.int32))
    strides = h.put(np.array([100, 20, 1], np.int32))
    zeros = h.put(np.zeros(3, np.int32))
    y = h.out(4000)
    calls = {
        "conv gemm path": ("conv2d_f32", x, w, b, y, 1, 8, 20, 20, 8, 3, 3, 18, 18, 1, 1, 1, 1, 0, 0, 1, 6, 0.0, 0.0),
        "conv depthwise": ("conv2d_f32", x, wd, b, y, 1, 8, 20, 20, 8, 3, 3, 20, 20, 1, 1, 1, 1, 1, 1, 8, 7, 0.0, 0.0),
        "gemm": ("gemm_f32", x, w, b, y, 40, 72, 80, 0, 1, 1.0, 1.0, 2, 6, 0.0, 0.0),
        "unary gelu": ("unary_f32", 15, x, y, 3001, 0.0, 0.0),
        "binary pow": ("binary_f32", 4, x, w, y, 3, ints, strides, zeros),
        "softmax": ("softmax_f32", x, y, 7, 30, 5, 1),
        "layernorm": ("layernorm_f32", x, w, b, y, 10, 37, 1e-5),
        "avgpool": ("avgpool2d_f32", x, y, 1, 8, 20, 20, 10, 10, 2, 2, 2, 2, 1, 1, 0, 0, 0),
    }
    for label, (name, *args) in calls.items():
        h.paint_stack()
        h.call(name, *args)
        used = h.stack_used()
        assert used <= 56 * 1024, f"{label} used {used} bytes of stack"
