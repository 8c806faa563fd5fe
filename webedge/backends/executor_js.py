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


LOWP = "lib/lowp.mjs"
LOWP_ABSENT = "lib/lowp_absent.mjs"


def link(ops, gpu: bool = False, lowp: bool = True) -> bytes:
    """The executor module for `ops` (ONNX op names the registry knows). `gpu`: the op modules'
    variants with their webgpu parts, and the WebGPU device module (`--ep webgpu` bundles).
    `lowp=False` (the model has no low-precision dtype: `uses_lowp`): where lib/numbers.mjs is
    lib/lowp.mjs's only importer (Cast, Range), the codecs are left out for lib/lowp_absent.mjs,
    which throws if such a dtype reaches it anyway."""
    modules = modules_for(ops, gpu)
    if gpu:
        device = registry()["gpu_device"]
        for m in gpu_closure(device):
            if m not in modules:
                modules.append(m)
    units = [m for m in modules if m.startswith("ops/")]
    graph = registry()["gpu_modules" if gpu else "modules"]
    absent = not lowp and all(m == "lib/numbers.mjs" or LOWP not in graph[m]["imports"] for m in modules)
    body = ",\n".join(f"{json.dumps(m)}:{module_source(LOWP_ABSENT if absent and m == LOWP else m, gpu)}"
                       for m in ["core", *modules])
    gpu_expr = f'R({json.dumps(registry()["gpu_device"])})' if gpu else "null"
    return (HEADER + "const M={\n" + body + "};\n" + FOOTER % (json.dumps(units, separators=(",", ":")), gpu_expr)).encode()


# onnx.TensorProto element types 1..15 (float ... complex128, float16 and bool among them) are not
# low-precision; bfloat16 (16), the float8/float4 formats and int4/uint4/int2/uint2 are, and so is
# any newer type.
PLAIN_TYPES = frozenset(range(1, 16))


def uses_lowp(model) -> bool:
    """Whether a low-precision dtype can occur in `model` (an onnx.ModelProto): a graph input,
    output, value_info, initializer or tensor attribute of such a type, or a `to`/`dtype`/
    `output_dtype` attribute naming one, in the graph or a subgraph. Every other tensor's dtype
    comes from these."""
    def type_lowp(t) -> bool:
        kind = t.WhichOneof("value")
        if kind == "tensor_type" or kind == "sparse_tensor_type":
            elem = getattr(t, kind).elem_type
            return elem != 0 and elem not in PLAIN_TYPES
        if kind in ("sequence_type", "optional_type"):
            return type_lowp(getattr(t, kind).elem_type)
        if kind == "map_type":
            return type_lowp(t.map_type.value_type)
        return False

    def tensor_lowp(t) -> bool:
        return t.data_type not in PLAIN_TYPES

    def graph_lowp(g) -> bool:
        if any(type_lowp(v.type) for v in [*g.input, *g.output, *g.value_info]):
            return True
        if any(tensor_lowp(t) for t in g.initializer) or any(tensor_lowp(s.values) for s in g.sparse_initializer):
            return True
        for node in g.node:
            for a in node.attribute:
                if a.name in ("to", "dtype", "output_dtype") and a.i and a.i not in PLAIN_TYPES:
                    return True
                if (a.HasField("t") and tensor_lowp(a.t)) or any(tensor_lowp(t) for t in a.tensors):
                    return True
                if (a.HasField("g") and graph_lowp(a.g)) or any(graph_lowp(s) for s in a.graphs):
                    return True
        return False

    return graph_lowp(model.graph)


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
