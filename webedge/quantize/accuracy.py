"""`webedge bundle --quantize fp16|int8|int4` measures what it is about to ship: the quantized graph
against the float32 original, both in Python onnxruntime, on the calibration inputs
(`--calibration-data`, else the seeded inputs `calibration_sets` makes, symbolic dims at 1), by
the rule and tolerance `webedge test` will hold the bundle to (webedge/compare.py,
tolerances.py). A miss is refused, so `bundle` never writes a folder its own `test` fails;
`--allow-inaccurate` ships it anyway with a warning, recorded in report.json.

Generated inputs are uniform noise, which some models never see (Silero VAD's state output misses
int8's tolerance on them and passes on a tone): the refusal says to pass real inputs. Where inputs
cannot be made up (a string input), the float32 model does not run on the made-up ones (a
dimension that must not be 1: Silero VAD's reflect padding), or its outputs on them are one
constant (PP-OCR det on a 1x1 image: all 0), the check is skipped with a warning rather than
judged on inputs that mean nothing.
"""

from __future__ import annotations

import numpy as np
import onnx

from ..compare import Tolerance, compare_one
from ..errors import WebedgeError
from .calibration import calibration_sets
from .tolerances import TOLERANCES

CHECKED = ("fp16", "int8", "int4")  # int8-static and auto measure themselves (static.py, auto.py)
LARGER = {"int4": "int8", "int8": "fp16", "fp16": "none"}


def _run(model: onnx.ModelProto, sets: list[dict]) -> list[dict[str, np.ndarray]]:
    from ..ort_session import session

    s = session(model.SerializeToString())
    names = [o.name for o in s.get_outputs()]
    return [dict(zip(names, s.run(None, feeds))) for feeds in sets]


def check_accuracy(original: onnx.ModelProto, quantized: onnx.ModelProto, encoding: str, calibration,
                   allow_inaccurate: bool, out: str) -> dict:
    """report.json's `quantization.accuracy`; raises WebedgeError when the quantized model misses
    its encoding's tolerance and `allow_inaccurate` is False. A record with `warning` is to be
    shown to the user."""
    from ..ort_session import reason

    tol = Tolerance(**TOLERANCES[encoding])
    source = str(calibration) if calibration else "generated inputs (seeded, symbolic dimensions 1)"
    record = {"inputs": source, "tolerance": TOLERANCES[encoding], "checked": False}
    try:
        sets = calibration_sets(original, calibration)
    except WebedgeError as exc:
        if calibration:
            raise
        record["warning"] = (f"accuracy of {encoding} not checked: {exc}; pass --calibration-data to check it "
                             "before shipping")
        return record
    try:
        expected = _run(original, sets)
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises several types
        if calibration:
            raise WebedgeError(f"--calibration-data {calibration}: the float32 model does not run on it: "
                               f"{reason(exc)}") from None
        record["warning"] = (f"accuracy of {encoding} not checked: the float32 model does not run on generated "
                             f"inputs ({reason(exc)}); pass --calibration-data to check it before shipping")
        return record
    floats = [e for want in expected for e in want.values() if e.dtype.kind == "f" and e.size]
    constant = floats and len({float(v) for e in floats for v in (e.min(), e.max())}) == 1
    if constant and not calibration:
        # e.g. PP-OCR det on a 1x1 image: every output 0, whatever the weights
        record["warning"] = (f"accuracy of {encoding} not checked: on generated inputs (symbolic dimensions 1) the "
                             "float32 model's outputs are one constant, which no weight error changes; pass "
                             "--calibration-data to check it before shipping")
        return record
    try:
        got = _run(quantized, sets)
    except Exception as exc:  # noqa: BLE001
        raise WebedgeError(f"--quantize {encoding}: the quantized model does not run in onnxruntime: "
                           f"{reason(exc)}") from None

    worst = None  # the output that misses by most, else the one closest to missing (lowest cosine)
    for want, have in zip(expected, got):
        for name, e in want.items():
            c = compare_one(name, e, have.get(name, np.zeros(0)), tol)
            if worst is None or (not c.ok, -c.cosine) > (not worst.ok, -worst.cosine):
                worst = c
    record.update(checked=True, sets=len(sets), ok=bool(worst is None or worst.ok))
    if worst is not None:
        record["worst"] = {"output": worst.name, "max_abs": worst.max_abs, "cosine": worst.cosine,
                           "why": worst.why}
    if record["ok"]:
        return record
    what = "on generated inputs" if not calibration else f"on {calibration}"
    line = (f"--quantize {encoding} misses its tolerance {what}: output '{worst.name}' {worst.why} "
            f"({encoding}'s tolerance: atol {tol.atol:g}, rtol {tol.rtol:g}, cosine >= {tol.min_cosine:g})")
    if not allow_inaccurate:
        fixes = [f"--quantize {LARGER[encoding]}" if LARGER[encoding] != "none" else "no --quantize (float32)"]
        if not calibration:
            fixes.append("--calibration-data with real inputs")
        fixes.append("--allow-inaccurate to ship it anyway")
        raise WebedgeError(f"{line}; {out} not written: use {', '.join(fixes[:-1])} or {fixes[-1]}")
    record["allowed_inaccurate"] = True
    record["warning"] = f"{line}; shipped anyway (--allow-inaccurate), `webedge test` will fail it"
    return record
