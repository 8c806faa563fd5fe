"""`--quantize int8-static`: activations and weights in int8, by onnxruntime's static quantizer
(QDQ format, per-channel weights, calibrated on the user's inputs) rather than a hand-written one."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from ..errors import WebedgeError
from .calibration import calibration_sets


def _float_bytes(model: onnx.ModelProto) -> int:
    return sum(numpy_helper.to_array(t).nbytes for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)


def quantize_static_int8(model: onnx.ModelProto, calibration) -> tuple[onnx.ModelProto, dict]:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    sets = calibration_sets(model, calibration)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.items = iter(sets)

        def get_next(self):
            return next(self.items, None)

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.onnx", Path(tmp) / "out.onnx"
        onnx.save(model, src)
        try:
            quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        except Exception as exc:  # noqa: BLE001 - the quantizer raises many types
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise WebedgeError(f"onnxruntime's static quantizer failed: {first}") from None
        quantized = onnx.load(dst)
    before, after = _float_bytes(model), sum(numpy_helper.to_array(t).nbytes for t in quantized.graph.initializer)
    return quantized, {"encoding": "int8-static", "fp32_bytes": before, "bytes": after,
                       "ratio": round(after / before, 4) if before else 1.0, "calibration_sets": len(sets),
                       "tensors_by_encoding": {"qdq": sum(1 for n in quantized.graph.node if n.op_type == "QuantizeLinear")},
                       "tensors": []}
