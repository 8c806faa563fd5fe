"""Quantization without a browser: the codecs against numpy, the per-consumer axis choice, sizes,
`auto` against the fixed encodings, onnxruntime's static int8, and the usage errors of the CLI.

Every ONNX piece here is also run through Python onnxruntime, since that is what onnxruntime-web
and webedge's runtime are compared against in the browser tests (tests/test_quantize_browser.py).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from webedge import cli, pretrained
from webedge.errors import WebedgeError
from webedge.quantize import codecs
from webedge.quantize.model import TOLERANCES, check_quantize_args, quantize_model
from webedge.quantize.weights import MIN_ELEMENTS, quantize_weights


# ---------------------------------------------------------------- helpers


def run_ort(model: onnx.ModelProto, feeds: dict | None = None) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds or {})


def restore_model(inits, nodes, name: str, shape, opset: int) -> onnx.ModelProto:
    """A model with no inputs whose only output is the codec's restored tensor."""
    graph = helper.make_graph(nodes, "restore", [], [helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))],
                              inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=6 if opset < 13 else 8)


def stored(inits, suffix: str) -> np.ndarray:
    return next(numpy_helper.to_array(t) for t in inits if t.name.endswith("::" + suffix))


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


def init_bytes(model: onnx.ModelProto) -> int:
    return sum(numpy_helper.to_array(t).nbytes for t in model.graph.initializer)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


RNG = np.random.default_rng(1234)


# ---------------------------------------------------------------- int8


@pytest.mark.parametrize("shape, axis", [((8, 5, 3), 0), ((8, 5, 3), 1), ((8, 5, 3), 2), ((16, 24), 1),
                                         ((16, 24), None)])
def test_int8_scales_are_max_abs_over_127_per_channel(shape, axis):
    w = RNG.standard_normal(shape).astype(np.float32) * RNG.uniform(0.01, 3, size=shape[axis] if axis is not None
                                                                      else 1).reshape(
        [-1 if i == axis else 1 for i in range(len(shape))]).astype(np.float32)
    inits, nodes, restored = codecs.int8("w", w, axis)
    q, scale = stored(inits, "int8"), stored(inits, "scale")
    assert q.dtype == np.int8 and q.shape == w.shape
    assert scale.dtype == np.float32
    others = tuple(i for i in range(w.ndim) if i != axis) if axis is not None else None
    want = (np.abs(w).max(axis=others, keepdims=True) / np.float32(127)).astype(np.float32)
    assert scale.shape == want.shape  # one scale per channel, broadcastable against w
    np.testing.assert_array_equal(scale, want)
    np.testing.assert_array_equal(q, np.clip(np.rint(w / want), -127, 127).astype(np.int8))
    np.testing.assert_array_equal(restored, q.astype(np.float32) * scale)
    # each channel's largest magnitude lands on +-127, and the error is at most half a step
    assert np.all(np.abs(q).max(axis=others) == 127)
    assert np.all(np.abs(restored - w) <= scale / 2 + 1e-7)


def test_int8_zero_channel_gets_scale_one_and_restores_exact_zeros():
    w = RNG.standard_normal((6, 40)).astype(np.float32)
    w[2] = 0.0
    w[:, 7] = 0.0  # a zero column is not a zero channel for axis 0
    inits, nodes, restored = codecs.int8("w", w, 0)
    scale = stored(inits, "scale")
    assert scale[2, 0] == 1.0
    assert np.all(scale[[0, 1, 3, 4, 5], 0] < 1.0)
    assert np.all(restored[2] == 0.0) and not np.signbit(restored[2]).any()
    assert np.all(restored[:, 7] == 0.0)
    (out,) = run_ort(restore_model(inits, nodes, "w", w.shape, 17))
    assert np.all(out[2] == 0.0)
    # an all-zero tensor per-tensor too
    inits, _, restored = codecs.int8("z", np.zeros((4, 80), np.float32), None)
    assert stored(inits, "scale").ravel().tolist() == [1.0] and not restored.any()


def test_int8_values_clip_to_symmetric_range_never_minus_128():
    w = np.array([[-1.0, 0.5, 1.0, -0.999], [-3.0, 3.0, 1.5, -1.5], [-2.0, -1.0, 0.0, 0.25]], np.float32)
    inits, _, restored = codecs.int8("w", w, 0)
    q = stored(inits, "int8")
    assert q.min() >= -127 and q.max() <= 127
    assert q[0].tolist() == [-127, 64, 127, -127]  # 0.5*127 = 63.5 rounds to even -> 64
    assert q[1].tolist() == [-127, 127, 64, -64]
    assert q[2, 0] == -127 and -128 not in q


@pytest.mark.parametrize("axis", [0, 1, None])
def test_int8_onnx_subgraph_matches_numpy_bit_for_bit(axis):
    w = (RNG.standard_normal((12, 33)) * 0.2).astype(np.float32)
    inits, nodes, restored = codecs.int8("w", w, axis)
    (out,) = run_ort(restore_model(inits, nodes, "w", w.shape, 17))
    np.testing.assert_array_equal(bits(out), bits(restored))


# ---------------------------------------------------------------- fp16


def test_fp16_is_exact_for_representable_values_and_rounds_like_numpy():
    exact = RNG.standard_normal((8, 64)).astype(np.float16).astype(np.float32)
    inits, nodes, restored = codecs.fp16("w", exact)
    assert stored(inits, "fp16").dtype == np.float16
    np.testing.assert_array_equal(bits(restored), bits(exact))
    (out,) = run_ort(restore_model(inits, nodes, "w", exact.shape, 17))
    np.testing.assert_array_equal(bits(out), bits(exact))

    w = RNG.standard_normal((8, 64)).astype(np.float32)
    inits, nodes, restored = codecs.fp16("w", w)
    np.testing.assert_array_equal(bits(restored), bits(w.astype(np.float16).astype(np.float32)))
    (out,) = run_ort(restore_model(inits, nodes, "w", w.shape, 17))
    np.testing.assert_array_equal(bits(out), bits(restored))
    assert np.all(np.abs(restored - w) <= np.abs(w) * 2.0 ** -11 + 1e-30)


# ---------------------------------------------------------------- int4


def decode_int4(packed: np.ndarray, scale: np.ndarray, k: int) -> np.ndarray:
    """An independent decoder: low nibble first, code - 8, times the block's fp16 scale."""
    lo, hi = packed & 0x0F, packed >> 4
    codes = np.empty(packed.shape[:-1] + (packed.shape[-1] * 2,), np.int16)
    codes[..., 0::2], codes[..., 1::2] = lo, hi
    values = (codes.astype(np.float32) - 8) * scale.astype(np.float32)
    return values.reshape(packed.shape[0], -1)[:, :k]


@pytest.mark.parametrize("block", [16, 32, 64])
@pytest.mark.parametrize("k", [64, 37, 100, 5])
def test_int4_blocks_odd_tails_fp16_scales_and_onnxruntime_bit_for_bit(block, k):
    w = (RNG.standard_normal((k, 24)) * 0.3).astype(np.float32)  # a MatMul weight [K, N]: blocks along K
    inits, nodes, restored = codecs.int4("w", w, 0, block)
    packed, scale = stored(inits, "int4"), stored(inits, "scale")
    nblocks = -(-k // block)
    assert packed.dtype == np.uint8 and packed.shape == (24, nblocks, block // 2)
    assert scale.dtype == np.float16 and scale.shape == (24, nblocks, 1)
    assert restored.shape == w.shape and restored.dtype == np.float32
    moved = w.T  # rows are N, the block axis last
    np.testing.assert_array_equal(bits(decode_int4(packed, scale, k).T), bits(restored))
    # the zero padding of the tail block does not count: over the tensor the squared error is at
    # most plain rounding's at max |w| / 7, and each block's restored sum is within half a step
    padded = np.zeros((24, nblocks * block), np.float32)
    padded[:, :k] = moved
    blocks = padded.reshape(24, nblocks, block)
    plain_s = (np.abs(blocks).max(axis=2, keepdims=True) / 7.0).astype(np.float16).astype(np.float32)
    plain = np.clip(np.rint(blocks / plain_s), -8, 7) * plain_s
    got = np.zeros_like(padded)
    got[:, :k] = restored.T
    got = got.reshape(24, nblocks, block)
    assert np.square(got - blocks).sum() <= np.square(plain - blocks).sum()
    assert np.all(np.abs((got - blocks).sum(axis=2)) <= scale[..., 0].astype(np.float32) * 0.5 * (1 + 1e-3))
    # no value further than one step from the original, or than the clipping of the block's largest
    step = np.repeat(scale.astype(np.float32), block, axis=2).reshape(24, -1)[:, :k].T
    amax = np.repeat(np.abs(blocks).max(axis=2, keepdims=True), block, axis=2).reshape(24, -1)[:, :k].T
    assert np.all(np.abs(restored - w) <= np.maximum(step, amax - 7 * step) * (1 + 1e-3) + 1e-6)
    (out,) = run_ort(restore_model(inits, nodes, "w", w.shape, 17))
    np.testing.assert_array_equal(bits(out), bits(restored))


def test_int4_packing_is_low_nibble_first():
    # one row, one block of 8: max |w| = 7 so the fp16 scale is exactly 1 and the codes are w + 8
    w = np.array([[1, 2, 3, -7, 7, 0, -1, -4]], np.float32)
    inits, _, restored = codecs.int4("w", w, 1, 8)
    assert stored(inits, "scale").ravel().tolist() == [1.0]
    codes = (w[0] + 8).astype(int).tolist()  # [9, 10, 11, 1, 15, 8, 7, 4]
    want = [codes[i] | (codes[i + 1] << 4) for i in range(0, 8, 2)]
    assert stored(inits, "int4").ravel().tolist() == want == [0xA9, 0x1B, 0x8F, 0x47]
    np.testing.assert_array_equal(restored, w)


@pytest.mark.parametrize("shape, block_axis", [((3, 40, 10), 1), ((40, 6, 5), 0), ((4, 5, 70), 2), ((70, 9), 0),
                                               ((9, 70), 1)])
def test_int4_block_axis_anywhere_restores_the_original_layout(shape, block_axis):
    w = (RNG.standard_normal(shape)).astype(np.float32)
    inits, nodes, restored = codecs.int4("w", w, block_axis, 16)
    assert restored.shape == w.shape
    k = shape[block_axis]
    assert stored(inits, "int4").shape[1] == -(-k // 16)
    assert np.abs(restored - w).max() <= np.abs(w).max() / 7  # the block order matches the data
    (out,) = run_ort(restore_model(inits, nodes, "w", w.shape, 17))
    np.testing.assert_array_equal(bits(out), bits(restored))


def test_int4_all_zero_block_gets_scale_one_and_restores_zeros():
    w = RNG.standard_normal((4, 64)).astype(np.float32)
    w[1, 32:] = 0.0
    inits, nodes, restored = codecs.int4("w", w, 1, 32)
    assert stored(inits, "scale")[1, 1, 0] == 1.0
    assert np.all(restored[1, 32:] == 0.0)


# ---------------------------------------------------------------- every codec at opset 11 and 17


CODECS = {
    "fp16": lambda w: codecs.fp16("layer.weight", w),
    "int8-axis0": lambda w: codecs.int8("layer.weight", w, 0),
    "int8-per-tensor": lambda w: codecs.int8("layer.weight", w, None),
    "int4-last": lambda w: codecs.int4("layer.weight", w, 1, 32),
    "int4-first": lambda w: codecs.int4("layer.weight", w, 0, 16),
}


@pytest.mark.parametrize("opset", [11, 17])
@pytest.mark.parametrize("codec", list(CODECS))
def test_codec_subgraph_passes_checker_and_runs_in_onnxruntime(codec, opset):
    """The restore subgraphs claim to be standard ops valid at any opset: PP-OCR's models are opset 11."""
    w = (RNG.standard_normal((20, 45)) * 0.5).astype(np.float32)
    inits, nodes, restored = CODECS[codec](w)
    model = restore_model(inits, nodes, "layer.weight", w.shape, opset)
    onnx.checker.check_model(model, full_check=True)
    (out,) = run_ort(model)
    np.testing.assert_array_equal(bits(out), bits(restored))


# ---------------------------------------------------------------- quantize_weights on a whole model


def make_model(extra_nodes=(), opset: int = 17) -> onnx.ModelProto:
    """Every consumer kind: Conv, ConvTranspose, MatMul (2-D and 3-D), Gemm transB 0/1, Gather, a 1-D
    bias, a small weight, and a weight held in a Constant node."""
    r = np.random.default_rng(5)
    f = lambda *s: (r.standard_normal(s) * 0.2).astype(np.float32)  # noqa: E731
    inits = {"conv.w": f(16, 4, 3, 3), "convt.w": f(16, 8, 3, 3), "mm.w": f(64, 48), "mm3.w": f(2, 64, 20),
             "gemm0.w": f(64, 40), "gemm1.w": f(40, 64), "emb.w": f(50, 32), "mm.b": f(48), "small.w": f(8, 16)}
    const = f(64, 24)
    nodes = [
        helper.make_node("Conv", ["img", "conv.w"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("ConvTranspose", ["c1", "convt.w"], ["c2"]),
        helper.make_node("MatMul", ["v", "mm.w"], ["m1"]),
        helper.make_node("Add", ["m1", "mm.b"], ["m2"]),
        helper.make_node("MatMul", ["v3", "mm3.w"], ["m3"]),
        helper.make_node("Gemm", ["v", "gemm0.w"], ["g0"], transB=0),
        helper.make_node("Gemm", ["v", "gemm1.w"], ["g1"], transB=1),
        helper.make_node("Gather", ["emb.w", "ids"], ["e"], axis=0),
        helper.make_node("MatMul", ["s", "small.w"], ["sm"]),
        helper.make_node("Constant", [], ["const.w"], value=numpy_helper.from_array(const, "const.w")),
        helper.make_node("MatMul", ["v", "const.w"], ["cm"]),
        *extra_nodes,
    ]
    vi = helper.make_tensor_value_info
    inputs = [vi("img", TensorProto.FLOAT, [1, 4, 8, 8]), vi("v", TensorProto.FLOAT, [2, 64]),
              vi("v3", TensorProto.FLOAT, [2, 3, 64]), vi("ids", TensorProto.INT64, [3]),
              vi("s", TensorProto.FLOAT, [2, 8])]
    shapes = {"c2": [1, 8, 10, 10], "m2": [2, 48], "m3": [2, 3, 20], "g0": [2, 40], "g1": [2, 40], "e": [3, 32],
              "sm": [2, 16], "cm": [2, 24]}
    outputs = [vi(n, TensorProto.FLOAT, shape) for n, shape in shapes.items()]
    graph = helper.make_graph(nodes, "consumers", inputs, outputs,
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


FEEDS = {"img": RNG.standard_normal((1, 4, 8, 8)).astype(np.float32),
         "v": RNG.standard_normal((2, 64)).astype(np.float32),
         "v3": RNG.standard_normal((2, 3, 64)).astype(np.float32),
         "ids": np.array([0, 49, 7], np.int64), "s": RNG.standard_normal((2, 8)).astype(np.float32)}


def scale_shape(model: onnx.ModelProto, name: str) -> tuple:
    return tuple(next(t.dims for t in model.graph.initializer if t.name == f"{name}::scale"))


def test_int8_axis_follows_the_consumer():
    model = make_model()
    q, decisions = quantize_weights(model, "int8")
    enc = {d.name: d.encoding for d in decisions}
    assert scale_shape(q, "conv.w") == (16, 1, 1, 1)  # Conv: output channels, axis 0
    assert scale_shape(q, "convt.w") == (1, 8, 1, 1)  # ConvTranspose: axis 1
    assert scale_shape(q, "mm.w") == (1, 48)  # MatMul: the last axis (N)
    assert scale_shape(q, "mm3.w") == (1, 1, 20)
    assert scale_shape(q, "gemm0.w") == (1, 40)  # Gemm transB=0: B is [K, N], axis 1
    assert scale_shape(q, "gemm1.w") == (40, 1)  # Gemm transB=1: B is [N, K], axis 0
    assert scale_shape(q, "emb.w") == (50, 1)  # Gather: one scale per row
    assert enc["const.w"] == "int8" and scale_shape(q, "const.w") == (1, 24)
    assert enc["mm.b"] == "fp32" and enc["small.w"] == "fp32"


def test_a_weight_read_by_two_kinds_of_consumer_gets_one_scale():
    shared = helper.make_node("MatMul", ["v", "gemm0.w"], ["extra"])  # gemm0.w also read by Gemm transB=0: same axis
    q, _ = quantize_weights(make_model([shared]), "int8")
    assert scale_shape(q, "gemm0.w") == (1, 40)
    odd = helper.make_node("Gemm", ["v", "mm.w"], ["extra2"], transB=0)
    q, _ = quantize_weights(make_model([helper.make_node("Transpose", ["mm.w"], ["extra3"]), odd]), "int8")
    assert scale_shape(q, "mm.w") == (1, 1)  # read by a Transpose as well: per tensor


def test_int4_blocks_follow_the_reduction_axis_and_conv_falls_back_to_int8():
    q, decisions = quantize_weights(make_model(), "int4", block=32)
    enc = {d.name: d.encoding for d in decisions}
    assert enc["conv.w"] == "int8" and enc["convt.w"] == "int8"
    for name in ("mm.w", "mm3.w", "gemm0.w", "gemm1.w", "emb.w", "const.w"):
        assert enc[name] == "int4", name
    packed = {t.name[:-len("::int4")]: tuple(t.dims) for t in q.graph.initializer if t.name.endswith("::int4")}
    assert packed["mm.w"] == (48, 2, 16)  # [N rows, ceil(K=64/32) blocks, 16 bytes]
    assert packed["mm3.w"] == (40, 2, 16)  # [2*20 rows, ...]
    assert packed["gemm0.w"] == (40, 2, 16)  # transB=0: K is axis 0
    assert packed["gemm1.w"] == (40, 2, 16)  # transB=1: K is axis 1
    assert packed["emb.w"] == (50, 1, 16)  # Gather: blocks along the embedding axis
    assert enc["mm.b"] == "fp32" and enc["small.w"] == "fp32"


@pytest.mark.parametrize("encoding", ["fp16", "int8", "int4"])
def test_quantized_model_keeps_its_interface_and_stays_close(encoding):
    model = make_model()
    q, decisions = quantize_weights(model, encoding)
    onnx.checker.check_model(q, full_check=True)
    assert [o.name for o in q.graph.output] == [o.name for o in model.graph.output]
    assert [i.name for i in q.graph.input] == [i.name for i in model.graph.input]
    assert not any(n.op_type == "Constant" and n.output[0] == "const.w" for n in q.graph.node)
    kept = {t.name for t in q.graph.initializer}
    assert {"mm.b", "small.w"} <= kept and "mm.w" not in kept  # small/1-D kept, big replaced
    assert next(numpy_helper.to_array(t) for t in q.graph.initializer if t.name == "mm.b").dtype == np.float32
    ref, got = run_ort(model, FEEDS), run_ort(q, FEEDS)
    floor = {"fp16": 0.9999, "int8": 0.999, "int4": 0.98}[encoding]
    for name, r, g in zip([o.name for o in model.graph.output], ref, got):
        assert g.shape == r.shape and cosine(r, g) >= floor, (name, cosine(r, g))
    # the numbers each decision records are the restored error of that tensor
    assert all(d.max_abs_error == 0.0 for d in decisions if d.encoding == "fp32")
    assert all(0 < d.bytes < d.fp32_bytes for d in decisions if not d.reason)


def test_small_and_one_dimensional_tensors_stay_float32():
    r = np.random.default_rng(0)
    w_small = r.standard_normal((MIN_ELEMENTS - 1, 1)).astype(np.float32)  # 2-D but under the limit
    w_vec = r.standard_normal(4096).astype(np.float32)  # big but 1-D
    nodes = [helper.make_node("Mul", ["x", "vec"], ["y"]), helper.make_node("MatMul", ["z", "small"], ["t"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4096]),
                                           helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
                               helper.make_tensor_value_info("t", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(w_vec, "vec"), numpy_helper.from_array(w_small.T.copy(), "small")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    for encoding in ("fp16", "int8", "int4"):
        q, decisions = quantize_weights(model, encoding)
        assert {d.name: d.encoding for d in decisions} == {"vec": "fp32", "small": "fp32"}
        assert len(q.graph.node) == 2


def test_vector_shaped_tensors_stay_float32():
    """(1, 512) and (1, 512, 1): how jax2tf exports Magika's LayerNorm scales and Conv bias."""
    r = np.random.default_rng(1)
    row, col = r.standard_normal((1, 512)).astype(np.float32), r.standard_normal((1, 512, 1)).astype(np.float32)
    nodes = [helper.make_node("Mul", ["x", "row"], ["y"]), helper.make_node("Add", ["z", "col"], ["t"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 512]),
                                           helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 512, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
                               helper.make_tensor_value_info("t", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(row, "row"), numpy_helper.from_array(col, "col")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    for encoding in ("fp16", "int8", "int4"):
        _, decisions = quantize_weights(model, encoding)
        assert {d.name: (d.encoding, d.reason) for d in decisions} == {
            "row": ("fp32", "1-D or vector-shaped (bias, norm, vector)"),
            "col": ("fp32", "1-D or vector-shaped (bias, norm, vector)")}


def one_hot_model(cast_of_equal: bool) -> onnx.ModelProto:
    """y = one_hot(ids, 64) @ table @ w: a lookup written as a MatMul (jax2tf's Cast(Equal) or
    OneHot), then an ordinary MatMul."""
    r = np.random.default_rng(2)
    inits = [numpy_helper.from_array((r.standard_normal((64, 32)) * 0.3).astype(np.float32), "table"),
             numpy_helper.from_array((r.standard_normal((32, 16)) * 0.3).astype(np.float32), "w"),
             numpy_helper.from_array(np.arange(64, dtype=np.int64).reshape(1, 64), "classes"),
             numpy_helper.from_array(np.array(64, np.int64), "depth"),
             numpy_helper.from_array(np.array([0.0, 1.0], np.float32), "values")]
    if cast_of_equal:
        nodes = [helper.make_node("Unsqueeze", ["ids", "axis"], ["ids2"]),
                 helper.make_node("Equal", ["ids2", "classes"], ["eq"]),
                 helper.make_node("Cast", ["eq"], ["hot"], to=TensorProto.FLOAT)]
        inits.append(numpy_helper.from_array(np.array([-1], np.int64), "axis"))
    else:
        nodes = [helper.make_node("OneHot", ["ids", "depth", "values"], ["hot"])]
    nodes += [helper.make_node("MatMul", ["hot", "table"], ["e"]), helper.make_node("MatMul", ["e", "w"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("ids", TensorProto.INT64, [5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


@pytest.mark.parametrize("cast_of_equal", [True, False])
def test_int8_stores_a_one_hot_matmuls_table_fp16(cast_of_equal):
    """A lookup copies its rows into the activations as they are: int8 would not be averaged out."""
    model = one_hot_model(cast_of_equal)
    q, decisions = quantize_weights(model, "int8")
    enc = {d.name: d.encoding for d in decisions if d.name in ("table", "w")}
    assert enc == {"table": "fp16", "w": "int8"}
    feeds = {"ids": np.array([0, 3, 17, 63, 5], np.int64)}
    assert cosine(run_ort(model, feeds)[0], run_ort(q, feeds)[0]) >= 0.9999
    # int4 and auto keep their own rules: the table gets int4 blocks, auto measures it
    assert {d.name: d.encoding for d in quantize_weights(model, "int4")[1] if d.name == "table"} == {"table": "int4"}


# ---------------------------------------------------------------- sizes


def mlp(n: int = 4, d: int = 256, seed: int = 0) -> onnx.ModelProto:
    """A MatMul-heavy model: n [d, d] layers with tanh between, one layer with a few outlier columns."""
    r = np.random.default_rng(seed)
    inits, nodes, prev = [], [], "x"
    for i in range(n):
        w = (r.standard_normal((d, d)) / np.sqrt(d)).astype(np.float32)
        if i == 1:
            w[:, :8] *= 20
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        nodes.append(helper.make_node("MatMul", [prev, f"w{i}"], [f"h{i}"]))
        prev = f"h{i}"
        if i < n - 1:
            nodes.append(helper.make_node("Tanh", [prev], [f"t{i}"]))
            prev = f"t{i}"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", d])],
                              [helper.make_tensor_value_info(prev, TensorProto.FLOAT, ["b", d])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


@pytest.fixture(scope="module")
def calib(tmp_path_factory):
    path = tmp_path_factory.mktemp("calib") / "x.npz"
    np.savez(path, x=np.random.default_rng(1).standard_normal((16, 256)).astype(np.float32))
    return path


@pytest.mark.parametrize("encoding, at_most", [("fp16", 0.50), ("int8", 0.27), ("int4", 0.16)])
def test_stored_bytes_on_a_matmul_heavy_model(encoding, at_most):
    model = mlp()
    q, record = quantize_model(model, encoding=encoding)
    ratio = init_bytes(q) / init_bytes(model)  # everything stored, scales and helper constants included
    assert ratio <= at_most, (encoding, ratio)
    assert record["ratio"] <= at_most and record["tensors_by_encoding"] == {encoding: 4}
    assert record["tolerance"] == TOLERANCES[encoding]


def measure(model, q, metric: str, feeds) -> float:
    (ref,), (got,) = run_ort(model, feeds), run_ort(q, feeds)
    if metric == "cosine":
        return cosine(ref, got)
    if metric == "max_abs":
        return float(np.abs(ref - got).max())
    return float((ref.argmax(-1) == got.argmax(-1)).mean())


def meets(metric: str, value: float, limit: float) -> bool:
    return value <= limit if metric == "max_abs" else value >= limit


@pytest.mark.parametrize("tolerance", ["cosine=0.9999", "cosine=0.99", "max_abs=0.02", "top1=0.99"])
def test_auto_meets_its_budget_and_beats_every_fixed_encoding_that_does(tolerance, calib):
    model = mlp()
    feeds = {"x": np.load(calib)["x"]}
    metric, limit = tolerance.split("=")[0], float(tolerance.split("=")[1])
    q, record = quantize_model(model, encoding="auto", tolerance=tolerance, calibration=calib)
    onnx.checker.check_model(q)
    got = measure(model, q, metric, feeds)
    assert meets(metric, got, limit), (tolerance, got)
    fixed = {}
    for enc in ("fp16", "int8", "int4"):
        fq, _ = quantize_model(model, encoding=enc)
        if meets(metric, measure(model, fq, metric, feeds), limit):
            fixed[enc] = init_bytes(fq)
    assert fixed, "no fixed encoding meets this budget: the case tests nothing"
    assert init_bytes(q) <= min(fixed.values()), (record["tensors_by_encoding"], fixed, init_bytes(q))
    assert init_bytes(q) < init_bytes(model)
    assert record["metric"]["name"] == metric and meets(metric, record["metric"]["measured"], limit)


def test_auto_mixes_encodings_when_no_uniform_one_is_smallest(calib):
    """cosine=0.99: int4 everywhere misses it, int8 everywhere meets it; a mix is smaller than int8."""
    model = mlp()
    q, record = quantize_model(model, encoding="auto", tolerance="cosine=0.99", calibration=calib)
    int8_model, _ = quantize_model(model, encoding="int8")
    assert init_bytes(q) < init_bytes(int8_model)
    assert set(record["tensors_by_encoding"]) >= {"int4"}


def test_auto_without_calibration_uses_seeded_inputs():
    model = mlp(n=2)
    q, record = quantize_model(model, encoding="auto", tolerance="cosine=0.999")
    assert record["calibration_sets"] == 4 and record["ratio"] < 1


# ---------------------------------------------------------------- int8-static


def test_int8_static_writes_quantize_dequantize_pairs(calib):
    logging.getLogger().setLevel(logging.ERROR)  # the quantizer's "consider pre-processing" advice
    model = mlp()
    q, record = quantize_model(model, encoding="int8-static", calibration=calib)
    ops = {n.op_type for n in q.graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    assert record["encoding"] == "int8-static" and record["tensors_by_encoding"]["qdq"] > 0
    assert record["ratio"] < 0.3
    feeds = {"x": np.load(calib)["x"]}
    assert cosine(run_ort(model, feeds)[0], run_ort(q, feeds)[0]) >= TOLERANCES["int8-static"]["min_cosine"]


def magika_rows(paths: list[Path]) -> np.ndarray:
    from webedge.magika_features import features, load_config

    config = load_config(pretrained.fetch("magika", pretrained.MODELS["magika"].extras[0]))
    rows = []
    for p in paths:
        with open(p, "rb") as f:
            head = f.read(config["block_size"])
            f.seek(max(0, p.stat().st_size - config["block_size"]))
            rows.append(features(head if p.stat().st_size <= config["block_size"] else head + f.read(), config))
    return np.stack(rows)


def real_files() -> list[Path]:
    """Files every Debian machine running these tests has: a binary, Python sources, text, configs."""
    import email.message
    import json

    candidates = [Path(sys.executable).resolve(), Path(np.__file__), Path(json.__file__), Path(email.message.__file__),
                  Path("/etc/passwd"), Path("/etc/services"), Path("/usr/include/stdio.h"),
                  Path("/usr/share/common-licenses/GPL-3"), Path(onnx.__file__).with_name("onnx_ml_pb2.py")]
    return [p for p in candidates if p.is_file() and p.stat().st_size >= 64]


def test_int8_static_keeps_magikas_outputs_within_its_own_tolerance(magika_model, tmp_path):
    """Product bug: quantize_static with no op_types_to_quantize puts QDQ on every Mul/Add/Sub, and
    Magika's decomposed LayerNorm (E[x^2] - E[x]^2) cancels catastrophically in uint8."""
    logging.getLogger().setLevel(logging.ERROR)
    rows = magika_rows(real_files())
    np.savez(tmp_path / "cal.npz", bytes=rows)
    model = onnx.load(magika_model)
    q, _ = quantize_model(model, encoding="int8-static", calibration=tmp_path / "cal.npz")
    ref, got = run_ort(model, {"bytes": rows})[0], run_ort(q, {"bytes": rows})[0]
    tol = TOLERANCES["int8-static"]
    assert cosine(ref, got) >= tol["min_cosine"], cosine(ref, got)
    assert np.all(np.abs(ref - got) <= tol["atol"] + tol["rtol"] * np.abs(ref)), np.abs(ref - got).max()
    confident = ref.max(-1) > 0.5  # a near-tie (e.g. /etc/passwd: yaml 0.25 vs csv) may flip
    assert np.array_equal(ref.argmax(-1)[confident], got.argmax(-1)[confident])


# ---------------------------------------------------------------- usage errors through the CLI


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "mlp.onnx"
    onnx.save(mlp(n=2), path)
    return path


@pytest.mark.parametrize("args, message", [
    (["--quantize", "auto"], "--quantize auto needs --tolerance"),
    (["--quantize", "auto", "--tolerance", "cosine0.999"], "--tolerance 'cosine0.999'"),
    (["--quantize", "auto", "--tolerance", "recall=0.9"], "--tolerance 'recall=0.9'"),
    (["--quantize", "auto", "--tolerance", "cosine=high"], "'high' is not a number"),
    (["--quantize", "int8-static"], "--quantize int8-static needs --calibration-data"),
    (["--quantize", "int8-static", "--calibration-data", "/nonexistent/cal.npz"], "no such file or folder"),
    (["--quantize", "int4", "--block-size", "31"], "--block-size must be an even number"),
    (["--quantize", "int4", "--block-size", "0"], "--block-size must be an even number"),
])
def test_bad_quantize_usage_is_a_one_line_error_with_exit_2(args, message, small_model, tmp_path, capsys):
    out = tmp_path / "site"
    code = cli.main(["bundle", str(small_model), "-o", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("webedge: error: ") and message in lines[0], err
    assert "Traceback" not in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]


@pytest.mark.parametrize("tolerance", ["top1=99", "cosine=1.5", "max_abs=-0.1"])
def test_out_of_range_tolerance_is_rejected_not_silently_unquantized(tolerance, small_model, tmp_path, capsys):
    """top1=99 (a percentage) can never be met: `auto` would quietly keep every weight in float32."""
    code = cli.main(["bundle", str(small_model), "-o", str(tmp_path / "site"), "--quantize", "auto",
                     "--tolerance", tolerance])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("webedge: error: ") and len(err.strip().splitlines()) == 1, (code, err)


def test_check_quantize_args_accepts_the_documented_forms(calib):
    assert check_quantize_args("int4", 16, None, None)["block_size"] == 16
    assert check_quantize_args("auto", 32, "top1=0.99", calib)["tolerance"] == "top1=0.99"
    with pytest.raises(WebedgeError, match="unknown --quantize 'int2'"):
        check_quantize_args("int2", 32, None, None)


# ---------------------------------------------------------------- auto on webedge's runtime


def test_auto_on_the_webedge_backend_with_a_fusable_activation(tmp_path, calib):
    """webedge's runtime gets the graph after `native.prepare`, which fuses Conv/Gemm + Relu into a
    Conv/Gemm with a private `_act` attribute; `auto` must still be able to score its candidates
    (onnxruntime refuses such a node) and so bundle the model."""
    from webedge.bundle import bundle

    r = np.random.default_rng(2)
    inits = [numpy_helper.from_array((r.standard_normal((256, 256)) / 16).astype(np.float32), "fc1.w"),
             numpy_helper.from_array(np.zeros(256, np.float32), "fc1.b"),
             numpy_helper.from_array((r.standard_normal((256, 256)) / 16).astype(np.float32), "fc2.w")]
    nodes = [helper.make_node("Gemm", ["x", "fc1.w", "fc1.b"], ["h"], transB=1),
             helper.make_node("Relu", ["h"], ["a"]),
             helper.make_node("MatMul", ["a", "fc2.w"], ["y"])]
    graph = helper.make_graph(nodes, "fused", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", 256])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", 256])], inits)
    path = tmp_path / "gemm_relu.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path)
    rep = bundle(path, tmp_path / "site", backend="webedge", quantize="auto", tolerance="cosine=0.999",
                 calibration=calib)
    assert rep["backend"]["name"] == "webedge" and rep["quantization"]["ratio"] < 0.6
