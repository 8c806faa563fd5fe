"""maxpool2d/avgpool2d/global pools against onnxruntime's MaxPool, AveragePool, Global*Pool."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx_ref import node, ort_run


def run_pool(h, kind, N, C, H, W, KH, KW, s=(1, 1), d=(1, 1), pads=(0, 0, 0, 0), count_include_pad=0):
    rng = np.random.default_rng(zlib.crc32(repr((kind, N, C, H, W, KH, KW, s, d, pads)).encode()))
    x = rng.uniform(-2, 2, (N, C, H, W)).astype(np.float32)
    sh, sw = s
    dh, dw = d
    pt, pl, pb, pr = pads
    OH = (H + pt + pb - ((KH - 1) * dh + 1)) // sh + 1
    OW = (W + pl + pr - ((KW - 1) * dw + 1)) // sw + 1
    attrs = dict(kernel_shape=[KH, KW], strides=[sh, sw], pads=[pt, pl, pb, pr])
    opset = 17
    if kind == "max":
        attrs["dilations"] = [dh, dw]
        ref = ort_run([node("MaxPool", ["x"], ["y"], **attrs)], {"x": x})
    else:
        attrs["count_include_pad"] = count_include_pad
        if (dh, dw) != (1, 1):  # AveragePool takes dilations from opset 19
            attrs["dilations"] = [dh, dw]
            opset = 19
        ref = ort_run([node("AveragePool", ["x"], ["y"], **attrs)], {"x": x}, opset=opset)
    assert ref.shape == (N, C, OH, OW)
    xp, yp = h.put(x), h.out((N, C, OH, OW))
    args = (N, C, H, W, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl)
    if kind == "max":
        h.call("maxpool2d_f32", xp, yp, *args)
    else:
        h.call("avgpool2d_f32", xp, yp, *args, count_include_pad)
    y = h.get(yp, (N, C, OH, OW))
    if kind == "max":
        np.testing.assert_array_equal(y, ref)
    else:
        np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)


POOL_CASES = {
    "2x2_s2": dict(N=1, C=3, H=8, W=10, KH=2, KW=2, s=(2, 2)),
    "2x2_s2_odd": dict(N=2, C=2, H=9, W=11, KH=2, KW=2, s=(2, 2)),
    "3x3_s2_p1": dict(N=1, C=4, H=15, W=17, KH=3, KW=3, s=(2, 2), pads=(1, 1, 1, 1)),
    "3x3_s1_p1": dict(N=1, C=3, H=9, W=13, KH=3, KW=3, pads=(1, 1, 1, 1)),
    "3x3_s3": dict(N=1, C=2, H=13, W=26, KH=3, KW=3, s=(3, 3), pads=(0, 1, 0, 1)),
    "asym_pad": dict(N=1, C=2, H=7, W=12, KH=3, KW=2, s=(1, 2), pads=(2, 0, 0, 1)),
    "5x5_dil2": dict(N=1, C=2, H=14, W=19, KH=3, KW=3, d=(2, 2), pads=(2, 2, 2, 2)),
    "1x1": dict(N=1, C=3, H=5, W=6, KH=1, KW=1),
    "wide_rows": dict(N=1, C=2, H=3, W=41, KH=2, KW=3, s=(1, 1)),
    "narrow": dict(N=1, C=2, H=5, W=2, KH=2, KW=2, pads=(1, 1, 1, 1)),
    "whole_plane": dict(N=2, C=3, H=7, W=5, KH=7, KW=5),
}


@pytest.mark.parametrize("name", list(POOL_CASES))
def test_maxpool(h, name):
    run_pool(h, "max", **POOL_CASES[name])


@pytest.mark.parametrize("count_include_pad", [0, 1])
@pytest.mark.parametrize("name", list(POOL_CASES))
def test_avgpool(h, name, count_include_pad):
    run_pool(h, "avg", **POOL_CASES[name], count_include_pad=count_include_pad)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (1, 3, 7, 7), (2, 5, 3, 11), (1, 16, 13, 1), (2, 3, 16, 16)])
@pytest.mark.parametrize("kind", ["avg", "max"])
def test_global_pool(h, kind, shape):
    x = np.random.default_rng(sum(shape)).uniform(-3, 3, shape).astype(np.float32)
    op = "GlobalAveragePool" if kind == "avg" else "GlobalMaxPool"
    ref = ort_run([node(op, ["x"], ["y"])], {"x": x})
    N, C, H, W = shape
    xp, yp = h.put(x), h.out((N, C, 1, 1))
    h.call(f"global_{kind}pool_f32", xp, yp, N * C, H * W)
    y = h.get(yp, (N, C, 1, 1))
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)
