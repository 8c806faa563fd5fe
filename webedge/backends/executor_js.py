"""Link webedge's JS executor for a set of ops: the core and only the op modules (with the helper
modules they import) those ops need, as one ES module.

The JS build (js/build.mjs) commits each module minified on its own as a function
`require => exports` (webedge/runtime/executor/), and the registry lists what each op and module
imports; linking is concatenation in dependency order, so bundling needs no Node. The linked file
exports the core's session API with the op units bound in.
"""

from __future__ import annotations

import json

from ..installation import packaged
from ..plan.ops import modules_for, registry

HEADER = "// webedge's executor, linked by `webedge bundle` from webedge/runtime/executor/ (js/build.mjs).\n"
FOOTER = """const D={},R=i=>D[i]??=M[i](R),C=R("core"),ops=%s.flatMap(i=>R(i).units),gpu=%s;
export {ops,gpu};
export const createSession=(a)=>C.createSession({ops,gpu,...a});
export const createWebedgeSession=(a)=>C.createWebedgeSession({...a,ops,gpu});
export const createStreamingSession=(a)=>C.createStreamingSession({...a,ops,gpu});
"""


def module_source(module_id: str, gpu: bool = False) -> str:
    reg = registry()
    if module_id == "core":
        rel = reg["gpu_core" if gpu else "core"]
    else:
        rel = reg["gpu_modules" if gpu else "modules"][module_id]["file"]
    return packaged(f"runtime/{rel}").read_text().strip()


def link(ops, gpu: bool = False) -> bytes:
    """The executor module for `ops` (ONNX op names the registry knows). `gpu`: the op modules'
    variants with their webgpu parts, and the WebGPU device module (`--ep webgpu` bundles)."""
    modules = modules_for(ops, gpu)
    if gpu:
        device = registry()["gpu_device"]
        for m in gpu_closure(device):
            if m not in modules:
                modules.append(m)
    units = [m for m in modules if m.startswith("ops/")]
    body = ",\n".join(f"{json.dumps(m)}:{module_source(m, gpu)}" for m in ["core", *modules])
    gpu_expr = f'R({json.dumps(registry()["gpu_device"])})' if gpu else "null"
    return (HEADER + "const M={\n" + body + "};\n" + FOOTER % (json.dumps(units, separators=(",", ":")), gpu_expr)).encode()


def gpu_closure(module_id: str) -> list[str]:
    """A GPU-variant module and the modules it imports, each after its imports."""
    graph = registry()["gpu_modules"]
    order: list[str] = []

    def visit(m: str) -> None:
        if m == "core" or m in order:
            return
        for dep in graph[m]["imports"]:
            visit(dep)
        order.append(m)

    visit(module_id)
    return order


def threads_files() -> list[str]:
    """Files the executor imports only when it runs on several threads (the worker pool)."""
    return list(registry()["threads"])
