"""gemm_f32 (and gemm_f32_ref) against onnxruntime's Gemm, every C broadcast kind, fused activations."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx_ref import ACT_CASES, act_nodes, node, ort_run

C_SHAPES = {0: None, 1: lambda M, N: (), 2: lambda M, N: (N,), 3: lambda M, N: (M, 1), 4: lambda M, N: (M, N)}


def run_gemm(h, rng, M, N, K, transA=0, transB=0, alpha=1.0, beta=1.0, c_kind=0, act=(0, 0.0, 0.0), check_ref=True):
    a = rng.uniform(-1, 1, (K, M) if transA else (M, K)).astype(np.float32)
    b = rng.uniform(-1, 1, (N, K) if transB else (K, N)).astype(np.float32)
    inputs = {"a": a, "b": b}
    names = ["a", "b"]
    c = None
    if c_kind:
        c = rng.uniform(-1, 1, C_SHAPES[c_kind](M, N)).astype(np.float32)
        inputs["c"] = c
        names.append("c")
    act_code, a0, a1 = act
    gemm = node("Gemm", names, ["t"], alpha=alpha, beta=beta, transA=transA, transB=transB)
    ref = ort_run([gemm] + act_nodes(act_code, "t", "y", a0, a1, inputs), inputs)

    ap, bp = h.put(a), h.put(b)
    cp = h.put(c.reshape(-1)) if c is not None else 0
    args = (M, N, K, transA, transB, alpha, beta, c_kind, act_code, a0, a1)
    tol = dict(rtol=1e-5, atol=1e-5 * max(1.0, K / 128) * max(1.0, abs(alpha)))
    yp = h.out((M, N))
    h.call("gemm_f32", ap, bp, cp, yp, *args)
    y = h.get(yp, (M, N))
    np.testing.assert_allclose(y, ref, **tol)
    if check_ref:
        rp = h.out((M, N))
        h.call("gemm_f32_ref", ap, bp, cp, rp, *args)
        yr = h.get(rp, (M, N))
        np.testing.assert_allclose(yr, ref, **tol)
        np.testing.assert_allclose(y, yr, **tol)


SHAPES = [
    (1, 1, 1), (1, 10, 7), (1, 33, 300), (2, 17, 5), (3, 9, 64), (4, 8, 16), (5, 13, 11), (7, 1, 31),
    (16, 1, 100), (9, 23, 257), (31, 37, 41), (64, 48, 600), (12, 250, 20), (40, 5, 3), (6, 100, 1),
]


@pytest.mark.parametrize("transB", [0, 1])
@pytest.mark.parametrize("transA", [0, 1])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_gemm_shapes(h, shape, transA, transB):
    rng = np.random.default_rng(zlib.crc32(repr((shape, transA, transB)).encode()))
    run_gemm(h, rng, *shape, transA=transA, transB=transB, c_kind=4 if shape[0] % 2 else 2)


@pytest.mark.parametrize("c_kind", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("shape", [(2, 11, 9), (13, 19, 70)], ids=lambda s: "x".join(map(str, s)))
def test_gemm_c_kinds(h, shape, c_kind):
    rng = np.random.default_rng(c_kind)
    run_gemm(h, rng, *shape, transB=1, alpha=0.75, beta=-1.5, c_kind=c_kind)


@pytest.mark.parametrize("act", ACT_CASES, ids=lambda a: f"act{a[0]}")
@pytest.mark.parametrize("shape", [(1, 21, 13), (10, 19, 30)], ids=lambda s: "x".join(map(str, s)))
def test_gemm_fused_activation(h, shape, act):
    run_gemm(h, np.random.default_rng(7), *shape, transB=1, c_kind=2, alpha=1.5, act=act)


def test_gemm_k_zero_and_alpha(h):
    rng = np.random.default_rng(3)
    run_gemm(h, rng, 6, 10, 700, alpha=-0.5, beta=0.0, c_kind=1)
    # K == 0: y = beta * C
    c = rng.uniform(-1, 1, (3, 5)).astype(np.float32)
    cp, yp = h.put(c), h.out((3, 5))
    h.call("gemm_f32", 0, 0, cp, yp, 3, 5, 0, 0, 0, 1.0, 2.0, 4, 0, 0.0, 0.0)
    np.testing.assert_allclose(h.get(yp, (3, 5)), 2 * c, rtol=1e-7)
