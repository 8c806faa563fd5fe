"""ONNX backend node conformance of the webedge runtime: no regressions against webedge_pass.txt.

webedge_pass.txt (beside this file) lists the onnx node cases that passed on the webedge runtime
in Chromium when it was last refreshed with `python -m webedge.conformance --update`;
webedge_pass.firefox.txt and webedge_pass.webkit.txt the same for Firefox and WebKit (`--browser`).
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


def _rerun_timeouts(run, browser: str):
    """A case that timed out in a long run is run again alone with a longer limit: a timeout is a
    stall of the machine or the engine (docs/browsers.md), a wrong answer is not; only a case that
    fails again counts."""
    stalled = {n for n, r in run.results.items() if r.webedge.status == "error" and "timed out" in r.webedge.reason}
    if stalled:
        again = conformance.run(names=stalled, log=lambda _: None, browser=browser, timeout_s=RETRY_TIMEOUT_S)
        run.results.update(again.results)
    return run


@pytest.mark.browser
@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])
def test_every_listed_case_still_passes_on_webedge(browser):
    listing = conformance.pass_list(browser)
    names = conformance.read_pass_list(listing)
    if not names:
        pytest.fail(f"{listing} is missing or empty: run `python -m webedge.conformance --browser {browser} --update`",
                    pytrace=False)
    run = _rerun_timeouts(conformance.run(names=set(names), log=lambda _: None, browser=browser), browser)
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
        pytest.fail(f"{len(problems)} of {len(names)} cases in {listing.name} no longer pass in {browser}:\n  "
                    + "\n  ".join(problems), pytrace=False)


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
