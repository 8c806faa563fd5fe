"""Run the built WebAssembly kernels from Python with wasmtime: the test variant of the modules
(``build_test_variant``: the shipped code plus the ``_ref`` scalar kernels), or the shipped ones
(webedge/runtime/kernels/*.wasm).

Mirrors how the browser runtime uses them: every module is instantiated against ONE shared
``env.memory`` (a ``wasmtime.Memory`` made here); the stack of each module lives in [0, 64 KiB)
and buffers are bump-allocated from 64 KiB upward. Calls go by the kernel ABI the runtime
declares (js/src/webedge/wasm/abi.mjs, written into webedge/runtime/registry.json): positional
arguments are counted against it, and keyword arguments take its names.  Typical use::

    h = Harness(kernel_dir=build_test_variant(tmp))  # loads every kernel module found
    xp = h.put(x)                       # copy a numpy array in, get its byte offset
    yp = h.out(y_shape)                 # output buffer, pre-filled with nan, guarded
    h.call("softmax_f32", xp, yp, outer, axis, inner, 0)   # or h.call("softmax_f32", x=xp, y=yp, ...)
    y = h.get(yp, y_shape)              # copy the result out
    h.check_guards()                    # nothing was written outside the buffers
    h.reset()                           # free everything (between cases)

``paint_stack``/``stack_used`` measure how much of the 64 KiB stack a call touched.

Integer arguments are passed as Python ints (i32) and float arguments as Python floats (f32).
Every buffer is followed by a guard band filled with a byte pattern; ``check_guards`` asserts that
no kernel wrote past the end of any buffer.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import wasmtime

ROOT = Path(__file__).resolve().parents[2]
KERNEL_DIR = ROOT / "webedge" / "runtime" / "kernels"
REGISTRY = json.loads((ROOT / "webedge" / "runtime" / "registry.json").read_text())
ABI = REGISTRY["kernels"]


def load_build():
    """wasm/build.py as a module."""
    spec = importlib.util.spec_from_file_location("wasm_build", ROOT / "wasm" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build_test_variant(out_dir: Path, variant: str = "test") -> Path:
    """Build a test variant of every kernel module into out_dir (a second or so with zig's cache):
    `test` (SIMD128) or `test-relaxed` (relaxed SIMD), each with the _ref kernels."""
    load_build().build(out_dir=out_dir, quiet=True, variant=variant)
    return out_dir


def abi_args(name: str) -> list[list[str]]:
    """[[argument, type], ...] of kernel `name` (a `_ref` kernel takes its fast twin's arguments)."""
    base = name[:-4] if name.endswith("_ref") else name
    if base not in ABI or (name != base and not ABI[base]["ref"]):
        raise KeyError(f"{name} is not in the kernel ABI (js/src/webedge/wasm/abi.mjs)")
    return ABI[base]["args"]
HEAP_BASE = 65536  # the kernels' stacks occupy [0, 64 KiB)
PAGE = 65536
GUARD = 64  # bytes after each buffer
GUARD_BYTE = 0xA5


class Harness:
    def __init__(self, names=None, kernel_dir: Path = KERNEL_DIR, pages: int = 64):
        config = wasmtime.Config()
        config.wasm_relaxed_simd = True  # the relaxed/ variants (f32x4.relaxed_madd: fused on this CPU's FMA)
        self.engine = wasmtime.Engine(config)
        self.store = wasmtime.Store(self.engine)
        self.memory = wasmtime.Memory(self.store, wasmtime.MemoryType(wasmtime.Limits(pages, None)))
        paths = sorted(Path(kernel_dir).glob("*.wasm"))
        if names is not None:
            paths = [p for p in paths if p.stem in set(names)]
        if not paths:
            raise FileNotFoundError(f"no kernel .wasm in {kernel_dir}: run python wasm/build.py")
        self.funcs: dict[str, wasmtime.Func] = {}
        self.module_of: dict[str, str] = {}
        for path in paths:
            module = wasmtime.Module.from_file(self.engine, str(path))
            instance = wasmtime.Instance(self.store, module, [self.memory])
            for name, item in instance.exports(self.store).items():
                if isinstance(item, wasmtime.Func) and "/" not in name:  # a part (KPART), not a kernel
                    self.funcs[name] = item
                    self.module_of[name] = path.stem
        self.reset()

    # -- allocation -------------------------------------------------------------------------
    def reset(self) -> None:
        self.top = HEAP_BASE
        self.guards: list[int] = []

    def alloc(self, nbytes: int) -> int:
        """16-byte aligned block of nbytes followed by a guard band; grows the memory as needed."""
        ptr = (self.top + 15) & ~15
        end = ptr + nbytes + GUARD
        size = self.memory.data_len(self.store)
        if end > size:
            self.memory.grow(self.store, (end - size + PAGE - 1) // PAGE)
        self.top = end
        self.memory.write(self.store, bytes([GUARD_BYTE]) * GUARD, ptr + nbytes)
        self.guards.append(ptr + nbytes)
        return ptr

    def put(self, arr) -> int:
        """Copy a numpy array (float32 or int32, made C-contiguous) in; returns its offset."""
        arr = np.ascontiguousarray(arr)
        if arr.dtype not in (np.float32, np.int32):
            raise TypeError(f"kernels take float32/int32, got {arr.dtype}")
        ptr = self.alloc(arr.nbytes)
        if arr.nbytes:
            self.memory.write(self.store, arr.tobytes(), ptr)
        return ptr

    def out(self, shape, fill=np.nan) -> int:
        """Float32 output buffer pre-filled with `fill` (nan shows any element left unwritten)."""
        return self.put(np.full(shape, fill, np.float32))

    def get(self, ptr: int, shape, dtype=np.float32) -> np.ndarray:
        shape = (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)
        n = int(np.prod(shape)) * np.dtype(dtype).itemsize
        raw = self.memory.read(self.store, ptr, ptr + n) if n else b""
        return np.frombuffer(bytes(raw), dtype=dtype).reshape(shape).copy()

    def check_guards(self) -> None:
        for g in self.guards:
            band = self.memory.read(self.store, g, g + GUARD)
            assert bytes(band) == bytes([GUARD_BYTE]) * GUARD, f"kernel wrote past a buffer ending at {g}"

    # -- stack ----------------------------------------------------------------------------
    def paint_stack(self) -> None:
        """Fill the stack region [0, 64 KiB) with the guard pattern (see stack_used)."""
        self.memory.write(self.store, bytes([GUARD_BYTE]) * HEAP_BASE, 0)

    def stack_used(self) -> int:
        """Bytes of stack touched since paint_stack: 64 KiB minus the lowest overwritten address."""
        raw = bytes(self.memory.read(self.store, 0, HEAP_BASE))
        untouched = len(raw) - len(raw.lstrip(bytes([GUARD_BYTE])))
        return HEAP_BASE - untouched

    # -- calls -----------------------------------------------------------------------------
    def call(self, name: str, *args, **named):
        """Call a kernel with the arguments the ABI lists (positional, or by name); ints go as i32,
        floats as f32 (wasmtime converts by the signature)."""
        spec = abi_args(name)
        if named:
            if args:
                raise TypeError(f"{name}: pass arguments by position or by name, not both")
            missing = [a for a, _ in spec if a not in named]
            extra = sorted(set(named) - {a for a, _ in spec})
            if missing or extra:
                raise TypeError(f"{name}: missing {missing}, unknown {extra}")
            args = tuple(named[a] for a, _ in spec)
        if len(args) != len(spec):
            raise TypeError(f"{name} takes {len(spec)} arguments ({' '.join(a for a, _ in spec)}), got {len(args)}")
        func = self.funcs[name]
        conv = [int(a) if isinstance(a, (bool, np.integer)) else float(a) if isinstance(a, np.floating) else a
                for a in args]
        return func(self.store, *conv)

    def exports(self) -> list[str]:
        return sorted(self.funcs)
