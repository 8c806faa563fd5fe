"""`webedge demo`: the main job on the built-in default, end to end.

Fetches Magika's pretrained file-type model from its PyPI package, bundles it, feeds it the bytes
of real files found on this machine, runs it in headless Chromium, checks every output against
onnxruntime on the original model, and prints the labels, the report and the folder to open.
"""

from __future__ import annotations

import glob
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from . import pretrained
from .bundle import bundle
from .errors import CheckFailed
from .magika_features import features, load_config

# One file per kind where the machine has one; the Python install always supplies the last ones.
SAMPLE_GLOBS = ["/usr/share/**/*.png", "/usr/share/**/*.jpg", "/usr/share/doc/*/changelog.Debian.gz",
                "/usr/share/**/*.pdf", "/usr/share/**/*.html", "/usr/share/**/*.json", "/usr/share/**/*.xml",
                "/usr/share/**/*.css", "/usr/share/**/*.svg", "/usr/share/common-licenses/*"]


def sample_files(limit: int = 12) -> list[Path]:
    found: list[Path] = []
    for pattern in SAMPLE_GLOBS:
        for hit in sorted(glob.iglob(pattern, recursive=True))[:50]:
            p = Path(hit)
            if p.is_file() and p.stat().st_size >= 64:
                found.append(p)
                break
    std = Path(np.__file__).parent
    found += [Path(sys.executable).resolve(), Path(glob.__file__), std / "__init__.pyi", Path(np.__file__)]
    return [p for p in dict.fromkeys(found) if p.is_file()][:limit]


def run_demo(out: Path, backend: str = "wasm", network_preset: str = "none") -> int:
    from .testing import check
    from .testing.printing import print_report

    model = pretrained.fetch("magika")
    config = load_config(pretrained.fetch("magika", pretrained.MODELS["magika"].extras[0]))
    labels = config["target_labels_space"]
    files = sample_files()
    batch = np.stack([features(f.read_bytes()[:1 << 20] if f.stat().st_size < 1 << 20 else _ends(f), config)
                      for f in files])

    print(f"model   Magika standard_v3_3 (pip package magika {pretrained.MODELS['magika'].version}): {model}")
    bundle(model, out, ep=backend, force=True)
    print(f"bundle  {out.resolve()}\n")
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "inputs.npz"
        np.savez(npz, bytes=batch)
        report = check(out, model=model, inputs=npz, backend=backend, network_preset=network_preset)
    if report.browser_outputs:
        probs = report.browser_outputs["target_label"]
        print(f"{'file':<64} {'label (browser)':<16} score")
        for f, row in zip(files, probs):
            print(f"{str(f)[-64:]:<64} {labels[int(row.argmax())]:<16} {row.max():.3f}")
        print()
    print_report(report)
    print(f"\nopen it:  webedge serve {out}   (then visit http://127.0.0.1:8000/{_dims_query(out)})")
    if not report.ok:
        raise CheckFailed(f"{len(report.failures)} check(s) failed")
    return 0


def _ends(path: Path) -> bytes:
    """First and last 4 KiB of a big file (all Magika reads), without reading the middle."""
    with open(path, "rb") as f:
        head = f.read(4096)
        f.seek(-4096, 2)
        return head + f.read()


def _dims_query(out: Path) -> str:
    """`?dim=batch:1` for the symbolic dims of the bundle's inputs: the page asks for them otherwise."""
    manifest = json.loads((out / "model.json").read_text())
    names = dict.fromkeys(d for spec in manifest["inputs"] for d in spec["shape"] if isinstance(d, str))
    return "?" + "&".join(f"dim={name}:1" for name in names) if names else ""
