"""softmax_f32 (Softmax/LogSoftmax) and the normalisations against onnxruntime."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx_ref import node, ort_run


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


SOFTMAX_CASES = [((10,), 0), ((3, 7), 1), ((3, 7), 0), ((2, 1000), -1), ((4, 5, 6), 1), ((2, 3, 4, 9), 1),
                 ((2, 3, 4, 9), 2), ((5, 1, 3), 1), ((1, 1), 1), ((2, 4, 64, 64), -1), ((6, 2, 4), 0)]


@pytest.mark.parametrize("scale", [1.0, 60.0])
@pytest.mark.parametrize("log", [0, 1])
@pytest.mark.parametrize("shape,axis", SOFTMAX_CASES, ids=lambda v: str(v))
def test_softmax(h, shape, axis, log, scale):
    x = (_rng(shape, axis).standard_normal(shape) * scale).astype(np.float32)
    ref = ort_run([node("LogSoftmax" if log else "Softmax", ["x"], ["y"], axis=axis)], {"x": x})
    ax = axis % len(shape)
    outer, inner = int(np.prod(shape[:ax])), int(np.prod(shape[ax + 1:]))
    xp, yp = h.put(x), h.out(shape)
    h.call("softmax_f32", xp, yp, outer, shape[ax], inner, log)
    y = h.get(yp, shape)
    if log:
        np.testing.assert_allclose(y, ref, rtol=1e-6, atol=2e-6 * max(1.0, float(np.abs(ref).max()) / 10))
    else:
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-7)
        assert np.all(np.isfinite(y))


@pytest.mark.parametrize("shape", [(1, 3, 5, 5), (2, 7, 3, 11), (1, 16, 1, 1), (3, 2, 17, 1)])
def test_batchnorm(h, shape):
    rng = _rng("bn", shape)
    N, C, H, W = shape
    x = rng.standard_normal(shape).astype(np.float32)
    scale, bias, mean = (rng.standard_normal(C).astype(np.float32) for _ in range(3))
    var = rng.uniform(0.1, 2, C).astype(np.float32)
    inputs = dict(x=x, scale=scale, bias=bias, mean=mean, var=var)
    ref = ort_run([node("BatchNormalization", list(inputs), ["y"], epsilon=1e-3)], inputs)
    ptrs = [h.put(v) for v in inputs.values()]
    yp = h.out(shape)
    h.call("batchnorm_f32", *ptrs, yp, N, C, H * W, 1e-3)
    np.testing.assert_allclose(h.get(yp, shape), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("shape,axis", [((4, 8), -1), ((2, 5, 7), -1), ((3, 1), -1), ((2, 3, 768), -1),
                                        ((2, 3, 4, 5), 2), ((6, 33), 0)], ids=str)
def test_layernorm(h, shape, axis, with_bias):
    rng = _rng("ln", shape, axis)
    x = (rng.standard_normal(shape) * 3 + 5).astype(np.float32)
    ax = axis % len(shape)
    norm_shape = shape[ax:]
    scale = rng.standard_normal(norm_shape).astype(np.float32)
    bias = rng.standard_normal(norm_shape).astype(np.float32)
    inputs = dict(x=x, scale=scale) | (dict(bias=bias) if with_bias else {})
    ref = ort_run([node("LayerNormalization", list(inputs), ["y"], axis=axis, epsilon=1e-5)], inputs)
    outer, inner = int(np.prod(shape[:ax])), int(np.prod(norm_shape))
    xp, sp = h.put(x), h.put(scale)
    bp = h.put(bias) if with_bias else 0
    yp = h.out(shape)
    h.call("layernorm_f32", xp, sp, bp, yp, outer, inner, 1e-5)
    np.testing.assert_allclose(h.get(yp, shape), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(1, 3, 5, 5), (2, 4, 3, 11), (1, 2, 1, 1), (2, 3, 32, 33)])
def test_instancenorm(h, shape):
    rng = _rng("in", shape)
    N, C, H, W = shape
    x = (rng.standard_normal(shape) * 2 - 1).astype(np.float32)
    scale, bias = (rng.standard_normal(C).astype(np.float32) for _ in range(2))
    inputs = dict(x=x, scale=scale, bias=bias)
    ref = ort_run([node("InstanceNormalization", list(inputs), ["y"], epsilon=1e-5)], inputs)
    ptrs = [h.put(v) for v in inputs.values()]
    yp = h.out(shape)
    h.call("instancenorm_f32", *ptrs, yp, N, C, H * W, 1e-5)
    np.testing.assert_allclose(h.get(yp, shape), ref, rtol=1e-5, atol=1e-5)
