"""Inputs for a model: deterministic ones made from its input specs, or a user's .npz. The test
harness feeds them to a bundle, and quantization calibrates on them (so the packager needs no
test harness).

Sizes are checked before anything is allocated: the inputs a run sends to the page, and the
outputs it would bring back (estimated from the manifest's output shapes with the symbolic dims
bound by the inputs), must each stay under `MAX_INPUT_BYTES` / `MAX_OUTPUT_BYTES`, or the run is
refused with the tensor's name and byte count instead of a MemoryError much later.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from .errors import WebedgeError

NUMPY = {"float32": np.float32, "float16": np.float16, "float64": np.float64, "int8": np.int8,
         "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16, "int32": np.int32, "uint32": np.uint32,
         "int64": np.int64, "uint64": np.uint64, "bool": np.bool_}
# The page holds inputs twice (fetched blob and typed arrays) and outputs travel back as base64
# through the DevTools protocol; far above what edge models need (PP-OCR det at 960x960: 3.7 MB).
MAX_INPUT_BYTES = 256 << 20
MAX_OUTPUT_BYTES = 64 << 20


def _mib(n: int) -> str:
    return f"{n:,} bytes ({n / 2**20:,.1f} MiB)"


def parse_dims(items: list[str] | dict | None) -> dict[str, int]:
    if isinstance(items, dict):
        return {k: int(v) for k, v in items.items()}
    dims = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip().isdigit() or int(value) <= 0:
            raise WebedgeError(f"--dim '{item}' must look like NAME=POSITIVE_INT, e.g. batch=1")
        dims[name.strip()] = int(value)
    return dims


def resolve_shape(spec: dict, dims: dict[str, int]) -> list[int]:
    missing = [d for d in spec["shape"] if isinstance(d, str) and d not in dims]
    if missing:
        flags = " ".join(f"--dim {d}=N" for d in dict.fromkeys(missing))
        raise WebedgeError(f"input '{spec['name']}' has dynamic dimension(s) {', '.join(map(repr, missing))} "
                           f"with no value; pass {flags} (or --inputs FILE.npz)")
    return [d if isinstance(d, int) else dims[d] for d in spec["shape"]]


def check_input_bytes(specs: list[dict], dims: dict[str, int]) -> None:
    total = 0
    for spec in specs:
        shape = resolve_shape(spec, dims)
        n = math.prod(shape) * (np.dtype(NUMPY[spec["dtype"]]).itemsize if spec["dtype"] in NUMPY else 8)
        total += n
        if total > MAX_INPUT_BYTES:
            raise WebedgeError(f"input '{spec['name']}' of shape {shape} is {_mib(n)}; webedge test sends at most "
                               f"{_mib(MAX_INPUT_BYTES)} of inputs to the browser: pass smaller --dim values")


def bind_dims(specs: list[dict], feeds: dict[str, np.ndarray], dims: dict[str, int]) -> dict[str, int]:
    """The symbolic dims' values: given ones, plus those read off the input arrays' shapes."""
    bound = dict(dims)
    for spec in specs:
        arr = feeds.get(spec["name"])
        if arr is not None:
            for d, n in zip(spec["shape"], arr.shape):
                if isinstance(d, str):
                    bound.setdefault(d, int(n))
    return bound


def check_output_bytes(outputs: list[dict], dims: dict[str, int]) -> None:
    """Refuse a run whose outputs, where their shapes are known from dims, are too big to bring back."""
    for spec in outputs:
        shape = spec["shape"]
        if spec["dtype"] not in NUMPY or any(isinstance(d, str) and d not in dims for d in shape):
            continue  # unknown until it runs: the page checks the real size before sending it back
        n = math.prod(d if isinstance(d, int) else dims[d] for d in shape) * np.dtype(NUMPY[spec["dtype"]]).itemsize
        if n > MAX_OUTPUT_BYTES:
            raise WebedgeError(f"output '{spec['name']}' would be {_mib(n)}; webedge test brings back at most "
                               f"{_mib(MAX_OUTPUT_BYTES)} per run: pass smaller --dim values or inputs")


def make_inputs(specs: list[dict], dims: dict[str, int], seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded inputs: floats uniform in [0, 1), integers in [0, 16), booleans half true."""
    check_input_bytes(specs, dims)
    rng = np.random.default_rng(seed)
    feeds = {}
    for spec in specs:
        shape = resolve_shape(spec, dims)
        dtype = spec["dtype"]
        if dtype not in NUMPY:
            raise WebedgeError(f"input '{spec['name']}' is {dtype}; cannot make one, pass --inputs FILE.npz")
        if dtype.startswith("float"):
            feeds[spec["name"]] = rng.random(shape).astype(NUMPY[dtype])
        elif dtype == "bool":
            feeds[spec["name"]] = rng.random(shape) < 0.5
        else:
            feeds[spec["name"]] = rng.integers(0, 16, size=shape).astype(NUMPY[dtype])
    return feeds


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    savez = "write one with numpy.savez(path, name=array, ...)"
    if not path.is_file():
        raise WebedgeError(f"{path}: no such file; pass an .npz of inputs ({savez})")
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        raise WebedgeError(f"{path}: not an .npz file; {savez}") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise WebedgeError(f"{path}: is a single .npy array; pass an .npz with one array per input (numpy.savez)")
    data = {}
    with loaded:
        for key in loaded.files:
            try:
                data[key] = loaded[key]
            except ValueError as exc:
                if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
                    raise WebedgeError(f"{path}: array '{key}' holds Python objects (dtype object); save numeric "
                                       "arrays, e.g. np.asarray(x, np.float32)") from None
                raise WebedgeError(f"{path}: array '{key}' is damaged ({str(exc).splitlines()[0]}); {savez}") from None
            except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
                raise WebedgeError(f"{path}: array '{key}' is damaged ({type(exc).__name__}); {savez}") from None
    return data


def load_inputs(path: str | Path, specs: list[dict]) -> dict[str, np.ndarray]:
    path = Path(path)
    data = _read_npz(path)
    names = [s["name"] for s in specs]
    missing = [n for n in names if n not in data]
    if missing:
        raise WebedgeError(f"{path}: has no array for input(s) {', '.join(missing)} (it has {', '.join(map(str, data)) or 'none'})")
    extra = [k for k in data if k not in names]
    if extra:
        raise WebedgeError(f"{path}: has array(s) the model has no input for: {', '.join(extra)} "
                           f"(its inputs: {', '.join(names)}); remove them or fix their names")
    feeds = {}
    total = 0
    bound: dict[str, tuple[int, str]] = {}  # symbolic dim -> (value, the input it was read from)
    for spec in specs:
        arr = data[spec["name"]]
        want = NUMPY.get(spec["dtype"])
        if want is None or arr.dtype != np.dtype(want):
            raise WebedgeError(f"{path}: input '{spec['name']}' is {arr.dtype}, the model wants {spec['dtype']}")
        if len(arr.shape) != len(spec["shape"]) or any(
                isinstance(d, int) and d != a for d, a in zip(spec["shape"], arr.shape)):
            raise WebedgeError(f"{path}: input '{spec['name']}' has shape {list(arr.shape)}, "
                               f"the model wants {spec['shape']}")
        for d, n in zip(spec["shape"], arr.shape):
            if isinstance(d, str):
                first = bound.setdefault(d, (int(n), spec["name"]))
                if first[0] != n:
                    raise WebedgeError(f"{path}: dimension '{d}' is {first[0]} in input '{first[1]}' but {n} in "
                                       f"input '{spec['name']}'; one symbolic dimension has one value per run")
        total += arr.nbytes
        if total > MAX_INPUT_BYTES:
            raise WebedgeError(f"{path}: input '{spec['name']}' is {_mib(arr.nbytes)}; webedge test sends at most "
                               f"{_mib(MAX_INPUT_BYTES)} of inputs to the browser")
        feeds[spec["name"]] = arr
    return feeds
