"""Budgets: limits on what a test run measures, from the command line or a config file.

Keys end in `_bytes` (values like 5MB, 300KiB, 1048576) or `_ms` (2000, 2s, 1500ms). They come
from `--budget KEY=VALUE`, from `[tool.webedge.budget]` (or keys directly in `[tool.webedge]`) of
pyproject.toml, or from `[budget]` (or top-level keys) of webedge.toml; the command line wins.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

from ..bundle import parse_size
from ..errors import WebedgeError

BYTE_KEYS = ("total_bytes", "runtime_bytes", "weight_bytes", "reload_weight_bytes", "reload_total_bytes")
MS_KEYS = ("manifest_ms", "runtime_ms", "weights_ms", "ready_ms", "first_inference_ms", "first_result_ms",
           "warm_inference_ms", "reload_ready_ms")
KEYS = BYTE_KEYS + MS_KEYS


def parse_value(key: str, value) -> float:
    if key not in KEYS:
        raise WebedgeError(f"unknown budget '{key}'; known budgets: {', '.join(KEYS)}")
    if key in BYTE_KEYS:
        if str(value).strip().rstrip("KMGiBb").strip() in ("0", "0.0"):
            return 0
        return parse_size(value)
    text = str(value).strip().lower()
    try:
        if text.endswith("ms"):
            ms = float(text[:-2])
        elif text.endswith("s"):
            ms = float(text[:-1]) * 1000
        else:
            ms = float(text)
    except ValueError:
        ms = float("nan")
    if not math.isfinite(ms) or ms < 0:
        raise WebedgeError(f"budget {key}='{value}' is not a time; write e.g. 2000, 2000ms or 2s")
    return ms


def parse_args(items: list[str] | None) -> dict[str, float]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise WebedgeError(f"--budget '{item}' must look like KEY=VALUE, e.g. first_inference_ms=2000")
        out[key.strip()] = parse_value(key.strip(), value)
    return out


def from_config(directory: Path) -> dict[str, float]:
    """Budgets from webedge.toml or pyproject.toml in `directory` (webedge.toml wins)."""
    for name, table_path in (("webedge.toml", ()), ("pyproject.toml", ("tool", "webedge"))):
        path = Path(directory) / name
        if not path.is_file():
            continue
        try:
            table = tomllib.loads(path.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise WebedgeError(f"{path}: not valid TOML ({exc})") from None
        for key in table_path:
            table = table.get(key, {})
        found = {k: v for k, v in table.items() if k in KEYS}
        found.update(table.get("budget", {}))
        if found:
            return {k: parse_value(k, v) for k, v in found.items()}
    return {}
