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
FOOTER = """const D={},R=i=>D[i]??=M[i](R),C=R("core"),ops=%s.flatMap(i=>R(i).units);
export {ops};
export const createSession=(a)=>C.createSession({ops,...a});
export const createWebedgeSession=(a)=>C.createWebedgeSession({...a,ops});
export const createStreamingSession=(a)=>C.createStreamingSession({...a,ops});
"""


def module_source(module_id: str) -> str:
    reg = registry()
    rel = reg["core"] if module_id == "core" else reg["modules"][module_id]["file"]
    return packaged(f"runtime/{rel}").read_text().strip()


def link(ops) -> bytes:
    """The executor module for `ops` (ONNX op names the registry knows)."""
    modules = modules_for(ops)
    units = [m for m in modules if m.startswith("ops/")]
    body = ",\n".join(f"{json.dumps(m)}:{module_source(m)}" for m in ["core", *modules])
    return (HEADER + "const M={\n" + body + "};\n" + FOOTER % json.dumps(units, separators=(",", ":"))).encode()


def threads_files() -> list[str]:
    """Files the executor imports only when it runs on several threads (the worker pool)."""
    return list(registry()["threads"])
