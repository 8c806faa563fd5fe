"""Quantize one float32 array and write the ONNX nodes that restore it.

Each codec returns the stored initializers, the nodes computing the float32 tensor under its
original name, and the float32 values those nodes produce (for measuring the error in numpy).
Shapes: `axis` is the output-channel axis (one scale per channel); int4 blocks run along the
reduction axis `block_axis` (K of a MatMul weight), `block` values per fp16 scale.

int4 is chosen here in numpy rather than by onnxruntime's `MatMul4BitsQuantizer`: its output is a
`MatMulNBits` node (a com.microsoft contrib op that webedge's runtime does not run, and which
would replace the MatMul rather than restore its weight) or, in QDQ form, a blocked int4
`DequantizeLinear`, which needs opset 21 where webedge keeps the model's own (PP-OCR: 11);
its default rounding is max/7 like the old codec here, and its module needs `onnx_ir`. The
nibble-unpacking subgraph below is standard ONNX at any opset and runs on both backends; only how
the scales and codes are chosen changed (`_int4_codes`).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _name(base: str, suffix: str) -> str:
    return f"{base}::{suffix}"


def fp16(name: str, w: np.ndarray) -> tuple[list, list, np.ndarray]:
    h = w.astype(np.float16)
    stored = numpy_helper.from_array(h, _name(name, "fp16"))
    node = helper.make_node("Cast", [stored.name], [name], to=TensorProto.FLOAT, name=_name(name, "dequant"))
    return [stored], [node], h.astype(np.float32)


def int8(name: str, w: np.ndarray, axis: int | None) -> tuple[list, list, np.ndarray]:
    """Symmetric int8, one scale per slice along `axis` (per tensor when axis is None)."""
    reduce_axes = tuple(i for i in range(w.ndim) if i != axis) if axis is not None else None
    amax = np.abs(w).max(axis=reduce_axes, keepdims=True) if w.size else np.zeros((1,) * w.ndim, np.float32)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)  # zero channels keep scale 1
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    stored_q = numpy_helper.from_array(q, _name(name, "int8"))
    stored_s = numpy_helper.from_array(scale, _name(name, "scale"))
    cast = helper.make_node("Cast", [stored_q.name], [_name(name, "int8f")], to=TensorProto.FLOAT,
                            name=_name(name, "cast"))
    mul = helper.make_node("Mul", [cast.output[0], stored_s.name], [name], name=_name(name, "dequant"))
    return [stored_q, stored_s], [cast, mul], (q.astype(np.float32) * scale)


# Clipping ratios tried per int4 block: the scale is ratio * max|w| / 7. 1.0 first, so a block that
# loses nothing keeps max/7. On the MLP of tests/test_quantize_accuracy.py no block chose under
# 0.7; also trying max/8 (the code -8 at the most negative value) gained nothing and cost 50% more.
CLIP_RATIOS = np.linspace(1.0, 0.7, 31)
CHUNK = 4096  # blocks searched at a time: the dozen arrays per candidate stay in cache (1.5x faster here)


def _sum_preserving_codes(x: np.ndarray, lo: int, hi: int, real: np.ndarray) -> np.ndarray:
    """Round `x` (values in units of its block's scale, [..., block]) to integer codes in [lo, hi]
    whose block sum stays within half a step of the exact sum (`real` is False on the zero padding
    of a tail block, which must keep code 0).

    Plain rounding leaves each block's errors summing to a random walk (about 1.6 steps for 32
    values). An input with a non-zero mean, as every Relu output and every [0, 1) image is, reads
    that sum at full strength: in a 256-1024-256-10 Relu MLP it was most of int4's output error.
    So the k = round(sum of errors) codes whose rounding went furthest in that direction move one
    step back, the cheapest change in squared error that cancels the sum."""
    q = np.clip(np.rint(x), lo, hi)
    err = q - x
    k = np.rint(err.sum(axis=-1, keepdims=True))  # > 0: k codes move down; < 0: -k codes move up
    down = np.where((q > lo) & real, err, -np.inf)  # largest rounding-up error first
    up = np.where((q < hi) & real, -err, -np.inf)  # largest rounding-down error first
    for key, sign, count in ((down, -1.0, k), (up, 1.0, -k)):
        n = np.clip(count, 0, x.shape[-1]).astype(np.int64)
        ranked = -np.sort(-key, axis=-1)  # descending
        kth = np.take_along_axis(ranked, np.maximum(n - 1, 0), axis=-1)
        chosen = (n > 0) & (key >= kth) & np.isfinite(key)
        q = q + sign * chosen
    return q


def _int4_codes(blocks: np.ndarray, real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes in [-8, 7], fp16 scales [rows, nblocks, 1]) for `blocks` [rows, nblocks, block]: per
    block, of the CLIP_RATIOS candidates, the scale whose sum-preserving codes restore the block
    with the least squared error."""
    amax = np.abs(blocks).max(axis=2, keepdims=True)
    best_q = best_s = best_err = None
    for ratio in CLIP_RATIOS:
        scale = (amax * ratio / 7.0).astype(np.float16)
        scale = np.where(scale > 0, scale, np.float16(1.0))  # zero blocks keep scale 1
        s32 = scale.astype(np.float32)
        q = _sum_preserving_codes(blocks / s32, -8, 7, real)
        err = np.square(q * s32 - blocks).sum(axis=2, keepdims=True)
        if best_err is None:
            best_q, best_s, best_err = q, scale, err
            continue
        better = err < best_err
        best_q = np.where(better, q, best_q)
        best_s = np.where(better, scale, best_s)
        best_err = np.where(better, err, best_err)
    return best_q, best_s


def int4(name: str, w: np.ndarray, block_axis: int, block: int = 32) -> tuple[list, list, np.ndarray]:
    """Symmetric int4 in blocks of `block` along `block_axis`, fp16 scales, two values per byte.

    Stored: uint8 [rows, nblocks, block/2] (q + 8 in each nibble, low nibble first) and fp16
    scales [rows, nblocks, 1], where rows are all the other axes with block_axis moved last.
    Scales and codes come from `_int4_codes` (a clipping search, sums kept): on the MLP of
    docs/quantization.md that took the worst output cosine on the four generated input sets from
    0.974 to 0.993 at the same 14.1% of float32 bytes."""
    moved = np.moveaxis(w, block_axis, -1)
    lead, k = moved.shape[:-1], moved.shape[-1]
    rows = int(np.prod(lead)) if lead else 1
    nblocks = -(-k // block)
    padded = np.zeros((rows, nblocks * block), np.float32)
    padded[:, :k] = moved.reshape(rows, k)
    blocks = padded.reshape(rows, nblocks, block)
    real = (np.arange(nblocks * block) < k).reshape(1, nblocks, block)
    codes = np.empty_like(blocks)
    scale = np.empty((rows, nblocks, 1), np.float16)
    flat_b, flat_c, flat_s = blocks.reshape(-1, 1, block), codes.reshape(-1, 1, block), scale.reshape(-1, 1, 1)
    flat_real = np.broadcast_to(real, blocks.shape).reshape(-1, 1, block)
    for i in range(0, rows * nblocks, CHUNK):
        flat_c[i:i + CHUNK], flat_s[i:i + CHUNK] = _int4_codes(flat_b[i:i + CHUNK], flat_real[i:i + CHUNK])
    q = codes.astype(np.int16) + 8  # 0..15
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    restored = ((q.astype(np.float32) - 8) * scale.astype(np.float32)).reshape(rows, -1)[:, :k]
    restored = np.moveaxis(restored.reshape(*lead, k), -1, block_axis)

    n = lambda s: _name(name, s)  # noqa: E731 - a local short-hand for the node names below
    stored_q = numpy_helper.from_array(packed, n("int4"))
    stored_s = numpy_helper.from_array(scale, n("scale"))
    consts = {
        "sixteen": np.array(16, np.int32), "eight": np.array(8.0, np.float32),
        "halves": np.array([rows, nblocks, block // 2, 1], np.int64), "flat": np.array([rows, nblocks * block], np.int64),
        "blocks": np.array([rows, nblocks, block], np.int64), "start": np.array([0], np.int64),
        "end": np.array([k], np.int64), "axis1": np.array([1], np.int64),
        "shape": np.array([*lead, k], np.int64),
    }
    inits = [stored_q, stored_s] + [numpy_helper.from_array(v, n(key)) for key, v in consts.items()]
    nodes = [
        # widened first: onnxruntime has no uint8 Div/Mod kernels
        helper.make_node("Cast", [n("int4")], [n("packed32")], to=TensorProto.INT32),
        helper.make_node("Mod", [n("packed32"), n("sixteen")], [n("lo")]),       # low nibbles  [rows, nb, block/2]
        helper.make_node("Div", [n("packed32"), n("sixteen")], [n("hi")]),       # high nibbles [rows, nb, block/2]
        # Reshape, not Unsqueeze: Unsqueeze takes its axes as an input only from opset 13
        helper.make_node("Reshape", [n("lo"), n("halves")], [n("lo3")]),
        helper.make_node("Reshape", [n("hi"), n("halves")], [n("hi3")]),
        helper.make_node("Concat", [n("lo3"), n("hi3")], [n("pairs")], axis=3),  # [rows, nb, block/2, 2]
        helper.make_node("Reshape", [n("pairs"), n("blocks")], [n("codes")]),    # [rows, nb, block]
        helper.make_node("Cast", [n("codes")], [n("codesf")], to=TensorProto.FLOAT),
        helper.make_node("Sub", [n("codesf"), n("eight")], [n("centered")]),
        helper.make_node("Cast", [n("scale")], [n("scalef")], to=TensorProto.FLOAT),
        helper.make_node("Mul", [n("centered"), n("scalef")], [n("scaled")]),
        helper.make_node("Reshape", [n("scaled"), n("flat")], [n("rows")]),      # [rows, nb*block]
        helper.make_node("Slice", [n("rows"), n("start"), n("end"), n("axis1")], [n("trimmed")]),  # [rows, k]
        helper.make_node("Reshape", [n("trimmed"), n("shape")], [n("moved")]),   # [*lead, k]
    ]
    perm = list(range(w.ndim))
    if block_axis not in (-1, w.ndim - 1):
        # moved has block_axis last: put it back where it was
        perm = list(range(w.ndim - 1))
        perm.insert(block_axis % w.ndim, w.ndim - 1)
        nodes.append(helper.make_node("Transpose", [n("moved")], [name], perm=perm))
    else:
        nodes[-1].output[0] = name
    for i, node in enumerate(nodes):
        node.name = n(f"dq{i}")
    return inits, nodes, restored.astype(np.float32)
