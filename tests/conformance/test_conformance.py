"""ONNX backend node conformance of the webedge runtime: no regressions against webedge_pass.txt.

webedge_pass.txt (beside this file) lists the onnx node cases that passed on the webedge runtime
in Chromium when it was last refreshed with `python -m webedge.conformance --update`;
webedge_pass.firefox.txt and webedge_pass.webkit.txt the same for Firefox and WebKit (`--browser`).
Chromium's list also runs on the relaxed-SIMD kernels (`--simd relaxed`): fused multiply-add changes
the last bits, and every listed case must still pass within its own tolerance.
The browser tests run exactly those cases and fail naming every one that no longer passes; a case
that starts passing only needs `--update` to be guarded too. The other tests check the comparison
rules offline.
"""

from __future__ import annotations

import base64

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from webedge import conformance

PASS_LIST = conformance.PASS_LIST


@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])
def test_pass_list_is_sorted_unique_and_names_real_cases(browser):
    names = conformance.read_pass_list(conformance.pass_list(browser))
    assert names, f"{conformance.pass_list(browser)} is empty"
    assert names == sorted(set(names)), "webedge_pass.txt must be sorted with one case per line (rerun --update)"
    cases, _ = conformance.collect(names=set(names))
    unknown = sorted(set(names) - {c.name for c in cases})
    assert not unknown, f"listed cases that onnx {onnx.__version__} does not have: {unknown}"


RETRY_TIMEOUT_S = 60
RETRY_ATTEMPTS = 3


def _timed_out(outcome) -> bool:
    return outcome.status == "error" and "timed out" in outcome.reason


def _rerun_timeouts(run, browser: str, simd: str = "simd128"):
    """A case that timed out in a long run is run again alone, in a fresh browser, with a longer
    limit, up to RETRY_ATTEMPTS times: a timeout is a stall of the machine or the engine
    (docs/browsers.md; a WebKit worker on a loaded 2-core machine once gave no answer to one case in
    the run and again in a single retry, and answered in 50 ms on every run since), a wrong answer is
    not. A case counts as failed when it answers wrongly, or times out on every attempt."""
    for name in sorted(n for n, r in run.results.items() if _timed_out(r.webedge)):
        reasons = [run.results[name].webedge.reason]
        for _ in range(RETRY_ATTEMPTS):
            again = conformance.run(names={name}, log=lambda _: None, browser=browser, timeout_s=RETRY_TIMEOUT_S,
                                    simd=simd)
            run.results[name] = again.results[name]
            if not _timed_out(again.results[name].webedge):
                break
            reasons.append(again.results[name].webedge.reason)
        else:
            run.results[name].webedge.reason = "; then ".join(reasons)
    return run


@pytest.mark.browser
@pytest.mark.parametrize("browser,simd", [("chromium", "simd128"), ("chromium", "relaxed"), ("firefox", "simd128"),
                                          ("webkit", "simd128")])
def test_every_listed_case_still_passes_on_webedge(browser, simd):
    listing = conformance.pass_list(browser)
    names = conformance.read_pass_list(listing)
    if not names:
        pytest.fail(f"{listing} is missing or empty: run `python -m webedge.conformance --browser {browser} --update`",
                    pytrace=False)
    run = _rerun_timeouts(conformance.run(names=set(names), log=lambda _: None, browser=browser, simd=simd),
                          browser, simd)
    problems = []
    for name in names:
        if name in run.excluded:
            problems.append(f"{name}: excluded ({run.excluded[name]}); remove it from the list")
        elif name not in run.results:
            problems.append(f"{name}: no such case in onnx {onnx.__version__}")
        elif run.results[name].webedge.status != "pass":
            o = run.results[name].webedge
            problems.append(f"{name}: {o.status}: {o.reason}")
    if problems:
        pytest.fail(f"{len(problems)} of {len(names)} cases in {listing.name} no longer pass in {browser} "
                    f"on the {simd} kernels:\n  "
                    + "\n  ".join(problems), pytrace=False)


def _fake_run(outcomes: dict[str, list[str]]):
    """conformance.run that answers each case with its next scripted status ("pass", "stall")."""
    calls = []

    def run(*, names, **_):
        calls.append(sorted(names))
        results = {}
        for n in names:
            status = outcomes[n].pop(0)
            o = conformance.Outcome("pass") if status == "pass" else conformance.Outcome("error", "timed out after 60 s")
            results[n] = conformance.CaseResult(n, "Op", o)
        return conformance.Run(1, {}, results, False)
    return run, calls


def test_a_timed_out_case_is_retried_alone_and_counts_only_when_it_stalls_every_time(monkeypatch):
    first = conformance.Run(3, {}, {n: conformance.CaseResult(n, "Op", o) for n, o in (
        ("a", conformance.Outcome("error", "timed out after 10 s")),
        ("b", conformance.Outcome("error", "timed out after 10 s")),
        ("c", conformance.Outcome("fail", "1/4 values off")))}, False)
    run, calls = _fake_run({"a": ["stall", "pass"], "b": ["stall"] * RETRY_ATTEMPTS})
    monkeypatch.setattr(conformance, "run", run)
    out = _rerun_timeouts(first, "webkit")
    assert calls == [["a"], ["a"]] + [["b"]] * RETRY_ATTEMPTS  # one case per fresh run; c's wrong answer stands
    assert out.results["a"].webedge.status == "pass"
    assert out.results["b"].webedge.status == "error"
    assert out.results["b"].webedge.reason.count("timed out") == RETRY_ATTEMPTS + 1
    assert out.results["c"].webedge.status == "fail"


def _out(arr: np.ndarray, type_name: str | None = None) -> dict:
    t = numpy_helper.from_array(arr)
    return {"type": type_name or conformance.dtype_name(t.data_type), "dims": list(arr.shape),
            "b64": base64.b64encode(t.raw_data).decode()}


def test_compare_follows_allclose_with_nans_equal():
    e = np.array([1.0, np.nan, np.inf, -2.0], np.float32)
    assert conformance.compare(e, _out(e + np.float32(5e-4)), rtol=1e-3, atol=0) is None
    assert conformance.compare(e, _out(np.array([1.0, np.nan, np.inf, -2.1], np.float32)), 1e-3, 1e-7) \
        .startswith("1/4 values off")
    assert "values off" in conformance.compare(e, _out(np.array([1.0, 0.0, np.inf, -2.0], np.float32)), 1e-3, 1e-7)


def test_compare_is_exact_for_integers_and_bools_and_checks_shape_and_dtype():
    i = np.array([[1, 2], [3, 4]], np.int64)
    assert conformance.compare(i, _out(i), 1e-3, 1e-7) is None
    assert "values differ (exact)" in conformance.compare(i, _out(i + np.array([[0, 0], [0, 1]])), 1.0, 1.0)
    assert conformance.compare(i, _out(i.reshape(4)), 1e-3, 1e-7).startswith("shape [4]")
    assert conformance.compare(i, _out(i.astype(np.int32)), 1e-3, 1e-7).startswith("dtype int32")
    b = np.array([True, False])
    assert conformance.compare(b, _out(b), 0, 0) is None
    assert conformance.compare(b, _out(~b), 0, 0) is not None


def test_exclusions_are_training_cases_and_other_domains():
    cases, _ = conformance.collect(only=r"^test_(adam|training_dropout|ai_onnx_ml_binarizer|abs)$")
    why = {c.name: conformance.exclusion(c) for c in cases}
    assert why["test_abs"] is None
    assert why["test_adam"].startswith("training") and why["test_training_dropout"].startswith("training")
    assert why["test_ai_onnx_ml_binarizer"] == "op domain ai.onnx.ml"


@pytest.mark.browser
def test_every_listed_webgpu_case_still_passes_on_the_gpu():
    """webedge_pass.webgpu.txt: cases that pass with every node of their op on WebGPU (SwiftShader)."""
    listing = conformance.gpu_pass_list()
    names = conformance.read_pass_list(listing)
    assert len(names) > 300, f"{listing} is missing or short: run `python -m webedge.conformance --device webgpu --update`"
    run = conformance.run(names=set(names), log=lambda _: None, device="webgpu")
    problems = []
    for name in names:
        result = run.results.get(name)
        if result is None:
            problems.append(f"{name}: not run")
        elif not conformance.on_gpu(result):
            o = result.webedge
            where = f" (placement {o.placement})" if o.status == "pass" else ""
            problems.append(f"{name}: {o.status}: {o.reason}{where}")
    if problems:
        pytest.fail(f"{len(problems)} of {len(names)} cases in {listing.name} no longer pass on the GPU:\n  "
                    + "\n  ".join(problems), pytrace=False)
