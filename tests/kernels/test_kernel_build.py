"""The committed kernel binaries: shared-memory safe (no data section, only env.memory imported),
exactly the kernels of the ABI (js/src/webedge/wasm/abi.mjs, in registry.json) with its wasm types
and the C sources' signatures, no `_ref` kernel shipped, and byte-identical to a fresh build of
wasm/kernels/. The threaded variants (kernels/mt/) follow the same rules on a shared memory, and
sub-range calls from two instances with separate stacks (what the worker pool does) add up to the
whole result. The enums the kernels switch on match the runtime's tables."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import numpy as np
import pytest
import wasmtime
from wasm_harness import ABI, KERNEL_DIR, REGISTRY, ROOT, load_build

SRC_DIR = ROOT / "wasm" / "kernels"

build = load_build()
BUILT = sorted(KERNEL_DIR.glob("*.wasm"))
MT_BUILT = sorted((KERNEL_DIR / build.MT_DIR).glob("*.wasm"))
# every shipped variant's folder: kernels/, mt/, relaxed/, relaxed-mt/
ALL_BUILT = sorted(p for folder, _, _ in build.SHIPPED.values() for p in (KERNEL_DIR / folder).glob("*.wasm"))
THREADED_FOLDERS = {folder for folder, _, threaded in build.SHIPPED.values() if threaded}
RELAXED_MADD = bytes([0xFD, 0x85, 0x02])  # f32x4.relaxed_madd

WASM_TYPE = {"ptr": "i32", "i32": "i32", "f32": "f32"}  # pointers are i32 byte offsets


def signatures(module: str, with_ref: bool = False) -> dict[str, list[str]]:
    """Every kernel the ABI puts in `module` -> its wasm parameter types (and the `_ref` twins)."""
    out = {}
    for name, k in ABI.items():
        if k["module"] == module:
            out[name] = [WASM_TYPE[t] for _, t in k["args"]]
            if with_ref and k["ref"]:
                out[f"{name}_ref"] = out[name]
    return out


def _threads_engine(relaxed: bool = True) -> wasmtime.Engine:
    config = wasmtime.Config()
    config.wasm_threads = True
    config.shared_memory = True
    config.wasm_relaxed_simd = relaxed
    return wasmtime.Engine(config)


class _SharedMemory(wasmtime.SharedMemory):
    # wasmtime-py 50 wraps the pointer once too often when passing a SharedMemory as an import
    def _as_extern(self):
        union = wasmtime._ffi.wasmtime_extern_union(sharedmemory=self.ptr())
        return wasmtime._ffi.wasmtime_extern_t(wasmtime._ffi.WASMTIME_EXTERN_SHAREDMEMORY, union)


def test_every_module_is_built_and_every_source_in_one():
    modules = build.modules()
    assert sorted(s.name for sources in modules.values() for s in sources) == sorted(p.name for p in SRC_DIR.glob("*.c"))
    assert {p.stem for p in BUILT} == {p.stem for p in MT_BUILT} == set(modules) == {k["module"] for k in ABI.values()}


def test_c_signatures_match_the_abi():
    """Each KEXPORT'ed C function takes the ABI's arguments, by name and type, in order."""
    ctype = {"ptr": r"(const )?(float|int) \*", "i32": "int ", "f32": "float "}
    found = {}
    for src in SRC_DIR.glob("*.c"):
        for m in re.finditer(r'KEXPORT\("(\w+)"\)\s*void (\w+)\(([^)]*)\)', src.read_text()):
            assert m.group(1) == m.group(2), m.group(0)
            found[m.group(1)] = [" ".join(p.split()) for p in m.group(3).split(",")]
    expected = {n for n in ABI} | {f"{n}_ref" for n, k in ABI.items() if k["ref"]}
    assert set(found) == expected
    for name, params in found.items():
        spec = ABI[name.removesuffix("_ref")]["args"]
        assert len(params) == len(spec), name
        for param, (arg, kind) in zip(params, spec):
            assert re.fullmatch(ctype[kind] + re.escape(arg), param), f"{name}: C has '{param}', the ABI {kind} {arg}"


def test_the_kernels_enums_match_the_runtime_tables():
    """act (mathf.h ACT_*), binary op (binary.c OP_*), recurrent kind (recurrent.c REC_*) and unary op (elementwise.h U_*) codes: the C
    enums against the tables the JS runtime passes (wasm/abi.mjs, in registry.json); unary_f32
    (unary.c) and math_f32 (math.c) each handle exactly the codes of their table."""
    def enum(path: str, prefix: str) -> dict[str, int]:
        body = re.search(r"enum \{([^}]*%s[^}]*)\}" % prefix, (SRC_DIR / path).read_text()).group(1)
        names = [n.split("=")[0].strip() for n in body.split(",") if n.strip()]
        assert all(n.startswith(prefix) for n in names) and "= 0" in body.split(",")[0]
        return {n[len(prefix):].replace("_", "").lower(): i for i, n in enumerate(names)}

    def table(*names: str) -> dict[str, int]:
        return {k.lower(): v for name in names for k, v in REGISTRY["enums"][name].items()}

    def handled(path: str) -> set[str]:
        switch = (SRC_DIR / path).read_text().split("switch (op)")[-1]
        return {c.replace("_", "").lower() for c in re.findall(r"case U_(\w+):", switch)}

    assert enum("mathf.h", "ACT_") == table("act")
    assert enum("binary.c", "OP_") == table("binary")
    assert enum("recurrent.c", "REC_") == table("recurrent")
    assert enum("elementwise.h", "U_") == table("unary", "math")
    assert handled("unary.c") == set(table("unary")) and handled("math.c") == set(table("math"))
    # every activation the kernels' epilogue has is in the runtime's activation table (its JS twin)
    assert set(REGISTRY["enums"]["act"]) - {"none"} <= set(REGISTRY["activations"])


@pytest.mark.parametrize("path", ALL_BUILT, ids=lambda p: p.relative_to(KERNEL_DIR).as_posix())
def test_no_data_section_and_only_shared_memory(path: Path):
    data = path.read_bytes()
    ids = [sid for sid, _ in build.sections(data)]
    assert 11 not in ids and 12 not in ids, f"{path.name} has a data section"
    threaded = path.parent.name in THREADED_FOLDERS
    build.check(data, path.name, threaded)  # imports only env.memory, function exports, stack at 64 KiB
    memory = build.inspect(data)["memory"]
    assert memory["shared"] is threaded
    if threaded:
        assert memory["max"] == build.MT_MAX_PAGES


@pytest.mark.parametrize("path", ALL_BUILT, ids=lambda p: p.relative_to(KERNEL_DIR).as_posix())
def test_abi_signatures(path: Path):
    threaded = path.parent.name in THREADED_FOLDERS
    module = wasmtime.Module.from_file(_threads_engine(), str(path))
    got, parts = {}, []
    for exp in module.exports:
        ty = exp.type
        if threaded and exp.name == "__stack_pointer":
            assert isinstance(ty, wasmtime.GlobalType) and ty.mutable and str(ty.content) == "i32"
            continue
        assert isinstance(ty, wasmtime.FuncType), exp.name
        if "/" in exp.name:  # a part (KPART in mathf.h): "<kernel>/<part>" or "act/<Op>", for wasm_strip.py
            parts.append(exp.name)
            continue
        assert list(ty.results) == [], f"{exp.name} returns something"
        got[exp.name] = [str(p) for p in ty.params]
    assert got == signatures(path.stem)  # no `_ref` kernel in a shipped module
    for part in parts:
        owner = part.split("/")[0]
        assert owner in got or owner == "act", f"{path.name}: part {part} of a kernel the module lacks"


def test_test_variant_adds_the_reference_kernels(kernels):
    """The test variant (what the other kernel tests run) is the shipped code plus the `_ref` twins."""
    by_module = {}
    for name, module in kernels.module_of.items():
        by_module.setdefault(module, []).append(name)
    assert {m: sorted(n) for m, n in by_module.items()} == {m: sorted(signatures(m, with_ref=True)) for m in build.modules()}


def test_committed_binaries_match_a_fresh_build(tmp_path):
    fresh = build.build(out_dir=tmp_path, quiet=True)
    assert len(fresh) == len(build.SHIPPED) * len(build.modules())  # every variant
    for name, path in fresh.items():
        committed = KERNEL_DIR / f"{name}.wasm"
        assert committed.exists(), f"{committed} missing: run python wasm/build.py"
        assert committed.read_bytes() == path.read_bytes(), f"{name}.wasm is stale: run python wasm/build.py"


def test_build_rejects_a_data_segment(tmp_path):
    """The check the build applies: a string literal (static data) fails it."""
    src = tmp_path / "bad.c"
    src.write_text('__attribute__((export_name("f"))) const char *f(void) { return "static data"; }\n')
    with pytest.raises(build.BuildError, match="data"):
        build.compile_one(src, tmp_path / "bad.wasm")
    with pytest.raises(build.BuildError, match="data"):
        build.compile_one(src, tmp_path / "bad.mt.wasm", threaded=True)


def test_relaxed_variants_fuse_the_gemm_and_the_others_do_not():
    """linalg's multiply-adds are f32x4.relaxed_madd in relaxed/ and relaxed-mt/ only: the SIMD128
    sets must validate on engines without relaxed SIMD (Safari)."""
    for folder, _, _ in build.SHIPPED.values():
        data = (KERNEL_DIR / folder / "linalg.wasm").read_bytes()
        code = dict(build.sections(data))[10]
        assert (RELAXED_MADD in code) is folder.startswith("relaxed"), folder
    without_relaxed = _threads_engine(relaxed=False)
    for path in BUILT + MT_BUILT:
        wasmtime.Module.validate(without_relaxed, path.read_bytes())  # raises if it needs relaxed SIMD
    with pytest.raises(wasmtime.WasmtimeError):
        wasmtime.Module.validate(without_relaxed, (KERNEL_DIR / "relaxed" / "linalg.wasm").read_bytes())


def test_check_tells_the_variants_apart():
    single = (KERNEL_DIR / "linalg.wasm").read_bytes()
    threaded = (KERNEL_DIR / build.MT_DIR / "linalg.wasm").read_bytes()
    with pytest.raises(build.BuildError, match="must import a shared memory"):
        build.check(single, "linalg.wasm", threaded=True)
    with pytest.raises(build.BuildError, match="only the mt/ variant"):
        build.check(threaded, "mt/linalg.wasm")


class _TwoThreads:
    """Two instances of each threaded kernel on one shared memory, as the main thread and worker 1
    hold them: instance 0 keeps its stack in [0, 64 KiB), instance 1's is moved to [64, 128 KiB)."""

    HEAP = 2 * 65536

    def __init__(self, names):
        engine = _threads_engine()
        self.store = wasmtime.Store(engine)
        self.memory = _SharedMemory(engine, wasmtime.MemoryType(wasmtime.Limits(64, build.MT_MAX_PAGES), shared=True))
        self.funcs = [{}, {}]
        for name in names:
            module = wasmtime.Module.from_file(engine, str(KERNEL_DIR / build.MT_DIR / f"{name}.wasm"))
            for t in (0, 1):
                exports = wasmtime.Instance(self.store, module, [self.memory]).exports(self.store)
                if t == 1:
                    exports["__stack_pointer"].set_value(self.store, 2 * 65536)
                self.funcs[t].update({k: v for k, v in exports.items() if isinstance(v, wasmtime.Func)})
        self.top = self.HEAP

    def view(self) -> np.ndarray:
        n = self.memory.data_len()
        return np.frombuffer((ctypes.c_ubyte * n).from_address(ctypes.addressof(self.memory.data_ptr().contents)),
                             np.uint8)

    def put(self, arr) -> int:
        arr = np.ascontiguousarray(arr, np.float32)
        ptr, self.top = self.top, self.top + (arr.nbytes + 15) // 16 * 16
        self.view()[ptr:ptr + arr.nbytes] = arr.view(np.uint8).ravel()
        return ptr

    def get(self, ptr: int, shape) -> np.ndarray:
        n = int(np.prod(shape)) * 4
        return self.view()[ptr:ptr + n].view(np.float32).reshape(shape).copy()

    def call(self, thread: int, name: str, *args):
        self.funcs[thread][name](self.store, *args)


def test_threaded_kernels_split_by_output_channels_and_rows_on_separate_stacks():
    """The worker pool's splits (js/src/webedge/ops/conv.mjs, gemm.mjs): Conv by output channels (group 1), by
    groups, by channels (depthwise); Gemm by rows of A.  Each half runs on its own instance, and
    the halves equal the whole call; thread 1 never touches thread 0's stack."""
    rng = np.random.default_rng(1)
    t = _TwoThreads(["linalg"])
    f = lambda *shape: rng.uniform(-1, 1, shape).astype(np.float32)  # noqa: E731
    H = W = 12
    cases = {  # name: (C, M, group)
        "group 1": (8, 12, 1),
        "grouped": (8, 8, 4),
        "depthwise": (8, 8, 8),
    }
    for label, (C, M, group) in cases.items():
        x, w, b = f(1, C, H, W), f(M, C // group, 3, 3), f(M)
        xp, wp, bp = t.put(x), t.put(w), t.put(b)
        whole, split = t.put(np.full((M, H, W), np.nan)), t.put(np.full((M, H, W), np.nan))
        geo = (H, W, M, 3, 3, H, W, 0, H, 1, 1, 1, 1, 1, 1)
        t.call(0, "conv2d_f32", xp, wp, bp, whole, 1, C, *geo, group, 1, 0.0, 0.0)
        # units: output channels (group 1) or groups; the first half on thread 0, the second on thread 1
        units = M if group == 1 else group
        per_unit_m, per_unit_c = (1, 0) if group == 1 else (M // group, C // group)
        kk = (C // group) * 9
        for thread, (u0, u1) in enumerate([(0, units // 2), (units // 2, units)]):
            m0, m1 = u0 * per_unit_m, u1 * per_unit_m
            c0, cn = (0, C) if group == 1 else (u0 * per_unit_c, (u1 - u0) * per_unit_c)
            t.view()[:t.HEAP] = 0xA5  # paint both stacks
            t.call(thread, "conv2d_f32", xp + c0 * H * W * 4, wp + m0 * kk * 4, bp + m0 * 4, split + m0 * H * W * 4,
                   1, cn, H, W, m1 - m0, 3, 3, H, W, 0, H, 1, 1, 1, 1, 1, 1, 1 if group == 1 else u1 - u0, 1, 0.0, 0.0)
            stacks = t.view()[:t.HEAP]
            mine, other = (stacks[:65536], stacks[65536:]) if thread == 0 else (stacks[65536:], stacks[:65536])
            assert (mine != 0xA5).any() and (other == 0xA5).all(), f"{label}: thread {thread} left its stack"
        np.testing.assert_allclose(t.get(split, (M, H, W)), t.get(whole, (M, H, W)), rtol=1e-6, atol=1e-6,
                                   err_msg=label)
    M, N, K = 20, 24, 36
    a, bm, c = f(M, K), f(K, N), f(M)
    ap, bmp, cp = t.put(a), t.put(bm), t.put(c)
    whole, split = t.put(np.zeros((M, N))), t.put(np.zeros((M, N)))
    t.call(0, "gemm_f32", ap, bmp, cp, whole, M, N, K, 0, 0, 1.0, 1.0, 3, 0, 0.0, 0.0)
    for thread, (m0, m1) in enumerate([(0, 12), (12, M)]):
        t.call(thread, "gemm_f32", ap + m0 * K * 4, bmp, cp + m0 * 4, split + m0 * N * 4, m1 - m0, N, K, 0, 0,
               1.0, 1.0, 3, 0, 0.0, 0.0)
    np.testing.assert_allclose(t.get(split, (M, N)), t.get(whole, (M, N)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(t.get(whole, (M, N)), a @ bm + c[:, None], rtol=1e-4, atol=1e-4)


def test_stack_headroom(h):
    """The deepest calls (conv's GEMM and depthwise paths with their 48 KiB buffers, gemm, the math)
    stay well inside the 64 KiB stack: an overflow would run below address 0 and trap."""
    rng = np.random.default_rng(0)
    f = lambda *shape: h.put(rng.uniform(-1, 1, shape).astype(np.float32))  # noqa: E731
    x, w, b = f(1, 8, 20, 20), f(8, 8, 3, 3), f(8)
    wd = f(8, 1, 3, 3)
    ints = h.put(np.array([4, 5, 20], np.int32))
    strides = h.put(np.array([100, 20, 1], np.int32))
    zeros = h.put(np.zeros(3, np.int32))
    y = h.out(4000)
    calls = {
        "conv gemm path": ("conv2d_f32", x, w, b, y, 1, 8, 20, 20, 8, 3, 3, 18, 18, 0, 18, 1, 1, 1, 1, 0, 0, 1, 6, 0.0, 0.0),
        "conv depthwise": ("conv2d_f32", x, wd, b, y, 1, 8, 20, 20, 8, 3, 3, 20, 20, 0, 20, 1, 1, 1, 1, 1, 1, 8, 7, 0.0, 0.0),
        "gemm": ("gemm_f32", x, w, b, y, 40, 72, 80, 0, 1, 1.0, 1.0, 2, 6, 0.0, 0.0),
        "math gelu": ("math_f32", 15, x, y, 3001, 0.0, 0.0),
        "pow": ("pow_f32", x, w, y, 3, ints, strides, zeros),
        "softmax": ("softmax_f32", x, y, 7, 30, 5, 1),
        "layernorm": ("layernorm_f32", x, w, b, y, 10, 37, 1e-5),
        "avgpool": ("avgpool2d_f32", x, y, 1, 8, 20, 20, 10, 10, 2, 2, 2, 2, 1, 1, 0, 0, 0),
    }
    for label, (name, *args) in calls.items():
        h.paint_stack()
        h.call(name, *args)
        used = h.stack_used()
        assert used <= 56 * 1024, f"{label} used {used} bytes of stack"
