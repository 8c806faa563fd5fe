"""The comparison rule `webedge test` applies lives in webedge/compare.py, so that `webedge bundle`
can hold a quantized model to the same rule without importing the test harness."""

from ..compare import OutputCheck, Tolerance, compare, compare_one

__all__ = ["OutputCheck", "Tolerance", "compare", "compare_one"]
