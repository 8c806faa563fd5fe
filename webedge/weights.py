"""Find a model's weights, order them by first use, and cut them out of the graph.

Weights are initializers of the main graph and the tensors of its `Constant` nodes (exporters
such as Paddle2ONNX keep every weight in a Constant): both become `WeightTensor`s, and the graph
left behind refers to them as external data, so the graph file is small and the bytes travel once,
in shards. Tensors smaller than `INLINE_BYTES` (shape vectors, scalars) stay inline in the graph:
a shard entry would cost more than it saves. Weights inside subgraphs (If/Loop bodies) stay inline
for onnxruntime-web (webedge's runtime takes them from shards: `subgraphs=True`); the report counts
inline bytes as `inline_param_bytes`. A quantized body weight is not in its body any more:
quantize/weights.py hoists it into the main graph, so it is sharded on both backends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import numpy_helper

from .onnx_import import graphs

INLINE_BYTES = 256

# ONNX element type -> the dtype name used in the manifest (and by the browser runtime).
DTYPE_NAMES = {
    onnx.TensorProto.FLOAT: "float32",
    onnx.TensorProto.FLOAT16: "float16",
    onnx.TensorProto.BFLOAT16: "bfloat16",
    onnx.TensorProto.DOUBLE: "float64",
    onnx.TensorProto.INT8: "int8",
    onnx.TensorProto.UINT8: "uint8",
    onnx.TensorProto.INT16: "int16",
    onnx.TensorProto.UINT16: "uint16",
    onnx.TensorProto.INT32: "int32",
    onnx.TensorProto.UINT32: "uint32",
    onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.UINT64: "uint64",
    onnx.TensorProto.BOOL: "bool",
    onnx.TensorProto.STRING: "string",
}
# Packed in ONNX's layout (2 or 4 to a byte): their weight bytes stay packed; the runtime unpacks.
SUB_BYTE = frozenset(getattr(onnx.TensorProto, n) for n in ("INT4", "UINT4", "FLOAT4E2M1", "INT2", "UINT2")
                     if hasattr(onnx.TensorProto, n))


def dtype_name(elem_type: int) -> str:
    """The runtime's name for an ONNX element type. Unlisted types keep ONNX's name in lower case (float8e4m3fn,
    float8e4m3fnuz, float8e5m2, float8e5m2fnuz, float8e8m0, float4e2m1, int4, uint4, int2, uint2), as
    js/src/webedge/tensor.mjs spells them."""
    return DTYPE_NAMES.get(elem_type, onnx.TensorProto.DataType.Name(elem_type).lower())


@dataclass
class WeightTensor:
    name: str
    dtype: str
    shape: list[int]
    data: bytes
    source: str  # "initializer" or "constant"


def _uses_in_order(graph: onnx.GraphProto) -> dict[str, int]:
    """Name -> index of the first main-graph node that reads it (directly or from a subgraph)."""
    first: dict[str, int] = {}

    def names_read(node: onnx.NodeProto):
        yield from node.input
        for a in node.attribute:
            subs = [a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)
            for g in subs:
                for n in g.node:
                    yield from names_read(n)

    for i, node in enumerate(graph.node):
        for name in names_read(node):
            first.setdefault(name, i)
    return first


def _to_external(tensor: onnx.TensorProto) -> None:
    """Drop a tensor's bytes, marking it external; `set_locations` fills in where they live."""
    for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data",
                  "uint64_data", "string_data"):
        tensor.ClearField(field)
    del tensor.external_data[:]
    tensor.data_location = onnx.TensorProto.EXTERNAL


def _tensor_bytes(tensor: onnx.TensorProto) -> bytes:
    """Little-endian element bytes, as ONNX's raw_data lays them out (sub-byte types packed)."""
    arr = numpy_helper.to_array(tensor)
    if tensor.data_type in SUB_BYTE:
        return numpy_helper.from_array(arr).raw_data
    return np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()


def _subgraph_initializers(graph: onnx.GraphProto):
    """(index of the main-graph node that holds it, initializer) for every subgraph initializer."""
    for i, node in enumerate(graph.node):
        for a in node.attribute:
            for g in ([a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)):
                for sub in graphs(g):
                    for t in sub.initializer:
                        yield i, t


def extract_weights(model: onnx.ModelProto, subgraphs: bool = False) -> tuple[onnx.ModelProto, list[WeightTensor], int]:
    """Return (weight-free model, weights in first-use order, bytes of weights left inline).

    With `subgraphs`, initializers of If/Loop bodies become weights too (the webedge runtime
    resolves them by name; onnxruntime-web is only handed main-graph external data)."""
    graph_model = onnx.ModelProto()
    graph_model.CopyFrom(model)
    graph = graph_model.graph
    first_use = _uses_in_order(graph)
    outputs = {o.name for o in graph.output}
    found: list[tuple[int, WeightTensor]] = []

    for t in graph.initializer:
        if t.data_type == onnx.TensorProto.STRING:
            continue
        data = _tensor_bytes(t)
        if len(data) < INLINE_BYTES:
            continue
        found.append((first_use.get(t.name, len(graph.node)),
                      WeightTensor(t.name, dtype_name(t.data_type), list(t.dims), data, "initializer")))
        _to_external(t)

    if subgraphs:
        taken = {t.name for t in graph.initializer}
        for i, t in _subgraph_initializers(graph):
            if t.data_type == onnx.TensorProto.STRING or t.name in taken:
                continue  # a name clash across scopes stays inline rather than be confused
            data = _tensor_bytes(t)
            if len(data) >= INLINE_BYTES:
                taken.add(t.name)
                found.append((i, WeightTensor(t.name, dtype_name(t.data_type), list(t.dims), data, "initializer")))
                _to_external(t)

    kept_nodes = []
    for i, node in enumerate(graph.node):
        value = next((a.t for a in node.attribute if a.name == "value" and a.type == onnx.AttributeProto.TENSOR), None)
        if (node.op_type == "Constant" and node.domain in ("", "ai.onnx") and value is not None
                and value.data_type != onnx.TensorProto.STRING and node.output[0] not in outputs):
            data = _tensor_bytes(value)
            if len(data) >= INLINE_BYTES:
                name = node.output[0]
                found.append((first_use.get(name, len(graph.node)),
                              WeightTensor(name, dtype_name(value.data_type), list(value.dims), data, "constant")))
                init = graph.initializer.add()
                init.CopyFrom(value)
                init.name = name
                _to_external(init)
                continue
        kept_nodes.append(node)
    del graph.node[:]
    graph.node.extend(kept_nodes)

    found.sort(key=lambda pair: pair[0])  # stable: ties keep initializer order
    return graph_model, [w for _, w in found], inline_tensor_bytes(graph_model)


def inline_tensor_bytes(model: onnx.ModelProto) -> int:
    """Bytes of tensor data still inside the graph (small constants, subgraph weights)."""
    total = 0
    for g in graphs(model.graph):
        tensors = [t for t in g.initializer if t.data_location != onnx.TensorProto.EXTERNAL]
        tensors += [a.t for n in g.node for a in n.attribute if a.type == onnx.AttributeProto.TENSOR]
        total += sum(t.ByteSize() for t in tensors)
    return total


def set_locations(graph_model: onnx.ModelProto, placements: dict[str, tuple[str, int, int]]) -> None:
    """Point each external initializer at (file, offset, length) inside its shard."""
    for t in graph_model.graph.initializer:
        if t.name in placements:
            file, offset, length = placements[t.name]
            del t.external_data[:]
            for key, value in (("location", file), ("offset", str(offset)), ("length", str(length))):
                entry = t.external_data.add()
                entry.key, entry.value = key, value
