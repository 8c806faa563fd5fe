"""`webedge bundle --outputs a,b`: cut a model down, for good, to the nodes and weights the named
outputs need, before anything else sees it (passes, quantization, shards).

The walk is written here rather than taken from `onnx.utils.Extractor` (onnx 1.23), which does
not fit: it follows only a node's listed inputs, so a tensor an If/Loop/Scan body reads from the
outer scope (an initializer, a trunk value) is dropped with its producer and the result fails
the checker; it builds a fresh ModelProto, losing `metadata_props` (where webedge.labels finds
class names), the doc string and the producer; it keeps every graph input it is handed; and it
refuses sparse initializers. Here a copy of the model is filtered in place instead, so
everything the walk does not remove (opsets, metadata, functions, IR version, tensors whose
external data load_model already read into memory) stays as it was.

One backward pass over the (topologically sorted) nodes: a node is kept when a tensor it writes
is needed, and then what it reads is needed too, including the outer-scope names its subgraphs
read. Initializers, graph inputs and value_info are kept exactly when a kept node (or a kept
output) names them; an input no kept node reads is dropped and reported.
"""

from __future__ import annotations

import onnx

from .errors import WebedgeError


def parse_names(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """'a,b' (or ['a', 'b']) -> ['a', 'b']; an empty list or a name given twice is one line."""
    names = [n.strip() for n in text.split(",")] if isinstance(text, str) else [str(n).strip() for n in text]
    if not names or any(n == "" for n in names):
        raise WebedgeError(f"--outputs {','.join(names)!r}: name at least one output, comma-separated, none empty")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise WebedgeError(f"--outputs names {', '.join(repr(n) for n in twice)} more than once")
    return names


def _outer_reads(graph: onnx.GraphProto) -> set[str]:
    """Names a subgraph reads that it does not define: its outer-scope references (nested bodies too)."""
    defined = {v.name for v in graph.input} | {t.name for t in graph.initializer}
    defined |= {t.values.name for t in graph.sparse_initializer}
    reads: set[str] = set()
    for node in graph.node:
        reads.update(n for n in node.input if n)
        reads |= _subgraph_reads(node)
        defined.update(node.output)
    reads.update(o.name for o in graph.output)
    return reads - defined


def _subgraph_reads(node: onnx.NodeProto) -> set[str]:
    reads: set[str] = set()
    for a in node.attribute:
        if a.type == onnx.AttributeProto.GRAPH:
            reads |= _outer_reads(a.g)
        elif a.type == onnx.AttributeProto.GRAPHS:
            for g in a.graphs:
                reads |= _outer_reads(g)
    return reads


def _inner_names(node: onnx.NodeProto) -> set[str]:
    """Every name a node's subgraphs mention (reads and initializers, nested bodies too): what a
    kept If/Loop/Scan may need from the shards, where webedge's runtime keeps body weights."""
    names: set[str] = set()
    for a in node.attribute:
        for g in [a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs):
            names.update(t.name for t in g.initializer)
            for n in g.node:
                names.update(n.input)
                names |= _inner_names(n)
    return names


def needed_names(graph: onnx.GraphProto, output: str) -> set[str]:
    """The names output `output` is computed from (the same backward walk as `prune`), with
    every name inside the subgraphs it runs: the manifest's `needs` intersects it with the weights."""
    needed = {output}
    for node in reversed(graph.node):
        if any(o in needed for o in node.output if o):
            needed.update(n for n in node.input if n)
            needed |= _subgraph_reads(node) | _inner_names(node)
    return needed


def _tensor_bytes(t: onnx.TensorProto) -> int:
    if t.HasField("raw_data"):
        return len(t.raw_data)
    return onnx.numpy_helper.to_array(t).nbytes


def _node_weight_bytes(node: onnx.NodeProto) -> int:
    """Bytes of the tensors a node holds as attributes (Constant values), subgraphs included."""
    total = 0
    for a in node.attribute:
        if a.type == onnx.AttributeProto.TENSOR:
            total += _tensor_bytes(a.t)
        elif a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            for g in [a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs):
                total += sum(_tensor_bytes(t) for t in g.initializer)
                total += sum(_node_weight_bytes(n) for n in g.node)
    return total


def prune(model: onnx.ModelProto, names: list[str]) -> tuple[onnx.ModelProto, dict]:
    """A copy of `model` keeping only what the outputs `names` need, and what was dropped:
    {"outputs", "dropped_outputs", "nodes_dropped", "weight_bytes_dropped", "inputs_dropped"}."""
    g = model.graph
    have = [o.name for o in g.output]
    unknown = [n for n in names if n not in have]
    if unknown:
        raise WebedgeError(f"--outputs: the model has no output {', '.join(repr(n) for n in unknown)} "
                           f"(its outputs: {', '.join(have)})")
    needed = set(names)
    keep = [False] * len(g.node)
    for i in range(len(g.node) - 1, -1, -1):
        node = g.node[i]
        if any(o in needed for o in node.output if o):
            keep[i] = True
            needed.update(n for n in node.input if n)
            needed |= _subgraph_reads(node)
    dropped_nodes = [n for n, k in zip(g.node, keep) if not k]
    dropped_inits = [t for t in g.initializer if t.name not in needed]
    dropped_sparse = [t for t in g.sparse_initializer if t.values.name not in needed]
    inits = {t.name for t in g.initializer}
    dropped_inputs = [v.name for v in g.input if v.name not in needed and v.name not in inits]
    info = {"outputs": [n for n in have if n in names],
            "dropped_outputs": [n for n in have if n not in names],
            "nodes_dropped": len(dropped_nodes),
            "weight_bytes_dropped": (sum(_tensor_bytes(t) for t in dropped_inits)
                                     + sum(_tensor_bytes(t.values) for t in dropped_sparse)
                                     + sum(_node_weight_bytes(n) for n in dropped_nodes)),
            "inputs_dropped": dropped_inputs}
    if not any(keep):
        raise WebedgeError(f"--outputs {','.join(names)}: no node computes them (they are inputs or weights "
                           "passed straight through); nothing would be left to run")

    out = onnx.ModelProto()
    out.CopyFrom(model)
    og = out.graph
    kept_nodes = [n for n, k in zip(og.node, keep) if k]
    del og.node[:]
    og.node.extend(kept_nodes)
    for field, key in ((og.initializer, lambda t: t.name), (og.sparse_initializer, lambda t: t.values.name),
                       (og.input, lambda v: v.name), (og.value_info, lambda v: v.name)):
        kept = [x for x in field if key(x) in needed]
        del field[:]
        field.extend(kept)
    kept_outputs = [o for o in og.output if o.name in names]
    del og.output[:]
    og.output.extend(kept_outputs)
    return out, info
