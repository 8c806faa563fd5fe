"""The elementwise kernels against onnxruntime: unary_f32 (unary.c) and math_f32 (math.c), which
share one op code space, binary_f32 (binary.c) and pow_f32 (pow.c); the libm-free math against
float64 truth."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from onnx_ref import node, ort_run
from wasm_harness import REGISTRY

UNARY_CODES = set(REGISTRY["enums"]["unary"].values())
MATH_CODES = set(REGISTRY["enums"]["math"].values())


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def unary_kernel(op: int) -> str:
    """The kernel that takes unary op code `op`."""
    assert (op in UNARY_CODES) != (op in MATH_CODES), op
    return "unary_f32" if op in UNARY_CODES else "math_f32"


def run_unary(h, op, x, a0=0.0, a1=0.0):
    xp, yp = h.put(x), h.out(x.shape)
    h.call(unary_kernel(op), op, xp, yp, x.size, a0, a1)
    return h.get(yp, x.shape)


def test_every_unary_code_has_one_kernel():
    assert UNARY_CODES.isdisjoint(MATH_CODES)
    assert UNARY_CODES | MATH_CODES == set(UNARY)


# op code -> (ONNX node builder(inputs) -> nodes, input range, a0, a1, tolerance)
EXACT = dict(rtol=0, atol=0)
ULP2 = dict(rtol=2.4e-7, atol=0)  # two float ulps: both sides within about one ulp of the truth
UNARY = {
    0: ("Identity", lambda: [node("Identity", ["x"], ["y"])], (-5, 5), 0.0, 0.0, EXACT),
    1: ("Relu", lambda: [node("Relu", ["x"], ["y"])], (-5, 5), 0.0, 0.0, EXACT),
    2: ("Clip", None, (-5, 5), -1.5, 2.25, EXACT),
    3: ("HardSigmoid", lambda: [node("HardSigmoid", ["x"], ["y"], alpha=0.3, beta=0.4)], (-5, 5), 0.3, 0.4,
        dict(rtol=1e-6, atol=1e-7)),
    4: ("HardSwish", lambda: [node("HardSwish", ["x"], ["y"])], (-6, 6), 0.0, 0.0, dict(rtol=1e-6, atol=1e-7)),
    5: ("LeakyRelu", lambda: [node("LeakyRelu", ["x"], ["y"], alpha=0.07)], (-5, 5), 0.07, 0.0, EXACT),
    6: ("Sigmoid", lambda: [node("Sigmoid", ["x"], ["y"])], (-30, 30), 0.0, 0.0, dict(rtol=1e-6, atol=5e-7)),
    7: ("Tanh", lambda: [node("Tanh", ["x"], ["y"])], (-10, 10), 0.0, 0.0, dict(rtol=0, atol=1e-6)),
    8: ("Exp", lambda: [node("Exp", ["x"], ["y"])], (-87, 88), 0.0, 0.0, ULP2),
    9: ("Log", lambda: [node("Log", ["x"], ["y"])], (1e-30, 1e30), 0.0, 0.0, ULP2),
    10: ("Sqrt", lambda: [node("Sqrt", ["x"], ["y"])], (0, 100), 0.0, 0.0, EXACT),
    11: ("Abs", lambda: [node("Abs", ["x"], ["y"])], (-5, 5), 0.0, 0.0, EXACT),
    12: ("Neg", lambda: [node("Neg", ["x"], ["y"])], (-5, 5), 0.0, 0.0, EXACT),
    13: ("Reciprocal", lambda: [node("Reciprocal", ["x"], ["y"])], (0.01, 10), 0.0, 0.0, EXACT),
    14: ("Erf", lambda: [node("Erf", ["x"], ["y"])], (-5, 5), 0.0, 0.0, dict(rtol=0, atol=1e-7)),
    15: ("Gelu", lambda: [node("Gelu", ["x"], ["y"], domain="com.microsoft")], (-8, 8), 0.0, 0.0,
         dict(rtol=1e-6, atol=1e-6)),
    16: ("Floor", lambda: [node("Floor", ["x"], ["y"])], (-50, 50), 0.0, 0.0, EXACT),
    17: ("Ceil", lambda: [node("Ceil", ["x"], ["y"])], (-50, 50), 0.0, 0.0, EXACT),
    18: ("Softplus", lambda: [node("Softplus", ["x"], ["y"])], (-20, 20), 0.0, 0.0, dict(rtol=1e-6, atol=1e-6)),
    19: ("Elu", lambda: [node("Elu", ["x"], ["y"], alpha=0.8)], (-10, 5), 0.8, 0.0, dict(rtol=1e-6, atol=1e-6)),
    20: ("Sin", lambda: [node("Sin", ["x"], ["y"])], (-1e4, 1e4), 0.0, 0.0, dict(rtol=0, atol=1e-6)),
    21: ("Cos", lambda: [node("Cos", ["x"], ["y"])], (-1e4, 1e4), 0.0, 0.0, dict(rtol=0, atol=1e-6)),
    22: ("Round", lambda: [node("Round", ["x"], ["y"])], (-50, 50), 0.0, 0.0, EXACT),
}


@pytest.mark.parametrize("n", [1, 7, 4099])
@pytest.mark.parametrize("op", list(UNARY), ids=lambda o: UNARY[o][0])
def test_unary_vs_ort(h, op, n):
    name, build, (lo, hi), a0, a1, tol = UNARY[op]
    rng = _rng(op, n)
    if op == 9:  # log-uniform positive inputs
        x = np.exp(rng.uniform(np.log(lo), np.log(hi), n)).astype(np.float32)
    else:
        x = rng.uniform(lo, hi, n).astype(np.float32)
    if op in (16, 17, 22):  # exact halves exercise rounding ties
        x[::3] = np.round(x[::3]) + 0.5
    inputs = {"x": x}
    extra = ()
    if op == 2:
        inputs.update(lo=np.array(a0, np.float32), hi=np.array(a1, np.float32))
        nodes = [node("Clip", ["x", "lo", "hi"], ["y"])]
    else:
        nodes = build()
    if op == 15:
        extra = (("com.microsoft", 1),)
    ref = ort_run(nodes, inputs, extra_opsets=extra)
    y = run_unary(h, op, x, a0, a1)
    np.testing.assert_allclose(y, ref, **tol)


def test_unary_in_place(h):
    x = _rng("inplace").uniform(-3, 3, 37).astype(np.float32)
    xp = h.put(x)
    h.call(unary_kernel(8), 8, xp, xp, x.size, 0.0, 0.0)
    np.testing.assert_allclose(h.get(xp, x.shape), np.exp(x.astype(np.float64)), rtol=1.2e-7)


def _ulps(got, truth):
    ref32 = truth.astype(np.float32)
    return np.abs(got.astype(np.float64) - truth) / np.spacing(np.abs(ref32)).astype(np.float64)


def test_math_accuracy_vs_float64(h):
    """Error bounds against float64 truth.  Float tier: exp < 1 ulp (relative 1.2e-7), tanh and
    sigmoid <= 3 ulp, erf absolute < 1e-7.  Double tier: log within 0.5 ulp, sin/cos abs < 6e-8."""
    rng = _rng("acc")
    x = rng.uniform(-87.3, 88.7, 50001).astype(np.float32)
    y, t = run_unary(h, 8, x), np.exp(x.astype(np.float64))
    assert np.max(np.abs(y / t - 1)) < 1.2e-7 and _ulps(y, t).max() < 1.0
    x = rng.uniform(-104, -87.4, 5001).astype(np.float32)  # subnormal results: one rounding
    assert np.max(np.abs(run_unary(h, 8, x) - np.exp(x.astype(np.float64)))) <= 1.5e-45
    x = np.exp(rng.uniform(-85, 85, 50001)).astype(np.float32)
    y, t = run_unary(h, 9, x), np.log(x.astype(np.float64))
    assert np.max(np.abs(y - t) / np.abs(t)) < 1.2e-7 and _ulps(y, t).max() <= 0.5001
    x = rng.uniform(0.5, 2, 50001).astype(np.float32)  # log near 1, where cancellation bites
    assert _ulps(run_unary(h, 9, x), np.log(x.astype(np.float64))).max() <= 0.5001
    for lo, hi in [(-12, 12), (-0.01, 0.01), (-1e-5, 1e-5)]:  # small arguments keep relative accuracy
        x = rng.uniform(lo, hi, 50001).astype(np.float32)
        x64 = x.astype(np.float64)
        erf64 = np.array([math.erf(v) for v in x64])
        assert np.max(np.abs(run_unary(h, 14, x) - erf64)) < 1e-7
        assert _ulps(run_unary(h, 14, x), erf64).max() < 2
        assert np.max(np.abs(run_unary(h, 7, x) - np.tanh(x64))) < 1.5e-7
        assert _ulps(run_unary(h, 7, x), np.tanh(x64)).max() <= 3
        assert _ulps(run_unary(h, 6, x), 1 / (1 + np.exp(-x64))).max() <= 3
        assert _ulps(run_unary(h, 19, x, 1.0), np.where(x64 > 0, x64, np.expm1(x64))).max() <= 1
        gelu = 0.5 * x64 * np.array([math.erfc(-v / math.sqrt(2)) for v in x64])  # no 1 + erf cancellation
        assert np.all(np.abs(run_unary(h, 15, x) - gelu) <= 1e-7 * np.maximum(1, np.abs(x64)))
        u = math.sqrt(2 / math.pi) * (x64 + 0.044715 * x64 ** 3)  # a0 1: the tanh approximation, x sigmoid(2u)
        assert np.all(np.abs(run_unary(h, 15, x, 1.0) - x64 / (1 + np.exp(-2 * u))) <= 3e-7 * np.maximum(1, np.abs(x64)))
    x = rng.uniform(-100, 0, 50001).astype(np.float32)  # sigmoid's tiny results stay relative-accurate
    assert _ulps(run_unary(h, 6, x), 1 / (1 + np.exp(-x.astype(np.float64)))).max() <= 3
    x = rng.uniform(-1e6, 1e6, 50001).astype(np.float32)
    assert np.max(np.abs(run_unary(h, 20, x) - np.sin(x.astype(np.float64)))) < 6e-8
    assert np.max(np.abs(run_unary(h, 21, x) - np.cos(x.astype(np.float64)))) < 6e-8


SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-38, 88.8, 89.0, -103.0, -110.0,
                     1e-30, 3.4e38, -3.4e38, 1.0, -1.0, 0.5, 20.0, -20.0], np.float32)


@pytest.mark.parametrize("op,fn", [
    (8, np.exp), (9, np.log), (7, np.tanh), (6, lambda v: 1 / (1 + np.exp(-v))), (14, None),
    (18, lambda v: np.logaddexp(0, v)), (10, np.sqrt), (13, lambda v: 1 / v), (22, np.round),
], ids=["exp", "log", "tanh", "sigmoid", "erf", "softplus", "sqrt", "reciprocal", "round"])
def test_unary_special_values(h, op, fn):
    x64 = SPECIALS.astype(np.float64)
    with np.errstate(all="ignore"):
        truth = np.array([math.erf(v) if not np.isnan(v) else np.nan for v in x64]) if fn is None else fn(x64)
        want = truth.astype(np.float32)
        got = run_unary(h, op, SPECIALS)
        close = (got == want) | (np.isnan(got) & np.isnan(want)) | (np.abs(got - want) <= 3 * np.spacing(np.abs(want)))
    assert close.all(), list(zip(SPECIALS[~close], got[~close], want[~close]))
    same_sign = np.signbit(got) == np.signbit(want)
    assert same_sign[~np.isnan(want)].all()


def test_sin_cos_special_values(h):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, np.pi, 1e8], np.float32)
    s, c = run_unary(h, 20, x), run_unary(h, 21, x)
    with np.errstate(invalid="ignore"):
        ts, tc = np.sin(x.astype(np.float64)), np.cos(x.astype(np.float64))
    np.testing.assert_allclose(s, ts, atol=6e-8)
    np.testing.assert_allclose(c, tc, atol=6e-8)
    assert np.signbit(s[1]) and not np.signbit(s[0])


# ---- binary ---------------------------------------------------------------------------------------

POW = "pow"  # pow_f32 takes no op code
BIN_OPS = {**{code: name for name, code in REGISTRY["enums"]["binary"].items()}, POW: "Pow"}
PATTERNS = {
    "same": ((3, 37), (3, 37)),
    "b_scalar": ((5, 11), ()),
    "a_scalar": ((), (4, 9)),
    "b_one": ((2, 3, 5), (1,)),
    "row": ((6, 13), (13,)),
    "column": ((7, 10), (7, 1)),
    "middle_axis": ((2, 5, 4, 7), (1, 5, 1, 1)),
    "channel_3d": ((5, 1, 1), (2, 5, 6, 9)),
    "both_sides_4d": ((2, 1, 5, 1), (1, 3, 1, 7)),
    "outer_broadcast": ((4, 1, 9), (4, 3, 9)),
    "inner_broadcast": ((3, 8, 1), (3, 8, 5)),
    "rank5": ((2, 1, 3, 1, 5), (1, 4, 1, 2, 1)),
    "long_contig": ((1027,), (1027,)),
    "single": ((1, 1), (1,)),
    "rank0": ((), ()),
}


def strides_for(shape, out_shape):
    """Element strides of a contiguous `shape` array broadcast (right-aligned) to out_shape."""
    shape = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    st, acc = [], 1
    for d in reversed(shape):
        st.append(0 if d == 1 else acc)
        acc *= d
    return np.array(st[::-1], np.int32)


def run_binary(h, op, a, b):
    out_shape = np.broadcast_shapes(a.shape, b.shape)
    rank = len(out_shape)
    dims = np.array(out_shape if rank else (), np.int32)
    ap, bp = h.put(a), h.put(b)
    dp = h.put(dims.reshape(-1)) if rank else h.alloc(4)
    asp = h.put(strides_for(a.shape, out_shape)) if rank else h.alloc(4)
    bsp = h.put(strides_for(b.shape, out_shape)) if rank else h.alloc(4)
    yp = h.out(out_shape)
    if op == POW:
        h.call("pow_f32", ap, bp, yp, rank, dp, asp, bsp)
    else:
        h.call("binary_f32", op, ap, bp, yp, rank, dp, asp, bsp)
    return h.get(yp, out_shape)


@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("op", list(BIN_OPS), ids=lambda o: BIN_OPS[o])
def test_binary_vs_ort(h, op, pattern):
    sa, sb = PATTERNS[pattern]
    rng = _rng(op, pattern)
    a = rng.uniform(-3, 3, sa).astype(np.float32)
    b = rng.uniform(-3, 3, sb).astype(np.float32)
    if op == 3:
        b = np.where(np.abs(b) < 0.1, 0.5, b).astype(np.float32)
    if op == 4:
        a = np.abs(a).astype(np.float32) + np.float32(0.05)
    ref = ort_run([node(BIN_OPS[op], ["a", "b"], ["y"])], {"a": a, "b": b})
    y = run_binary(h, op, a, b)
    tol = dict(rtol=1e-6, atol=0) if op == 4 else EXACT
    np.testing.assert_allclose(y, ref, **tol)


def test_binary_long_rank(h):
    """More axes than the kernel's coalescing arrays hold (falls back to per-element indexing)."""
    rng = _rng("rank")
    sa = (2, 1) * 9
    sb = (1, 2) * 9
    a = rng.uniform(-1, 1, sa).astype(np.float32)
    b = rng.uniform(-1, 1, sb).astype(np.float32)
    np.testing.assert_array_equal(run_binary(h, 0, a, b), a + b)


def test_pow_special_cases(h):
    vals = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, np.inf, -np.inf, np.nan, 3.0, -3.0, 2.5], np.float32)
    A, B = (v.ravel().copy() for v in np.meshgrid(vals, vals, indexing="ij"))
    got = run_binary(h, POW, A, B)
    want = np.array([math.pow(x, y) if _pow_defined(x, y) else _pow_c99(x, y) for x, y in zip(A.astype(float), B.astype(float))],
                    np.float64)
    want32 = want.astype(np.float32)
    ok = (got == want32) | (np.isnan(got) & np.isnan(want32))
    assert ok.all(), list(zip(A[~ok], B[~ok], got[~ok], want32[~ok]))
    assert (np.signbit(got) == np.signbit(want32))[~np.isnan(want32)].all()
    # negative bases with integer exponents
    a = np.array([-2.0, -3.0, -1.5, -0.25], np.float32)
    b = np.array([3.0, 2.0, -3.0, 5.0], np.float32)
    np.testing.assert_allclose(run_binary(h, POW, a, b), np.power(a.astype(float), b.astype(float)), rtol=1.2e-7)


def _pow_defined(x, y):
    try:
        math.pow(x, y)
        return True
    except (ValueError, OverflowError, ZeroDivisionError):
        return False


def _pow_c99(x, y):
    """C99 pow where Python's math.pow raises: 0**negative -> +-inf, negative**fraction -> nan."""
    if x == 0 and y < 0:
        odd = float(y).is_integer() and int(y) % 2 == 1
        return math.copysign(math.inf, x) if odd else math.inf
    return math.nan


@pytest.mark.parametrize("e", [2.0, 1.0, -1.0, 0.5])
def test_pow_scalar_exponent_shortcuts(h, e):
    """x**2, x**1, x**-1, x**0.5 by a scalar take exact shortcuts: same bits as the general pow."""
    a = np.concatenate([_rng("pows", e).uniform(-4, 4, 37),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e20, 3.0]]).astype(np.float32)
    short = run_binary(h, POW, a, np.array(e, np.float32))
    general = run_binary(h, POW, a, np.full(a.shape, e, np.float32))  # no broadcast: the general path
    np.testing.assert_array_equal(short.view(np.int32)[~np.isnan(general)], general.view(np.int32)[~np.isnan(general)])
    assert np.array_equal(np.isnan(short), np.isnan(general))
    pos = np.abs(a[:37]) + np.float32(0.1)
    ref = ort_run([node("Pow", ["a", "b"], ["y"])], {"a": pos, "b": np.array(e, np.float32)})
    np.testing.assert_allclose(run_binary(h, POW, pos, np.array(e, np.float32)), ref, rtol=1.2e-7)
