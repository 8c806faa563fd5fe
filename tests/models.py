"""Tiny ONNX models for the unit tests, built with onnx.helper.

Every model uses IR 10 and opset 17 (onnxruntime-web 1.30 refuses IR 14 and opset > 26), unless a
test asks for something else on purpose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 10
OPSET = 17


def make_model(nodes, inputs, outputs, initializers=(), *, name: str = "g", ir_version: int = IR_VERSION,
               opsets=None) -> onnx.ModelProto:
    graph = helper.make_graph(list(nodes), name, list(inputs), list(outputs), list(initializers))
    return helper.make_model(graph, ir_version=ir_version,
                             opset_imports=opsets or [helper.make_opsetid("", OPSET)])


def vi(name: str, shape, elem_type=TensorProto.FLOAT) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem_type, shape)


def init(name: str, array: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(array), name)


def matmul_model(n: int = 16, *, seed: int = 0, batch=1, ir_version: int = IR_VERSION) -> onnx.ModelProto:
    """y = x @ W with one (n, n) float weight; `batch` may be an int, a dim_param name or None."""
    w = np.random.default_rng(seed).standard_normal((n, n)).astype(np.float32)
    return make_model([helper.make_node("MatMul", ["x", "W"], ["y"])],
                      [vi("x", [batch, n])], [vi("y", [batch, n])], [init("W", w)], ir_version=ir_version)


def mlp_model(widths=(32, 48, 24, 40, 16), *, seed: int = 0, layer_seeds: dict | None = None) -> onnx.ModelProto:
    """A Gemm-free MLP: for layer i, h = Relu(h @ W{i} + b{i}). Biases of width >= 64 are >= 256 bytes.

    `layer_seeds` overrides the random seed of chosen layers, to "fine-tune" one layer only.
    """
    layer_seeds = layer_seeds or {}
    nodes, inits = [], []
    h = "x"
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        rng = np.random.default_rng(layer_seeds.get(i, seed * 1000 + i))
        inits.append(init(f"W{i}", (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)))
        inits.append(init(f"b{i}", rng.standard_normal(n_out).astype(np.float32)))
        last = i == len(widths) - 2
        nodes.append(helper.make_node("MatMul", [h, f"W{i}"], [f"mm{i}"]))
        nodes.append(helper.make_node("Add", [f"mm{i}", f"b{i}"], [f"pre{i}"]))
        out = "y" if last else f"h{i}"
        nodes.append(helper.make_node("Relu", [f"pre{i}"], [out]))
        h = out
    return make_model(nodes, [vi("x", [2, widths[0]])], [vi("y", [2, widths[-1]])], inits, name="mlp")


def constants_model(*, seed: int = 0) -> onnx.ModelProto:
    """Weights kept in Constant nodes, as Paddle2ONNX exports them, plus one initializer.

    y = ((x @ Wc) + tiny) @ Wi: `Wc` is a (16, 16) float Constant (1024 bytes, becomes a weight),
    `tiny` a (16,) float Constant (64 bytes, stays inline), `Wi` a (16, 8) initializer (512 bytes).
    """
    rng = np.random.default_rng(seed)
    wc = rng.standard_normal((16, 16)).astype(np.float32)
    tiny = rng.standard_normal(16).astype(np.float32)
    wi = rng.standard_normal((16, 8)).astype(np.float32)
    nodes = [
        helper.make_node("Constant", [], ["Wc"], value=numpy_helper.from_array(wc, "Wc_value")),
        helper.make_node("Constant", [], ["tiny"], value=numpy_helper.from_array(tiny, "tiny_value")),
        helper.make_node("MatMul", ["x", "Wc"], ["a"]),
        helper.make_node("Add", ["a", "tiny"], ["b"]),
        helper.make_node("MatMul", ["b", "Wi"], ["y"]),
    ]
    return make_model(nodes, [vi("x", [3, 16])], [vi("y", [3, 8])], [init("Wi", wi)], name="constants")


def first_use_model() -> onnx.ModelProto:
    """Initializers listed in the reverse of the order the nodes read them: late, mid, early.

    y = ((x @ early) @ mid) @ late; `unused` (also >= 256 bytes) is read by no node.
    """
    rng = np.random.default_rng(7)
    early = rng.standard_normal((8, 16)).astype(np.float32)   # 512 bytes
    mid = rng.standard_normal((16, 16)).astype(np.float32)    # 1024 bytes
    late = rng.standard_normal((16, 8)).astype(np.float32)    # 512 bytes
    unused = rng.standard_normal((64,)).astype(np.float32)    # 256 bytes
    nodes = [helper.make_node("MatMul", ["x", "early"], ["a"]),
             helper.make_node("MatMul", ["a", "mid"], ["b"]),
             helper.make_node("MatMul", ["b", "late"], ["y"])]
    inits = [init("late", late), init("unused", unused), init("mid", mid), init("early", early)]
    return make_model(nodes, [vi("x", [1, 8])], [vi("y", [1, 8])], inits, name="first_use")


def unnamed_dynamic_model() -> onnx.ModelProto:
    """An input whose first dim is dynamic with no name (neither dim_value nor dim_param)."""
    return matmul_model(8, batch=None)


def save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.save(model, str(path))
    return path


def save_external(model: onnx.ModelProto, path: Path, location: str = "w.bin") -> Path:
    """Save with every tensor's data in one external file `location` beside the model."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)  # onnx.save rewrites the tensors it externalizes in place
    onnx.save(copy, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
              location=location, size_threshold=0)
    return path


def dynamic_model(*, seed: int = 0) -> onnx.ModelProto:
    """x: [batch, ?, 16] -> MatMul W1 -> Add bias -> Relu -> MatMul W2 -> y: [batch, ?, 8].

    Dim 0 is symbolic ('batch'), dim 1 dynamic with no name. W1 (16x16, 1 KiB) and W2 (16x8,
    512 B) are shard weights; `bias` (16 floats, 64 B) stays inline.
    """
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((16, 16)).astype(np.float32)
    bias = rng.standard_normal(16).astype(np.float32)
    w2 = rng.standard_normal((16, 8)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["a"]),
             helper.make_node("Add", ["a", "bias"], ["b"]),
             helper.make_node("Relu", ["b"], ["c"]),
             helper.make_node("MatMul", ["c", "W2"], ["y"])]
    return make_model(nodes, [vi("x", ["batch", None, 16])], [vi("y", ["batch", None, 8])],
                      [init("W1", w1), init("bias", bias), init("W2", w2)], name="dynamic")


def relu_mlp_model(widths=(256, 1024, 256, 10), *, seed: int = 0) -> onnx.ModelProto:
    """A MatMul-heavy MLP (issue 13's int4 case): seeded random-normal weights scaled by
    1/sqrt(fan-in), no biases, Relu between layers, batch a symbolic dimension."""
    rng = np.random.default_rng(seed)
    nodes, inits, h = [], [], "x"
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        inits.append(init(f"W{i}", (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)))
        last = i == len(widths) - 2
        nodes.append(helper.make_node("MatMul", [h, f"W{i}"], ["y" if last else f"mm{i}"]))
        if not last:
            nodes.append(helper.make_node("Relu", [f"mm{i}"], [f"h{i}"]))
            h = f"h{i}"
    return make_model(nodes, [vi("x", ["batch", widths[0]])], [vi("y", ["batch", widths[-1]])], inits,
                      name="relu_mlp")


def spread_model(*, seed: int = 0) -> onnx.ModelProto:
    """y = x @ W where every 7th row of W is 1000x the rest: no int8 or int4 scale keeps both the
    large and the small weights of a column, so both miss their tolerance."""
    w = (np.random.default_rng(seed).standard_normal((64, 64)) * 0.1).astype(np.float32)
    w[::7, :] *= 1000
    return make_model([helper.make_node("MatMul", ["x", "W"], ["y"])], [vi("x", [2, 64])], [vi("y", [2, 64])],
                      [init("W", w)], name="spread")


def reflect_pad_model() -> onnx.ModelProto:
    """Reflect-pads its symbolic time axis by 2 before a MatMul: with that dim at 1 (what
    generated inputs use) the float32 model itself cannot run, as Silero VAD's STFT padding."""
    w = (np.random.default_rng(0).standard_normal((64, 64)) / 8).astype(np.float32)
    nodes = [helper.make_node("Pad", ["x", "pads"], ["p"], mode="reflect"),
             helper.make_node("MatMul", ["p", "W"], ["y"])]
    return make_model(nodes, [vi("x", ["t", 64])], [vi("y", ["t_padded", 64])],
                      [init("W", w), init("pads", np.array([2, 0, 2, 0], np.int64))], name="reflect")


def saturated_model() -> onnx.ModelProto:
    """y = Relu(x @ W - 1000): on inputs in [0, 1) every output is 0, whatever W's rounding."""
    w = (np.random.default_rng(0).standard_normal((64, 64)) / 8).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W"], ["m"]), helper.make_node("Sub", ["m", "shift"], ["s"]),
             helper.make_node("Relu", ["s"], ["y"])]
    return make_model(nodes, [vi("x", ["n", 64])], [vi("y", ["n", 64])],
                      [init("W", w), init("shift", np.array(1000, np.float32))], name="saturated")
