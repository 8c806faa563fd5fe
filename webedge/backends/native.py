"""The webedge backend: our own op-pruned wasm runtime, driven by a plan compiled here.

The bundle ships the plan (JSON), only the kernel modules the plan uses (from
webedge/runtime/kernels, built by wasm/build.py and committed, so bundling needs no compiler),
and the weights of the *optimized* graph (BatchNormalization already folded into Conv, etc.).
"""

from __future__ import annotations

from pathlib import Path

import onnx

from ..plan.compile import compile_plan, missing_ops
from ..plan.fuse import fuse_activations
from ..plan.optimize import optimize

KERNEL_DIR = Path(__file__).resolve().parents[1] / "runtime" / "kernels"
EXECUTOR_JS = KERNEL_DIR.parent / "webedge-runtime.mjs"
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
    kernels = [(f"kernels/{k}.wasm", KERNEL_DIR / f"{k}.wasm", "kernel") for k in plan_["kernels"]]
    return [("webedge-runtime.mjs", EXECUTOR_JS, "executor"), *kernels]
