"""Graph clean-up by onnxruntime's offline optimizer (basic level), rather than passes of our own.

Measured on PP-OCR's text-direction classifier: 566 nodes -> 179 (308 Constant nodes folded,
35 BatchNormalization folded into Conv, Shape/Slice chains folded, MatMul+Add -> Gemm); the
basic level emits standard ONNX ops only, so everything after it stays plain ONNX.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import onnx

from ..errors import WebedgeError
from .expand import expand_functions
from .ops import SUPPORTED


def optimize(model: onnx.ModelProto) -> onnx.ModelProto:
    """Function ops our runtime lacks are expanded into their ONNX bodies first (see expand.py).
    A model whose ops onnxruntime itself cannot run (it has no kernel for some type, e.g. Cast
    to float8 on CPU) goes on unoptimized: our runtime does not need onnxruntime's kernels."""
    from ..ort_session import ort as quiet_ort
    from ..ort_session import options as quiet_options
    from ..ort_session import reason

    ort = quiet_ort()
    model = expand_functions(model, SUPPORTED)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.onnx", Path(tmp) / "out.onnx"
        onnx.save(model, src)
        options = quiet_options()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(dst)
        try:
            ort.InferenceSession(str(src), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises many types
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            if "NOT_IMPLEMENTED" in first or "are not supported" in first:  # no kernel, or e.g. batchwise RNNs
                return model
            raise WebedgeError(f"onnxruntime could not optimize the model: {reason(exc)}") from None
        out = onnx.load(dst)
    # The optimizer lists every domain it knows; keep only those the graph uses.
    used = {n.domain for n in out.graph.node} | {""}
    kept = [o for o in out.opset_import if o.domain in used or o.domain == "ai.onnx"]
    del out.opset_import[:]
    out.opset_import.extend(kept)
    return out
