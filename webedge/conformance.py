"""ONNX backend node conformance for the webedge runtime (and, with --ort, for onnxruntime-web).

    python -m webedge.conformance [--ort] [--update] [--only REGEX] [--json FILE] [--timeout S]
                                  [--browser B] [--device wasm|webgpu] [--simd simd128|relaxed]

Runs the node test cases that ship with the `onnx` package (`onnx.backend.test.case.node`) in
headless Chromium. Per case, for webedge: `native.prepare` (onnxruntime's basic optimizer + our
fusions; a model it refuses is 'prepare-failed'), `extract_weights`, `native.plan` (a missing op is
'unsupported'), then the plan, kernels and weights go to `createSession` in the page and every data
set is run. With --ort each case's original model also runs on onnxruntime-web's wasm build
(single-threaded). All tensors travel in one binary blob (/__conformance__/blob.bin) described by a
JSON index per batch; each case runs in a module worker with a time limit (a hung case is stopped
by terminating the worker). Outputs come back as raw bytes and are compared here with numpy:
shape and dtype must match, integers, bools and strings exactly, floats as np.isclose with the
case's rtol/atol, NaN equal to NaN.

Statuses: pass, fail (ran, wrong answer), error (threw, timed out, crashed), unsupported (the
planner lacks an op, or the case needs sequence/optional values), prepare-failed. Training cases
and ops outside the ai.onnx domain are excluded from the counts (printed with the reason).

tests/conformance/webedge_pass.txt lists the cases that pass on webedge; `--update` rewrites it
(with --only, only the entries of the selected cases change). Without --update the exit code is 1
when a listed case no longer passes. `--simd relaxed` runs the wasm kernels built with relaxed SIMD
(fused multiply-add: results differ from SIMD128 in the last bits, within every case's tolerance)
against the same list: it must pass on both sets, so only the SIMD128 run may rewrite it.
docs/conformance.md has more.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .errors import WebedgeError
from .installation import PACKAGE
from .weights import DTYPE_NAMES, dtype_name

ROOT = Path(__file__).resolve().parents[1]
PASS_LIST = ROOT / "tests" / "conformance" / "webedge_pass.txt"
ORT_DIST = ROOT / "js" / "node_modules" / "onnxruntime-web" / "dist"
ORT_FILES = ("ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
PAGE_JS = Path(__file__).resolve().parent / "testing" / "conformance_page.js"
PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>webedge conformance</title><link rel=icon href='data:,'>"

STATUSES = ("pass", "fail", "error", "unsupported", "prepare-failed")
TRAINING_PREFIXES = ("test_training", "test_adagrad", "test_adam", "test_momentum", "test_nesterov", "test_gradient")
TRAINING_OPS = frozenset({"Gradient", "Adagrad", "Adam", "Momentum"})
INFERENCE_DOMAINS = ("", "ai.onnx")
# the single-thread kernel set of each SIMD choice, under the runtime's folder (wasm/build.py SHIPPED)
KERNEL_DIRS = {"simd128": "kernels", "relaxed": "kernels/relaxed"}
FLOAT_TYPES = frozenset(getattr(onnx.TensorProto, n) for n in (
    "FLOAT", "FLOAT16", "DOUBLE", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ",
    "FLOAT4E2M1", "FLOAT8E8M0") if hasattr(onnx.TensorProto, n))
TYPE_OF_NAME = {dtype_name(t): t for t in onnx.TensorProto.DataType.values()}
TYPE_OF_NAME.update({v: k for k, v in DTYPE_NAMES.items()})

BATCH_SIZE = 250
DEFAULT_TIMEOUT_S = 10.0
INIT_TIMEOUT_S = 90.0
MAX_TIMEOUTS = 25  # per backend and run: past this many hung cases the rest are not run


@dataclass
class Outcome:
    status: str
    reason: str = ""
    ms: float | None = None
    missing: list[str] = field(default_factory=list)  # ops the planner lacks ('unsupported')
    placement: dict | None = None  # device webgpu: op -> {device: nodes} as the case ran


@dataclass
class CaseResult:
    name: str
    op: str
    webedge: Outcome
    ort: Outcome | None = None


@dataclass
class Run:
    collected: int
    excluded: dict[str, str]  # name -> why
    results: dict[str, CaseResult]
    ort: bool
    seconds: float = 0.0
    versions: dict = field(default_factory=dict)

    def passed(self, backend: str = "webedge") -> list[str]:
        return sorted(n for n, r in self.results.items() if getattr(r, backend) and getattr(r, backend).status == "pass")

    def counts(self, backend: str = "webedge") -> Counter:
        return Counter(getattr(r, backend).status for r in self.results.values() if getattr(r, backend))


# ------------------------------------------------------------------------------------------ cases
def collect(only: str | None = None, names: set[str] | None = None):
    """The onnx node test cases, optionally filtered by a regex (searched in the name) or exact names."""
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the case generators overflow casts on purpose
        cases = collect_testcases()
    pattern = re.compile(only) if only else None
    return [c for c in cases if (pattern is None or pattern.search(c.name)) and (names is None or c.name in names)], \
        len(cases)


def _all_nodes(graph: onnx.GraphProto):
    for n in graph.node:
        yield n
        for a in n.attribute:
            for g in ([a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)):
                yield from _all_nodes(g)


def exclusion(case) -> str | None:
    """Why a case is not an inference conformance case (None: it is one)."""
    if case.name.startswith(TRAINING_PREFIXES):
        return "training case (test_training*, test_adagrad*, test_adam*, test_momentum*, test_nesterov*, test_gradient*)"
    for n in _all_nodes(case.model.graph):
        if n.op_type in TRAINING_OPS:
            return f"training op {n.op_type}"
        if n.domain not in INFERENCE_DOMAINS:
            return f"op domain {n.domain}"
    return None


_SCHEMAS = sorted({s.name for s in onnx.defs.get_all_schemas_with_history() if s.domain in INFERENCE_DOMAINS},
                  key=len, reverse=True)


def case_op(case, by_name: dict | None = None) -> str:
    """The op a case is about: its graph's only op type, else the op its name starts with."""
    ops = sorted({n.op_type for n in case.model.graph.node})
    if len(ops) == 1:
        return ops[0]
    key = case.name[len("test_"):].replace("_", "").lower()
    for op in _SCHEMAS:
        if key.startswith(op.lower()):
            return op
    base = re.sub(r"_expanded(_ver\d+)?$", "", case.name)
    if by_name and base != case.name and base in by_name:
        return case_op(by_name[base])
    return "+".join(ops[:3]) or "?"


# ---------------------------------------------------------------------------------------- tensors
def _is_tensor(v) -> bool:
    return isinstance(v, (np.ndarray, np.generic, onnx.TensorProto))


def _expected(v) -> tuple[int, np.ndarray]:
    if isinstance(v, onnx.TensorProto):
        return v.data_type, numpy_helper.to_array(v)
    arr = np.asarray(v)
    if arr.dtype.kind in "OUS":
        return onnx.TensorProto.STRING, arr
    return helper.np_dtype_to_tensor_dtype(arr.dtype), arr


def _wire(v) -> tuple[str, list[int], bytes | None, list[str] | None]:
    """(dtype name, dims, raw little-endian bytes as ONNX lays them out, or the strings)."""
    if isinstance(v, onnx.TensorProto):
        t = v
    else:
        arr = np.asarray(v)
        if arr.dtype.kind in "OUS":
            strings = [s.decode() if isinstance(s, bytes) else str(s) for s in arr.reshape(-1)]
            return "string", list(arr.shape), None, strings
        t = numpy_helper.from_array(arr)
    if t.data_type == onnx.TensorProto.STRING:
        return "string", list(t.dims), None, [s.decode() for s in t.string_data]
    if not t.HasField("raw_data"):
        t = numpy_helper.from_array(numpy_helper.to_array(t))
    return dtype_name(t.data_type), list(t.dims), t.raw_data, None


def _actual(out: dict) -> tuple[int | None, np.ndarray]:
    type_ = TYPE_OF_NAME.get(out["type"])
    if out["type"] == "string":
        return onnx.TensorProto.STRING, np.array(out["strings"], dtype=object).reshape(out["dims"])
    if type_ is None:
        raise ValueError(f"unknown output dtype {out['type']}")
    t = onnx.TensorProto()
    t.data_type = type_
    t.dims.extend(out["dims"])
    t.raw_data = base64.b64decode(out["b64"])
    return type_, numpy_helper.to_array(t)


def compare(expected, actual: dict, rtol: float, atol: float, ignore: np.ndarray | None = None) -> str | None:
    """None when `actual` (as the page returned it) matches `expected`, else a short reason.
    `ignore` masks elements whose expected value the ONNX spec leaves undefined (see spec_undefined)."""
    exp_type, exp = _expected(expected)
    try:
        act_type, act = _actual(actual)
    except Exception as exc:  # noqa: BLE001 - bytes that do not fit the dims, unknown dtype
        return f"unreadable output ({str(exc).splitlines()[0][:120]})"
    if act_type != exp_type:
        return f"dtype {dtype_name(act_type)} (expected {dtype_name(exp_type)})"
    if tuple(act.shape) != tuple(exp.shape):
        return f"shape {list(act.shape)} (expected {list(exp.shape)})"
    if ignore is not None and ignore.shape == exp.shape and ignore.any():
        act = np.where(ignore, exp, act).astype(exp.dtype)
    if exp_type == onnx.TensorProto.STRING:
        bad = int(np.sum([str(a) != (e.decode() if isinstance(e, bytes) else str(e))
                          for a, e in zip(act.reshape(-1), exp.reshape(-1))]))
        return None if bad == 0 else f"{bad}/{exp.size} strings differ"
    if exp_type in FLOAT_TYPES:
        a, e = act.astype(np.float64), exp.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        if close.all():
            return None
        bad = ~close
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(a - e)[bad]
        worst = float(np.nanmax(diff)) if np.isfinite(diff).any() else float("nan")
        i = int(np.flatnonzero(bad.reshape(-1))[0])
        return (f"{int(bad.sum())}/{e.size} values off (max |diff| {worst:.3g}; rtol {rtol:g}, atol {atol:g}; "
                f"first at flat index {i}: got {a.reshape(-1)[i]:.6g}, expected {e.reshape(-1)[i]:.6g})")
    if np.array_equal(act, exp):
        return None
    i = int(np.flatnonzero(act.reshape(-1) != exp.reshape(-1))[0])
    return (f"{int(np.sum(act != exp))}/{exp.size} values differ (exact); first at flat index {i}: "
            f"got {act.reshape(-1)[i]}, expected {exp.reshape(-1)[i]}")


class Blob:
    """One binary blob of every tensor the page needs, each at a 16-byte aligned offset."""

    def __init__(self):
        self.buf = bytearray()

    def add(self, data: bytes) -> dict:
        self.buf.extend(b"\0" * (-len(self.buf) % 16))
        ref = {"offset": len(self.buf), "length": len(data)}
        self.buf.extend(data)
        return ref


def _feeds(case, blob: Blob, names: list[str] | None = None) -> list[list[dict]]:
    """Per data set, the inputs as index entries (graph inputs of the original model, in order)."""
    inits = {t.name for t in case.model.graph.initializer}
    inputs = [i.name for i in case.model.graph.input if i.name not in inits]
    sets = []
    for ins, _ in case.data_sets:
        entries = []
        for name, value in zip(inputs, ins):
            if names is not None and name not in names:
                continue
            dtype, dims, raw, strings = _wire(value)
            entry = {"name": name, "type": dtype, "dims": dims}
            if strings is not None:
                entry["strings"] = strings
            else:
                entry.update(blob.add(raw))
            entries.append(entry)
        sets.append(entries)
    return sets


def _non_tensor(case) -> bool:
    return any(not _is_tensor(v) for ins, outs in case.data_sets for v in list(ins) + list(outs))


_CPP_WHERE = re.compile(r"\S+\.(?:cc|h|cpp):\d+ [^(]*\([^)]*\)(?: const)?(?: \[[^\]]*\])? ?")


def clean(reason: str, limit: int = 400) -> str:
    """One readable line: no C++ source locations or signatures, no temp paths, bounded length."""
    reason = _CPP_WHERE.sub("", reason)
    reason = re.sub(r"ERROR_CODE: \d+, ERROR_MESSAGE: ", "", reason)
    reason = re.sub(r"/tmp/\S+", "<tmp>", reason)
    reason = " ".join(reason.split())
    return reason if len(reason) <= limit else reason[:limit - 3] + "..."


# ------------------------------------------------------------ where the onnx oracle goes past the spec
# Cast's spec (every opset with these types): "Casting from floating point to fixed point:
# undefined if OOR (out of range)". onnx's node cases for Cast/CastLike to 4- and 2-bit integers
# still feed out-of-range floats and take the expected values from ml_dtypes at collection time,
# and ml_dtypes changed them between releases (0.6 saturates 16.0 to 7, 0.7 gives 0). Those
# elements are compared against nothing; the in-range ones, which the spec defines, exactly.
NARROW_INT_RANGES = {getattr(onnx.TensorProto, n): r for n, r in
                     (("INT4", (-8, 7)), ("UINT4", (0, 15)), ("INT2", (-2, 1)), ("UINT2", (0, 3)))
                     if hasattr(onnx.TensorProto, n)}


def spec_undefined(case, inputs) -> tuple[np.ndarray | None, str]:
    """(mask over the first output of the elements the spec leaves undefined, why) or (None, '')."""
    g = case.model.graph
    ops = {n.op_type for n in g.node}
    if not ops & {"Cast", "CastLike"} or len(g.output) != 1 or not g.input:
        return None, ""
    to = g.output[0].type.tensor_type.elem_type
    if to not in NARROW_INT_RANGES or g.input[0].type.tensor_type.elem_type not in FLOAT_TYPES:
        return None, ""
    lo, hi = NARROW_INT_RANGES[to]
    x = _expected(inputs[0])[1].astype(np.float64)
    with np.errstate(invalid="ignore"):
        mask = ~np.isfinite(x) | (np.rint(x) < lo) | (np.rint(x) > hi)
    why = (f"{int(mask.sum())} of {mask.size} inputs are outside {dtype_name(to)}'s range [{lo}, {hi}], where the "
           "spec leaves float-to-fixed-point Cast undefined; only the in-range elements are compared")
    return mask, why


# Per-device tolerance floors (rtol, atol) over each case's own: the one place that says how far a
# device may be from the oracle. wasm and JS compute in the reference's order; WebGPU sums in
# other orders (tiled GEMMs, tree reductions in workgroup memory) with the GPU's own exp/log/pow.
DEVICE_TOLERANCE = {"wasm": (0.0, 0.0), "webgpu": (0.0, 0.0)}


def _check(case, result: dict, device: str = "wasm") -> Outcome:
    """Outcome of one case from the page's result (outputs per data set, or an error)."""
    rtol_floor, atol_floor = DEVICE_TOLERANCE[device]
    if not result.get("ok"):
        return Outcome("error", clean(result.get("error") or "unknown error"), result.get("ms"))
    names = [o.name for o in case.model.graph.output]
    note = ""
    for k, (ins, outs) in enumerate(case.data_sets):
        got = {o["name"]: o for o in result["outputs"][k]}
        undefined, why_undefined = spec_undefined(case, ins)
        if undefined is not None and undefined.any():
            note = why_undefined
        for i, (name, exp) in enumerate(zip(names, outs)):
            if name not in got:
                return Outcome("fail", f"output '{name}' missing", result.get("ms"))
            why = compare(exp, got[name], max(case.rtol, rtol_floor), max(case.atol, atol_floor),
                          ignore=undefined if i == 0 else None)
            if why:
                return Outcome("fail", f"output '{name}': {why}", result.get("ms"))
    return Outcome("pass", note, result.get("ms"))


# ----------------------------------------------------------------------------------------- plans
def prepare_webedge(case, blob: Blob) -> tuple[Outcome | None, dict | None]:
    """(outcome, None) when the case stops in Python, else (None, its index entry for the page)."""
    from .backends import native
    from .weights import extract_weights

    try:
        prepared = native.prepare(case.model)
    except WebedgeError as exc:
        return Outcome("prepare-failed", clean(str(exc).replace("onnxruntime could not optimize the model: ", ""))), None
    except Exception as exc:  # noqa: BLE001 - the optimizer round trip can fail in many ways
        return Outcome("prepare-failed", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"), None
    graph_model, weights, _ = extract_weights(prepared)
    try:
        plan = native.plan(graph_model)
        json.dumps(plan)
    except WebedgeError as exc:
        missing = native.unsupported(graph_model)
        return Outcome("unsupported", f"missing: {', '.join(missing)}" if missing else str(exc), missing=missing), None
    except Exception as exc:  # noqa: BLE001 - a planner crash is an error of this case, not of the run
        return Outcome("error", f"planner: {type(exc).__name__}: {exc}"), None
    if _non_tensor(case):
        return Outcome("unsupported", "sequence/optional values (the runtime takes and returns tensors only)",
                       missing=["<sequence/optional values>"]), None
    entry = {
        "plan": plan,
        "weights": [{"name": w.name, "dtype": w.dtype, "shape": w.shape, **blob.add(w.data)} for w in weights],
        "feeds": _feeds(case, blob, set(plan["inputs"])),
    }
    return None, entry


def prepare_ort(case, blob: Blob) -> tuple[Outcome | None, dict | None]:
    if _non_tensor(case):
        return Outcome("error", "sequence/optional values: onnxruntime-web's JS API takes and returns tensors only"), None
    return None, {"model": blob.add(case.model.SerializeToString()), "feeds": _feeds(case, blob)}


# ----------------------------------------------------------------------------------------- browser
def _warm_model() -> bytes:
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "warm", [x], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8).SerializeToString()


class _Page:
    """One page of the harness; re-opened when the renderer crashes."""

    def __init__(self, browser, server):
        self.browser, self.server = browser, server
        self.context = browser.new_context()
        self.page = None
        self.started: str | None = None
        self.open()

    def open(self):
        if self.page is not None:
            try:
                self.page.close()
            except Exception:  # noqa: BLE001 - a crashed page may refuse to close
                pass
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.goto(self.server.url + "__conformance__/index.html")

    def _console(self, msg):
        text = msg.text
        if text.startswith("conformance:start:"):
            self.started = text.split(":", 2)[2]

    def evaluate(self, args: dict):
        return self.page.evaluate("async (a) => (await import('/__conformance__/runner.mjs')).runBatch(a)", args)

    def close(self):
        self.context.close()


class _DriverPage:
    """The harness page in Firefox or WebKit: each batch navigates a tab of the driver's profile
    again. There are no console events to say which case was running when a tab died, so
    `_run_batches` finds it by running the batch again in halves."""

    SCRIPT = "async (a) => (await import('/__conformance__/runner.mjs')).runBatch(a)"
    bisects = True

    def __init__(self, driver, server):
        self.driver, self.server, self.started = driver, server, None

    def evaluate(self, args: dict):
        out = self.driver.run(self.server.url + "__conformance__/index.html", self.SCRIPT, args)
        if isinstance(out, dict) and "error" in out:
            raise _PageDied(out["error"])
        return out

    def open(self):
        pass

    def close(self):
        pass


class _PageDied(Exception):
    pass


def _run_batches(page, server, mode: str, entries: list[tuple[str, dict]], args: dict,
                 batch_size: int, log) -> dict[str, dict]:
    """Run index entries [(case name, entry)] in batches; name -> the page's result."""
    from playwright.sync_api import Error as PlaywrightError

    results: dict[str, dict] = {}
    ids = {str(i): name for i, (name, _) in enumerate(entries)}
    pending = [(str(i), name, e) for i, (name, e) in enumerate(entries)]
    batches = (len(pending) + batch_size - 1) // batch_size
    n = 0
    timeouts = 0
    size = batch_size  # smaller while bisecting for the case that killed a page
    while pending:
        batch, pending = pending[:size], pending[size:]
        size = batch_size
        n += 1
        t0 = time.monotonic()
        server.extra["__conformance__/batch.json"] = (
            json.dumps({"cases": [{"id": i, **e} for i, _, e in batch]}).encode(), "application/json")
        page.started = None
        batch_args = {**args, "mode": mode, "index": f"/__conformance__/batch.json?b={n}",
                      "maxTimeouts": max(0, MAX_TIMEOUTS - timeouts)}
        try:
            out = page.evaluate(batch_args)
        except _PageDied as exc:
            first = str(exc)[:300]
            if len(batch) == 1:
                results[batch[0][1]] = {"ok": False, "error": f"page crashed while running it: {first}"}
            else:  # which case killed it? run the batch again in halves
                pending = batch + pending
                size = max(1, len(batch) // 2)
            log(f"  {mode}: page died ({first}); running {len(batch)} cases again in smaller batches")
            continue
        except PlaywrightError as exc:
            # The renderer died (out of memory, a crash): blame the case that was running, run the rest again.
            culprit = page.started
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if culprit is None or culprit not in ids:
                for i, name, _ in batch:
                    results[name] = {"ok": False, "error": f"page crashed: {first}"}
            else:
                results[ids[culprit]] = {"ok": False, "error": f"page crashed while running it: {first}"}
                pending = [b for b in batch if b[0] != culprit] + pending
            log(f"  {mode}: page crashed ({first}); reopening")
            page.open()
            continue
        for r in out:
            results[ids[str(r["id"])]] = r
            timeouts += bool(r.get("timedOut"))
        batches = max(batches, n + (len(pending) + batch_size - 1) // batch_size)
        log(f"  {mode}: batch {n} of {batches}: {len(batch)} cases in {time.monotonic() - t0:.1f} s")
    return results


def pass_list(browser: str = "chromium") -> Path:
    """The regression list of an engine: webedge_pass.txt for Chromium, webedge_pass.<engine>.txt else."""
    return PASS_LIST if browser == "chromium" else PASS_LIST.with_name(f"webedge_pass.{browser}.txt")


def on_gpu(result: CaseResult) -> bool:
    """A GPU pass: the case passed and every node of the op it is about ran on WebGPU."""
    o = result.webedge
    devices = (o.placement or {}).get(result.op, {})
    return o.status == "pass" and bool(devices) and set(devices) == {"webgpu"}


def run(*, only: str | None = None, names: set[str] | None = None, ort: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S, batch_size: int = BATCH_SIZE, log=print, browser: str = "chromium",
        device: str = "wasm", simd: str = "simd128") -> Run:
    """Run the conformance cases; see the module docstring. Raises WebedgeError for a broken setup.
    `browser` is chromium (Playwright, crash detection per case) or firefox/webkit (the harness drivers).
    `device` webgpu (Chromium only): the executor with the ops' webgpu parts on a WebGPU device
    (SwiftShader headless), each case's placement recorded; wasm: the wasm and JS parts.
    `simd` picks the kernel set: simd128 (the one every engine runs) or relaxed (FMA)."""
    import onnxruntime

    from .backends import executor_js, native
    from .plan.ops import RUNTIME_DIR, SUPPORTED
    from .serve import BundleServer
    from .testing import browser as chromium
    from .testing.drivers import open_driver

    if simd not in KERNEL_DIRS:
        raise WebedgeError(f"simd must be one of {', '.join(KERNEL_DIRS)}, got {simd!r}")
    if simd == "relaxed" and browser == "webkit":
        raise WebedgeError("WebKit has no relaxed SIMD: run it with --simd simd128")
    t_start = time.monotonic()
    onnxruntime.set_default_logger_severity(4)  # the runner reports what the optimizer refuses itself
    cases, collected = collect(only, names)
    by_name = {c.name: c for c in cases}
    excluded = {c.name: why for c in cases if (why := exclusion(c))}
    relevant = [c for c in cases if c.name not in excluded]
    results = {c.name: CaseResult(c.name, case_op(c, by_name), Outcome("error", "not run")) for c in relevant}
    log(f"{len(cases)} of {collected} onnx node cases selected; {len(excluded)} excluded, "
        f"{len(relevant)} inference-relevant")

    blob = Blob()
    we_entries, ort_entries = [], []
    t0 = time.monotonic()
    for c in relevant:
        outcome, entry = prepare_webedge(c, blob)
        if outcome:
            results[c.name].webedge = outcome
        else:
            we_entries.append((c.name, entry))
        if ort:
            outcome, entry = prepare_ort(c, blob)
            if outcome:
                results[c.name].ort = outcome
            else:
                ort_entries.append((c.name, entry))
    log(f"planned in {time.monotonic() - t0:.1f} s: {len(we_entries)} cases to run on webedge"
        + (f", {len(ort_entries)} on onnxruntime-web" if ort else ""))

    server = BundleServer(RUNTIME_DIR).start()
    try:
        server.extra["__conformance__/index.html"] = (PAGE_HTML, "text/html; charset=utf-8")
        server.extra["__conformance__/runner.mjs"] = (PAGE_JS.read_bytes(), "text/javascript")
        # the executor linked with every op (a bundle's has only its plan's)
        gpu = device == "webgpu"
        server.extra["__conformance__/webedge-runtime.mjs"] = (executor_js.link(SUPPORTED, gpu), "text/javascript")
        args = {"blob": "/__conformance__/blob.bin", "timeoutMs": int(timeout_s * 1000),
                "initTimeoutMs": int(INIT_TIMEOUT_S * 1000), "runtimeUrl": "/__conformance__/webedge-runtime.mjs"}
        if gpu:
            from .plan.ops import shaders_for

            args["shaderNames"] = shaders_for(SUPPORTED)
            for s in args["shaderNames"]:
                server.extra[f"__conformance__/shaders/{s}.wgsl"] = ((RUNTIME_DIR / "shaders" / f"{s}.wgsl").read_bytes(),
                                                                     "text/plain")
        needed = sorted({k for _, e in we_entries for k in e["plan"]["kernels"]})
        kernel_dir = PACKAGE / "runtime" / KERNEL_DIRS[simd]
        args["kernelNames"] = [k for k in needed if (kernel_dir / f"{k}.wasm").is_file()]
        args["kernelBase"] = f"/{KERNEL_DIRS[simd]}/"
        if ort:
            missing = [f for f in ORT_FILES if not (ORT_DIST / f).is_file()]
            if missing:
                raise WebedgeError(f"--ort needs onnxruntime-web's files in {ORT_DIST} (missing {', '.join(missing)}): "
                                   "run `cd js && npm ci`")
            for f in ORT_FILES:
                server.extra[f"ort/{f}"] = ((ORT_DIST / f).read_bytes(),
                                            "application/wasm" if f.endswith(".wasm") else "text/javascript")
            args.update({"ortUrl": "/ort/ort.wasm.min.mjs", "ortBase": "/ort/", "warmModel": blob.add(_warm_model())})
        server.extra["__conformance__/blob.bin"] = (bytes(blob.buf), "application/octet-stream")
        log(f"tensor blob: {len(blob.buf) / 1e6:.1f} MB")

        if browser == "chromium":
            launched = chromium.launch(webgpu=gpu)
        else:
            launched = open_driver(browser, webgpu=False)
        with launched as b:
            page = _Page(b, server) if browser == "chromium" else _DriverPage(b, server)
            try:
                for mode, entries in (("webedge", we_entries), ("ort", ort_entries)):
                    if not entries:
                        continue
                    t0 = time.monotonic()
                    got = _run_batches(page, server, mode, entries, args, batch_size, log)
                    for name, r in got.items():
                        setattr(results[name], mode, _check(by_name[name], r, device if mode == "webedge" else "wasm"))
                        if mode == "webedge":
                            results[name].webedge.placement = r.get("placement")
                    log(f"{mode}: ran {len(entries)} cases in {browser} in {time.monotonic() - t0:.1f} s")
            finally:
                page.close()
    finally:
        server.stop()

    from . import __version__ as we_version

    versions = {"onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "webedge": we_version}
    if ort:
        pkg = ORT_DIST.parent / "package.json"
        versions["onnxruntime-web"] = json.loads(pkg.read_text()).get("version") if pkg.is_file() else "?"
    return Run(collected, excluded, results, ort, time.monotonic() - t_start, versions)


# ----------------------------------------------------------------------------------------- output
def read_pass_list(path: Path = PASS_LIST) -> list[str]:
    if not path.is_file():
        return []
    """Case names, one per line; a `#` starts a comment (a whole line, or why a listed case passes
    only in part, e.g. elements the spec leaves undefined)."""
    return [s for line in path.read_text().splitlines() if (s := line.split("#", 1)[0].strip())]


def pass_list_text(names: list[str], notes: dict[str, str]) -> str:
    return "".join(f"{n}  # {notes[n]}\n" if notes.get(n) else f"{n}\n" for n in names)


def summary(r: Run, top: int = 15) -> str:
    lines = []
    total = len(r.results)
    lines.append(f"onnx {r.versions.get('onnx')} node cases: {r.collected} collected, {len(r.excluded) + total} "
                 f"selected, {len(r.excluded)} excluded, {total} inference-relevant")
    for why, n in Counter(r.excluded.values()).most_common():
        lines.append(f"  excluded {n:4d}: {why}")
    backends = ["webedge"] + (["ort"] if r.ort else [])
    label = {"webedge": "webedge", "ort": "onnxruntime-web"}
    counts = {b: r.counts(b) for b in backends}
    lines.append("")
    lines.append(f"{'status':<16}" + "".join(f"{label[b]:>18}" for b in backends))
    for s in STATUSES:
        lines.append(f"{s:<16}" + "".join(f"{counts[b].get(s, 0):>18}" for b in backends))
    fractions = [f"{counts[b].get('pass', 0)}/{total}" for b in backends]
    lines.append(f"{'passed/total':<16}" + "".join(f"{x:>18}" for x in fractions))

    # Ops whose cases fail or error on webedge, with one example each.
    by_op: dict[str, list[CaseResult]] = defaultdict(list)
    for c in r.results.values():
        if c.webedge.status in ("fail", "error"):
            by_op[c.op].append(c)
    if by_op:
        lines.append("")
        lines.append("top failing ops on webedge (cases that ran and failed or threw):")
        for op, cs in sorted(by_op.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:top]:
            st = Counter(c.webedge.status for c in cs)
            ex = cs[0]
            lines.append(f"  {op:<26} {len(cs):3d} ({st.get('fail', 0)} fail, {st.get('error', 0)} error)  "
                         f"e.g. {ex.name}: {ex.webedge.reason[:140]}")
    missing = Counter(m for c in r.results.values() if c.webedge.status == "unsupported" for m in c.webedge.missing)
    if missing:
        lines.append("")
        lines.append("ops the planner lacks (cases needing each):")
        row = [f"{op} {n}" for op, n in missing.most_common(top * 2)]
        for k in range(0, len(row), 6):
            lines.append("  " + ", ".join(row[k:k + 6]))
    pf = Counter(re.sub(r" node with name.*| \(node:.*", "", c.webedge.reason)[:150] for c in r.results.values()
                 if c.webedge.status == "prepare-failed")
    if pf:
        lines.append("")
        lines.append("prepare-failed (onnxruntime's optimizer refused the model):")
        for why, n in pf.most_common(8):
            lines.append(f"  {n:4d}  {why}")
    lines.append("")
    lines.append("passed / inference-relevant: " + ",  ".join(
        f"{label[b]} {counts[b].get('pass', 0)}/{total}" for b in backends) + f"   ({r.seconds:.0f} s)")
    return "\n".join(lines)


def to_json(r: Run) -> dict:
    return {
        "versions": r.versions, "collected": r.collected, "seconds": round(r.seconds, 1),
        "excluded": [{"name": n, "why": w} for n, w in sorted(r.excluded.items())],
        "counts": {b: dict(r.counts(b)) for b in (["webedge", "ort"] if r.ort else ["webedge"])},
        "cases": [{"name": c.name, "op": c.op, "webedge": asdict(c.webedge),
                   **({"ort": asdict(c.ort)} if c.ort else {})} for c in sorted(r.results.values(), key=lambda c: c.name)],
    }


def gpu_pass_list() -> Path:
    return PASS_LIST.with_name("webedge_pass.webgpu.txt")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m webedge.conformance",
                                description="ONNX backend node conformance of the webedge runtime in headless Chromium.")
    p.add_argument("--ort", action="store_true", help="also run every case on onnxruntime-web (wasm, 1 thread)")
    p.add_argument("--update", action="store_true", help=f"rewrite {PASS_LIST.relative_to(ROOT)} with the passing cases")
    p.add_argument("--only", metavar="REGEX", help="only cases whose name matches (re.search)")
    p.add_argument("--json", metavar="FILE", help="write per-case results as JSON")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"per-case time limit in the browser (default {DEFAULT_TIMEOUT_S:g} s)")
    p.add_argument("--browser", default="chromium", choices=("chromium", "firefox", "webkit"),
                   help="engine to run webedge in (default chromium); each has its own pass list")
    p.add_argument("--device", choices=("wasm", "webgpu"), default="wasm",
                   help="webgpu: run on WebGPU (SwiftShader headless) and keep the list of cases that pass there "
                   "with their op's nodes on the GPU (webedge_pass.webgpu.txt)")
    p.add_argument("--simd", choices=tuple(KERNEL_DIRS), default="simd128",
                   help="wasm kernel set (default simd128); relaxed (FMA) runs against the same list and cannot --update it")
    a = p.parse_args(argv)
    if a.simd != "simd128" and (a.update or a.device == "webgpu"):
        print("error: --simd relaxed checks the list that the simd128 run writes: drop --update and --device webgpu",
              file=sys.stderr)
        return 2
    if a.ort and a.browser != "chromium":
        print("error: --ort runs in chromium only", file=sys.stderr)
        return 2
    if a.device == "webgpu" and a.browser != "chromium":
        print("error: --device webgpu runs in chromium only", file=sys.stderr)
        return 2
    try:
        r = run(only=a.only, ort=a.ort, timeout_s=a.timeout, browser=a.browser, device=a.device, simd=a.simd,
                log=lambda s: print(s, file=sys.stderr, flush=True))
    except (WebedgeError, re.error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary(r))
    gpu = a.device == "webgpu"
    listing = gpu_pass_list() if gpu else pass_list(a.browser)
    passed = sorted(n for n, res in r.results.items() if on_gpu(res)) if gpu else r.passed()
    if gpu:
        print(f"GPU passes (the case's op ran on WebGPU): {len(passed)} of {len(r.results)} "
              f"({len(r.passed())} pass in all)")
    if a.json:
        Path(a.json).write_text(json.dumps(to_json(r), indent=1) + "\n")
        print(f"wrote {a.json}")
    listed = set(read_pass_list(listing))
    regressed = sorted(n for n in listed if n in r.results and n not in passed)
    if a.update:
        if not listing.parent.is_dir():
            print(f"error: {listing.parent} does not exist (run from a checkout)", file=sys.stderr)
            return 2
        selected = set(r.results) | set(r.excluded)
        names = sorted((listed - selected) | set(passed))
        old_notes = {line.split("#", 1)[0].strip(): line.split("#", 1)[1].strip()
                     for line in listing.read_text().splitlines() if "#" in line} if listing.is_file() else {}
        notes = {**old_notes, **{n: r.results[n].webedge.reason for n in passed}}
        listing.write_text(pass_list_text(names, notes))
        print(f"wrote {listing.relative_to(ROOT)}: {len(names)} cases "
              f"(+{len(set(names) - listed)} -{len(listed - set(names))})")
        return 0
    if regressed:
        print(f"\n{len(regressed)} case(s) listed in {listing.name} no longer pass:")
        for n in regressed:
            o = r.results[n].webedge
            print(f"  {n}: {o.status}: {o.reason}{' (ran off the GPU)' if o.status == 'pass' else ''}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
