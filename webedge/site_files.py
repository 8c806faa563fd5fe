"""The files that make a bundle a web site on any static host, added once the bundle's tree is written.

`webedge bundle` writes the model's files (runtime, plan or graph, shards, manifest, page); this
adds, in the same staging folder and so atomically with them:
- the labels (`--labels FILE` or the model's metadata, webedge.labels) into model.json;
- `webedge.d.mts`, the loader's TypeScript types, beside `webedge.mjs`;
- `coi-serviceworker.js` (vendored from npm's coi-serviceworker 0.1.7, MIT, with its license
  file) and the page's `<script>` for it, unless `coi_worker=False`: on a host that sends no
  COOP/COEP headers it adds them to same-origin responses and reloads the page, so wasm
  threads work on GitHub Pages-like hosts. A small, well-used script does what we need, so it is
  vendored rather than rewritten;
- `_headers` (Netlify, Cloudflare Pages: webedge.hosting);
and updates report.json: their sizes, the labels' source, and any file over a host's per-file limit.
"""

from __future__ import annotations

import json
from pathlib import Path

import onnx

from . import labels as labels_mod
from . import manifest as manifest_mod
from . import report as report_mod
from .hosting import MAX_FILE_BYTES, headers_file, oversized
from .installation import packaged

TYPES = "runtime/webedge.d.mts"  # packaged paths (webedge.installation)
COI_WORKER = "runtime/coi-serviceworker.js"
COI_LICENSE = "runtime/coi-serviceworker.LICENSE"
COI_FILE = "coi-serviceworker.js"  # in the bundle: at its root, so its scope covers the whole folder
PAGE_MARK = "<!-- webedge:coi-serviceworker -->"
COI_TAG = f'<script src="{COI_FILE}"></script>'


def precheck(model: onnx.ModelProto, labels_file: str | Path | None, coi_worker: bool) -> None:
    """Before any expensive work: the packaged files this step copies exist (else an installation
    error), and a --labels file reads and fits the model's outputs (else one line)."""
    packaged(TYPES)
    if coi_worker:
        packaged(COI_WORKER), packaged(COI_LICENSE)
    if labels_file is not None:
        labels_mod.for_bundle(model, manifest_mod.build(model, [], {})["outputs"], labels_file)


def write_manifest(folder: Path, manifest: dict) -> None:
    """model.json as `webedge bundle` writes it, with each label list on one line (a long list
    would otherwise take a line per label)."""
    labels = manifest.get("labels")
    if not labels:
        (folder / "model.json").write_text(json.dumps(manifest, indent=1) + "\n")
        return
    marks = {name: f"@@labels:{i}@@" for i, name in enumerate(labels)}
    text = json.dumps({**manifest, "labels": marks}, indent=1)
    for name, mark in marks.items():
        text = text.replace(json.dumps(mark), json.dumps(labels[name]))
    (folder / "model.json").write_text(text + "\n")


def _account(report: dict, folder: Path, rel: str) -> None:
    """Add (or re-measure) one file in report.json's files and totals."""
    data = (folder / rel).read_bytes()
    entry = {"bytes": len(data), "gzip": report_mod.gzip_size(data)}
    old = report["files"].get(rel, {"bytes": 0, "gzip": 0})
    report["files"][rel] = entry
    report["files"] = dict(sorted(report["files"].items()))
    kind = report_mod.kind_of(rel)
    totals = report["totals"]
    if kind not in totals:
        totals[kind] = {"bytes": 0, "gzip": 0}
        totals["all"] = totals.pop("all")  # keep 'all' last
    for k in ("bytes", "gzip"):
        totals[kind][k] += entry[k] - old[k]
        totals["all"][k] += entry[k] - old[k]


def add(folder: Path, model: onnx.ModelProto, *, labels_file: str | Path | None = None,
        coi_worker: bool = True) -> dict:
    """Add the site files to the bundle tree in `folder`; return the updated report."""
    manifest = manifest_mod.read(folder)
    report = json.loads((folder / "report.json").read_text())
    changed = ["webedge.d.mts"]

    found = labels_mod.for_bundle(model, manifest["outputs"], labels_file)
    if found:
        manifest["labels"] = found
        manifest_mod.validate(manifest)
        write_manifest(folder, manifest)
        changed.append("model.json")
        source = f"--labels {Path(labels_file).name}" if labels_file else "the model's metadata"
        report["labels"] = {"source": source, "outputs": {k: len(v) for k, v in found.items()}}

    (folder / "webedge.d.mts").write_bytes(packaged(TYPES).read_bytes())
    page = folder / "index.html"
    if coi_worker:
        (folder / COI_FILE).write_bytes(packaged(COI_WORKER).read_bytes())
        (folder / "coi-serviceworker.LICENSE").write_bytes(packaged(COI_LICENSE).read_bytes())
        changed += [COI_FILE, "coi-serviceworker.LICENSE"]
    if page.is_file() and PAGE_MARK in page.read_text():
        page.write_text(page.read_text().replace(PAGE_MARK, COI_TAG if coi_worker else ""))
        changed.append("index.html")
    report["coi_worker"] = coi_worker

    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    (folder / "_headers").write_text(headers_file(files))
    changed.append("_headers")
    for rel in changed:
        _account(report, folder, rel)
    big = oversized(folder)
    if big:
        report["host_limits"] = {"max_file_bytes": MAX_FILE_BYTES, "over": big}
    (folder / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    return report
