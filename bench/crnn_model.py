"""A generated CNN+LSTM text-line recogniser (CRNN layout) for the warm benchmarks.

Issue 12's targets cover "any CNN or CNN+LSTM of that size", and none of the real models the tests
fetch is one (PP-OCR rec is a CNN with attention-free heads, Silero's LSTM follows a tiny CNN). This
is the classic CRNN shape at edge size, with seeded random weights (timing does not depend on their
values; outputs are still checked against onnxruntime):

    x [1, 1, 32, 128] grey text line
    -> 4 x (Conv 3x3 + Relu), MaxPool after each: 2x2, 2x2, 2x1, 4x1   -> [1, 256, 1, 32]
    -> Squeeze + Transpose                                               -> [32, 1, 256] (time, batch, features)
    -> LSTM, bidirectional, hidden 128                                  -> [32, 2, 1, 128]
    -> Transpose + Reshape                                               -> [32, 256]
    -> MatMul [256, 37] + Add                                            -> logits [32, 37]

About 483 MFLOP a run (bench/flops.py: the last three convs 151 MFLOP each, the LSTM 25) and 5.5 MB
of fp32 weights. Opset 17, IR 8: onnxruntime-web
1.30 loads it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CHANNELS = (1, 64, 128, 256, 256)
POOLS = ((2, 2), (2, 2), (2, 1), (4, 1))
HIDDEN = 128
CLASSES = 37  # 26 letters, 10 digits, blank


def crnn_model(seed: int = 0) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    inits, nodes = [], []

    def weight(name: str, *shape: int, fan_in: int) -> str:
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32), name))
        return name

    x = "x"
    for i, (cin, cout) in enumerate(zip(CHANNELS, CHANNELS[1:])):
        w = weight(f"conv{i}.w", cout, cin, 3, 3, fan_in=cin * 9)
        b = weight(f"conv{i}.b", cout, fan_in=cout * 10)
        nodes += [helper.make_node("Conv", [x, w, b], [f"c{i}"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"]),
                  helper.make_node("MaxPool", [f"r{i}"], [f"p{i}"], kernel_shape=list(POOLS[i]), strides=list(POOLS[i]))]
        x = f"p{i}"
    inits.append(numpy_helper.from_array(np.array([2], np.int64), "axis2"))
    inits.append(numpy_helper.from_array(np.array([-1, 2 * HIDDEN], np.int64), "rows"))
    feat = CHANNELS[-1]
    nodes += [helper.make_node("Squeeze", [x, "axis2"], ["sq"]),                    # [1, 256, 32]
              helper.make_node("Transpose", ["sq"], ["seq"], perm=[2, 0, 1]),       # [32, 1, 256]
              helper.make_node("LSTM", ["seq", weight("lstm.W", 2, 4 * HIDDEN, feat, fan_in=feat),
                                        weight("lstm.R", 2, 4 * HIDDEN, HIDDEN, fan_in=HIDDEN),
                                        weight("lstm.B", 2, 8 * HIDDEN, fan_in=HIDDEN * 10)],
                               ["y"], hidden_size=HIDDEN, direction="bidirectional"),  # [32, 2, 1, 128]
              helper.make_node("Transpose", ["y"], ["yt"], perm=[0, 2, 1, 3]),      # [32, 1, 2, 128]
              helper.make_node("Reshape", ["yt", "rows"], ["h"]),                   # [32, 256]
              helper.make_node("MatMul", ["h", weight("fc.w", 2 * HIDDEN, CLASSES, fan_in=2 * HIDDEN)], ["fc"]),
              helper.make_node("Add", ["fc", weight("fc.b", CLASSES, fan_in=CLASSES * 10)], ["logits"])]
    graph = helper.make_graph(nodes, "crnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 32, 128])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [32, CLASSES])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="webedge-bench")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def save_crnn(folder: Path) -> Path:
    """The model written to folder/crnn.onnx; returns its path."""
    path = folder / "crnn.onnx"
    onnx.save(crnn_model(), path)
    return path
