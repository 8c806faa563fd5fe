"""The golden input/output pair a WebGPU bundle checks its GPU against, on the visitor's device.

A WebGPU driver can be wrong without an error (a miscompiled shader, a driver bug): outputs come
back, just not the model's. So `webedge bundle --ep webgpu` records, with Python onnxruntime on
the original model, one small input (seeded: floats uniform in [0, 1), integers in [0, 16); a
symbolic first dim, a batch, is 1, every other symbolic dim the largest of DIM_TRIES that
onnxruntime accepts and that keeps the pair under MAX_BYTES, so the kernels see more than a
1x1 corner case) and its outputs, with the tolerance the bundle is held to (a quantized bundle's
encoding tolerance, else SELFTEST_TOLERANCE). After loading on WebGPU the runtime runs that
input once and, on a mismatch, moves the whole model to wasm and says why (js/src/load.mjs).
A model whose inputs cannot be made (strings, or none that onnxruntime accepts) gets no self-test;
the report says so.
"""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np
import onnx

from .ort_session import reason, session

MAX_BYTES = 24 * 1024  # raw bytes of inputs and outputs; the file is base64 JSON, 4/3 of that
DIM_TRIES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
# fp32 GPU results against onnxruntime on the CPU: summation order and the GPU's exp/log differ in
# the last bits (measured on the real models: max |diff| <= 3e-5); a broken kernel is off by far more.
SELFTEST_TOLERANCE = {"atol": 1e-3, "rtol": 1e-3, "min_cosine": 0.999}
NUMPY = {"float32": np.float32, "float16": np.float16, "float64": np.float64, "int8": np.int8, "uint8": np.uint8,
         "int16": np.int16, "uint16": np.uint16, "int32": np.int32, "uint32": np.uint32, "int64": np.int64,
         "uint64": np.uint64, "bool": np.bool_}


def _inputs(specs: list[dict], dim: int) -> dict[str, np.ndarray] | None:
    rng = np.random.default_rng(0)
    feeds = {}
    for spec in specs:
        dtype = NUMPY.get(spec["dtype"])
        if dtype is None:
            return None
        shape = [d if isinstance(d, int) else 1 if i == 0 else dim for i, d in enumerate(spec["shape"])]
        if spec["dtype"].startswith("float"):
            feeds[spec["name"]] = rng.random(shape).astype(dtype)
        elif spec["dtype"] == "bool":
            feeds[spec["name"]] = rng.random(shape) < 0.5
        else:
            feeds[spec["name"]] = rng.integers(0, 16, size=shape).astype(dtype)
    return feeds


def _tensor(name: str, arr: np.ndarray) -> dict:
    arr = np.ascontiguousarray(arr)
    dtype = "bool" if arr.dtype == np.bool_ else str(arr.dtype)
    return {"name": name, "dtype": dtype, "dims": list(arr.shape), "b64": base64.b64encode(arr.tobytes()).decode()}


def golden(model: onnx.ModelProto, specs: list[dict], outputs: list[str], tolerance: dict | None = None
           ) -> tuple[bytes | None, str]:
    """(the self-test file's bytes, '') or (None, why there is none)."""
    try:
        sess = session(model.SerializeToString())
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises many types; the bundle goes on without one
        return None, f"onnxruntime could not load the model for a self-test ({reason(exc)})"
    last, best = "no input fits", None
    for dim in DIM_TRIES:
        feeds = _inputs(specs, dim)
        if feeds is None:
            return None, "an input has a dtype the self-test cannot make"
        if sum(a.nbytes for a in feeds.values()) > MAX_BYTES:
            break
        try:
            values = sess.run(outputs, feeds)
        except Exception as exc:  # noqa: BLE001 - e.g. a spatial dim too small for the model: try the next
            last = reason(exc)
            continue
        if sum(a.nbytes for a in feeds.values()) + sum(np.asarray(v).nbytes for v in values) > MAX_BYTES:
            break
        if any(np.asarray(v).dtype.kind == "f" and not np.isfinite(v).all() for v in values):
            last = "the golden outputs are not finite"
            continue
        best = (feeds, values)
        if not any(isinstance(d, str) for spec in specs for d in spec["shape"][1:]):
            break  # no dim grows with `dim`: larger tries give the same pair
    if best:
        feeds, values = best
        doc = {"format": "webedge-selftest", "version": 1, "tolerance": tolerance or SELFTEST_TOLERANCE,
               "inputs": [_tensor(k, v) for k, v in feeds.items()],
               "outputs": [_tensor(k, np.asarray(v)) for k, v in zip(outputs, values)]}
        return json.dumps(doc, separators=(",", ":")).encode(), ""
    return None, f"no small input that onnxruntime accepts ({last})"


def file_name(data: bytes) -> str:
    return f"selftest.{hashlib.sha256(data).hexdigest()[:16]}.json"

