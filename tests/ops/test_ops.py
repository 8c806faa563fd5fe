"""The per-op battery: every ONNX node case of the conformance list (tests/conformance/
webedge_pass.txt) whose op is an op unit of the runtime, run on each of the op's parts in turn
(wasm, js), and the op's shape rule checked against the case's outputs, reading no input data the
unit does not declare (shapeReads). A fast Node lane (tests/ops/run_parts.mjs, straight from
js/src): no browser, no build. Test ids carry the op, so `pytest -k conv` selects every test of Conv
(with ConvTranspose, ConvInteger, QLinearConv), beside tests/kernels' test_kernel_conv.

The cases are planned without onnxruntime's optimizer (which the conformance run applies, as a
bundle does): it would fold some cases away or rewrite the op under test (HardSwish becomes
HardSigmoid and Mul), and here the op's own unit is what is tested. Only ops the runtime lacks
are expanded into their ONNX function bodies.

A part that does not take a case (the wasm part and a 3-D Conv, say) is skipped with the part's
own reason; `test_every_part_runs_some_case` fails a part that takes none.

Each case's kernel modules are the ones its bundle would ship: stripped to what its plan calls
(webedge/backends/wasm_strip.py), so a kernel or part an op uses without declaring it traps here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest

from webedge import conformance
from webedge.backends import native
from webedge.errors import WebedgeError
from webedge.plan.expand import expand_functions
from webedge.plan.ops import SUPPORTED, registry
from webedge.weights import extract_weights

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEVICES = ("wasm", "js")

@lru_cache(maxsize=1)
def battery_cases() -> dict:
    """case name -> (op, devices) for the listed cases whose op is an op unit."""
    names = set(conformance.read_pass_list(conformance.PASS_LIST))
    cases, _ = conformance.collect(names=names)
    by_name = {c.name: c for c in cases}
    ops = registry()["ops"]
    out = {}
    for c in cases:
        op = conformance.case_op(c, by_name)
        if op in ops and not conformance.exclusion(c):
            out[c.name] = (op, [d for d in DEVICES if d in ops[op]["devices"]])
    return dict(sorted(out.items()))


PART_PARAMS = [pytest.param(name, op, device, id=f"{op}-{device}-{name}")
               for name, (op, devices) in battery_cases().items() for device in devices]
SHAPE_PARAMS = [pytest.param(name, op, id=f"{op}-{name}") for name, (op, _) in battery_cases().items()
                if registry()["ops"][op]["shape"] in ("static", "data-dependent")]


def prepare(case, blob: conformance.Blob) -> tuple[str | None, dict | None]:
    """(why not, None) or (None, the case's entry for the Node lane), planned as the module docstring says."""
    try:
        model = expand_functions(case.model, SUPPORTED)
        graph_model, weights, _ = extract_weights(model, subgraphs=True)
        plan = native.plan(graph_model)
    except WebedgeError as exc:
        return f"not planned: {exc}", None
    if conformance._non_tensor(case):
        return "sequence/optional values", None
    return None, {"plan": plan,
                  "weights": [{"name": w.name, "dtype": w.dtype, "shape": w.shape, **blob.add(w.data)} for w in weights],
                  "feeds": conformance._feeds(case, blob, set(plan["inputs"])),
                  "kernels": [{"module": k, **_kernel_ref(plan, k, blob)} for k in plan["kernels"]]}


def _kernel_ref(plan: dict, module: str, blob: conformance.Blob) -> dict:
    """Kernel module `module` as a bundle of this plan ships it (stripped: webedge/backends/
    wasm_strip.py), in the blob once per distinct content."""
    data = native.kernel_bytes(plan, f"kernels/{module}.wasm")
    refs = blob.__dict__.setdefault("kernel_refs", {})
    if data not in refs:
        refs[data] = blob.add(data)
    return refs[data]


def _selected(session, test_name: str) -> set[str]:
    return {item.callspec.params["name"] for item in session.items
            if item.originalname == test_name and hasattr(item, "callspec")}


@pytest.fixture(scope="session")
def lane(request, tmp_path_factory):
    """Runs the Node lane once for the cases the selected tests need; case -> its results."""
    if any(item.originalname == "test_every_part_runs_some_case" for item in request.session.items):
        names = set(battery_cases())
    else:
        names = _selected(request.session, "test_part") | _selected(request.session, "test_shape_rule")
    node = shutil.which("node")
    assert node, "node is needed for the per-op battery; install Node.js 20+"
    cases, _ = conformance.collect(names=names)
    blob, entries, prepared = conformance.Blob(), [], {}
    for c in cases:
        op, devices = battery_cases()[c.name]
        outcome, entry = prepare(c, blob)
        prepared[c.name] = (c, outcome)
        if outcome:
            continue
        ran = {n["op"] for n in entry["plan"]["nodes"]}
        outputs = [{"name": o.name, "type": conformance.dtype_name(t), "dims": list(v.shape)}
                   for o, (t, v) in zip(c.model.graph.output, map(conformance._expected, c.data_sets[0][1]))]
        entries.append({"name": c.name, "op": op, **entry, "outputs": outputs, "devices": devices if op in ran else []})
    folder = tmp_path_factory.mktemp("ops")
    (folder / "index.json").write_text(json.dumps({"cases": entries}))
    (folder / "blob.bin").write_bytes(bytes(blob.buf))
    done = subprocess.run([node, str(HERE / "run_parts.mjs"), str(folder / "index.json"), str(folder / "blob.bin")],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    return {name: (c, outcome, results.get(name)) for name, (c, outcome) in prepared.items()}


@pytest.mark.parametrize("name, op, device", PART_PARAMS)
def test_part(lane, name, op, device):
    case, outcome, result = lane[name]
    # skip reasons name the op and part only, so that pytest's summary groups them
    if outcome:
        pytest.skip(f"{op}: case not planned for the runtime (missing op, or sequence values)")
    part = result["parts"].get(device)
    if part is None:
        pytest.skip(f"{op}: no {op} node in the plan (an _expanded case holds its function body instead)")
    if "unsupported" in part:
        pytest.skip(f"{op}: the {device} part does not take these inputs (its supports() says no)")
    checked = conformance._check(case, part)
    assert checked.status == "pass", f"{op} on {device}: {checked.status}: {checked.reason}"


@pytest.mark.parametrize("name, op", SHAPE_PARAMS)
def test_shape_rule(lane, name, op):
    case, outcome, result = lane[name]
    if outcome or result["shape"] is None:
        pytest.skip(f"{op}: not a single node of the op on known inputs once planned")
    assert result["shape"].get("ok"), result["shape"]["error"]


def test_every_part_runs_some_case(lane):
    """Each (op, device) of the battery takes at least one of its cases: no part is tested only by skips."""
    ran, listed = defaultdict(int), set()
    for name, (op, devices) in battery_cases().items():
        _, outcome, result = lane[name]
        for device in devices:
            listed.add((op, device))
            part = (result or {}).get("parts", {}).get(device)
            if part and "unsupported" not in part:
                ran[(op, device)] += 1
    never = sorted(f"{op}-{device}" for op, device in listed if not ran[(op, device)])
    assert not never, f"parts that took none of their listed cases: {never}"
