"""Fold an activation into the Conv or Gemm before it, so the kernel applies it in its epilogue.

First, activations spelled out in elementwise ops become one node:
  - HardSwish as x * Clip(x + 3, 0, 6) / 6 (how Paddle and older PyTorch exports write it: PP-OCR has
    it 18 times) becomes one HardSwish node, which the step below then folds into the Conv before it:
    four elementwise passes fewer, and a model whose only unary op was that Clip links no unary op
    module or kernel;
  - GELU's tanh approximation as 0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x * x * x))), in any
    nesting and operand order of the Muls (JAX's export: Magika has it twice, on [N, 2048, 64]-sized
    tensors) becomes Gelu(approximate='tanh'): one pass instead of nine.

Match: Conv|Gemm -> an activation the kernels' epilogue has (Relu, Clip, HardSigmoid, HardSwish,
LeakyRelu, Sigmoid, Tanh: the `act` codes of the kernel ABI, read from the op registry), where the
Conv/Gemm output feeds only that activation and is not a graph output (Clip bounds must be constants).
Replace: the Conv/Gemm with `_act` and `_act_params` attributes, writing the activation's output.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .ops import registry

FUSABLE = frozenset(registry()["enums"]["act"]) - {"none"}


def _params(node: onnx.NodeProto, constants: dict[str, np.ndarray]) -> list[float] | None:
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "Clip":
        if len(node.input) > 1:
            bounds = []
            for i, default in ((1, -3.4028234663852886e38), (2, 3.4028234663852886e38)):
                name = node.input[i] if i < len(node.input) else ""
                if name == "":
                    bounds.append(default)
                elif name in constants and constants[name].size == 1:
                    bounds.append(float(constants[name].reshape(-1)[0]))
                else:
                    return None
            return bounds
        return [attrs.get("min", -3.4028234663852886e38), attrs.get("max", 3.4028234663852886e38)]
    if node.op_type == "HardSigmoid":
        return [attrs.get("alpha", 0.2), attrs.get("beta", 0.5)]
    if node.op_type == "LeakyRelu":
        return [attrs.get("alpha", 0.01), 0.0]
    return [0.0, 0.0]


def _scalar(name: str, constants: dict[str, np.ndarray]) -> float | None:
    c = constants.get(name)
    return float(c.reshape(-1)[0]) if c is not None and c.size == 1 and c.dtype == np.float32 else None


def _read_in_bodies(nodes, into: set[str] | None = None) -> set[str]:
    """Every name a node inside a Loop/If/Scan body (at any depth) reads."""
    into = set() if into is None else into
    for n in nodes:
        for a in n.attribute:
            for g in ([a.g] if a.HasField("g") else []) + list(a.graphs):
                for m in g.node:
                    into.update(m.input)
                _read_in_bodies(g.node, into)
    return into


def value_uses(graph: onnx.GraphProto) -> tuple[dict[str, onnx.NodeProto], dict[str, int]]:
    """(value -> the node that makes it, value -> how many readers it has). A read inside a
    Loop/If/Scan body or being a graph output counts 2, so such a value is never a pattern's inner
    value (one that only the next node of the pattern reads)."""
    producer = {o: n for n in graph.node for o in n.output}
    uses: dict[str, int] = {}
    for n in graph.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    for name in _read_in_bodies(graph.node):
        uses[name] = uses.get(name, 0) + 2
    for o in graph.output:
        uses[o.name] = uses.get(o.name, 0) + 2
    return producer, uses


def fuse_hardswish(model: onnx.ModelProto, constants: dict[str, np.ndarray]) -> int:
    """x * Clip(x + 3, 0, 6) / 6 (Div by 6 or Mul by 1/6; either operand order of the Add and the
    Mul) -> HardSwish(x), in place, where the Add, Clip and Mul outputs feed nothing else and are
    not graph outputs. Returns how many were replaced."""
    graph = model.graph
    producer, uses = value_uses(graph)

    def only(name: str, op: str) -> onnx.NodeProto | None:
        n = producer.get(name)
        ok = n is not None and n.op_type == op and n.domain in ("", "ai.onnx") and uses.get(name) == 1
        return n if ok else None

    def other(node: onnx.NodeProto, name: str) -> str | None:
        ins = list(node.input)
        return ins[1 - ins.index(name)] if len(ins) == 2 and name in ins else None

    removed, done = set(), 0
    for last in graph.node:
        if id(last) in removed or last.domain not in ("", "ai.onnx") or len(last.input) != 2:
            continue
        if last.op_type == "Div" and _scalar(last.input[1], constants) == 6.0:
            mul = only(last.input[0], "Mul")
        elif last.op_type == "Mul":
            k = next((i for i in (0, 1) if abs((_scalar(last.input[i], constants) or 0.0) - 1 / 6) < 1e-7), None)
            mul = None if k is None else only(last.input[1 - k], "Mul")
        else:
            continue
        if mul is None or len(mul.input) != 2:
            continue
        for clip_in in mul.input:
            clip = only(clip_in, "Clip")
            x = other(mul, clip_in)
            if clip is None or x is None or clip.input[0] == "":
                continue
            if len(clip.input) == 1:  # opset < 11: the bounds are attributes
                at = {a.name: helper.get_attribute_value(a) for a in clip.attribute}
                bounds = (at.get("min"), at.get("max"))
            else:
                bounds = tuple(_scalar(i, constants) for i in (list(clip.input) + [""])[1:3])
            if bounds != (0.0, 6.0):
                continue
            add = only(clip.input[0], "Add")
            if add is None or other(add, x) is None or _scalar(other(add, x), constants) != 3.0:
                continue
            last.op_type = "HardSwish"
            del last.input[:]
            last.input.append(x)
            removed.update((id(add), id(clip), id(mul)))
            done += 1
            break
    if removed:
        kept = [n for n in graph.node if id(n) not in removed]
        del graph.node[:]
        graph.node.extend(kept)
    return done


def _ranks(model: onnx.ModelProto) -> dict[str, int]:
    """Value name -> rank, where onnx's shape inference knows it."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001 - a model shape inference cannot follow: no ranks, scalar constants only
        return {}
    g = inferred.graph
    return {v.name: len(v.type.tensor_type.shape.dim) for v in [*g.value_info, *g.input, *g.output]
            if v.type.tensor_type.HasField("shape")}


def fuse_gelu_tanh(model: onnx.ModelProto, constants: dict[str, np.ndarray]) -> int:
    """0.5 * x * (1 + Tanh(k * (x + c * x^3))) with k = sqrt(2/pi), c = 0.044715 -> Gelu(x,
    approximate='tanh'), in place, where every inner value feeds nothing else and is not a graph
    output, and every constant has one element and a rank no larger than x's (so no broadcast
    changes the shape; scalars only where x's rank is unknown). Returns how many were replaced."""
    graph = model.graph
    producer, uses = value_uses(graph)
    ranks: dict[str, int] | None = None  # inferred on first need, before this pass changes the graph
    rewrites: list = []

    def inner(name: str, op: str) -> onnx.NodeProto | None:
        n = producer.get(name)
        ok = n is not None and n.op_type == op and n.domain in ("", "ai.onnx") and uses.get(name) == 1
        return n if ok and len(n.input) == (1 if op == "Tanh" else 2) else None

    def factors(node: onnx.NodeProto, into: list, nodes: list) -> None:
        """The leaves of a tree of Muls whose inner products feed only their parent Mul."""
        nodes.append(node)
        for i in node.input:
            m = inner(i, "Mul")
            if m is not None:
                factors(m, into, nodes)
            else:
                into.append(i)

    def split(leaves: list, want: list[float]) -> list[str] | None:
        """The leaves that are not the constants `want` (one each, 1e-6 relative), or None."""
        rest, left = [], list(want)
        for leaf in leaves:
            c = constants.get(leaf)
            if c is not None and c.size == 1 and c.dtype == np.float32:
                v = float(c.reshape(-1)[0])
                hit = next((w for w in left if abs(v - w) <= 1e-6 * abs(w)), None)
                if hit is not None:
                    left.remove(hit)
                    continue
            rest.append(leaf)
        return rest if not left else None

    done, removed = 0, set()
    for last in graph.node:
        if last.op_type != "Mul" or last.domain not in ("", "ai.onnx") or id(last) in removed:
            continue
        leaves, nodes = [], []
        factors(last, leaves, nodes)
        rest = split(leaves, [0.5])
        if rest is None or len(rest) != 2:
            continue
        for x, bracket in (rest, rest[::-1]):
            add1 = inner(bracket, "Add")
            if add1 is None:
                continue
            rest1 = split(list(add1.input), [1.0])
            tanh = inner(rest1[0], "Tanh") if rest1 and len(rest1) == 1 else None
            if tanh is None:
                continue
            arg, arg_nodes = [], []
            scale = inner(tanh.input[0], "Mul")
            if scale is None:
                continue
            factors(scale, arg, arg_nodes)
            rest2 = split(arg, [0.7978845608028654])
            poly = inner(rest2[0], "Add") if rest2 and len(rest2) == 1 else None
            if poly is None or x not in poly.input:
                continue
            cube = inner(poly.input[1 - list(poly.input).index(x)], "Mul")
            if cube is None:
                continue
            cube_leaves, cube_nodes = [], []
            factors(cube, cube_leaves, cube_nodes)
            if split(cube_leaves, [0.044715]) != [x, x, x]:
                continue
            consts = [n for n in (*leaves, *add1.input, *arg, *cube_leaves) if n in constants]
            if any(constants[n].ndim for n in consts):
                ranks = _ranks(model) if ranks is None else ranks
                if x not in ranks or any(constants[n].ndim > ranks[x] for n in consts):
                    continue
            rewrites.append((last, x))
            removed.update(id(n) for n in (*nodes[1:], add1, tanh, *arg_nodes, poly, *cube_nodes))
            done += 1
            break
    for last, x in rewrites:  # after every match: shape inference must see the original graph
        last.op_type = "Gelu"
        del last.input[:]
        last.input.append(x)
        last.attribute.append(helper.make_attribute("approximate", "tanh"))
    if removed:
        kept = [n for n in graph.node if id(n) not in removed]
        del graph.node[:]
        graph.node.extend(kept)
    return done


def fuse_activations(model: onnx.ModelProto) -> int:
    """Fuse in place; returns how many activations were folded."""
    graph = model.graph
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer if t.data_location != onnx.TensorProto.EXTERNAL}
    fuse_hardswish(model, constants)
    fuse_gelu_tanh(model, constants)
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    outputs = {o.name for o in graph.output} | _read_in_bodies(graph.node)  # a body's reader is a user too
    removed, fused = set(), 0
    for n in graph.node:
        if n.op_type not in ("Conv", "Gemm") or n.domain not in ("", "ai.onnx"):
            continue
        users = consumers.get(n.output[0], [])
        if len(users) != 1 or n.output[0] in outputs:
            continue
        act = users[0]
        if act.op_type not in FUSABLE or act.domain not in ("", "ai.onnx"):
            continue
        params = _params(act, constants)
        if params is None:
            continue
        n.attribute.extend([helper.make_attribute("_act", act.op_type),
                            helper.make_attribute("_act_params", [float(p) for p in params])])
        n.output[0] = act.output[0]
        removed.add(id(act))
        fused += 1
    kept = [n for n in graph.node if id(n) not in removed]
    del graph.node[:]
    graph.node.extend(kept)
    return fused
