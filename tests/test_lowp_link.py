"""A model without low-precision dtypes gets an executor without their codecs: where lib/numbers.mjs
(Cast, Range) is lib/lowp.mjs's only importer, the linker (webedge/backends/executor_js.py) puts
lib/lowp_absent.mjs in its place, which throws on such a dtype instead of misreading it."""

from __future__ import annotations

import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from webedge.backends import executor_js
from webedge.installation import packaged

REAL = packaged("runtime/executor/lib/lowp.js").read_text().strip()
ABSENT = packaged("runtime/executor/lib/lowp_absent.js").read_text().strip()


def _model(nodes, inputs=None, initializers=()):
    inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])]
    graph = helper.make_graph(nodes, "g", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
                              initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])


def test_uses_lowp_sees_every_source_of_a_dtype():
    cast = lambda to: helper.make_node("Cast", ["x"], ["y"], to=to)  # noqa: E731
    assert not executor_js.uses_lowp(_model([cast(TensorProto.INT32)]))
    assert not executor_js.uses_lowp(_model([cast(TensorProto.FLOAT16)]))
    assert executor_js.uses_lowp(_model([cast(TensorProto.BFLOAT16)]))
    assert executor_js.uses_lowp(_model([cast(TensorProto.FLOAT8E4M3FN)]))
    assert executor_js.uses_lowp(_model([], inputs=[helper.make_tensor_value_info("x", TensorProto.INT4, [2])]))
    w = helper.make_tensor("w", TensorProto.UINT4, [2], [1, 2])
    assert executor_js.uses_lowp(_model([helper.make_node("Cast", ["w"], ["y"], to=TensorProto.FLOAT)], initializers=[w]))
    value = helper.make_tensor("v", TensorProto.BFLOAT16, [1], [1.0])
    assert executor_js.uses_lowp(_model([helper.make_node("ConstantOfShape", ["x"], ["y"], value=value)]))
    # in a subgraph
    branch = helper.make_graph([cast(TensorProto.FLOAT8E5M2)], "b", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT8E5M2, [2])])
    cond = numpy_helper.from_array(np.array(True), "c")
    node = helper.make_node("If", ["c"], ["y"], then_branch=branch, else_branch=branch)
    assert executor_js.uses_lowp(_model([node], initializers=[cond]))


def test_link_leaves_the_codecs_out_only_when_numbers_is_their_only_importer():
    plain = executor_js.link({"Cast", "Add"}, lowp=False).decode()
    assert ABSENT in plain and REAL not in plain
    assert REAL in executor_js.link({"Cast", "Add"}).decode()  # the default keeps them
    with_q = executor_js.link({"Cast", "QuantizeLinear"}, lowp=False).decode()
    assert REAL in with_q and ABSENT not in with_q  # QuantizeLinear imports lib/lowp.mjs itself
    gpu = executor_js.link({"Cast"}, gpu=True, lowp=False).decode()
    assert packaged("runtime/executor/gpu/lib/lowp_absent.js").read_text().strip() in gpu


def test_absent_codecs_refuse_a_low_precision_dtype():
    script = f"""
const m = ({ABSENT})(() => {{ throw new Error('no imports'); }});
if (m.isLowp('float32') !== false || m.isLowp('float16') !== false) throw new Error('plain dtype seen as lowp');
try {{ m.isLowp('bfloat16'); throw new Error('no error'); }} catch (e) {{ if (!/linked without the low-precision/.test(e.message)) throw e; }}
"""
    subprocess.run(["node", "-e", script], check=True)
