"""Weight-only quantization of a model: choose each weight's codec and axis by how it is used.

int8 scales run along the output-channel axis of the op that reads the weight (Conv: 0,
ConvTranspose: 1, MatMul/Gemm: N, Gather: rows, LSTM/GRU: gate rows); int4 blocks run along the
reduction axis of MatMul/Gemm weights and the embedding axis of Gather tables, and any other
weight falls back to int8. fp16 applies to every float32 weight. Tensors under `MIN_ELEMENTS`
(biases, norms, scalars), vectors (1-D, or one dimension over 1 as jax2tf exports a LayerNorm's
scale as (1, 512)), non-float tensors and tensors read as a shape stay as they are; every tensor
gets a `Decision`, so the summary's ratio is of all the model's weight bytes.

Under int8 two kinds of weight are stored fp16 instead: the W and R inputs of LSTM/GRU/RNN, and a
one-hot MatMul's table (`_one_hot_table`). Both reach the activations at full strength (a
saturated gate; a row copied as it is), where a Conv/MatMul/Gemm weight's rounding errors average
out over its reduction (docs/quantization.md measures both).

Weights of If/Loop/Scan bodies (initializers and Constant nodes, at any depth) are quantized by
the same rules, and their dequantize subgraph is hoisted into the main graph: the stored tensors
become main-graph initializers and the body reads the restored float32 tensor as an outer-scope
value under its old name. Hoisted rather than left in the body because (1) both backends shard
main-graph initializers only the same way: onnxruntime-web is handed external data of the main
graph alone, so a quantized tensor left in a body would travel inline in the graph file; (2) a
dequantize in the main graph reads only initializers, so onnxruntime folds it at session start
and webedge's runtime marks it `fold` and computes it once per session, where inside a Loop body
it would run once per iteration; (3) reading outer-scope values from a body is plain ONNX that
onnxruntime and webedge's runtime (a body's scope sees its parent's values and the weights)
already run. A body weight whose name is defined twice in the model gets a fresh name, so the
hoisted value cannot shadow or be shadowed.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..errors import WebedgeError
from ..weights import dtype_name
from . import codecs

ENCODINGS = ("none", "fp16", "int8", "int4", "int8-static", "auto")
MIN_ELEMENTS = 256
QUANTIZED = ("fp16", "int8", "int4")

# Why a tensor stayed as it was (Decision.reason).
TOO_SMALL = f"too small (< {MIN_ELEMENTS} elements)"
ONE_D = "1-D or vector-shaped (bias, norm, vector)"
NOT_FLOAT = "not a float32 tensor"
SHAPE = "used as a shape or index"
GRAPH_INPUT = "also a graph input (a caller may override it)"
BODY_OUTPUT = "an output of its subgraph"
CHOSEN = "kept float32 by choice (auto)"

# (op, input index) whose value sets a shape, an index or a size: quantizing it would change what
# the op computes, not only round it (Resize's roi/scales, Upsample's scales, Pad's pads, ...).
SHAPE_INPUTS = {("Reshape", 1), ("Expand", 1), ("Tile", 1), ("ConstantOfShape", 0), ("Resize", 1), ("Resize", 2),
                ("Resize", 3), ("Upsample", 1), ("Slice", 1), ("Slice", 2), ("Slice", 3), ("Slice", 4), ("Pad", 1),
                ("Squeeze", 1), ("Unsqueeze", 1), ("Range", 0), ("Range", 1), ("Range", 2), ("Gather", 1),
                ("GatherElements", 1), ("GatherND", 1), ("ScatterElements", 1), ("ScatterND", 1), ("OneHot", 1),
                ("TopK", 1), ("Split", 1), ("ReduceSum", 1), ("ReduceMean", 1), ("ReduceMax", 1), ("ReduceMin", 1),
                ("CumSum", 1), ("Loop", 0), ("Loop", 1), ("If", 0)}


@dataclass
class Decision:
    name: str
    encoding: str  # fp16, int8, int4; or what it stayed: fp32, or the dtype of a non-float tensor
    fp32_bytes: int  # the bytes the model holds it in (float32 for every tensor that could be quantized)
    bytes: int  # the bytes it is stored in now
    max_abs_error: float
    reason: str = ""  # why it stayed as it was ("" when quantized)
    scope: str = "main"  # "main", or the If/Loop/Scan attribute path of the body holding it
    same_as: str = ""  # an identical body weight stored once already: this one is read from it

    def as_dict(self) -> dict:
        return asdict(self)


def promote_constants(model: onnx.ModelProto) -> None:
    """Large float Constant nodes (Paddle exports keep weights there) become initializers."""
    graph = model.graph
    kept = []
    for node in graph.node:
        value = _constant_value(node)
        if (value is not None and value.data_type == onnx.TensorProto.FLOAT
                and int(np.prod(value.dims)) >= MIN_ELEMENTS):
            init = graph.initializer.add()
            init.CopyFrom(value)
            init.name = node.output[0]
            continue
        kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)


def _constant_value(node: onnx.NodeProto) -> onnx.TensorProto | None:
    if node.op_type != "Constant" or node.domain not in ("", "ai.onnx"):
        return None
    return next((a.t for a in node.attribute if a.name == "value" and a.type == onnx.AttributeProto.TENSOR), None)


def _subgraphs(node: onnx.NodeProto):
    for a in node.attribute:
        if a.type == onnx.AttributeProto.GRAPH:
            yield a.name, a.g
        elif a.type == onnx.AttributeProto.GRAPHS:
            for i, g in enumerate(a.graphs):
                yield f"{a.name}[{i}]", g


def _scopes(graph: onnx.GraphProto, path: str = "main"):
    """(path, graph) for the graph and, depth first, every body inside it."""
    yield path, graph
    for node in graph.node:
        for attr, g in _subgraphs(node):
            yield from _scopes(g, f"{node.name or node.op_type}.{attr}")


def _uses(graph: onnx.GraphProto) -> dict[str, list[tuple[onnx.NodeProto, int]]]:
    """Name -> (node, input index) for every read, bodies included (ONNX names are unique across
    scopes, so a body's read of an outer name is a read of that value)."""
    uses: dict[str, list] = {}
    for _, g in _scopes(graph):
        for node in g.node:
            for i, name in enumerate(node.input):
                uses.setdefault(name, []).append((node, i))
    return uses


def _definitions(graph: onnx.GraphProto) -> dict[str, int]:
    count: dict[str, int] = {}
    for _, g in _scopes(graph):
        names = [v.name for v in g.input] + [t.name for t in g.initializer] + [o for n in g.node for o in n.output]
        for name in set(names):
            count[name] = count.get(name, 0) + 1
    return count


def _defines(g: onnx.GraphProto, name: str) -> bool:
    return (any(v.name == name for v in g.input) or any(t.name == name for t in g.initializer)
            or any(name in n.output for n in g.node))


def _rename_reads(g: onnx.GraphProto, old: str, new: str) -> None:
    """Read `new` wherever `g` and its bodies read `old` (a body that defines `old` itself keeps it)."""
    for node in g.node:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new
        for _, sub in _subgraphs(node):
            if not _defines(sub, old):
                for o in sub.output:
                    if o.name == old:
                        o.name = new
                _rename_reads(sub, old, new)


def _axes(w: np.ndarray, uses: list[tuple[onnx.NodeProto, int]]) -> tuple[int | None, int | None]:
    """(int8 channel axis or None for per-tensor, int4 block axis or None if int4 does not apply)."""
    found = set()
    for node, i in uses:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type
        if op == "Conv" and i == 1:
            found.add((0, None))
        elif op == "ConvTranspose" and i == 1:
            found.add((1, None))
        elif op == "MatMul" and i == 1 and w.ndim >= 2:
            found.add((w.ndim - 1, w.ndim - 2))
        elif op == "Gemm" and i == 1:
            found.add((0, 1) if attrs.get("transB", 0) else (1, 0))
        elif op == "Gather" and i == 0 and attrs.get("axis", 0) == 0:
            found.add((0, w.ndim - 1))
        elif op in ("LSTM", "GRU", "RNN") and i in (1, 2):
            found.add((1, None))
        else:
            return None, None  # read by something else: per-tensor int8 is the only safe choice
    if len(found) == 1:
        return found.pop()
    return None, None


RECURRENT = ("LSTM", "GRU", "RNN")
# ops that move a weight's values without computing on them (PyTorch's LSTM export reorders the
# gates of each weight with Slice+Concat, then Unsqueezes it: Silero VAD does)
PASS_THROUGH = ("Unsqueeze", "Squeeze", "Identity", "Reshape", "Slice", "Concat", "Split", "Transpose")


def _recurrent(name: str, uses: dict, depth: int = 0) -> bool:
    """Whether every read of `name` ends, directly or through `PASS_THROUGH` ops, at the W or R
    input of an LSTM/GRU/RNN."""
    found = uses.get(name, [])
    if not found or depth > 6:
        return False
    for node, i in found:
        if node.op_type in PASS_THROUGH and (i == 0 or node.op_type == "Concat"):
            if not _recurrent(node.output[0], uses, depth + 1):
                return False
        elif not (node.op_type in RECURRENT and i in (1, 2)):
            return False
    return True


def _producers(graph: onnx.GraphProto) -> dict[str, onnx.NodeProto]:
    return {o: node for _, g in _scopes(graph) for node in g.node for o in node.output}


def _one_hot_table(name: str, uses: dict, producers: dict) -> bool:
    """Whether every read of `name` is as the B input of a MatMul whose A is a one-hot (OneHot, or
    Cast of Equal, as jax2tf writes jax.nn.one_hot): a table lookup written as a MatMul. Each output
    row is then one weight row as it is, with no sum over the reduction to average the rounding
    errors out (Magika's byte embedding: its int8 alone flips 8 of 3,000 real files' labels)."""
    found = uses.get(name, [])
    if not found:
        return False
    for node, i in found:
        if node.op_type != "MatMul" or i != 1:
            return False
        src = producers.get(node.input[0])
        if src is not None and src.op_type == "Cast":
            src = producers.get(src.input[0])
        if src is None or src.op_type not in ("OneHot", "Equal"):
            return False
    return True


def _why_kept(t: onnx.TensorProto, uses: list, scope_inputs: set, scope_outputs: set, want: str) -> str | None:
    """Why tensor `t` stays as it is, or None if it is quantized."""
    if any((node.op_type, i) in SHAPE_INPUTS for node, i in uses):
        return SHAPE
    if t.data_type != onnx.TensorProto.FLOAT:
        return NOT_FLOAT
    n = int(np.prod(t.dims)) if len(t.dims) else 1
    if n < MIN_ELEMENTS:
        return TOO_SMALL
    if sum(d > 1 for d in t.dims) < 2:
        # (1, 512) and (1, 512, 1) too: jax2tf exports Magika's LayerNorm scales and offsets and
        # its Conv bias so. At per-tensor int8 (an Add/Mul reads them), for 1.5 kB saved each, they
        # doubled its worst output error on real files (max abs 0.032 -> 0.055 on 3,000 files)
        return ONE_D
    if t.name in scope_inputs:
        return GRAPH_INPUT
    if t.name in scope_outputs:
        return BODY_OUTPUT
    if want == "fp32":
        return CHOSEN
    return None


def _kept(t: onnx.TensorProto, reason: str, scope: str) -> Decision:
    try:
        size = numpy_helper.to_array(t).nbytes
    except Exception:  # noqa: BLE001 - a type numpy cannot hold (e.g. string): count its proto bytes
        size = t.ByteSize()
    enc = "fp32" if t.data_type == onnx.TensorProto.FLOAT else dtype_name(t.data_type)
    return Decision(t.name, enc, size, size, 0.0, reason, scope)


def quantize_weights(model: onnx.ModelProto, encoding: str, *, block: int = 32,
                     choices: dict[str, str] | None = None) -> tuple[onnx.ModelProto, list[Decision]]:
    """A copy of `model` with its weights encoded; `choices` (name -> encoding) overrides per tensor.

    Returns a Decision for every initializer and Constant tensor of every graph, quantized or not."""
    if encoding not in ("fp16", "int8", "int4", "auto"):
        raise WebedgeError(f"unknown weight encoding '{encoding}'; choose one of {', '.join(ENCODINGS)}")
    if block < 2 or block % 2:
        raise WebedgeError(f"--block-size must be an even number >= 2, got {block}")
    out = onnx.ModelProto()
    out.CopyFrom(model)
    promote_constants(out)
    main = out.graph
    uses = _uses(main)
    producers = _producers(main)
    defined = _definitions(main)
    taken = set(defined)
    decisions: list[Decision] = []
    new_inits: list = []
    new_nodes: list = []
    hoisted: dict = {}  # (dtype, dims, encoding, sha256 of the values) -> (restored name, Decision), body weights

    def encode(t: onnx.TensorProto, g: onnx.GraphProto, scope: str) -> bool:
        """Quantize `t` into main-graph initializers and nodes that restore it; False if it is kept."""
        inputs, outputs = {v.name for v in g.input}, ({o.name for o in g.output} if g is not main else set())
        want = (choices or {}).get(t.name, encoding if encoding != "auto" else "fp32")
        reason = _why_kept(t, uses.get(t.name, []), inputs, outputs, want)
        if reason:
            decisions.append(_kept(t, reason, scope))
            return False
        w = numpy_helper.to_array(t)
        axis, block_axis = _axes(w, uses.get(t.name, []))
        if want == "int4" and block_axis is None:
            want = "int8"  # int4 is for MatMul/Gemm/Gather weights only
        if want == "int8" and encoding != "auto" and _recurrent(t.name, uses):
            # Recurrent weights are applied every step and a gate in saturation turns a small error
            # into a flipped state cell: Silero VAD's LSTM state at cosine 0.941 with int8 weights,
            # 0.99999 with fp16 ones (docs/quantization.md). `auto` measures instead of assuming.
            want = "fp16"
        if want == "int8" and encoding != "auto" and _one_hot_table(t.name, uses, producers):
            want = "fp16"  # a lookup copies its rows as they are: int8's error is not averaged out
        key = (t.data_type, tuple(t.dims), want, hashlib.sha256(w.tobytes()).digest()) if g is not main else None
        if key in hoisted:
            # an exact copy of a body weight hoisted already (onnxruntime's optimizer copies an
            # outer weight into each If branch that reads it): read that one, store nothing
            _rename_reads(g, t.name, hoisted[key][0])
            first = hoisted[key][1]
            decisions.append(Decision(t.name, want, w.nbytes, 0, first.max_abs_error, "", scope, first.name))
            return True
        name = _fresh(g, t.name, taken) if g is not main and defined.get(t.name, 0) > 1 else t.name
        if want == "fp16":
            inits, nodes, restored = codecs.fp16(name, w)
        elif want == "int8":
            inits, nodes, restored = codecs.int8(name, w, axis)
        else:
            inits, nodes, restored = codecs.int4(name, w, block_axis, block)
        stored = sum(numpy_helper.to_array(s).nbytes for s in inits)
        decisions.append(Decision(t.name, want, w.nbytes, stored, float(np.abs(restored - w).max()), "", scope))
        if key is not None:
            hoisted[key] = (name, decisions[-1])
        new_inits.extend(inits)
        new_nodes.extend(nodes)
        return True

    # Bodies before the graphs holding them: rebuilding a graph's node list copies its nodes, and
    # with them the bodies, which must be final by then.
    for scope, g in reversed(list(_scopes(main))):
        kept_inits = [t for t in g.initializer if not encode(t, g, scope)]
        kept_nodes = []
        for node in g.node:
            value = _constant_value(node)
            if value is None:
                kept_nodes.append(node)
                continue
            t = onnx.TensorProto()
            t.CopyFrom(value)
            t.name = node.output[0]
            if g is main:  # what promote_constants left in the main graph: small, or not float
                decisions.append(_kept(t, _why_kept(t, uses.get(t.name, []), set(), set(), "fp32") or CHOSEN, scope))
                kept_nodes.append(node)
            elif not encode(t, g, scope):
                kept_nodes.append(node)
        del g.initializer[:]
        g.initializer.extend(kept_inits)
        del g.node[:]
        g.node.extend(kept_nodes)
    main.initializer.extend(new_inits)
    nodes = new_nodes + list(main.node)  # dequant nodes read only initializers: first is topological
    del main.node[:]
    main.node.extend(nodes)
    return out, decisions


def _fresh(g: onnx.GraphProto, name: str, taken: set) -> str:
    """A name no scope uses, with `g`'s reads of `name` renamed to it (a hoisted value must not
    shadow another scope's value of the same name)."""
    k = 0
    while f"{name}::outer{k}" in taken:
        k += 1
    new = f"{name}::outer{k}"
    taken.add(new)
    _rename_reads(g, name, new)
    return new


def summary(decisions: list[Decision], encoding: str) -> dict:
    """report.json's `quantization`: bytes and ratio over ALL weight bytes of the model (quantized
    or not), per encoding what was quantized, and per reason what stayed as it was."""
    fp32 = sum(d.fp32_bytes for d in decisions)
    stored = sum(d.bytes for d in decisions)
    counts: dict[str, int] = {}
    quantized: dict[str, dict] = {}
    kept: dict[str, dict] = {}
    for d in decisions:
        counts[d.encoding] = counts.get(d.encoding, 0) + 1
        entry = (quantized.setdefault(d.encoding, {"tensors": 0, "fp32_bytes": 0, "bytes": 0}) if not d.reason
                 else kept.setdefault(d.reason, {"tensors": 0, "fp32_bytes": 0, "bytes": 0}))
        entry["tensors"] += 1
        entry["fp32_bytes"] += d.fp32_bytes
        entry["bytes"] += d.bytes
    return {"encoding": encoding, "fp32_bytes": fp32, "bytes": stored, "ratio": round(stored / fp32, 4) if fp32 else 1.0,
            "tensors_by_encoding": counts, "quantized": quantized, "kept": kept,
            "in_subgraphs": sum(1 for d in decisions if d.scope != "main" and not d.reason),
            "tensors": [d.as_dict() for d in decisions]}
