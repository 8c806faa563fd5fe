"""Compare outputs with onnxruntime's: max abs/rel error and cosine per output (`webedge test` on
the browser's outputs, `webedge bundle --quantize` on the quantized model's in onnxruntime)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class Tolerance:
    atol: float = 1e-4
    rtol: float = 1e-4
    min_cosine: float = 0.9999


@dataclass
class OutputCheck:
    name: str
    shape: list[int]
    expected_shape: list[int]
    max_abs: float
    max_rel: float
    cosine: float
    ok: bool
    why: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def compare_one(name: str, expected: np.ndarray, actual: np.ndarray, tol: Tolerance) -> OutputCheck:
    shape, exp_shape = list(actual.shape), list(expected.shape)
    if shape != exp_shape:
        return OutputCheck(name, shape, exp_shape, float("inf"), float("inf"), 0.0, False,
                           f"shape {shape} != expected {exp_shape}")
    e = expected.astype(np.float64).ravel()
    a = actual.astype(np.float64).ravel()
    if e.size == 0:
        return OutputCheck(name, shape, exp_shape, 0.0, 0.0, 1.0, True)
    if not np.array_equal(np.isnan(e), np.isnan(a)):
        return OutputCheck(name, shape, exp_shape, float("nan"), float("nan"), 0.0, False, "NaNs differ")
    finite = ~np.isnan(e)
    e, a = e[finite], a[finite]
    diff = np.abs(a - e)
    max_abs = float(diff.max(initial=0.0))
    max_rel = float((diff / np.maximum(np.abs(e), 1e-12)).max(initial=0.0))
    ne, na = np.linalg.norm(e), np.linalg.norm(a)
    cosine = float(e @ a / (ne * na)) if ne > 0 and na > 0 else (1.0 if ne == na else 0.0)
    if expected.dtype.kind in "iub":
        ok = max_abs == 0
        why = "" if ok else f"integer outputs differ (max abs {max_abs:g})"
    else:
        within = bool(np.all(diff <= tol.atol + tol.rtol * np.abs(e)))
        # Cosine says nothing about an output that is zero at this tolerance (all |e| <= atol):
        # there, differences in round-off of tiny values would make it arbitrary.
        significant = float(np.abs(e).max(initial=0.0)) > tol.atol
        ok = within and (cosine >= tol.min_cosine or not significant)
        why = "" if ok else (f"max abs error {max_abs:.3g} > atol {tol.atol:g} + rtol {tol.rtol:g}·|expected|"
                             if not within else f"cosine {cosine:.6f} < {tol.min_cosine}")
    return OutputCheck(name, shape, exp_shape, max_abs, max_rel, cosine, ok, why)


def compare(expected: dict[str, np.ndarray], actual: dict[str, np.ndarray], tol: Tolerance) -> list[OutputCheck]:
    checks = []
    for name, exp in expected.items():
        if name not in actual:
            checks.append(OutputCheck(name, [], list(exp.shape), float("inf"), float("inf"), 0.0, False,
                                      "missing from the browser's outputs"))
        else:
            checks.append(compare_one(name, exp, actual[name], tol))
    return checks
