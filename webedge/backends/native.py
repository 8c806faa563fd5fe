"""The webedge backend: our own op-pruned wasm runtime, driven by a plan compiled here.

The bundle ships the plan (JSON), only the kernel modules the plan uses (from
webedge/runtime/kernels, built by wasm/build.py and committed, so bundling needs no compiler),
and the weights of the *optimized* graph (BatchNormalization already folded into Conv, etc.).
Each kernel module comes twice: `kernels/<name>.wasm` (role `kernel`) and its threaded variant
`kernels/mt/<name>.wasm` (role `kernel-mt`, on a shared memory); the loader fetches one set only,
the threaded one when the page is cross-origin isolated and has more than one core.
"""

from __future__ import annotations

from pathlib import Path

import onnx

from ..installation import packaged
from ..plan.compile import compile_plan, missing_ops
from ..plan.fuse import fuse_activations
from ..plan.optimize import optimize

MT_PREFIX = "kernels/mt/"
EXECUTOR = "runtime/webedge-runtime.mjs"  # packaged paths, relative to the webedge package
EPS = ["wasm"]


def prepare(model: onnx.ModelProto, fuse: bool = True) -> onnx.ModelProto:
    """The graph our runtime executes: onnxruntime's basic optimizations, then our fusions.

    `fuse=False` stops before the fusions, whose private attributes only our runtime understands
    (quantization scores candidates with onnxruntime in between, then calls `fuse`)."""
    optimized = optimize(model)
    if fuse:
        fuse_activations(optimized)
    return optimized


def fuse(model: onnx.ModelProto) -> onnx.ModelProto:
    fuse_activations(model)
    return model


def unsupported(model: onnx.ModelProto) -> list[str]:
    """Ops of the prepared model that the runtime lacks ([] means it can run the model)."""
    return missing_ops(model)


def plan(graph_model: onnx.ModelProto) -> dict:
    return compile_plan(graph_model)


def files_for(plan_: dict) -> list[tuple[str, Path, str]]:
    """(path in bundle, packaged source, role) of every runtime file the plan needs; a packaged
    file that is missing raises InstallationError before anything is written."""
    kernels = [(f"kernels/{k}.wasm", packaged(f"runtime/kernels/{k}.wasm"), "kernel") for k in plan_["kernels"]]
    threaded = [(f"{MT_PREFIX}{k}.wasm", packaged(f"runtime/{MT_PREFIX}{k}.wasm"), "kernel-mt")
                for k in plan_["kernels"]]
    return [("webedge-runtime.mjs", packaged(EXECUTOR), "executor"), *kernels, *threaded]


def split_threaded_totals(report: dict) -> dict:
    """Count the threaded kernels apart in report.json's totals: `runtime` stays what a
    single-threaded page downloads; `threads` is the kernels/mt/ set a cross-origin isolated page
    downloads instead of kernels/."""
    threaded = {"bytes": 0, "gzip": 0}
    for rel, entry in report["files"].items():
        if rel.startswith(MT_PREFIX):
            for k in threaded:
                threaded[k] += entry[k]
                report["totals"]["runtime"][k] -= entry[k]
    if threaded["bytes"]:
        report["totals"] = {**{k: v for k, v in report["totals"].items() if k != "all"}, "threads": threaded,
                            "all": report["totals"]["all"]}
    return report
