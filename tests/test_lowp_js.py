"""The low-precision codecs of the webedge runtime (js/src/webedge/lib/lowp.mjs, and the sub-byte
packing of lib/dtypes.mjs), run in Node and
checked against ml_dtypes and onnx's own helpers: every float8/float4 code decodes to ml_dtypes'
value and encodes back to itself, and float32 values (random, at and next to every tie) encode as
ONNX's Cast does with and without `saturate`. Pure Node, no browser: about a second."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parents[1]


def node() -> str:
    """Node runs the runtime's codecs; without it these tests fail (make setup installs the npm side too)."""
    path = shutil.which("node")
    assert path, "node is needed to test js/src/webedge/lib/lowp.mjs; install Node.js 20+"
    return path

FLOAT8 = {"float8e4m3fn": ml_dtypes.float8_e4m3fn, "float8e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
          "float8e5m2": ml_dtypes.float8_e5m2, "float8e5m2fnuz": ml_dtypes.float8_e5m2fnuz}
SMALL = {**FLOAT8, "float4e2m1": ml_dtypes.float4_e2m1fn}
CODES = {name: 16 if name == "float4e2m1" else 256 for name in SMALL}

# stdin: {"bits": [float32 bit patterns], "codes": {dtype: count}, "ints": [str(float)], "packed": {dtype: [values]}};
# stdout: what lowp.mjs makes of them
SCRIPT = """
import { decoder, encoder } from './js/src/webedge/lib/lowp.mjs';
import { pack, unpack } from './js/src/webedge/lib/dtypes.mjs';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const req = JSON.parse(text);
const f32 = new Float32Array(Uint32Array.from(req.bits).buffer);
const neg = (i) => req.bits[i] >>> 31 === 1;
const out = { decode: {}, encode: {}, e8m0: {}, ints: {}, packed: {} };
for (const [name, n] of Object.entries(req.codes)) {
  const dec = decoder(name);
  out.decode[name] = Array.from({ length: n }, (_, c) => (Object.is(dec(c), -0) ? '-0' : String(dec(c))));
  for (const saturate of [true, false]) {
    const enc = encoder(name, { saturate });
    out.encode[`${name}/${saturate}`] = Array.from(f32, (v, i) => enc(v, neg(i)));
  }
}
const bf = encoder('bfloat16');
out.encode.bfloat16 = Array.from(f32, (v, i) => bf(v, neg(i)));
for (const mode of ['up', 'down', 'nearest']) {
  for (const saturate of [true, false]) {
    const enc = encoder('float8e8m0', { saturate, roundMode: mode });
    out.e8m0[`${mode}/${saturate}`] = Array.from(f32, (v) => enc(v));
  }
}
const ints = req.ints.map((s) => ({ nan: NaN, inf: Infinity, '-inf': -Infinity })[s] ?? Number(s));
for (const name of ['int4', 'uint4', 'int2', 'uint2']) out.ints[name] = Array.from(ints, (v) => encoder(name)(v));
for (const [name, values] of Object.entries(req.packed)) {
  const bytes = pack(name, values);
  out.packed[name] = { bytes: Array.from(bytes), back: Array.from(unpack(name, bytes, values.length)) };
}
process.stdout.write(JSON.stringify(out));
"""


def _values() -> np.ndarray:
    """float32 test values: specials, every representable value of each format, the midpoints between
    neighbours (ties) and the float32 values either side of them, and random values over the ranges."""
    rng = np.random.default_rng(0)
    vals = [np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e30, -1e30, 1e-30, 448, 464, 465, 480,
                      57344, 61440, 61441, 240, 248, 6, 7, 5, 0.25, 0.75], np.float32)]
    for dt in SMALL.values():
        codes = np.arange(16 if dt is ml_dtypes.float4_e2m1fn else 256, dtype=np.uint8)
        v = np.unique(codes.view(dt).astype(np.float32))
        v = v[np.isfinite(v)]
        mids = ((v[1:].astype(np.float64) + v[:-1]) / 2).astype(np.float32)
        vals += [v, mids, np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf))]
    vals.append((rng.choice([-1, 1], 3000) * 2.0 ** rng.uniform(-20, 18, 3000)).astype(np.float32))
    return np.concatenate(vals).astype(np.float32)


@pytest.fixture(scope="module")
def js():
    x = _values()
    ints = np.concatenate([np.arange(-40, 40) / 4, [1e9, -1e9, np.nan, np.inf]])
    packed = {"int4": list(range(-8, 8)) + [3], "uint4": list(range(16)) + [5], "float4e2m1": list(range(16)),
              "int2": [-2, -1, 0, 1, 1, -2], "uint2": [0, 1, 2, 3, 3, 2, 1]}
    req = {"bits": x.view(np.uint32).tolist(), "codes": CODES, "ints": [str(v) for v in ints], "packed": packed}
    done = subprocess.run([node(), "--input-type=module", "-e", SCRIPT], input=json.dumps(req),
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return x, ints, packed, json.loads(done.stdout)


def test_every_code_decodes_as_ml_dtypes(js):
    _, _, _, out = js
    for name, dt in SMALL.items():
        codes = np.arange(CODES[name], dtype=np.uint8)
        want = codes.view(dt).astype(np.float64)
        got = np.array([float(v) for v in out["decode"][name]], np.float64)
        assert np.array_equal(np.isnan(got), np.isnan(want)), name
        ok = ~np.isnan(want)
        assert np.array_equal(got[ok], want[ok]) and np.array_equal(np.signbit(got[ok]), np.signbit(want[ok])), name


def test_float8_encoding_matches_onnx_cast(js):
    x, _, _, out = js
    for name, dt in FLOAT8.items():
        # bit for bit, NaN signs included. saturate=1: onnx.numpy_helper.saturate_cast; saturate=0: the plain
        # ml_dtypes conversion (what the spec's tables say)
        for saturate, want in ((True, numpy_helper.saturate_cast(x, dt)), (False, x.astype(dt))):
            got = np.array(out["encode"][f"{name}/{str(saturate).lower()}"], np.uint8)
            want_bits = want.view(np.uint8)
            bad = np.flatnonzero(got != want_bits)
            assert bad.size == 0, (name, saturate, [(float(x[i]), int(got[i]), int(want_bits[i])) for i in bad[:5]])


def test_every_float8_code_round_trips(js):
    """encode(decode(c)) == c for every non-NaN code (the values are all in _values())."""
    x, _, _, out = js
    for name, dt in FLOAT8.items():
        codes = np.arange(256, dtype=np.uint8)
        v = codes.view(dt).astype(np.float32)
        enc = dict(zip(x.view(np.uint32).tolist(), out["encode"][f"{name}/false"]))
        for c, value in zip(codes, v):
            if not np.isnan(value):
                assert enc[int(np.float32(value).view(np.uint32))] == c, (name, int(c), float(value))


def test_float4_and_bfloat16_encoding(js):
    x, _, _, out = js
    nan = np.isnan(x)
    got = np.array(out["encode"]["float4e2m1/true"], np.uint8)
    assert np.array_equal(got[~nan], x[~nan].astype(ml_dtypes.float4_e2m1fn).view(np.uint8))
    assert (got[nan] == 0x7).all()  # NaN -> +6 (onnx docs/technical/float4.md; ml_dtypes differs)
    assert out["encode"]["float4e2m1/false"] == out["encode"]["float4e2m1/true"]  # always saturates
    got = np.array(out["encode"]["bfloat16"], np.uint16)
    assert np.array_equal(got, x.astype(ml_dtypes.bfloat16).view(np.uint16))


def test_float8e8m0_matches_onnx(js):
    x, _, _, out = js
    keep = (x > 0) | ~np.isfinite(x)  # negative values are unspecified
    pos = x[keep]
    for mode in ("up", "down", "nearest"):
        for saturate in (True, False):
            want = numpy_helper.to_float8e8m0(pos, saturate, mode).view(np.uint8)
            got = np.array(out["e8m0"][f"{mode}/{str(saturate).lower()}"], np.uint8)[keep]
            assert np.array_equal(got, want), (mode, saturate)


def test_int4_int2_round_half_even_and_keep_low_bits(js):
    _, ints, _, out = js
    finite = np.where(np.isfinite(ints), ints, 0)
    r = np.rint(finite).astype(np.int64)
    for name, bits, signed in (("int4", 4, True), ("uint4", 4, False), ("int2", 2, True), ("uint2", 2, False)):
        low = r & ((1 << bits) - 1)
        want = np.where(low >= 1 << (bits - 1), low - (1 << bits), low) if signed else low
        assert out["ints"][name] == want.tolist(), name


def test_pack_and_unpack_match_onnx_layout(js):
    _, _, packed, out = js
    types = {"int4": ml_dtypes.int4, "uint4": ml_dtypes.uint4, "int2": ml_dtypes.int2, "uint2": ml_dtypes.uint2}
    for name, values in packed.items():
        arr = (np.array(values, np.uint8).view(ml_dtypes.float4_e2m1fn) if name == "float4e2m1"
               else np.array(values).astype(types[name]))
        assert out["packed"][name]["bytes"] == list(numpy_helper.from_array(arr).raw_data), name
        assert out["packed"][name]["back"] == values, name


def test_low_precision_weights_and_constants_reach_the_runtime(tmp_path):
    """An int4 weight travels packed (weights.py) and is unpacked when placed (lib/dtypes.mjs fromBytes); a float8
    constant travels as its codes (plan/compile.py); DequantizeLinear and Cast then match onnx's reference."""
    from onnx import TensorProto, helper
    from onnx.reference import ReferenceEvaluator

    from webedge.backends import native
    from webedge.weights import extract_weights

    rng = np.random.default_rng(1)
    q = rng.integers(-8, 8, 601).astype(ml_dtypes.int4)
    f8 = np.array([0.5, -448, 3.25, -0.0], np.float32).astype(ml_dtypes.float8_e4m3fn)
    inits = [numpy_helper.from_array(q, "q"), numpy_helper.from_array(np.array([3], ml_dtypes.int4), "zp"),
             numpy_helper.from_array(f8, "f8")]
    nodes = [helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["y"]),
             helper.make_node("Cast", ["f8"], ["c"], to=TensorProto.FLOAT16)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("s", TensorProto.FLOAT, [])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [601]),
                               helper.make_tensor_value_info("c", TensorProto.FLOAT16, [4])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)
    graph_model, weights, _ = extract_weights(model)
    assert [(w.name, w.dtype, len(w.data)) for w in weights] == [("q", "int4", 301)]  # packed: 601 values, 301 bytes
    plan = native.plan(graph_model)
    assert plan["constants"]["f8"]["data"] == f8.view(np.uint8).tolist()
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    (tmp_path / "q.bin").write_bytes(weights[0].data)
    script = """
import { readFileSync } from 'node:fs';
import { createSession } from './js/src/webedge/session.mjs';
import { loadOpModules } from './js/units.mjs';
const dir = process.argv[1];
const ops = (await loadOpModules()).flatMap((m) => m.units);
const plan = JSON.parse(readFileSync(`${dir}/plan.json`, 'utf8'));
const weights = [{ name: 'q', dtype: 'int4', shape: [601], bytes: new Uint8Array(readFileSync(`${dir}/q.bin`)) }];
const session = await createSession({ plan, kernels: [], weights, ops });
const out = await session.run({ s: { data: Float32Array.of(0.25), dims: [], type: 'float32' } });
process.stdout.write(JSON.stringify({ y: Array.from(out.y.data), c: Array.from(out.c.data) }));
"""
    done = subprocess.run([node(), "--input-type=module", "-e", script, str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    y, c = ReferenceEvaluator(model).run(None, {"s": np.float32(0.25)})
    assert got["y"] == y.tolist()
    assert got["c"] == c.view(np.uint16).tolist()
