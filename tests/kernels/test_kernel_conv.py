"""conv2d_f32 (and conv2d_f32_ref) against onnxruntime's Conv, plus fused activations."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx_ref import ACT_CASES, act_nodes, node, ort_run


def conv_tol(K: int) -> dict:
    # float32 sums of K products of O(1) terms: the error grows with K
    return dict(rtol=1e-5, atol=1e-5 * max(1.0, K / 128))


def run_conv(h, rng, N, C, H, W, M, KH, KW, s=(1, 1), d=(1, 1), pads=(0, 0, 0, 0), group=1, bias=True,
             act=(0, 0.0, 0.0), check_ref=True):
    sh, sw = s
    dh, dw = d
    pt, pl, pb, pr = pads
    x = rng.uniform(-1, 1, (N, C, H, W)).astype(np.float32)
    w = rng.uniform(-1, 1, (M, C // group, KH, KW)).astype(np.float32)
    b = rng.uniform(-1, 1, (M,)).astype(np.float32)
    OH = (H + pt + pb - ((KH - 1) * dh + 1)) // sh + 1
    OW = (W + pl + pr - ((KW - 1) * dw + 1)) // sw + 1
    assert OH > 0 and OW > 0
    a, a0, a1 = act

    inputs = {"x": x, "w": w}
    if bias:
        inputs["b"] = b
    conv = node("Conv", ["x", "w"] + (["b"] if bias else []), ["t"], strides=[sh, sw], dilations=[dh, dw],
                pads=[pt, pl, pb, pr], group=group, kernel_shape=[KH, KW])
    ref = ort_run([conv] + act_nodes(a, "t", "y", a0, a1, inputs), inputs)

    xp, wp = h.put(x), h.put(w)
    bp = h.put(b) if bias else 0
    args = (N, C, H, W, M, KH, KW, OH, OW, 0, OH, sh, sw, dh, dw, pt, pl, group, a, a0, a1)
    yp = h.out((N, M, OH, OW))
    h.call("conv2d_f32", xp, wp, bp, yp, *args)
    y = h.get(yp, (N, M, OH, OW))
    K = C // group * KH * KW
    np.testing.assert_allclose(y, ref, **conv_tol(K))
    if check_ref:
        yr_p = h.out((N, M, OH, OW))
        h.call("conv2d_f32_ref", xp, wp, bp, yr_p, *args)
        yr = h.get(yr_p, (N, M, OH, OW))
        np.testing.assert_allclose(yr, ref, **conv_tol(K))
        np.testing.assert_allclose(y, yr, **conv_tol(K))
    return y


CASES = {
    # pointwise 1x1 stride 1: GEMM over channels x pixels
    "pw": dict(N=1, C=16, H=7, W=9, M=24, KH=1, KW=1),
    "pw_small_m": dict(N=1, C=10, H=5, W=7, M=3, KH=1, KW=1),
    "pw_edge_m": dict(N=2, C=5, H=3, W=11, M=13, KH=1, KW=1, bias=False),
    "pw_deep_k": dict(N=1, C=300, H=6, W=5, M=9, KH=1, KW=1),
    "pw_wide": dict(N=1, C=7, H=41, W=43, M=6, KH=1, KW=1),
    "pw_c1": dict(N=1, C=1, H=4, W=5, M=7, KH=1, KW=1),
    "pw_stride2": dict(N=1, C=8, H=9, W=10, M=8, KH=1, KW=1, s=(2, 2)),
    "pw_pad": dict(N=1, C=4, H=5, W=5, M=8, KH=1, KW=1, pads=(1, 0, 0, 2)),
    # general direct / im2col path
    "3x3_same": dict(N=1, C=3, H=11, W=13, M=8, KH=3, KW=3, pads=(1, 1, 1, 1)),
    "3x3_valid_batch": dict(N=3, C=5, H=9, W=7, M=6, KH=3, KW=3, bias=False),
    "3x3_s2_asym": dict(N=1, C=4, H=12, W=15, M=10, KH=3, KW=3, s=(2, 2), pads=(1, 1, 0, 0)),
    "3x3_s3": dict(N=2, C=3, H=17, W=19, M=5, KH=3, KW=3, s=(3, 3), pads=(1, 2, 1, 2)),
    "3x3_s12": dict(N=1, C=3, H=10, W=12, M=7, KH=3, KW=3, s=(1, 2), pads=(2, 1, 2, 1)),
    "5x5_dil2": dict(N=1, C=3, H=14, W=13, M=6, KH=5, KW=5, d=(2, 2), pads=(4, 4, 4, 4)),
    "3x3_dil23_s2": dict(N=1, C=2, H=15, W=16, M=5, KH=3, KW=3, s=(2, 2), d=(2, 3), pads=(2, 3, 1, 0)),
    "7x7_s2_stem": dict(N=1, C=3, H=33, W=31, M=16, KH=7, KW=7, s=(2, 2), pads=(3, 3, 3, 3)),
    "1x7": dict(N=1, C=6, H=9, W=17, M=5, KH=1, KW=7, pads=(0, 3, 0, 3)),
    "7x1": dict(N=1, C=6, H=17, W=9, M=5, KH=7, KW=1, pads=(3, 0, 3, 0)),
    # column convs (W == KW == OW == 1): run with H and W swapped, one im2col run per k row
    "column_5x1": dict(N=2, C=12, H=40, W=1, M=9, KH=5, KW=1),
    "column_s2_dil2_pad": dict(N=1, C=5, H=37, W=1, M=6, KH=3, KW=1, s=(2, 3), d=(2, 2), pads=(3, 0, 1, 0)),
    "column_deep_k": dict(N=1, C=70, H=21, W=1, M=11, KH=5, KW=1, pads=(2, 0, 2, 0), bias=False),
    "column_w_padded": dict(N=1, C=3, H=9, W=1, M=4, KH=3, KW=1, pads=(1, 1, 1, 0)),  # OW 2: not swapped
    "conv1d_like": dict(N=2, C=4, H=1, W=50, M=6, KH=1, KW=5, s=(1, 2), pads=(0, 2, 0, 2)),
    "deep_k_3x3": dict(N=1, C=64, H=10, W=9, M=20, KH=3, KW=3, pads=(1, 1, 1, 1)),
    "many_pixels": dict(N=1, C=40, H=23, W=29, M=9, KH=3, KW=3, pads=(1, 1, 1, 1)),
    "pad_bigger": dict(N=1, C=2, H=4, W=5, M=3, KH=3, KW=2, pads=(2, 1, 2, 1)),
    "kernel_is_input": dict(N=1, C=3, H=5, W=6, M=4, KH=5, KW=6),
    "tiny_1x1_image": dict(N=2, C=3, H=1, W=1, M=5, KH=3, KW=3, pads=(1, 1, 1, 1)),
    # fewer than 8 output pixels: dot products over a transposed im2col (conv.c conv_few)
    "few_stft_like": dict(N=1, C=1, H=1, W=576, M=258, KH=1, KW=256, s=(1, 128)),
    "few_deep_k_p3": dict(N=1, C=129, H=1, W=3, M=128, KH=1, KW=3, pads=(0, 1, 0, 1)),
    "few_p2_s2": dict(N=1, C=128, H=1, W=3, M=64, KH=1, KW=3, s=(1, 2), pads=(0, 1, 0, 1)),
    "few_p1_small_m": dict(N=2, C=64, H=1, W=1, M=3, KH=1, KW=3, pads=(0, 1, 0, 1)),
    "few_2d_p6_pad": dict(N=1, C=5, H=3, W=4, M=9, KH=3, KW=3, s=(2, 2), pads=(2, 1, 2, 1), d=(1, 2)),
    "few_pointwise_p7": dict(N=1, C=33, H=1, W=7, M=17, KH=1, KW=1, bias=False),
    "few_grouped": dict(N=2, C=12, H=2, W=3, M=6, KH=2, KW=2, pads=(1, 0, 0, 1), group=3),
    "few_k_past_buffer": dict(N=1, C=700, H=1, W=3, M=5, KH=1, KW=3, pads=(0, 1, 0, 1)),  # P * K > 8192: GEMM
    # grouped
    "group4": dict(N=1, C=8, H=9, W=11, M=12, KH=3, KW=3, pads=(1, 1, 1, 1), group=4),
    "group2_pw": dict(N=2, C=6, H=5, W=7, M=10, KH=1, KW=1, group=2),
    "group3_s2": dict(N=1, C=9, H=13, W=10, M=9, KH=3, KW=3, s=(2, 2), pads=(0, 1, 1, 0), group=3),
    "dw_multiplier2": dict(N=1, C=4, H=8, W=9, M=8, KH=3, KW=3, pads=(1, 1, 1, 1), group=4),
    # depthwise
    "dw_3x3": dict(N=1, C=7, H=13, W=19, M=7, KH=3, KW=3, pads=(1, 1, 1, 1), group=7),
    "dw_3x3_s2": dict(N=2, C=5, H=17, W=23, M=5, KH=3, KW=3, s=(2, 2), pads=(1, 1, 1, 1), group=5),
    "dw_3x3_s2_asym": dict(N=1, C=3, H=16, W=30, M=3, KH=3, KW=3, s=(2, 2), pads=(0, 0, 1, 1), group=3),
    "dw_5x5_dil2": dict(N=1, C=4, H=15, W=21, M=4, KH=5, KW=5, d=(2, 2), pads=(4, 4, 4, 4), group=4),
    "dw_3x3_s3": dict(N=1, C=3, H=20, W=29, M=3, KH=3, KW=3, s=(3, 3), pads=(1, 1, 1, 1), group=3, bias=False),
    "dw_3x5": dict(N=1, C=6, H=9, W=33, M=6, KH=3, KW=5, pads=(2, 0, 0, 4), group=6),
    "dw_narrow": dict(N=1, C=2, H=6, W=3, M=2, KH=3, KW=3, pads=(1, 1, 1, 1), group=2),
    "dw_1x1": dict(N=1, C=5, H=4, W=9, M=5, KH=1, KW=1, group=5),
    "dw_7x7_s2": dict(N=1, C=3, H=29, W=40, M=3, KH=7, KW=7, s=(2, 2), pads=(3, 3, 3, 3), group=3),
    "single_channel_5x5": dict(N=2, C=1, H=9, W=11, M=1, KH=5, KW=5, pads=(2, 2, 2, 2)),
    "dw_tiny_7x7_image": dict(N=2, C=4, H=7, W=7, M=4, KH=3, KW=3, pads=(1, 1, 1, 1), group=4),
    "dw_wide_rows_chunked": dict(N=1, C=2, H=4, W=7001, M=2, KH=3, KW=3, pads=(1, 1, 1, 1), group=2),
    "dw_wide_5x5_s2_chunked": dict(N=1, C=2, H=6, W=9001, M=2, KH=5, KW=5, s=(2, 2), pads=(2, 2, 2, 2), group=2),
    "dw_conv1d_wide": dict(N=1, C=3, H=1, W=20001, M=3, KH=1, KW=3, pads=(0, 1, 0, 1), group=3),
    "dw_huge_dilation_scalar": dict(N=1, C=2, H=40, W=21, M=2, KH=3, KW=3, d=(16, 2), pads=(16, 2, 16, 2), group=2),
}


@pytest.mark.parametrize("name", list(CASES))
def test_conv_cases(h, name):
    run_conv(h, np.random.default_rng(zlib.crc32(name.encode())), **CASES[name])


@pytest.mark.parametrize("seed", range(12))
def test_conv_random(h, seed):
    rng = np.random.default_rng(1000 + seed)
    group = int(rng.choice([1, 1, 2, 3]))
    depthwise = seed % 4 == 3
    C = group * int(rng.integers(1, 6))
    M = C if depthwise else group * int(rng.integers(1, 7))
    if depthwise:
        group = C
    KH, KW = (int(v) for v in rng.integers(1, 6, 2))
    dh, dw = (int(v) for v in rng.integers(1, 3, 2))
    sh, sw = (int(v) for v in rng.integers(1, 4, 2))
    pads = [int(v) for v in rng.integers(0, 3, 4)]
    H = (KH - 1) * dh + 1 + int(rng.integers(0, 14))
    W = (KW - 1) * dw + 1 + int(rng.integers(0, 14))
    run_conv(h, rng, int(rng.integers(1, 3)), C, H, W, M, KH, KW, (sh, sw), (dh, dw), tuple(pads), group,
             bool(rng.integers(0, 2)))


ACT_SHAPES = {
    "pointwise": dict(N=1, C=6, H=5, W=7, M=9, KH=1, KW=1),
    "general": dict(N=1, C=3, H=7, W=9, M=5, KH=3, KW=3, s=(2, 1), pads=(1, 1, 1, 1)),
    "depthwise": dict(N=1, C=4, H=6, W=13, M=4, KH=3, KW=3, pads=(1, 1, 1, 1), group=4),
    "few_pixels": dict(N=1, C=9, H=1, W=5, M=11, KH=1, KW=3, pads=(0, 1, 0, 1)),
}


@pytest.mark.parametrize("act", ACT_CASES, ids=lambda a: f"act{a[0]}")
@pytest.mark.parametrize("shape", list(ACT_SHAPES))
def test_conv_fused_activation(h, shape, act):
    run_conv(h, np.random.default_rng(act[0]), **ACT_SHAPES[shape], act=act)


BAND_CASES = ["pw", "pw_small_m", "pw_edge_m", "3x3_same", "3x3_valid_batch", "3x3_s2_asym", "5x5_dil2", "7x7_s2_stem",
              "group4", "dw_3x3", "dw_3x3_s2", "dw_5x5_dil2", "dw_3x5", "dw_wide_5x5_s2_chunked",
              "dw_huge_dilation_scalar", "many_pixels"]


@pytest.mark.parametrize("name", BAND_CASES)
def test_conv_row_bands_equal_the_whole_call_bitwise(h, name):
    """conv2d_f32 given output rows [oh0, oh1) writes exactly those rows (the worker pool's row split,
    ops/conv.mjs), bit for bit what the whole call writes there; bands out of range are clamped."""
    case = dict(CASES[name])
    rng = np.random.default_rng(zlib.crc32(name.encode()) + 7)
    N, C, H, W, M, KH, KW = (case.pop(k) for k in ("N", "C", "H", "W", "M", "KH", "KW"))
    sh, sw = case.get("s", (1, 1))
    dh, dw = case.get("d", (1, 1))
    pt, pl, pb, pr = case.get("pads", (0, 0, 0, 0))
    group = case.get("group", 1)
    OH = (H + pt + pb - ((KH - 1) * dh + 1)) // sh + 1
    OW = (W + pl + pr - ((KW - 1) * dw + 1)) // sw + 1
    xp = h.put(rng.uniform(-1, 1, (N, C, H, W)).astype(np.float32))
    wp = h.put(rng.uniform(-1, 1, (M, C // group, KH, KW)).astype(np.float32))
    bp = h.put(rng.uniform(-1, 1, (M,)).astype(np.float32))
    geo = (N, C, H, W, M, KH, KW, OH, OW)
    rest = (sh, sw, dh, dw, pt, pl, group, 4, 0.0, 0.0)  # hardswish epilogue
    whole = h.out((N, M, OH, OW))
    h.call("conv2d_f32", xp, wp, bp, whole, *geo, 0, OH, *rest)
    want = h.get(whole, (N, M, OH, OW))
    cuts = sorted({0, OH, *(int(v) for v in rng.integers(1, OH, 2))} if OH > 1 else {0, OH})
    banded = h.out((N, M, OH, OW))
    for r0, r1 in zip(cuts, cuts[1:]):
        h.call("conv2d_f32", xp, wp, bp, banded, *geo, r0, r1, *rest)
        got = h.get(banded, (N, M, OH, OW))
        assert np.isnan(got[:, :, r1:]).all(), f"rows from {r1} written by band [{r0}, {r1})"
    np.testing.assert_array_equal(h.get(banded, (N, M, OH, OW)).view(np.uint32), want.view(np.uint32))
    empty = h.out((N, M, OH, OW))
    h.call("conv2d_f32", xp, wp, bp, empty, *geo, OH, OH + 3, *rest)
    h.call("conv2d_f32", xp, wp, bp, empty, *geo, -2, 0, *rest)
    assert np.isnan(h.get(empty, (N, M, OH, OW))).all()
