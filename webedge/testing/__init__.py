"""Check a bundle in a real browser: correctness against onnxruntime, bytes, load phases, budgets.

    from webedge.testing import check
    report = check("site/", model="model.onnx", budgets={"first_inference_ms": 2000})
    assert report.ok, report.failures
"""

from .harness import Report, check

__all__ = ["Report", "check"]
