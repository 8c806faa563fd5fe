"""Class labels for a bundle's outputs: from `webedge bundle --labels FILE` or the model's metadata.

A label list names the classes along an output's last axis, so a page can show "python 0.98"
instead of "argmax 148". They go into the manifest as `labels: {output name: [names]}` and the
browser exposes them as `model.labels`.

Where they come from, first match wins:
- `--labels FILE`: a JSON list of strings (for a model with one output, or for the one output
  whose last dim has that many classes) or an object `{output name: [strings]}`; a text file
  with one label per line is taken as a list.
- the model's `metadata_props`: `labels`, `classes` or `names` holding a JSON list (or an
  object from class index to name, as YOLO-style exporters write), or a list with one name per
  line; and PaddleOCR's `character` (one character per line), whose CTC output has the blank
  class first and a space last, so its labels are `[blank, *characters, " "]`.
A list is only ever attached to an output whose last dim is that length (or symbolic); anything
else is refused with one line, never silently misaligned.
"""

from __future__ import annotations

import json
from pathlib import Path

import onnx

from .errors import WebedgeError

METADATA_KEYS = ("labels", "classes", "names")
CTC_BLANK = "blank"
MAX_LABEL_CHARS = 1000  # a label is a name, not a document


def _as_list(value, where: str) -> list[str]:
    if isinstance(value, dict):  # {"0": "person", "1": "bicycle"} -> in index order
        try:
            items = sorted((int(k), v) for k, v in value.items())
        except (TypeError, ValueError):
            raise WebedgeError(f"{where}: an object of labels must map class indices (0, 1, ...) to names") from None
        if [i for i, _ in items] != list(range(len(items))):
            raise WebedgeError(f"{where}: class indices must run 0..{len(items) - 1} without gaps")
        value = [v for _, v in items]
    if not isinstance(value, list) or not value:
        raise WebedgeError(f"{where}: labels must be a non-empty list of strings")
    bad = next((i for i, v in enumerate(value) if not isinstance(v, str) or len(v) > MAX_LABEL_CHARS), None)
    if bad is not None:
        raise WebedgeError(f"{where}: label {bad} is not a string of at most {MAX_LABEL_CHARS} characters")
    return value


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line != ""]


def read_file(path: str | Path) -> dict[str, list[str]] | list[str]:
    """The labels a --labels file holds: {output: [names]} or one [names] list still to place."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WebedgeError(f"--labels {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WebedgeError(f"--labels {path}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        if path.suffix.lower() == ".json":
            raise WebedgeError(f"--labels {path}: not valid JSON") from None
        return _as_list(_lines(text), f"--labels {path}")
    if isinstance(data, dict) and data and all(isinstance(v, (list, dict)) for v in data.values()):
        return {str(k): _as_list(v, f"--labels {path}: '{k}'") for k, v in data.items()}
    return _as_list(data, f"--labels {path}")


def from_metadata(model: onnx.ModelProto) -> tuple[list[str], str] | None:
    """(labels, which key) from the model's metadata_props, or None when it names none."""
    props = {p.key: p.value for p in model.metadata_props}
    for key in METADATA_KEYS:
        if key in props:
            where = f"the model's metadata '{key}'"
            try:
                return _as_list(json.loads(props[key]), where), key
            except json.JSONDecodeError:
                return _as_list(_lines(props[key]), where), key
    if "character" in props:
        chars = [line for line in props["character"].split("\n")]
        chars = chars[:-1] if chars and chars[-1] == "" else chars
        return [CTC_BLANK, *_as_list(chars, "the model's metadata 'character'"), " "], "character"
    return None


def _classes(output: dict) -> int | str:
    return output["shape"][-1] if output["shape"] else 1


def place(labels: dict[str, list[str]] | list[str], outputs: list[dict], where: str) -> dict[str, list[str]]:
    """{output name: labels}, each checked against that output's last dim."""
    names = [o["name"] for o in outputs]
    if isinstance(labels, list):
        fits = [o for o in outputs if _classes(o) == len(labels)]
        if len(outputs) == 1:
            fits = outputs
        elif len(fits) != 1:
            raise WebedgeError(f"{where}: {len(labels)} labels fit {len(fits)} of the outputs {', '.join(names)}; "
                               "name the output: {\"<output>\": [labels...]}")
        labels = {fits[0]["name"]: labels}
    out = {}
    for name, names_list in labels.items():
        spec = next((o for o in outputs if o["name"] == name), None)
        if spec is None:
            raise WebedgeError(f"{where}: the model has no output '{name}' (its outputs: {', '.join(names)})")
        classes = _classes(spec)
        if isinstance(classes, int) and classes != len(names_list):
            raise WebedgeError(f"{where}: {len(names_list)} labels for output '{name}', whose last dim has "
                               f"{classes} classes")
        out[name] = names_list
    return out


def for_bundle(model: onnx.ModelProto, outputs: list[dict], labels_file: str | Path | None) -> dict[str, list[str]]:
    """The manifest's `labels`: from `labels_file` if given, else the model's metadata, else none.
    Labels found in metadata that do not fit any output are left out (an exporter's leftovers are
    not the user's error); a --labels file that does not fit is refused."""
    if labels_file is not None:
        return place(read_file(labels_file), outputs, f"--labels {labels_file}")
    found = from_metadata(model)
    if not found:
        return {}
    try:
        return place(found[0], outputs, f"the model's metadata '{found[1]}'")
    except WebedgeError:
        return {}
