"""`--quantize auto`: per tensor, the smallest encoding that keeps the outputs within tolerance.

Measured on the calibration inputs with Python onnxruntime. First each (tensor, encoding) move is
scored alone: bytes saved per unit of output error. Then moves are applied greedily in that order,
each kept only if the whole model still meets the tolerance. Finally the fixed encodings are
tried whole, and a uniform one that meets the tolerance in fewer bytes wins, so `auto` is never
larger than the best fixed encoding that meets the same budget.
"""

from __future__ import annotations

import numpy as np
import onnx

from .. import progress
from ..errors import WebedgeError
from .calibration import calibration_sets
from .weights import CHOSEN, quantize_weights, summary

SMALLER_FIRST = ("int4", "int8", "fp16")
RANK = {"int4": 0, "int8": 1, "fp16": 2, "fp32": 3}


def parse_tolerance(text: str) -> tuple[str, float]:
    metric, sep, value = str(text).partition("=")
    metric = metric.strip().replace("-", "_")
    if not sep or metric not in ("cosine", "max_abs", "top1"):
        raise WebedgeError(f"--tolerance '{text}': write cosine=0.999, max_abs=0.01 or top1=0.99")
    try:
        limit = float(value)
    except ValueError:
        raise WebedgeError(f"--tolerance '{text}': '{value}' is not a number") from None
    if metric in ("cosine", "top1") and not 0 < limit <= 1:
        raise WebedgeError(f"--tolerance '{text}': {metric} must be in (0, 1], e.g. {metric}=0.99")
    if metric == "max_abs" and not limit > 0:
        raise WebedgeError(f"--tolerance '{text}': max_abs must be a positive number, e.g. max_abs=0.01")
    return metric, limit


class Scorer:
    """Runs a candidate model on the calibration inputs and scores it against float32."""

    def __init__(self, model: onnx.ModelProto, sets: list[dict], metric: str, limit: float):
        self.sets, self.metric, self.limit = sets, metric, limit
        self.reference = [self.run(model) for _ in [0]][0]

    def run(self, model: onnx.ModelProto) -> list[list[np.ndarray]]:
        from ..ort_session import session as quiet_session

        session = quiet_session(model.SerializeToString())
        return [session.run(None, feeds) for feeds in self.sets]

    def error(self, model: onnx.ModelProto) -> float:
        """The metric as a 'lower is better' number: 1-cosine, max abs error, or 1-top1 agreement."""
        got = self.run(model)
        worst = 0.0
        for ref_set, got_set in zip(self.reference, got):
            for r, g in zip(ref_set, got_set):
                r64, g64 = r.astype(np.float64), g.astype(np.float64)
                if self.metric == "max_abs":
                    worst = max(worst, float(np.abs(r64 - g64).max(initial=0.0)))
                elif self.metric == "cosine":
                    nr, ng = np.linalg.norm(r64), np.linalg.norm(g64)
                    cos = float(r64.ravel() @ g64.ravel() / (nr * ng)) if nr and ng else float(nr == ng)
                    worst = max(worst, 1 - cos)
                else:
                    agree = float((r64.argmax(-1) == g64.argmax(-1)).mean()) if r64.ndim else 1.0
                    worst = max(worst, 1 - agree)
                    break  # top-1 is judged on the first output (a classifier's scores)
        return worst

    def ok(self, err: float) -> bool:
        return err <= (self.limit if self.metric == "max_abs" else 1 - self.limit)


def choose(model: onnx.ModelProto, tolerance: str, calibration, block: int) -> tuple[onnx.ModelProto, dict]:
    metric, limit = parse_tolerance(tolerance)
    scorer = Scorer(model, calibration_sets(model, calibration), metric, limit)
    _, baseline = quantize_weights(model, "auto", block=block)  # every tensor fp32: the candidates
    candidates = [d.name for d in baseline if d.reason == CHOSEN and d.fp32_bytes >= 256 * 4]

    moves = []
    with progress.bar("quantize auto: scoring each tensor alone", total=len(candidates) * len(SMALLER_FIRST)) as bar:
        for name in candidates:
            for enc in SMALLER_FIRST:
                bar.update(1)
                q, decisions = quantize_weights(model, "auto", block=block, choices={name: enc})
                d = next(x for x in decisions if x.name == name)
                if d.encoding != enc:
                    continue  # int4 fell back to int8 for this tensor: already covered
                err = scorer.error(q)
                moves.append(((d.fp32_bytes - d.bytes) / (err + 1e-9), name, enc, err))
    moves.sort(key=lambda m: -m[0])

    choices: dict[str, str] = {}
    alone: dict[tuple[str, str], float] = {(n, e): err for _, n, e, err in moves}
    with progress.bar("quantize auto: keeping what meets the tolerance", total=len(moves)) as bar:
        for _, name, enc, _ in moves:
            bar.update(1)
            if RANK[enc] >= RANK[choices.get(name, "fp32")]:
                continue
            trial = {**choices, name: enc}
            if scorer.ok(scorer.error(quantize_weights(model, "auto", block=block, choices=trial)[0])):
                choices = trial

    best_q, best_d = quantize_weights(model, "auto", block=block, choices=choices)
    best_err = scorer.error(best_q)
    for enc in SMALLER_FIRST:  # a uniform encoding that meets the budget in fewer bytes wins
        q, d = quantize_weights(model, enc, block=block)
        err = scorer.error(q)
        if scorer.ok(err) and sum(x.bytes for x in d) < sum(x.bytes for x in best_d):
            best_q, best_d, best_err = q, d, err
    record = summary(best_d, "auto")
    for t in record["tensors"]:
        t["error_alone"] = alone.get((t["name"], t["encoding"]))
    record["metric"] = {"name": metric, "limit": limit, "measured": best_err if metric == "max_abs" else 1 - best_err}
    record["calibration_sets"] = len(scorer.sets)
    # the browser is held to the same budget (with a little room for the backend's own rounding)
    if metric == "max_abs":
        record["tolerance"] = {"atol": limit * 1.05, "rtol": 0.0, "min_cosine": 0.0}
    elif metric == "cosine":
        record["tolerance"] = {"atol": 1e9, "rtol": 0.0, "min_cosine": limit - 1e-5}
    else:
        record["tolerance"] = {"atol": 1e9, "rtol": 0.0, "min_cosine": 0.99}
    return best_q, record
