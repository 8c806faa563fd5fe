"""Strip a kernel module down to what a plan calls, at bundle time (no compiler needed).

A kernel module (wasm/build.py) exports its kernels (`conv2d_f32`, `math_f32`, ...) and its
*parts*: noinline functions that a kernel reaches only for some ops or attributes, exported as
`<kernel>/<part>` (`math_f32/Exp`, `conv2d_f32/depthwise`, `act/Tanh`; KPART in mathf.h). Given
the exports a plan needs, `strip` keeps the functions reachable from those kernels and parts
(a call into a part that is not kept is not followed), replaces every other function's body with
`unreachable` (function indices and types stay as they are, so nothing else is rewritten) and
drops the exports of what it removed. A kept part stays exported, which is how the runtime's
warm-up (wasm/warmup.mjs) knows it may call it; a kernel call into a stripped part would trap, and
only a plan whose nodes never make it gets the stripped module (`needed_exports`).

The decoder below reads every instruction of the code section (MVP, SIMD128, bulk memory,
atomics, sign extension, saturating truncation) to find the `call`s; a body it cannot read to its
exact end is an error, never a guess.

Written by hand because the job is small and the alternatives are heavy: Binaryen's wasm-opt
prunes modules, but from Python it comes only through thin community bindings of its native
library (binaryen.py, pybinaryen), and from npm it would make bundling need Node. Here only the
`call` graph is read and bodies replaced; nothing is optimised or re-encoded.
"""

from __future__ import annotations

__all__ = ["strip", "needed_exports", "exports_of", "calls_of", "sections", "leb", "sleb", "name"]

BLOCKTYPE_BYTES = frozenset({0x40, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F})  # empty or one value type


def leb(buf: bytes, i: int) -> tuple[int, int]:
    """Unsigned LEB128 at buf[i]: (value, next index)."""
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def sleb(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return (value - (1 << shift) if byte & 0x40 else value), i


def name(buf: bytes, i: int) -> tuple[str, int]:
    n, i = leb(buf, i)
    return buf[i:i + n].decode(), i + n


def sections(wasm: bytes) -> list[tuple[int, bytes]]:
    if wasm[:8] != b"\0asm\x01\0\0\0":
        raise ValueError("not a wasm v1 binary")
    out, i = [], 8
    while i < len(wasm):
        sid = wasm[i]
        size, j = leb(wasm, i + 1)
        out.append((sid, wasm[j:j + size]))
        i = j + size
    return out


def _enc(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _memarg(body: bytes, i: int) -> int:
    align, i = leb(body, i)
    if align & 0x40:  # multi-memory: a memory index follows
        _, i = leb(body, i)
    _, i = leb(body, i)
    return i


def calls_of(body: bytes) -> set[int]:
    """The function indices one code-section entry (locals + expression) calls or references."""
    out: set[int] = set()
    n, i = leb(body, 0)
    for _ in range(n):  # local declarations: count, valtype
        _, i = leb(body, i)
        i += 1
    depth = 0
    end = len(body)
    while i < end:
        op = body[i]
        i += 1
        if op in (0x02, 0x03, 0x04):  # block, loop, if
            depth += 1
            if body[i] in BLOCKTYPE_BYTES:
                i += 1
            else:
                _, i = sleb(body, i)
        elif op == 0x0B:  # end
            if depth == 0:
                if i != end:
                    raise ValueError(f"function body ends at {i} of {end}")
                return out
            depth -= 1
        elif op in (0x0C, 0x0D, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26):  # br, br_if, local/global/table get/set
            _, i = leb(body, i)
        elif op == 0x0E:  # br_table
            count, i = leb(body, i)
            for _ in range(count + 1):
                _, i = leb(body, i)
        elif op in (0x10, 0x12, 0xD2):  # call, return_call, ref.func
            f, i = leb(body, i)
            out.add(f)
        elif op in (0x11, 0x13):  # call_indirect, return_call_indirect: type, table
            _, i = leb(body, i)
            _, i = leb(body, i)
        elif op == 0x1C:  # select t*
            count, i = leb(body, i)
            i += count
        elif 0x28 <= op <= 0x3E:  # loads and stores
            i = _memarg(body, i)
        elif op in (0x3F, 0x40, 0xD0):  # memory.size, memory.grow (memory index), ref.null (reftype)
            i += 1
        elif op == 0x41 or op == 0x42:  # i32.const, i64.const
            _, i = sleb(body, i)
        elif op == 0x43:
            i += 4
        elif op == 0x44:
            i += 8
        elif op == 0xFC:
            sub, i = leb(body, i)
            if sub <= 7:  # saturating truncations
                pass
            elif sub == 8:  # memory.init data, mem
                _, i = leb(body, i)
                i += 1
            elif sub in (9, 13, 15, 16, 17):  # data.drop, elem.drop, table.grow/size/fill
                _, i = leb(body, i)
            elif sub == 10:  # memory.copy
                i += 2
            elif sub == 11:  # memory.fill
                i += 1
            elif sub in (12, 14):  # table.init, table.copy
                _, i = leb(body, i)
                _, i = leb(body, i)
            else:
                raise ValueError(f"unknown 0xFC instruction {sub}")
        elif op == 0xFD:  # SIMD128
            sub, i = leb(body, i)
            if sub <= 11 or sub in (92, 93):  # v128 loads/stores, load32/64_zero
                i = _memarg(body, i)
            elif sub in (12, 13):  # v128.const, i8x16.shuffle
                i += 16
            elif 21 <= sub <= 34:  # extract/replace lane
                i += 1
            elif 84 <= sub <= 91:  # load/store lane
                i = _memarg(body, i) + 1
        elif op == 0xFE:  # atomics
            sub, i = leb(body, i)
            if sub == 0x03:  # atomic.fence
                i += 1
            else:
                i = _memarg(body, i)
        elif op in (0x00, 0x01, 0x05, 0x0F, 0x1A, 0x1B, 0xD1) or 0x45 <= op <= 0xC4:
            pass  # no immediates
        else:
            raise ValueError(f"unknown opcode 0x{op:02x} at {i - 1}")
    raise ValueError("function body has no end")


def _code_entries(body: bytes) -> list[bytes]:
    count, i = leb(body, 0)
    out = []
    for _ in range(count):
        size, i = leb(body, i)
        out.append(body[i:i + size])
        i += size
    return out


def _exports(body: bytes) -> list[tuple[str, int, int, bytes]]:
    """(name, kind, index, raw entry) for every export."""
    count, i = leb(body, 0)
    out = []
    for _ in range(count):
        start = i
        nm, i = name(body, i)
        kind = body[i]
        idx, i = leb(body, i + 1)
        out.append((nm, kind, idx, body[start:i]))
    return out


def exports_of(wasm: bytes) -> list[str]:
    """The function exports of a module (kernels and parts)."""
    for sid, body in sections(wasm):
        if sid == 7:
            return [nm for nm, kind, _, _ in _exports(body) if kind == 0]
    return []


STUB = b"\x00\x00\x0b"  # no locals; unreachable; end


def strip(wasm: bytes, keep: set[str] | frozenset[str]) -> bytes:
    """`wasm` with only the kernels and parts named in `keep` (function exports; non-function
    exports always stay) and what they call; see the module docstring."""
    secs = sections(wasm)
    imported_funcs = 0
    exports: list = []
    code: list[bytes] | None = None
    roots: set[int] = set()
    for sid, body in secs:
        if sid == 2:
            count, i = leb(body, 0)
            for _ in range(count):
                _, i = name(body, i)
                _, i = name(body, i)
                kind = body[i]
                i += 1
                if kind == 0:
                    imported_funcs += 1
                    _, i = leb(body, i)
                elif kind == 1:
                    i += 1
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                elif kind == 2:
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                else:
                    i += 2
        elif sid == 7:
            exports = _exports(body)
        elif sid == 10:
            code = _code_entries(body)
        elif sid in (8, 9):  # a start function or an element segment: keep everything
            return wasm
    if code is None:
        return wasm
    func_exports = {nm: idx for nm, kind, idx, _ in exports if kind == 0}
    unknown = set(keep) - set(func_exports)
    if unknown:
        raise ValueError(f"the module exports no {sorted(unknown)} (exports: {sorted(func_exports)})")
    parts = {idx for nm, idx in func_exports.items() if "/" in nm}
    kept_parts = {func_exports[nm] for nm in keep if "/" in nm}
    roots = {func_exports[nm] for nm in keep}
    live: set[int] = set()
    todo = list(roots)
    while todo:
        f = todo.pop()
        if f in live or f < imported_funcs:
            continue
        live.add(f)
        for g in calls_of(code[f - imported_funcs]):
            if g not in live and (g not in parts or g in kept_parts):
                todo.append(g)
    new_code = [entry if imported_funcs + j in live else STUB for j, entry in enumerate(code)]
    code_body = _enc(len(new_code)) + b"".join(_enc(len(e)) + e for e in new_code)
    kept_exports = [raw for nm, kind, idx, raw in exports if kind != 0 or nm in keep]
    export_body = _enc(len(kept_exports)) + b"".join(kept_exports)
    out = bytearray(wasm[:8])
    for sid, body in secs:
        body = code_body if sid == 10 else export_body if sid == 7 else body
        out += bytes([sid]) + _enc(len(body)) + body
    return bytes(out)


# Parts a node needs only with some attributes (a part not named here is needed whenever an op
# that may call it is in the plan).
PART_RULES = {
    "conv2d_f32/depthwise": lambda attrs: (attrs.get("group") or 1) > 1,  # conv.c: group == C == M > 1
    # conv.c's unrolled depthwise copy for KW 5 at stride 1 (a 1-D conv is KH 1); with no
    # kernel_shape attribute the weights' shape decides at run time, so it stays
    "conv2d_f32/dw5": lambda attrs: (attrs.get("group") or 1) > 1 and (
        _kernel(attrs) is None or (_kernel(attrs)[-1] == 5 and (list(attrs.get("strides") or [1]))[-1] == 1)),
    "act/Sigmoid": lambda attrs: attrs.get("_act") == "Sigmoid",
    "act/Tanh": lambda attrs: attrs.get("_act") == "Tanh",
    "resize_f32/taps": lambda attrs: (attrs.get("mode") or "nearest") != "nearest",  # resize.c: linear, cubic
}


def _kernel(attrs: dict) -> list[int] | None:
    ks = attrs.get("kernel_shape")
    return list(ks) if ks else None


def needed_exports(nodes, registry: dict, module: str) -> set[str] | None:
    """The exports of kernel module `module` that `nodes` (a plan's, subplans included) may call,
    from the ops' `wasm_calls` in the registry; None when some op of the plan uses the module
    without declaring its calls (ship the module whole)."""
    need: set[str] = set()
    for node in nodes:
        entry = registry["ops"][node["op"]]
        if module not in entry["kernels"]:
            continue
        declared = entry.get("wasm_calls")
        if declared is None:
            return None
        for nm in declared:
            rule = PART_RULES.get(nm)
            if rule is None or rule(node["attrs"]):
                need.add(nm)
    return need
