"""The webedge backend: our own op-pruned wasm runtime, driven by a plan compiled here.

The bundle ships the plan (JSON), the executor linked for the plan's ops (executor_js.py: the core
and only those op modules), only the kernel modules the plan uses (from webedge/runtime/kernels,
built by wasm/build.py and committed, so bundling needs no compiler), each stripped to the kernels
and parts the plan's nodes may call (wasm_strip.py), and the weights of the
*optimized* graph (BatchNormalization already folded into Conv, etc.). Each kernel module comes
four times (KERNEL_SETS): SIMD128 `kernels/<name>.wasm` (role `kernel`) and its threaded variant
`kernels/mt/<name>.wasm` (role `kernel-mt`, on a shared memory), and the same two built with relaxed
SIMD (fused multiply-adds) in `kernels/relaxed/` and `kernels/relaxed-mt/` (roles `kernel-relaxed`,
`kernel-relaxed-mt`). The loader fetches one set only: relaxed where the browser validates relaxed
SIMD, threaded when the page is cross-origin isolated and has more than one core, and only then does
the executor import the worker pool (role `executor-mt`).
"""

from __future__ import annotations

import hashlib
import json

import onnx

from .. import __version__
from ..plan.compile import compile_plan, missing_ops
from ..plan.fuse import fuse_activations
from ..plan.one_hot import fuse_one_hot_matmul
from ..installation import packaged
from ..plan.ops import registry, shaders_for
from ..plan.optimize import optimize
from . import executor_js, wasm_strip
from .base import Emitted, RuntimeFile

MT_PREFIX = "kernels/mt/"
# The kernel sets a bundle ships (folder under kernels/, manifest role); wasm/build.py's SHIPPED builds them.
KERNEL_SETS = (("", "kernel"), ("mt/", "kernel-mt"), ("relaxed/", "kernel-relaxed"), ("relaxed-mt/", "kernel-relaxed-mt"))
THREADED_ROLES = ("kernel-mt", "executor-mt")
# Sets a page fetches instead of the SIMD128 ones (report.json counts them apart from `runtime`).
RELAXED_ROLES = ("kernel-relaxed", "kernel-relaxed-mt")
EPS = ["wasm"]
GPU_EPS = ["webgpu", "wasm"]  # --ep webgpu: WebGPU where the browser has it, the wasm kernels otherwise


def prepare(model: onnx.ModelProto, fuse: bool = True) -> onnx.ModelProto:
    """The graph our runtime executes: onnxruntime's basic optimizations, then our fusions.

    `fuse=False` stops before the fusions, whose private attributes only our runtime understands
    (quantization scores candidates with onnxruntime in between, then calls `fuse`)."""
    optimized = optimize(model)
    if fuse:
        fuse_one_hot_matmul(optimized)
        fuse_activations(optimized)
    return optimized


def fuse(model: onnx.ModelProto) -> onnx.ModelProto:
    fuse_one_hot_matmul(model)
    fuse_activations(model)
    return model


def unsupported(model: onnx.ModelProto) -> list[str]:
    """Ops of the prepared model that the runtime lacks ([] means it can run the model)."""
    return missing_ops(model)


def plan(graph_model: onnx.ModelProto) -> dict:
    return compile_plan(graph_model)


def plan_nodes(plan_: dict) -> list[dict]:
    """Every node of the plan, its subplans' included."""
    out: list[dict] = []

    def walk(nodes):
        for n in nodes:
            out.append(n)
            for a in n["attrs"].values():
                if isinstance(a, dict) and "nodes" in a:
                    walk(a["nodes"])

    walk(plan_["nodes"])
    return out


def plan_ops(plan_: dict) -> set[str]:
    """Every op the plan runs, its subplans' included."""
    return {n["op"] for n in plan_nodes(plan_)}


def kernel_bytes(plan_: dict, rel: str) -> bytes:
    """Kernel module `rel` (kernels/<name>.wasm or kernels/mt/<name>.wasm) stripped to the kernels
    and parts the plan's nodes may call (wasm_strip.py); whole when an op using it declares none."""
    data = packaged(f"runtime/{rel}").read_bytes()
    keep = wasm_strip.needed_exports(plan_nodes(plan_), registry(), rel.rsplit("/", 1)[-1].removesuffix(".wasm"))
    return data if keep is None else wasm_strip.strip(data, keep)


def runtime_files(plan_: dict, gpu: bool = False, lowp: bool = True) -> list[RuntimeFile]:
    """The executor linked for the plan's ops, the worker pool, and the plan's kernel modules;
    `gpu`: the executor with the ops' webgpu parts and the WGSL shaders they run (role `shader`,
    fetched only by a page that uses WebGPU; the wasm kernels stay as its fallback)."""
    executor = executor_js.link(plan_ops(plan_), gpu, lowp)  # lowp: executor_js.uses_lowp
    files = [RuntimeFile(f"webedge-runtime.{hashlib.sha256(executor).hexdigest()[:16]}.mjs", executor, "executor")]
    # packaged(): a file missing from the installation is an InstallationError naming it
    files += [RuntimeFile(rel, packaged(f"runtime/{rel}").read_bytes(), "executor-mt") for rel in executor_js.threads_files()]
    files += [RuntimeFile(f"kernels/{folder}{k}.wasm", kernel_bytes(plan_, f"kernels/{folder}{k}.wasm"), role)
              for folder, role in KERNEL_SETS for k in plan_["kernels"]]
    if gpu:
        files += [RuntimeFile(f"shaders/{s}.wgsl", packaged(f"runtime/shaders/{s}.wgsl").read_bytes(), "shader")
                  for s in shaders_for(plan_ops(plan_))]
    return files


def split_threaded_totals(report: dict, manifest: dict) -> dict:
    """Count the alternative kernel sets apart in report.json's totals: `runtime` stays what a
    single-threaded SIMD128 page downloads; `threads` is what a cross-origin isolated page downloads
    instead of (kernels/mt/ for kernels/) or besides (the worker pool) it; `relaxed` the relaxed-SIMD
    sets (kernels/relaxed/, kernels/relaxed-mt/), fetched instead of kernels/ or kernels/mt/."""
    extra = {"threads": {"bytes": 0, "gzip": 0}, "relaxed": {"bytes": 0, "gzip": 0}}
    for f in manifest["backend"]["files"]:
        bucket = "threads" if f["role"] in THREADED_ROLES else "relaxed" if f["role"] in RELAXED_ROLES else None
        if bucket:
            entry = report["files"][f["file"]]
            for k in extra[bucket]:
                extra[bucket][k] += entry[k]
                report["totals"]["runtime"][k] -= entry[k]
    extra = {k: v for k, v in extra.items() if v["bytes"]}
    if extra:
        report["totals"] = {**{k: v for k, v in report["totals"].items() if k != "all"}, **extra,
                            "all": report["totals"]["all"]}
    return report


class WebedgeBackend:
    """`--backend webedge`: see the module docstring."""

    name = "webedge"
    version = __version__
    subgraphs = True

    def __init__(self, ep: str = "wasm"):
        self.ep = ep
        self.eps = GPU_EPS if ep == "webgpu" else EPS

    def prepare(self, model: onnx.ModelProto) -> onnx.ModelProto:
        # quantization runs between optimizing and fusing (see `prepare`), so fuse in `finish`
        return prepare(model, fuse=False)

    def refusal(self, prepared: onnx.ModelProto) -> str | None:
        missing = unsupported(prepared)
        return f"the webedge runtime does not support: {', '.join(missing)}" if missing else None

    def finish(self, prepared: onnx.ModelProto) -> onnx.ModelProto:
        return fuse(prepared)

    def emit(self, graph_model: onnx.ModelProto, shards: list) -> Emitted:
        plan_ = plan(graph_model)
        graph_bytes = json.dumps(plan_, separators=(",", ":")).encode()
        return Emitted(f"plan.{hashlib.sha256(graph_bytes).hexdigest()[:16]}.json", graph_bytes,
                       runtime_files(plan_, gpu=self.ep == "webgpu", lowp=executor_js.uses_lowp(graph_model)))

    def amend_report(self, report: dict, manifest: dict) -> None:
        split_threaded_totals(report, manifest)
