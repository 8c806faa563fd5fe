"""The authoritative reference for the kernel tests: onnxruntime running a tiny ONNX model.

``ort_run(nodes, inputs)`` builds a graph from ``onnx.helper`` nodes (graph inputs named after the
keys of ``inputs``, one output ``y`` unless given), wraps it with ``helper.make_model`` at
ir_version 10 / opset 17, runs it single-threaded with graph optimisations off, and returns the
outputs.  ``node(...)`` is ``helper.make_node`` re-exported.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

node = helper.make_node
_DTYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64,
           np.dtype(np.int32): TensorProto.INT32}


def make_model(nodes, inputs: dict, outputs=("y",), opset: int = 17, extra_opsets=()) -> onnx.ModelProto:
    graph = helper.make_graph(
        list(nodes),
        "kernel_ref",
        [helper.make_tensor_value_info(k, _DTYPES[np.asarray(v).dtype], np.shape(v)) for k, v in inputs.items()],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
    )
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    return helper.make_model(graph, ir_version=10, opset_imports=opsets)


def ort_run(nodes, inputs: dict, outputs=("y",), opset: int = 17, extra_opsets=()):
    """Run the nodes in onnxruntime (CPU); returns the first output, or a list if several."""
    model = make_model(nodes, inputs, outputs, opset, extra_opsets)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    res = sess.run(list(outputs), {k: np.asarray(v) for k, v in inputs.items()})
    return res[0] if len(res) == 1 else res


# Activation codes of the fused conv/gemm epilogues, as ONNX nodes applied to `src`.
ACT_NAMES = {0: "none", 1: "relu", 2: "clip", 3: "hardsigmoid", 4: "hardswish", 5: "leakyrelu", 6: "sigmoid", 7: "tanh"}


def act_nodes(act: int, src: str, dst: str, a0: float, a1: float, inputs: dict) -> list:
    """Nodes computing dst = act(src); Clip's bounds are added to `inputs` as graph inputs."""
    if act == 0:
        return [node("Identity", [src], [dst])]
    if act == 1:
        return [node("Relu", [src], [dst])]
    if act == 2:
        inputs["clip_lo"] = np.array(a0, np.float32)
        inputs["clip_hi"] = np.array(a1, np.float32)
        return [node("Clip", [src, "clip_lo", "clip_hi"], [dst])]
    if act == 3:
        return [node("HardSigmoid", [src], [dst], alpha=a0, beta=a1)]
    if act == 4:
        return [node("HardSwish", [src], [dst])]
    if act == 5:
        return [node("LeakyRelu", [src], [dst], alpha=a0)]
    if act == 6:
        return [node("Sigmoid", [src], [dst])]
    if act == 7:
        return [node("Tanh", [src], [dst])]
    raise ValueError(act)


# (act, a0, a1) triples worth testing for each code
ACT_CASES = [(0, 0.0, 0.0), (1, 0.0, 0.0), (2, -0.25, 0.5), (3, 0.2, 0.5), (4, 0.0, 0.0), (5, 0.1, 0.0),
             (6, 0.0, 0.0), (7, 0.0, 0.0)]
