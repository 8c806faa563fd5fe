"""Inputs for a model: deterministic ones made from its input specs, or a user's .npz. The test harness
feeds them to a bundle, and quantization calibrates on them (so the packager needs no test harness)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import WebedgeError

NUMPY = {"float32": np.float32, "float16": np.float16, "float64": np.float64, "int8": np.int8,
         "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16, "int32": np.int32, "uint32": np.uint32,
         "int64": np.int64, "uint64": np.uint64, "bool": np.bool_}


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


def make_inputs(specs: list[dict], dims: dict[str, int], seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded inputs: floats uniform in [0, 1), integers in [0, 16), booleans half true."""
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


def load_inputs(path: str | Path, specs: list[dict]) -> dict[str, np.ndarray]:
    path = Path(path)
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise WebedgeError(f"{path}: cannot read inputs ({exc}); pass an .npz written by numpy.savez") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise WebedgeError(f"{path}: is a single .npy array; pass an .npz with one array per input (numpy.savez)")
    with loaded:
        data = dict(loaded)
    names = [s["name"] for s in specs]
    missing = [n for n in names if n not in data]
    if missing:
        raise WebedgeError(f"{path}: has no array for input(s) {', '.join(missing)} (it has {', '.join(map(str, data)) or 'none'})")
    feeds = {}
    for spec in specs:
        arr = data[spec["name"]]
        want = NUMPY.get(spec["dtype"])
        if want is None or arr.dtype != np.dtype(want):
            raise WebedgeError(f"{path}: input '{spec['name']}' is {arr.dtype}, the model wants {spec['dtype']}")
        if len(arr.shape) != len(spec["shape"]) or any(
                isinstance(d, int) and d != a for d, a in zip(spec["shape"], arr.shape)):
            raise WebedgeError(f"{path}: input '{spec['name']}' has shape {list(arr.shape)}, "
                               f"the model wants {spec['shape']}")
        feeds[spec["name"]] = arr
    return feeds
