"""How close a quantized bundle must stay to the float32 original, per encoding (`webedge test`
holds it to these; the manifest carries the one that applies)."""

from __future__ import annotations

# What `webedge test` allows a quantized bundle against the float32 original, per encoding:
# the outputs must keep their direction (cosine) and stay within atol + rtol*|expected|.
TOLERANCES = {
    "fp16": {"atol": 1e-2, "rtol": 1e-2, "min_cosine": 0.9999},
    "int8": {"atol": 5e-2, "rtol": 5e-2, "min_cosine": 0.999},
    "int4": {"atol": 0.2, "rtol": 0.2, "min_cosine": 0.99},
    "int8-static": {"atol": 0.1, "rtol": 0.1, "min_cosine": 0.99},
}
