"""`--quantize` for a whole model: the fixed encodings, onnxruntime's static int8, and `auto`.

Returns the quantized model and the record that report.json keeps (per tensor: encoding, bytes,
error). The tolerance each encoding is tested against in the browser travels in the manifest.
"""

from __future__ import annotations

from pathlib import Path

import onnx

from ..errors import WebedgeError
from .tolerances import TOLERANCES
from .weights import ENCODINGS, quantize_weights, summary

def check_quantize_args(encoding: str, block_size: int, tolerance: str | None, calibration) -> dict:
    if encoding not in ENCODINGS:
        raise WebedgeError(f"unknown --quantize '{encoding}'; choose one of {', '.join(ENCODINGS)}")
    if encoding == "int8-static" and not calibration:
        raise WebedgeError("--quantize int8-static needs --calibration-data (an .npz or a folder of .npz inputs)")
    if encoding == "auto" and not tolerance:
        raise WebedgeError("--quantize auto needs --tolerance, e.g. cosine=0.999, max_abs=0.01 or top1=0.99")
    if encoding == "auto":
        from .auto import parse_tolerance

        parse_tolerance(tolerance)  # refuse a bad budget before writing anything
    if calibration and not Path(calibration).exists():
        raise WebedgeError(f"--calibration-data {calibration}: no such file or folder")
    if block_size < 2 or block_size % 2:
        raise WebedgeError(f"--block-size must be an even number >= 2, got {block_size}")
    return {"encoding": encoding, "block_size": block_size, "tolerance": tolerance, "calibration": calibration}


def quantize_model(model: onnx.ModelProto, *, encoding: str, block_size: int = 32, tolerance: str | None = None,
                   calibration=None) -> tuple[onnx.ModelProto, dict]:
    if encoding == "int8-static":
        from .static import quantize_static_int8

        quantized, record = quantize_static_int8(model, calibration)
        record["tolerance"] = TOLERANCES["int8-static"]
        return quantized, record
    if encoding == "auto":
        from .auto import choose

        quantized, record = choose(model, tolerance, calibration, block_size)
        return quantized, record
    quantized, decisions = quantize_weights(model, encoding, block=block_size)
    record = summary(decisions, encoding)
    record["tolerance"] = TOLERANCES[encoding]
    return quantized, record
