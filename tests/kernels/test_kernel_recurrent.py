"""recurrent_f32 (one direction of LSTM, GRU, RNN over a whole sequence) against onnxruntime's node:
the input projection is done here in numpy, as the JS op does it with gemm_f32 before the call,
then every step (H @ R^T and the gates) runs in the kernel. Shapes cover vector tails (H not a
multiple of 4), the small-batch GEMM paths and the transposed-R path (rt, from 4 rows), clip,
peepholes, input_forget, linear_before_reset, reverse and sequence lengths."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx_ref import node, ort_run
from wasm_harness import REGISTRY

KIND = REGISTRY["enums"]["recurrent"]
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def run_case(h, op, S, N, I, H, reverse=False, lens=None, clip=0.0, peep=False, input_forget=0, lbr=0,
             use_rt=False, h0=True, with_rb=True):
    rng = np.random.default_rng(zlib.crc32(repr((op, S, N, I, H, reverse, lens, clip, peep, input_forget, lbr)).encode()))
    G = GATES[op]
    X = rng.uniform(-1, 1, (S, N, I)).astype(np.float32)
    W = (rng.uniform(-1, 1, (1, G * H, I)) / np.sqrt(I)).astype(np.float32)
    R = (rng.uniform(-1, 1, (1, G * H, H)) / np.sqrt(H)).astype(np.float32)
    B = rng.uniform(-0.5, 0.5, (1, 2 * G * H)).astype(np.float32)
    if not with_rb:  # no R bias: the kernel's rb is 0
        B[0, G * H:] = 0
    H0 = rng.uniform(-1, 1, (1, N, H)).astype(np.float32) if h0 else np.zeros((1, N, H), np.float32)
    C0 = rng.uniform(-1, 1, (1, N, H)).astype(np.float32)
    P = rng.uniform(-1, 1, (1, 3 * H)).astype(np.float32)
    inputs = {"X": X, "W": W, "R": R, "B": B}
    names = ["X", "W", "R", "B", ""]
    if lens is not None:
        inputs["lens"] = np.array(lens, np.int32)
        names[4] = "lens"
    inputs["h0"] = H0
    names.append("h0")
    if op == "LSTM":
        inputs["c0"] = C0
        names.append("c0")
        if peep:
            inputs["P"] = P
            names.append("P")
    attrs = {"hidden_size": H, "direction": "reverse" if reverse else "forward"}
    if clip:
        attrs["clip"] = clip
    if op == "LSTM" and input_forget:
        attrs["input_forget"] = input_forget
    if op == "GRU" and lbr:
        attrs["linear_before_reset"] = lbr
    outs = ["Y", "Y_h"] + (["Y_c"] if op == "LSTM" else [])
    ref = ort_run([node(op, names, outs, **attrs)], inputs, outputs=outs)

    # what the JS op hands the kernel: X @ W^T + Wb, and Rb for the steps
    xw = (X.reshape(S * N, I) @ W[0].T + B[0, :G * H]).astype(np.float32)
    work = N * G * H + (2 * N * H if op == "GRU" and not lbr else 0)
    y_shape = (S, N, H)
    ptrs = dict(xw=h.put(xw), r=h.put(R[0]), rt=h.out(H * G * H) if use_rt else 0,
                rb=h.put(B[0, G * H:]) if with_rb else 0, p=h.put(P[0]) if op == "LSTM" and peep else 0,
                h=h.put(H0[0]), c=h.put(C0[0]) if op == "LSTM" else 0, y=h.out(y_shape),
                lens=h.put(np.array(lens, np.int32)) if lens is not None else 0, work=h.out(work))
    h.call("recurrent_f32", kind=KIND[op], **ptrs, S=S, N=N, H=H, ystride=N * H, reverse=int(reverse), clip=clip,
           input_forget=input_forget, lbr=lbr)
    tol = dict(rtol=2e-5, atol=2e-5 * max(1, S / 4))
    np.testing.assert_allclose(h.get(ptrs["y"], y_shape), ref[0][:, 0], **tol)
    np.testing.assert_allclose(h.get(ptrs["h"], (N, H)), ref[1][0], **tol)
    if op == "LSTM":
        np.testing.assert_allclose(h.get(ptrs["c"], (N, H)), ref[2][0], **tol)
    if use_rt:  # R^T, as the steps' GEMM read it
        np.testing.assert_array_equal(h.get(ptrs["rt"], (H, G * H)), R[0].T)


SHAPES = [(1, 1, 5, 4), (3, 1, 7, 5), (5, 2, 3, 8), (4, 3, 6, 13), (6, 5, 4, 9), (2, 8, 16, 32), (1, 1, 128, 128)]


@pytest.mark.parametrize("op", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_recurrent_shapes(h, op, shape):
    S, N, I, H = shape
    run_case(h, op, S, N, I, H, use_rt=N >= 4 and S > 1)


@pytest.mark.parametrize("op", ["LSTM", "GRU", "RNN"])
def test_recurrent_reverse_lengths_and_clip(h, op):
    run_case(h, op, 6, 3, 5, 7, reverse=True, lens=[6, 2, 4], clip=0.7)
    run_case(h, op, 6, 5, 5, 7, reverse=False, lens=[1, 6, 3, 5, 6], clip=0.7, use_rt=True)


@pytest.mark.parametrize("use_rt", [False, True])
@pytest.mark.parametrize("variant", [dict(peep=True), dict(input_forget=1), dict(peep=True, clip=0.5), dict(h0=False)],
                         ids=lambda v: "-".join(f"{k}{v[k]}" for k in v))
def test_lstm_peepholes_and_input_forget(h, variant, use_rt):
    run_case(h, "LSTM", 5, 4, 6, 10, use_rt=use_rt, **variant)


@pytest.mark.parametrize("use_rt", [False, True])
@pytest.mark.parametrize("lens", [None, [3, 5, 1, 4]])
def test_gru_linear_before_reset(h, lens, use_rt):
    run_case(h, "GRU", 5, 4, 6, 11, lbr=1, lens=lens, use_rt=use_rt)
    run_case(h, "GRU", 5, 4, 6, 11, lbr=1, lens=lens, clip=0.4, use_rt=use_rt)


@pytest.mark.parametrize("op,lbr", [("LSTM", 0), ("GRU", 0), ("GRU", 1), ("RNN", 0)])
def test_without_recurrence_bias(h, op, lbr):
    run_case(h, op, 4, 2, 5, 6, lbr=lbr, with_rb=False)


def test_stack_stays_in_bounds(h):
    """The steps' GEMM keeps its packing buffer; the driver adds little to it (64 KiB stack)."""
    h.paint_stack()
    run_case(h, "LSTM", 3, 6, 8, 20, use_rt=True)
    assert h.stack_used() < 60 * 1024
