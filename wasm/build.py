"""Build the WebAssembly SIMD128 kernel modules: ``webedge/runtime/kernels/<module>.wasm`` from the
sources in ``wasm/kernels/`` (``MODULES``: most modules are one ``<module>.c``), and each module's
threaded variant ``webedge/runtime/kernels/mt/<module>.wasm``.

Run ``python wasm/build.py`` (optionally ``--out-dir DIR`` and module names, e.g. ``linalg pool``).
``--variant test`` builds the test variant instead: the single-thread code plus the scalar
reference kernels (``<kernel>_ref``, under ``WEBEDGE_REFERENCE_KERNELS``) that tests/kernels compare
against; it is never shipped nor committed (the kernel tests build it into a temporary folder).
Each module is compiled by the pip-installed zig toolchain (``python -m ziglang cc``) with the flags
in ``ZIG_FLAGS``, then checked, because several modules share ONE imported memory at run time:

* no data section (section id 11) and no data-count section (id 12): a data segment would be copied
  into the shared memory on instantiation and clobber other modules' buffers;
* the only import is ``env.memory``; exports are functions only;
* the stack pointer starts at 64 KiB (stack in [0, 64 KiB), below the JS allocator's region).

The threaded variant (``MT_FLAGS`` added) is the same code, but its ``env.memory`` import is
declared shared with a maximum of ``MT_MAX_PAGES`` (a module whose import is not declared shared
cannot take the SharedArrayBuffer-backed memory that workers see), and it also exports the
``__stack_pointer`` global: every worker instantiates the modules itself, and each instance starts
with its stack at 64 KiB, so the worker pool moves worker i's stack to [i * 64 KiB, (i + 1) * 64 KiB).
The same checks apply, except that the memory import must be shared and ``__stack_pointer`` is the
one export that is not a function.

The relaxed-SIMD variants ``relaxed/<module>.wasm`` and ``relaxed-mt/<module>.wasm`` are the same
sources with ``-mrelaxed-simd``: mathf.h's ``F4_MADD`` (every multiply-add of the GEMM, conv and
the other kernels) becomes ``f32x4.relaxed_madd``, one fused multiply-add on CPUs with FMA. The
loader picks them where the browser validates relaxed SIMD (js/src/simd.mjs).

It prints each module's size (raw and gzip) and exits non-zero if any check fails.  The outputs are
committed; ``tests/kernels`` rebuilds them into a temporary folder and compares bytes.

Two deviations from the plain clang/lld command line, both for zig 0.17's own wasm linker:
``-Wl,--stack-first`` is rejected there (it already lays the stack first; checked above) and
``-Wl,--strip-all`` drops debug/name/producers custom sections that would otherwise ship.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the package's wasm reader, when run as a script
from webedge.backends.wasm_strip import leb as _leb, name as _name, sections as _sections, sleb as _sleb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = ROOT / "wasm" / "kernels"
OUT_DIR = ROOT / "webedge" / "runtime" / "kernels"
STACK_TOP = 65536
MT_DIR = "mt"  # threaded variants: OUT_DIR / "mt" / "<name>.wasm"
MT_MAX_PAGES = 32768  # 2 GiB; the browser arena's shared memory is created with this maximum
# Modules built from several sources: one translation unit (the sources #included in order), so
# code they share is in the module once. conv.c and gemm.c share the blocked GEMM (gemm_core.h),
# and every real model the tests use (Magika, PP-OCR cls and det, Silero VAD) runs both Conv and
# Gemm/MatMul/ConvTranspose/LSTM: linalg.wasm is 8.3 kB gzip, conv.wasm + gemm.wasm were 12.6 kB.
# recurrent.c (LSTM/GRU/RNN over a whole sequence) runs its per-step GEMM through the same code.
MODULES = {"linalg": ["conv.c", "gemm.c", "recurrent.c", "col2im.c"]}
TEST_FLAGS = ["-DWEBEDGE_REFERENCE_KERNELS"]
RELAXED_FLAGS = ["-mrelaxed-simd"]  # mathf.h's F4_MADD becomes f32x4.relaxed_madd (fused where the CPU has FMA)

ZIG_FLAGS = [
    "--target=wasm32-freestanding",
    "-msimd128",
    "-O3",
    "-nostdlib",
    "-Wl,--no-entry",
    "-Wl,--import-memory",
    "-Wl,-z,stack-size=65536",
    "-Wl,--strip-all",
]
MT_FLAGS = [
    "-matomics",
    "-mbulk-memory",
    "-Wl,--shared-memory",
    f"-Wl,--max-memory={MT_MAX_PAGES * 65536}",
    "-Wl,--export=__stack_pointer",
]
# The shipped variants: name -> (folder under OUT_DIR, "" for the top, extra flags, threaded). The
# loader fetches one set: relaxed SIMD where WebAssembly.validate accepts a relaxed_madd (Chromium,
# Firefox), SIMD128 elsewhere (Safari); the mt/ sets on a cross-origin isolated page.
SHIPPED = {
    "single": ("", [], False),
    "mt": (MT_DIR, MT_FLAGS, True),
    "relaxed": ("relaxed", RELAXED_FLAGS, False),
    "relaxed-mt": ("relaxed-mt", RELAXED_FLAGS + MT_FLAGS, True),
}
# Built for tests/kernels only, never shipped: each single-thread variant plus the _ref kernels.
TESTS = {"test": TEST_FLAGS, "test-relaxed": TEST_FLAGS + RELAXED_FLAGS}
VARIANTS = (*SHIPPED, *TESTS)

SECTION_NAMES = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
                 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount"}


class BuildError(RuntimeError):
    pass


def sections(wasm: bytes) -> list[tuple[int, bytes]]:
    """(section id, body) for every section of a wasm binary."""
    try:
        return _sections(wasm)
    except ValueError as exc:
        raise BuildError(str(exc)) from None


def inspect(wasm: bytes) -> dict:
    """Imports, exports (name -> kind), globals' i32 inits and the imported memory's limits, parsed
    from the binary (``memory``: {"shared", "min", "max"}, max None when absent)."""
    info: dict = {"section_ids": [], "imports": [], "exports": {}, "globals": [], "memory": None}
    for sid, body in sections(wasm):
        info["section_ids"].append(sid)
        if sid == 2:
            count, i = _leb(body, 0)
            for _ in range(count):
                mod, i = _name(body, i)
                name, i = _name(body, i)
                kind = body[i]
                info["imports"].append((mod, name, kind))
                if kind == 0:  # function: type index
                    _, i = _leb(body, i + 1)
                elif kind in (1, 2):  # table (a reftype byte, then limits) or memory (limits)
                    i += 2 if kind == 1 else 1
                    flags, i = _leb(body, i)
                    low, i = _leb(body, i)
                    high = None
                    if flags & 1:
                        high, i = _leb(body, i)
                    if kind == 2:
                        info["memory"] = {"shared": bool(flags & 2), "min": low, "max": high}
                else:  # global: valtype, mutability
                    i += 3
        elif sid == 7:
            count, i = _leb(body, 0)
            for _ in range(count):
                name, i = _name(body, i)
                kind = body[i]
                _, i = _leb(body, i + 1)
                info["exports"][name] = kind
        elif sid == 6:
            count, i = _leb(body, 0)
            for _ in range(count):
                valtype, mut = body[i], body[i + 1]
                i += 2
                if body[i] != 0x41:  # i32.const
                    info["globals"].append((valtype, mut, None))
                    break
                value, i = _sleb(body, i + 1)
                info["globals"].append((valtype, mut, value))
                i += 1  # end
    return info


def check(wasm: bytes, label: str, threaded: bool = False) -> None:
    info = inspect(wasm)
    bad = [SECTION_NAMES[s] for s in info["section_ids"] if s in (11, 12)]
    if bad:
        raise BuildError(f"{label}: has a {'/'.join(bad)} section (static data would clobber the shared memory)")
    if info["imports"] != [("env", "memory", 2)]:
        raise BuildError(f"{label}: imports must be exactly env.memory, got {info['imports']}")
    memory = info["memory"]
    if threaded and (not memory["shared"] or memory["max"] != MT_MAX_PAGES):
        raise BuildError(f"{label}: the threaded variant must import a shared memory of at most {MT_MAX_PAGES} "
                         f"pages, got {memory}")
    if not threaded and memory["shared"]:
        raise BuildError(f"{label}: imports a shared memory; only the mt/ variant may")
    exports = dict(info["exports"])
    if threaded and exports.pop("__stack_pointer", None) != 3:
        raise BuildError(f"{label}: the threaded variant must export the __stack_pointer global")
    not_funcs = [n for n, k in exports.items() if k != 0]
    if not_funcs or not exports:
        raise BuildError(f"{label}: exports must be kernel functions only, got {info['exports']}")
    # The only global is the mutable i32 __stack_pointer, and it starts at the top of [0, 64 KiB).
    if info["globals"] and info["globals"][0] != (0x7F, 1, STACK_TOP):
        raise BuildError(f"{label}: stack pointer does not start at {STACK_TOP}: {info['globals']}")


def modules() -> dict[str, list[Path]]:
    """module name -> its sources: MODULES, and every other wasm/kernels/<name>.c alone."""
    grouped = {src for sources in MODULES.values() for src in sources}
    out = {name: [SRC_DIR / src for src in sources] for name, sources in MODULES.items()}
    out.update({p.stem: [p] for p in sorted(SRC_DIR.glob("*.c")) if p.name not in grouped})
    return dict(sorted(out.items()))


def compile_one(sources: Path | list[Path], out: Path, threaded: bool = False, variant: str | None = None) -> bytes:
    """Compile `sources` (one translation unit) into `out` and check it. variant: a key of
    SHIPPED or TESTS (`threaded` is the older spelling of mt)."""
    variant = variant or ("mt" if threaded else "single")
    sources = [sources] if isinstance(sources, Path) else list(sources)
    if variant not in VARIANTS:
        raise BuildError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    threaded = variant in SHIPPED and SHIPPED[variant][2]
    flags = ZIG_FLAGS + (SHIPPED[variant][1] if variant in SHIPPED else TESTS[variant])
    with tempfile.TemporaryDirectory() as tmp:
        if len(sources) == 1:
            src = sources[0]
        else:  # one translation unit of several sources
            src = Path(tmp) / out.with_suffix(".c").name
            src.write_text("".join(f'#include "{s.resolve()}"\n' for s in sources))
        cmd = [sys.executable, "-m", "ziglang", "cc", *flags, f"-I{SRC_DIR}", str(src), "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=sources[0].parent)
    if proc.returncode != 0:
        raise BuildError(f"{out.stem}: zig cc failed\n{proc.stderr}")
    data = out.read_bytes()
    folder = SHIPPED[variant][0] if variant in SHIPPED else ""
    check(data, f"{folder}/{out.name}" if folder else out.name, threaded)
    return data


def build(names: list[str] | None = None, out_dir: Path = OUT_DIR, quiet: bool = False,
          variant: str | None = None) -> dict[str, Path]:
    """Compile and check the named modules (default: all); every shipped variant (SHIPPED), or only
    the test variant `variant` (TESTS). Returns name -> output path, the variants in folders
    ("mt/<name>", "relaxed/<name>", ...)."""
    mods = modules()
    if names:
        unknown = set(names) - set(mods)
        if unknown:
            raise BuildError(f"no such kernel module(s): {sorted(unknown)} (modules: {', '.join(mods)})")
        mods = {n: mods[n] for n in names}
    if variant is not None and variant not in TESTS:
        raise BuildError(f"unknown variant {variant!r}: the shipped build makes {', '.join(SHIPPED)}; "
                         f"--variant builds one of {', '.join(TESTS)}")
    out_dir = Path(out_dir)
    targets = {variant: ""} if variant else {v: folder for v, (folder, _, _) in SHIPPED.items()}
    for folder in targets.values():
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = {}
        for name, sources in mods.items():
            for v, folder in targets.items():
                key = f"{folder}/{name}" if folder else name
                jobs[key] = pool.submit(compile_one, sources, out_dir / f"{key}.wasm", variant=v)
        results = {name: job.result() for name, job in jobs.items()}
    if not quiet:
        for name, data in results.items():
            exports = ", ".join(inspect(data)["exports"])
            print(f"{name + '.wasm':21} {len(data):7d} B  gzip {len(gzip.compress(data, 9)):6d} B  [{exports}]")
    return {name: out_dir / f"{name}.wasm" for name in results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="module names (default: all)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--variant", choices=list(TESTS),
                        help="build a test variant (with the _ref kernels) instead of the shipped ones")
    args = parser.parse_args(argv)
    if args.variant and args.out_dir == OUT_DIR:
        parser.error(f"--variant {args.variant} is never committed: give --out-dir")
    try:
        build(args.names or None, args.out_dir, variant=args.variant)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
