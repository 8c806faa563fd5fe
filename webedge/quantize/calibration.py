"""Inputs for calibration and for measuring a quantized model's error: a user's .npz file (one
set of inputs) or folder of .npz files, or seeded inputs made from the model's input specs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from ..errors import WebedgeError
from ..manifest import value_info
from ..inputs import load_inputs, make_inputs


def input_specs(model: onnx.ModelProto) -> list[dict]:
    inits = {t.name for t in model.graph.initializer}
    return [value_info(v) for v in model.graph.input if v.name not in inits]


def calibration_sets(model: onnx.ModelProto, source=None, count: int = 4) -> list[dict[str, np.ndarray]]:
    specs = input_specs(model)
    if source is None:
        # no data given: seeded inputs, every symbolic dimension set to 1
        dims = {d: 1 for s in specs for d in s["shape"] if isinstance(d, str)}
        return [make_inputs(specs, dims, seed=i) for i in range(count)]
    path = Path(source)
    files = sorted(path.glob("*.npz")) if path.is_dir() else [path]
    if not files:
        raise WebedgeError(f"--calibration-data {path}: no .npz files in this folder")
    return [load_inputs(f, specs) for f in files]
