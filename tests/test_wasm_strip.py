"""Bundle-time stripping of the kernel modules (webedge/backends/wasm_strip.py): the decoder reads
every committed module to its end, stripping keeps what the kept kernels and parts reach (and their
results), and the registry's `wasm_calls` name only what the modules export."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
import wasmtime

from webedge.backends import native, wasm_strip
from webedge.plan.ops import registry

KERNEL_DIR = Path(native.__file__).resolve().parents[1] / "runtime" / "kernels"
MODULES = sorted(p for folder in ("", "mt", "relaxed", "relaxed-mt") for p in (KERNEL_DIR / folder).glob("*.wasm"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(KERNEL_DIR).as_posix())
def test_decoder_reads_every_body_and_keeping_all_changes_nothing(path: Path):
    data = path.read_bytes()
    for sid, body in wasm_strip.sections(data):
        if sid == 10:
            for entry in wasm_strip._code_entries(body):
                wasm_strip.calls_of(entry)  # raises unless the body ends exactly at its end
    assert wasm_strip.strip(data, set(wasm_strip.exports_of(data))) == data


def _run_unary(data: bytes, kernel: str, op: int, x: np.ndarray) -> np.ndarray:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(2, None)))
    inst = wasmtime.Instance(store, wasmtime.Module(engine, data), [memory])
    base = 65536
    raw = x.astype(np.float32).tobytes()
    memory.write(store, raw, base)
    inst.exports(store)[kernel](store, op, base, base + len(raw), x.size, 0.0, 0.0)
    return np.frombuffer(bytes(memory.read(store, base + len(raw), base + 2 * len(raw))), np.float32)


def test_stripped_math_module_keeps_its_results_and_drops_the_rest():
    data = (KERNEL_DIR / "math.wasm").read_bytes()
    keep = {"math_f32", "math_f32/Exp", "math_f32/Tanh"}
    small = wasm_strip.strip(data, keep)
    assert len(gzip.compress(small, 9)) < len(gzip.compress(data, 9)) // 2
    assert set(wasm_strip.exports_of(small)) == keep
    codes = registry()["enums"]["math"]
    x = np.linspace(-5, 5, 37, dtype=np.float32)
    for op in ("Exp", "Tanh"):
        np.testing.assert_array_equal(_run_unary(small, "math_f32", codes[op], x), _run_unary(data, "math_f32", codes[op], x))
    with pytest.raises(wasmtime.Trap):  # a stripped part traps; only a plan that never calls it gets this module
        _run_unary(small, "math_f32", codes["Log"], x)


def _run_binary(data: bytes, op: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(2, None)))
    inst = wasmtime.Instance(store, wasmtime.Module(engine, data), [memory])
    pa, n = 65536, a.size
    pb, py, pi = pa + 4 * n, pa + 8 * n, pa + 12 * n
    memory.write(store, a.astype(np.float32).tobytes() + b.astype(np.float32).tobytes(), pa)
    memory.write(store, np.array([n, 1, 1], np.int32).tobytes(), pi)  # rank 1: dims, a and b strides
    inst.exports(store)["binary_f32"](store, op, pa, pb, py, 1, pi, pi + 4, pi + 8)
    return np.frombuffer(bytes(memory.read(store, py, py + 4 * n)), np.float32)


def test_stripped_binary_module_keeps_the_rows_of_its_ops():
    """Each binary op's row loop is a part: PP-OCR cls (Add, Mul) ships no Sub/Div/Max/Min rows."""
    data = (KERNEL_DIR / "binary.wasm").read_bytes()
    small = wasm_strip.strip(data, {"binary_f32", "binary_f32/Add", "binary_f32/Mul"})
    assert len(gzip.compress(small, 9)) < len(gzip.compress(data, 9)) - 200
    codes = registry()["enums"]["binary"]
    a, b = np.linspace(-5, 5, 37, dtype=np.float32), np.linspace(1, 3, 37, dtype=np.float32)
    for op in ("Add", "Mul"):
        np.testing.assert_array_equal(_run_binary(small, codes[op], a, b), _run_binary(data, codes[op], a, b))
    with pytest.raises(wasmtime.Trap):
        _run_binary(small, codes["Sub"], a, b)
    reg = registry()
    assert wasm_strip.needed_exports([_node("Mul"), _node("Add")], reg, "binary") == {
        "binary_f32", "binary_f32/Add", "binary_f32/Mul"}
    assert wasm_strip.needed_exports([_node("Mean"), _node("Max")], reg, "binary") == {
        "binary_f32", "binary_f32/Add", "binary_f32/Div", "binary_f32/Max"}


def test_stripped_threaded_module_is_valid():
    config = wasmtime.Config()
    config.wasm_threads = True
    config.shared_memory = True
    data = (KERNEL_DIR / "mt" / "linalg.wasm").read_bytes()
    small = wasm_strip.strip(data, {"gemm_f32"})
    wasmtime.Module(wasmtime.Engine(config), small)  # validates
    assert wasm_strip.exports_of(small) == ["gemm_f32"]
    assert len(small) < len(data) // 2


def test_unknown_export_is_an_error():
    with pytest.raises(ValueError, match="exports no"):
        wasm_strip.strip((KERNEL_DIR / "pool.wasm").read_bytes(), {"conv2d_f32"})


def test_wasm_calls_name_exports_of_the_ops_modules():
    reg = registry()
    declared = 0
    for op, entry in reg["ops"].items():
        if "wasm_calls" not in entry:
            continue
        declared += 1
        exported = {n for m in entry["kernels"] for d in ("", "mt/")
                    for n in wasm_strip.exports_of((KERNEL_DIR / f"{d}{m}.wasm").read_bytes())}
        assert set(entry["wasm_calls"]) <= exported, op
    assert declared > 30


def _node(op, **attrs):
    return {"op": op, "attrs": attrs, "inputs": [], "outputs": []}


def test_needed_exports_follow_the_plans_nodes_and_attributes():
    reg = registry()
    assert wasm_strip.needed_exports([_node("Conv", group=1), _node("MatMul")], reg, "linalg") == {"conv2d_f32", "gemm_f32"}
    assert wasm_strip.needed_exports([_node("Conv", group=8, kernel_shape=[3, 3], _act="Tanh")], reg, "linalg") == {
        "conv2d_f32", "conv2d_f32/depthwise", "act/Tanh"}
    assert wasm_strip.needed_exports([_node("Conv", group=8)], reg, "linalg") == {  # no kernel_shape: any window
        "conv2d_f32", "conv2d_f32/depthwise", "conv2d_f32/dw5"}
    assert wasm_strip.needed_exports([_node("Exp"), _node("Relu"), _node("Add")], reg, "math") == {"math_f32", "math_f32/Exp"}
    assert wasm_strip.needed_exports([_node("GlobalMaxPool"), _node("MaxPool")], reg, "pool") == {
        "global_maxpool_f32", "maxpool2d_f32"}
    assert wasm_strip.needed_exports([_node("Resize", mode="nearest"), _node("Resize")], reg, "resize") == {"resize_f32"}
    assert wasm_strip.needed_exports([_node("Resize", mode="linear")], reg, "resize") == {"resize_f32", "resize_f32/taps"}
    assert wasm_strip.needed_exports([_node("ConvTranspose")], reg, "linalg") == {"gemm_f32", "col2im_f32"}


def test_an_op_that_declares_no_calls_keeps_the_module_whole():
    reg = {"ops": {"A": {"kernels": ["linalg"], "wasm_calls": ["gemm_f32"]}, "B": {"kernels": ["linalg"]}}}
    assert wasm_strip.needed_exports([_node("A"), _node("B")], reg, "linalg") is None
    assert wasm_strip.needed_exports([_node("A")], reg, "linalg") == {"gemm_f32"}


@pytest.mark.parametrize("module,kernel,enum", [("unary", "unary_f32", "unary"), ("math", "math_f32", "math")])
def test_each_unary_op_runs_on_its_own_part(module, kernel, enum):
    """Stripped to the kernel and `<kernel>/<op>`, each op's code reaches its own loop (a wrong part
    name would trap) and gives the whole module's results."""
    data = (KERNEL_DIR / f"{module}.wasm").read_bytes()
    x = np.linspace(-3, 3, 23, dtype=np.float32)
    for op, code in registry()["enums"][enum].items():
        small = wasm_strip.strip(data, {kernel, f"{kernel}/{op}"})
        np.testing.assert_array_equal(_run_unary(small, kernel, code, x), _run_unary(data, kernel, code, x), err_msg=op)


def _run_conv(data: bytes, C: int, M: int, group: int) -> np.ndarray:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(4, None)))
    inst = wasmtime.Instance(store, wasmtime.Module(engine, data), [memory])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, C, 5, 5), dtype=np.float32)
    w = rng.standard_normal((M, C // group, 3, 3), dtype=np.float32)
    xp, wp, yp = 65536, 65536 + 4096, 65536 + 8192
    memory.write(store, x.tobytes(), xp)
    memory.write(store, w.tobytes(), wp)
    # x w bias y N C H W M KH KW OH OW sh sw dh dw pad_top pad_left group act a0 a1
    inst.exports(store)["conv2d_f32"](store, xp, wp, 0, yp, 1, C, 5, 5, M, 3, 3, 3, 3, 0, 3, 1, 1, 1, 1, 0, 0, group, 0, 0.0, 0.0)
    return np.frombuffer(bytes(memory.read(store, yp, yp + M * 9 * 4)), np.float32)


def test_a_plan_without_grouped_convs_needs_no_depthwise_part():
    data = (KERNEL_DIR / "linalg.wasm").read_bytes()
    small = wasm_strip.strip(data, {"conv2d_f32"})
    for C, M in ((1, 1), (3, 4)):  # group 1 with one channel is a GEMM too (conv.c: depthwise for group > 1)
        np.testing.assert_allclose(_run_conv(small, C, M, 1), _run_conv(data, C, M, 1), rtol=1e-6)
    with pytest.raises(wasmtime.Trap):
        _run_conv(small, 2, 2, 2)
    depthwise = wasm_strip.strip(data, {"conv2d_f32", "conv2d_f32/depthwise"})
    np.testing.assert_array_equal(_run_conv(depthwise, 2, 2, 2), _run_conv(data, 2, 2, 2))


def _run_depthwise(data: bytes, C: int, KH: int, KW: int, sh: int, sw: int) -> np.ndarray:
    """A depthwise conv2d_f32 (group == C == M) on a 5 x 23 map, padding KH // 2, KW // 2."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(4, None)))
    inst = wasmtime.Instance(store, wasmtime.Module(engine, data), [memory])
    rng = np.random.default_rng(1)
    H, W, pt, pl = 5, 23, KH // 2, KW // 2
    OH, OW = (H + 2 * pt - KH) // sh + 1, (W + 2 * pl - KW) // sw + 1
    x = rng.standard_normal((1, C, H, W), dtype=np.float32)
    w = rng.standard_normal((C, 1, KH, KW), dtype=np.float32)
    xp, wp, yp = 65536, 65536 + 8192, 65536 + 16384
    memory.write(store, x.tobytes(), xp)
    memory.write(store, w.tobytes(), wp)
    inst.exports(store)["conv2d_f32"](store, xp, wp, 0, yp, 1, C, H, W, C, KH, KW, OH, OW, 0, OH, sh, sw, 1, 1, pt, pl,
                                       C, 0, 0.0, 0.0)
    return np.frombuffer(bytes(memory.read(store, yp, yp + C * OH * OW * 4)), np.float32)


@pytest.mark.parametrize("kernel,strides,unrolled", [
    ([3, 3], [1, 1], False), ([5, 5], [1, 1], True), ([5, 5], [2, 1], True), ([5, 5], [2, 2], False),
    ([5], [1], True), ([7, 7], [1, 1], False)])
def test_depthwise_parts_follow_kernel_width_and_stride(kernel, strides, unrolled):
    """conv.c calls its unrolled part conv2d_f32/dw5 for KW 5 at stride 1 only: the module stripped
    to what PART_RULES keep for such a node gives the whole module's results, bit for bit (a rule
    narrower than the C code would trap here)."""
    keep = wasm_strip.needed_exports([_node("Conv", group=4, kernel_shape=kernel, strides=strides)], registry(), "linalg")
    assert ("conv2d_f32/dw5" in keep) == unrolled
    data = (KERNEL_DIR / "linalg.wasm").read_bytes()
    KH, KW = (1, *kernel) if len(kernel) == 1 else kernel
    sh, sw = (1, *strides) if len(strides) == 1 else strides
    got = _run_depthwise(wasm_strip.strip(data, keep), 4, KH, KW, sh, sw)
    np.testing.assert_array_equal(got, _run_depthwise(data, 4, KH, KW, sh, sw))
    if unrolled:
        with pytest.raises(wasmtime.Trap):  # the part is reached: without it the call traps
            _run_depthwise(wasm_strip.strip(data, keep - {"conv2d_f32/dw5"}), 4, KH, KW, sh, sw)


def _run_lstm(data: bytes) -> np.ndarray:
    """One LSTM step of recurrent_f32 (N 1, H 4, zero projection, h0 = 0.5): the new h."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(2, None)))
    inst = wasmtime.Instance(store, wasmtime.Module(engine, data), [memory])
    H = 4
    r = np.linspace(-1, 1, 4 * H * H, dtype=np.float32)
    xw, rp, hp, cp, yp, work = 65536, 65536 + 256, 65536 + 1024, 65536 + 1280, 65536 + 1536, 65536 + 2048
    memory.write(store, np.zeros(4 * H, np.float32).tobytes(), xw)
    memory.write(store, r.tobytes(), rp)
    memory.write(store, np.full(H, 0.5, np.float32).tobytes(), hp)
    memory.write(store, np.zeros(H, np.float32).tobytes(), cp)
    # kind xw r rt rb p h c y lens work S N H ystride reverse clip input_forget lbr
    inst.exports(store)["recurrent_f32"](store, 1, xw, rp, 0, 0, 0, hp, cp, yp, 0, work, 1, 1, H, H, 0, 0.0, 0, 0)
    return np.frombuffer(bytes(memory.read(store, hp, hp + 4 * H)), np.float32)


def test_a_plan_with_lstm_only_ships_no_gru_or_rnn_gates():
    reg = registry()
    assert wasm_strip.needed_exports([_node("LSTM", hidden_size=4)], reg, "linalg") == {
        "gemm_f32", "recurrent_f32", "recurrent_f32/LSTM"}
    data = (KERNEL_DIR / "linalg.wasm").read_bytes()
    lstm = wasm_strip.strip(data, {"gemm_f32", "recurrent_f32", "recurrent_f32/LSTM"})
    gru = wasm_strip.strip(data, {"gemm_f32", "recurrent_f32", "recurrent_f32/GRU"})
    assert "recurrent_f32/GRU" not in wasm_strip.exports_of(lstm)
    np.testing.assert_array_equal(_run_lstm(lstm), _run_lstm(data))
    assert np.all(np.abs(_run_lstm(data)) > 0)
    with pytest.raises(wasmtime.Trap):  # the LSTM gates were stripped from the GRU-only module
        _run_lstm(gru)
    assert len(lstm) < len(data) and len(wasm_strip.strip(data, {"gemm_f32"})) < len(lstm)  # recurrent: only when kept
