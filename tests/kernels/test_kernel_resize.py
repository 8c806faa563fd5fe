"""resize_f32 against onnxruntime's Resize: nearest (copied rows included) and the taps part (linear,
cubic), with tap tables computed here the way js/src/webedge/ops/resize.mjs does; and row bands
([r0, r1) of planes * OH rows, the worker pool's split) equal to the whole call bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from onnx_ref import node, ort_run

TRANSFORMS = {
    "half_pixel": lambda o, s, n_out, n_in: (o + 0.5) / s - 0.5,
    "asymmetric": lambda o, s, n_out, n_in: o / s,
    "align_corners": lambda o, s, n_out, n_in: 0.0 if n_out == 1 else o * (n_in - 1) / (n_out - 1),
    "pytorch_half_pixel": lambda o, s, n_out, n_in: (o + 0.5) / s - 0.5 if n_out > 1 else 0.0,
}
ROUND = {"floor": math.floor, "ceil": math.ceil, "round_prefer_floor": lambda v: math.floor(v) if v - math.floor(v) == 0.5 else round(v),
         "round_prefer_ceil": lambda v: math.floor(v + 0.5)}


def cubic(t: float, a: float = -0.75) -> float:
    t = abs(t)
    if t <= 1:
        return ((a + 2) * t - (a + 3)) * t * t + 1
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a if t < 2 else 0.0


def taps_for(mode: str, ctm: str, nearest: str, n_in: int, n_out: int, scale: float):
    """Per output position: source indices and weights (nearest: one index, no weights)."""
    idx, wts = [], []
    for o in range(n_out):
        c = TRANSFORMS[ctm](o, scale, scale * n_in, n_in)
        if mode == "nearest":
            idx.append([min(n_in - 1, max(0, ROUND[nearest](c)))])
        elif mode == "linear":
            c = min(n_in - 1, max(0.0, c))
            i0 = math.floor(c)
            idx.append([i0, min(i0 + 1, n_in - 1)])
            wts.append([1 - (c - i0), c - i0])
        else:
            i0 = math.floor(c)
            idx.append([min(n_in - 1, max(0, i0 + k)) for k in (-1, 0, 1, 2)])
            wts.append([cubic(c - i0 - k) for k in (-1, 0, 1, 2)])
    return np.array(idx, np.int32).ravel(), (np.array(wts, np.float32).ravel() if wts else None)


CASES = {  # name: (dims, (scale h, scale w), mode, coordinate transformation, nearest mode)
    "nearest_2x_asymmetric_floor": ((1, 5, 7, 9), (2.0, 2.0), "nearest", "asymmetric", "floor"),  # PP-OCR det's
    "nearest_down_half_pixel": ((2, 3, 11, 13), (0.5, 0.75), "nearest", "half_pixel", "round_prefer_floor"),
    "nearest_3x_rows_only": ((1, 2, 4, 6), (3.0, 1.0), "nearest", "asymmetric", "floor"),
    "nearest_1_5x_ceil": ((1, 3, 6, 5), (1.5, 1.5), "nearest", "half_pixel", "round_prefer_ceil"),
    "linear_2x_half_pixel": ((1, 4, 6, 7), (2.0, 2.0), "linear", "half_pixel", None),
    "linear_down_align_corners": ((1, 3, 12, 10), (0.5, 0.6), "linear", "align_corners", None),
    "linear_1x3_pytorch": ((2, 2, 5, 8), (1.0, 3.0), "linear", "pytorch_half_pixel", None),
    "cubic_2x": ((1, 2, 6, 6), (2.0, 2.0), "cubic", "half_pixel", None),
}


def _setup(h, dims, scales, mode, ctm, nearest):
    rng = np.random.default_rng(sum(dims) + int(10 * scales[0]))
    x = rng.uniform(-2, 2, dims).astype(np.float32)
    N, C, H, W = dims
    OH, OW = math.floor(H * scales[0]), math.floor(W * scales[1])
    attrs = dict(mode=mode, coordinate_transformation_mode=ctm)
    if nearest:
        attrs["nearest_mode"] = nearest
    inputs = {"x": x, "roi": np.zeros(0, np.float32), "scales": np.array([1, 1, *scales], np.float32)}
    ref = ort_run([node("Resize", ["x", "roi", "scales"], ["y"], **attrs)], inputs)
    assert ref.shape == (N, C, OH, OW)
    ri, rw = taps_for(mode, ctm, nearest, H, OH, scales[0])
    ci, cw = taps_for(mode, ctm, nearest, W, OW, scales[1])
    taps = 0 if mode == "nearest" else len(ri) // OH
    ptr = lambda a: 0 if a is None else h.put(a)  # noqa: E731
    tables = (taps, h.put(ri), ptr(rw), h.put(ci), ptr(cw))
    return h.put(x), ref, (H, W, OH, OW), tables, N * C * OH


@pytest.mark.parametrize("name", list(CASES))
def test_resize(h, name):
    xp, ref, geo, tables, rows = _setup(h, *CASES[name])
    yp = h.out(ref.shape)
    h.call("resize_f32", xp, yp, *geo, 0, rows, *tables)
    y = h.get(yp, ref.shape)
    if CASES[name][2] == "nearest":
        np.testing.assert_array_equal(y, ref)
    else:
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["nearest_2x_asymmetric_floor", "nearest_3x_rows_only", "linear_2x_half_pixel",
                                  "cubic_2x"])
def test_resize_row_bands_equal_the_whole_call_bitwise(h, name):
    xp, ref, geo, tables, rows = _setup(h, *CASES[name])
    whole = h.out(ref.shape)
    h.call("resize_f32", xp, whole, *geo, 0, rows, *tables)
    banded = h.out(ref.shape)
    cuts = [0, 1, rows // 3, rows // 3 + 1, rows - 2, rows]  # bands that start on a copied row too
    for r0, r1 in zip(cuts, cuts[1:]):
        h.call("resize_f32", xp, banded, *geo, r0, r1, *tables)
        assert np.isnan(h.get(banded, ref.shape).reshape(rows, -1)[r1:]).all(), (r0, r1)
    np.testing.assert_array_equal(h.get(banded, ref.shape).view(np.uint32), h.get(whole, ref.shape).view(np.uint32))
