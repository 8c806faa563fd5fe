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
from .tolerances import TOLERANCES


def _float_bytes(model: onnx.ModelProto) -> int:
    return sum(numpy_helper.to_array(t).nbytes for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)


def _refuse_if_inaccurate(model: onnx.ModelProto, quantized: onnx.ModelProto, sets: list[dict]) -> None:
    """Never ship a static quantization that the calibration data already shows to be wrong."""
    from ..ort_session import session

    run = lambda m: [session(m.SerializeToString()).run(None, f)  # noqa: E731
                     for f in sets]
    worst = 1.0
    for ref_set, got_set in zip(run(model), run(quantized)):
        for r, g in zip(ref_set, got_set):
            r, g = r.astype(np.float64).ravel(), g.astype(np.float64).ravel()
            nr, ng = np.linalg.norm(r), np.linalg.norm(g)
            worst = min(worst, float(r @ g / (nr * ng)) if nr and ng else float(nr == ng))
    need = TOLERANCES["int8-static"]["min_cosine"]
    if worst < need:
        raise WebedgeError(f"int8-static loses too much accuracy on this model (cosine {worst:.4f} < {need} against "
                           "float32 on the calibration data); use --quantize int8 (weights only) or auto")


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
            # Only the compute-heavy ops: QDQ around every Mul/Add/Sub wrecks decomposed norms
            # (Magika's LayerNorm, E[x^2] - E[x]^2, cancels catastrophically in uint8).
            quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                            op_types_to_quantize=["Conv", "MatMul", "Gemm"])
        except Exception as exc:  # noqa: BLE001 - the quantizer raises many types
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise WebedgeError(f"onnxruntime's static quantizer failed: {first}") from None
        quantized = onnx.load(dst)
    _refuse_if_inaccurate(model, quantized, sets)
    before, after = _float_bytes(model), sum(numpy_helper.to_array(t).nbytes for t in quantized.graph.initializer)
    return quantized, {"encoding": "int8-static", "fp32_bytes": before, "bytes": after,
                       "ratio": round(after / before, 4) if before else 1.0, "calibration_sets": len(sets),
                       "tensors_by_encoding": {"qdq": sum(1 for n in quantized.graph.node if n.op_type == "QuantizeLinear")},
                       "tensors": []}
