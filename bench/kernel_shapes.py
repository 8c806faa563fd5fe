"""Print the Conv and MatMul/Gemm shapes of the real models as JSON, for bench/kernels.mjs.

Shapes come from onnx shape inference (with data propagation) after fixing the inputs to the sizes
bench/runtime_vs_ort.py's `inputs_for` feeds; where inference leaves a shape unknown (reshapes fed
by computed shapes), the value's shape is taken from one onnxruntime run instead. Each conv is given
as conv2d_f32's 2-D arguments (a 1-D conv as H = 1, as js/src/webedge/lib/geometry.mjs maps it),
each MatMul/Gemm as gemm_f32's M, N, K, transB per batch entry. Identical shapes are merged with
a count. Models inside If/Loop bodies are not looked into (Silero VAD's convs sit in an If).

    python bench/kernel_shapes.py [--models magika,ppocr-cls,ppocr-det,ppocr-rec] > shapes.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from math import prod
from pathlib import Path

import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runtime_vs_ort import inputs_for  # noqa: E402

from webedge import pretrained  # noqa: E402

MODELS = "magika,ppocr-cls,ppocr-det,ppocr-rec"


def _attrs(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _shapes(model: onnx.ModelProto, feeds: dict) -> dict[str, list[int]]:
    """value name -> static shape: inference first, one onnxruntime run for the rest."""
    for inp in model.graph.input:
        if inp.name in feeds:
            dims = inp.type.tensor_type.shape.dim
            for d, v in zip(dims, feeds[inp.name].shape):
                d.Clear()
                d.dim_value = int(v)
    inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
    known = {t.name: list(t.dims) for t in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Constant":
            known[n.output[0]] = list(_attrs(n)["value"].dims)
    for v in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]:
        dims = v.type.tensor_type.shape.dim
        if dims and all(d.HasField("dim_value") for d in dims):
            known.setdefault(v.name, [d.dim_value for d in dims])
    need = [x for n in model.graph.node if n.op_type in ("Conv", "MatMul", "Gemm")
            for x in (n.input[0], n.input[1], n.output[0]) if x not in known]
    if need:  # inference could not see through some reshapes: ask onnxruntime
        import onnxruntime as ort

        extra = onnx.ModelProto()
        extra.CopyFrom(model)
        have = {o.name for o in extra.graph.output}
        for name in dict.fromkeys(need):
            if name not in have:
                extra.graph.output.append(onnx.ValueInfoProto(name=name))
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        sess = ort.InferenceSession(extra.SerializeToString(), opts, providers=["CPUExecutionProvider"])
        names = [o.name for o in sess.get_outputs()]
        known.update({n: list(v.shape) for n, v in zip(names, sess.run(names, feeds))})
    return known


def _conv(node, shape) -> dict:
    x, w, y = shape(node.input[0]), shape(node.input[1]), shape(node.output[0])
    a = _attrs(node)
    r = len(x) - 2
    two = (lambda v, fill: [fill, *v]) if r == 1 else (lambda v, fill: list(v))
    strides, dil = a.get("strides", [1] * r), a.get("dilations", [1] * r)
    pads = a.get("pads", [0] * 2 * r)
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        pads = None  # SAME_*: begin pads from the output size
        pads = [max(0, (o - 1) * s + (k - 1) * d + 1 - i) // 2 for o, s, k, d, i in
                zip(y[2:], strides, w[2:], dil, x[2:])]
    H, W = two(x[2:], 1)
    KH, KW = two(w[2:], 1)
    OH, OW = two(y[2:], 1)
    sh, sw = two(strides, 1)
    dh, dw = two(dil, 1)
    pt, pl = two(pads[:r], 0)
    group = a.get("group", 1)
    return {"op": "conv", "N": x[0], "C": x[1], "H": H, "W": W, "M": w[0], "KH": KH, "KW": KW, "OH": OH, "OW": OW,
            "sh": sh, "sw": sw, "dh": dh, "dw": dw, "pt": pt, "pl": pl, "group": group,
            "path": "depthwise" if group > 1 and group == x[1] == w[0] else "gemm",
            "flops": 2 * prod(y) * prod(w[1:])}


def _gemm(node, shape) -> dict:
    a, b, y = shape(node.input[0]), shape(node.input[1]), shape(node.output[0])
    at = _attrs(node)
    if node.op_type == "Gemm":
        M, K = (a[1], a[0]) if at.get("transA") else (a[0], a[1])
        N, tb = (b[0], 1) if at.get("transB") else (b[1], 0)
        batch = 1
    else:
        K, N, tb = a[-1], b[-1], 0
        M = prod(a[:-1]) if len(b) == 2 else a[-2]  # a 2-D weight: one GEMM over all leading rows
        batch = 1 if len(b) == 2 else prod(y[:-2])
    return {"op": "gemm", "M": M, "N": N, "K": K, "transB": tb, "batch": batch, "flops": 2 * batch * M * N * K}


def shapes(name: str, tmp: Path) -> list[dict]:
    npz, _ = inputs_for(name, tmp)
    feeds = dict(np.load(npz)) if npz else {}
    model = onnx.load(str(pretrained.fetch(name)))
    known = _shapes(model, feeds)
    rows: dict[str, dict] = {}
    for node in model.graph.node:
        if node.op_type not in ("Conv", "MatMul", "Gemm"):
            continue
        row = _conv(node, known.__getitem__) if node.op_type == "Conv" else _gemm(node, known.__getitem__)
        key = json.dumps({k: v for k, v in row.items() if k != "flops"}, sort_keys=True)
        if key in rows:
            rows[key]["count"] += 1
        else:
            rows[key] = {"model": name, **row, "count": 1}
    return list(rows.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=MODELS)
    args = parser.parse_args(argv)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            out.extend(shapes(name, Path(tmp)))
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
