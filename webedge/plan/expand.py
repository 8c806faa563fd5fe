"""Expand ONNX ops that the spec defines as functions into the primitive ops of their bodies.

Attention, RotaryEmbedding, CastLike, AffineGrid, the window ops (Hann/Hamming/Blackman) and
others are defined in the ONNX standard by a function body, static or built from the node's
attributes and input types. When our runtime has no kernel for such an op, the plan runs its body
instead: the body comes from onnx's own op schema, so the expansion is the spec's definition and we
write no math here. Only renaming is ours: the body's formal inputs/outputs become the node's
values, its intermediates get names unique to this node, and attribute references (`ref_attr_name`)
take the node's attribute or the function's default.
"""

from __future__ import annotations

import onnx
from onnx import defs, helper

MAIN_DOMAINS = ("", "ai.onnx")
MAX_ROUNDS = 8  # bodies may use function ops themselves (Attention -> CastLike); expand until none is left


def expand_functions(model: onnx.ModelProto, keep: frozenset[str]) -> onnx.ModelProto:
    """A copy of `model` whose main-domain nodes not in `keep` are replaced by their function
    bodies where the schema has one. Nodes without a body are left for the caller to report."""
    opset = next((o.version for o in model.opset_import if o.domain in MAIN_DOMAINS), 0)
    out = onnx.ModelProto()
    out.CopyFrom(model)
    for round_ in range(MAX_ROUNDS):
        if not _candidates(out.graph, keep):
            break
        types = _value_types(out)
        names = _Names(out.graph, round_)
        if not _expand_graph(out.graph, keep, opset, types, names):
            break
    return out


def _candidates(graph: onnx.GraphProto, keep: frozenset[str]) -> bool:
    return any(n.domain in MAIN_DOMAINS and n.op_type not in keep and n.op_type != "Constant" for n in graph.node)


def _value_types(model: onnx.ModelProto) -> dict[str, onnx.TypeProto]:
    """Type of every value of the main graph that shape inference can tell."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001 - inference is best effort; unknown types just block expansion
        inferred = model
    g = inferred.graph
    types = {v.name: v.type for v in [*g.input, *g.value_info, *g.output] if v.type.WhichOneof("value") is not None}
    for t in g.initializer:
        types.setdefault(t.name, helper.make_tensor_type_proto(t.data_type, list(t.dims)))
    for n in g.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.type == onnx.AttributeProto.TENSOR:
                    types.setdefault(n.output[0], helper.make_tensor_type_proto(a.t.data_type, list(a.t.dims)))
    return types


class _Names:
    """Fresh value names that collide with nothing in the graph."""

    def __init__(self, graph: onnx.GraphProto, round_: int):
        self.used = {x for n in graph.node for x in [*n.input, *n.output]} | {v.name for v in graph.input}
        self.used |= {t.name for t in graph.initializer} | {n.name for n in graph.node}
        self.round = round_
        self.count = 0

    def fresh(self, op: str, name: str) -> str:
        while True:
            self.count += 1
            candidate = f"{op}.{self.round}.{self.count}/{name}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def _expand_graph(graph, keep, opset, types, names) -> bool:
    nodes, changed = [], False
    for node in graph.node:
        body = None
        if node.domain in MAIN_DOMAINS and node.op_type not in keep and node.op_type != "Constant":
            fn = function_body(node, opset, types)
            if fn is not None:
                body = _inline(node, fn, _schema_defaults(node, opset), names)
        if body is None:
            nodes.append(node)
        else:
            nodes.extend(body)
            changed = True
    if changed:
        del graph.node[:]
        graph.node.extend(nodes)
    return changed


def function_body(node: onnx.NodeProto, opset: int, types: dict) -> onnx.FunctionProto | None:
    """The node's function body from its schema at the model's opset, or None (no body, or the
    input types it depends on are unknown)."""
    try:
        schema = defs.get_schema(node.op_type, opset, "")
    except defs.SchemaError:
        return None
    fn = onnx.FunctionProto()
    if schema.has_context_dependent_function:
        version = max((v for v in schema.context_dependent_function_opset_versions if v <= opset), default=None)
        if version is None or any(name and name not in types for name in node.input):
            return None
        arg_types = [(types[name] if name else onnx.TypeProto()).SerializeToString() for name in node.input]
        try:
            raw = schema.get_context_dependent_function_with_opset_version(version, node.SerializeToString(), arg_types)
        except Exception:  # noqa: BLE001 - the builder refuses some attribute/type combinations
            return None
        if not raw:
            return None
        fn.ParseFromString(raw)
        return fn if fn.node else None
    if schema.has_function:
        version = max((v for v in schema.function_opset_versions if v <= opset), default=None)
        if version is None:
            return None
        fn.ParseFromString(schema.get_function_with_opset_version(version))
        return fn if fn.node else None
    return None


def _schema_defaults(node: onnx.NodeProto, opset: int) -> dict[str, onnx.AttributeProto]:
    """Attribute defaults from the op's schema (older function bodies list only attribute names)."""
    schema = defs.get_schema(node.op_type, opset, "")
    return {name: a.default_value for name, a in schema.attributes.items() if a.default_value.type}


def _inline(node: onnx.NodeProto, fn: onnx.FunctionProto, schema_defaults: dict, names: _Names) -> list[onnx.NodeProto]:
    rename = {formal: (node.input[i] if i < len(node.input) else "") for i, formal in enumerate(fn.input)}
    # an output the node omits still gets a name: later body nodes may read it
    rename.update({formal: node.output[i] for i, formal in enumerate(fn.output) if i < len(node.output) and node.output[i]})
    given = {a.name: a for a in node.attribute}
    defaults = {**schema_defaults, **{a.name: a for a in fn.attribute_proto}}
    label = node.op_type

    def name_of(x: str) -> str:
        if not x:
            return ""
        if x not in rename:
            rename[x] = names.fresh(label, x)
        return rename[x]

    out = []
    for i, body_node in enumerate(fn.node):
        n = onnx.NodeProto()
        n.CopyFrom(body_node)
        n.name = names.fresh(label, f"{body_node.op_type}_{i}")
        n.input[:] = [name_of(x) for x in body_node.input]
        n.output[:] = [name_of(x) for x in body_node.output]
        attrs = []
        for a in body_node.attribute:
            if a.ref_attr_name:
                source = given.get(a.ref_attr_name) or defaults.get(a.ref_attr_name)
                if source is None:
                    continue  # optional attribute the node does not set: the op's own default applies
                a2 = onnx.AttributeProto()
                a2.CopyFrom(source)
                a2.name = a.name
                attrs.append(a2)
            else:
                if a.type == onnx.AttributeProto.GRAPH:
                    _rename_outer_reads(a.g, rename)
                attrs.append(a)
        del n.attribute[:]
        n.attribute.extend(attrs)
        out.append(n)
    return out


def _rename_outer_reads(graph: onnx.GraphProto, rename: dict[str, str]) -> None:
    """A body's subgraph may read the body's values by their formal names; point them at ours."""
    local = {v.name for v in graph.input} | {t.name for t in graph.initializer} | {o for n in graph.node for o in n.output}
    for n in graph.node:
        n.input[:] = [rename.get(x, x) if x not in local else x for x in n.input]
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                _rename_outer_reads(a.g, {k: v for k, v in rename.items() if k not in local})
    for o in graph.output:
        if o.name not in local and o.name in rename:
            o.name = rename[o.name]
