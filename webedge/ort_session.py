"""Python onnxruntime sessions that print nothing, and its exceptions as one readable line.

Every place webedge runs onnxruntime (the optimizer pass, quantization scoring, `inspect`, the test
harness's reference outputs) opens its session here. onnxruntime's default logging prints
warnings and errors on stderr (e.g. a StringNormalizer whose locale is not installed logs the
same failure it then raises), which would land before webedge's one-line error or inside its
report. Everything it logs short of fatal is also in the exception it raises, so sessions log
fatal only, and `reason()` makes the exception one line without C++ source locations.
"""

from __future__ import annotations

import re

QUIET = 4  # onnxruntime severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal
_CPP_WHERE = re.compile(r"\S+\.(?:cc|h|cpp):\d+ [^(]*\([^)]*\)(?:::<lambda\(\)>)?(?: const)?(?: \[[^\]]*\])? ?")
_STATUS = re.compile(r"^\[ONNXRuntimeError\] : \d+ : [A-Z_]+ : ")


def reason(exc: BaseException, limit: int = 300) -> str:
    """An onnxruntime exception as one line: first line, no status prefix or C++ source locations."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    text = " ".join(_CPP_WHERE.sub("", _STATUS.sub("", text)).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def ort():
    """The onnxruntime module, with its process-wide default logger set to errors only."""
    import onnxruntime

    onnxruntime.set_default_logger_severity(QUIET)
    return onnxruntime


def options():
    opts = ort().SessionOptions()
    opts.log_severity_level = QUIET
    return opts


def session(model, opts=None):
    """A CPU InferenceSession on `model` (a path or serialized bytes), quiet unless told otherwise."""
    opts = opts or options()
    return ort().InferenceSession(model, opts, providers=["CPUExecutionProvider"])
