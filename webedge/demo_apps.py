"""`webedge demo NAME -o DIR`: build one of the apps in demos/ into a folder and prove it works.

Each app is a static page with its own pre- and post-processing in JavaScript (demos/NAME/), on
real pretrained models from their PyPI packages. Building one: fetch the models, bundle each
into DIR/<folder>/ (webedge's runtime, labels where the model has them), copy the app, the shared
page code, its samples and the bundle's coi-serviceworker.js into DIR, and write DIR/report.json
(what the folder holds, so a later `webedge demo` may replace it). Then the page is opened in
headless Chromium from a server that sends no COOP/COEP (as GitHub Pages), at a desktop and a
phone viewport, with `?selftest`: it runs its shipped sample and leaves the result in
`window.demoResult`, which is checked against the sample's known answer (demos/NAME/samples/).
The page must not be wider than the viewport. Screenshots of both are kept where asked.

The demo sources are the package `webedge.demos` (pyproject maps it to the top-level demos/), so
they ship inside the wheel.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import outdir, pretrained, progress
from .bundle import bundle
from .errors import CheckFailed, InstallationError, WebedgeError

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
SELFTEST_TIMEOUT_MS = 300_000


def source_root() -> Path:
    """The folder holding the demo sources (demos/ in a checkout, webedge/demos in a wheel)."""
    spec = importlib.util.find_spec("webedge.demos")
    if spec is None or not spec.submodule_search_locations:
        raise InstallationError("webedge installation is incomplete: the demos (webedge.demos) are missing; "
                                "reinstall webedge (pip install --force-reinstall webedge)")
    return Path(list(spec.submodule_search_locations)[0])


@dataclass(frozen=True)
class DemoApp:
    name: str
    title: str
    bundles: dict[str, str]  # folder in DIR -> pretrained model name
    check: Callable[[dict, Path], list[str]]  # (page result, demo sources) -> failures
    describe: Callable[[dict], list[str]]  # page result -> lines to print
    extras: Callable[[Path, Path], None] = field(default=lambda out, tmp: None)  # files the app needs
    labels: Callable[[Path], Path | None] = field(default=lambda tmp: None)  # a --labels file for the bundle


# --- magika ----------------------------------------------------------------------------------------

def _magika_config() -> dict:
    return json.loads(pretrained.fetch("magika", pretrained.MODELS["magika"].extras[0]).read_text())


def _magika_labels(tmp: Path) -> Path:
    path = tmp / "magika-labels.json"
    path.write_text(json.dumps(_magika_config()["target_labels_space"]))
    return path


def _magika_extras(out: Path, tmp: Path) -> None:
    cfg = _magika_config()
    keep = ("beg_size", "end_size", "block_size", "padding_token", "min_file_size_for_dl",
            "medium_confidence_threshold", "thresholds", "overwrite_map")
    (out / "magika-config.json").write_text(json.dumps({k: cfg[k] for k in keep}, indent=1) + "\n")


def _magika_check(result: dict, src: Path) -> list[str]:
    expected = json.loads((src / "samples" / "expected.json").read_text())["labels"]
    got = {f["name"]: f for f in result.get("files", [])}
    failures = [f"{name}: expected {label}, the page says {got.get(name, {}).get('label')}"
                for name, label in expected.items() if got.get(name, {}).get("label") != label]
    failures += [f"{f['name']}: score {f['score']} is not a probability" for f in got.values()
                 if not (isinstance(f.get("score"), (int, float)) and 0 <= f["score"] <= 1)]
    return failures


def _magika_describe(result: dict) -> list[str]:
    return [f"  {f['name']:<16} {f['label']:<10} {100 * f['score']:5.1f}%" for f in result.get("files", [])]


# --- vad -------------------------------------------------------------------------------------------

VAD_TOLERANCE_S = 0.35  # speech onset/offset vs the clip's known loud parts (chunks are 32 ms; pads 30 ms)


def _vad_check(result: dict, src: Path) -> list[str]:
    expected = json.loads((src / "samples" / "speech.expected.json").read_text())["speech"]
    got = result.get("segments", [])
    if len(got) != len(expected):
        return [f"expected {len(expected)} speech segments, the page found {len(got)}: {got}"]
    failures = []
    for i, (g, e) in enumerate(zip(got, expected)):
        for key in ("start_s", "end_s"):
            if abs(g[key] - e[key]) > VAD_TOLERANCE_S:
                failures.append(f"segment {i} {key}: {g[key]:.2f} s, the clip has {e[key]:.2f} s "
                                f"(tolerance {VAD_TOLERANCE_S} s)")
    if not result.get("finite"):
        failures.append("some speech probabilities were not finite")
    return failures


def _vad_describe(result: dict) -> list[str]:
    lines = [f"  {result.get('chunks', 0)} chunks of 32 ms, speech probability max {result.get('maxProb', 0):.3f}"]
    lines += [f"  speech {s['start_s']:5.2f} s – {s['end_s']:5.2f} s" for s in result.get("segments", [])]
    return lines


# --- ocr -------------------------------------------------------------------------------------------

def _ocr_check(result: dict, src: Path) -> list[str]:
    expected = json.loads((src / "samples" / "text.expected.json").read_text())["lines"]
    got = [line["text"] for line in result.get("lines", [])]
    if got != expected:
        return [f"expected the lines {expected}, the page read {got}"]
    return []


def _ocr_describe(result: dict) -> list[str]:
    return [f"  {line['text']!r:<34} {100 * line['score']:5.1f}%  box {line['box']}" for line in result.get("lines", [])]


APPS = {
    "magika": DemoApp("magika", "file types of dropped files (Magika)", {"model": "magika"}, _magika_check,
                      _magika_describe, extras=_magika_extras, labels=_magika_labels),
    "vad": DemoApp("vad", "speech/no-speech timeline of a WAV file or the microphone (Silero VAD)",
                   {"model": "silero-vad"}, _vad_check, _vad_describe),
    "ocr": DemoApp("ocr", "text detection boxes and recognized lines of an image (PP-OCRv4 det + rec)",
                   {"det": "ppocr-det", "rec": "ppocr-rec"}, _ocr_check, _ocr_describe),
}


def list_apps() -> list[str]:
    return [f"{a.name:<8} {a.title}" for a in APPS.values()]


def _app(name: str) -> DemoApp:
    if name not in APPS:
        raise WebedgeError(f"unknown demo '{name}'; choose one of {', '.join(APPS)} (webedge demo --list)")
    return APPS[name]


def _copy_sources(src: Path, shared: Path, out: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "__init__.py", "make_*.py")
    shutil.copytree(src, out, dirs_exist_ok=True, ignore=ignore)
    shutil.copytree(shared, out / "shared", ignore=ignore)


def _file_list(folder: Path) -> dict:
    files = {p.relative_to(folder).as_posix(): {"bytes": p.stat().st_size} for p in sorted(folder.rglob("*")) if p.is_file()}
    files.pop("report.json", None)
    return files


def build(name: str, out: Path) -> dict:
    """Build demo `name` into `out` (replacing an earlier demo or bundle there); return its report."""
    app = _app(name)
    root = source_root()
    src, shared = root / name, root / "shared"
    if not (src / "index.html").is_file() or not (shared / "loading.mjs").is_file():
        raise InstallationError(f"webedge installation is incomplete: demos/{name} is missing files; reinstall webedge")
    out = Path(out).absolute()
    models = {folder: pretrained.fetch(model) for folder, model in app.bundles.items()}
    with tempfile.TemporaryDirectory() as scratch, outdir.staged(out, list(models.values()), force=True) as tmp:
        reports = {}
        with progress.bar(f"webedge demo {name}: bundling", total=len(models), unit="model") as bar:
            for folder, model in models.items():
                reports[folder] = bundle(model, tmp / folder, backend="webedge", labels=app.labels(Path(scratch)))
                bar.update(1)
        _copy_sources(src, shared, tmp)
        first = next(iter(app.bundles))
        for f in ("coi-serviceworker.js", "coi-serviceworker.LICENSE"):
            shutil.copyfile(tmp / first / f, tmp / f)  # at the top: a service worker controls its folder and below
        app.extras(tmp, Path(scratch))
        report = {"demo": name, "title": app.title,
                  "bundles": {f: {"model": str(models[f]), "backend": r["backend"]["name"], "totals": r["totals"]}
                              for f, r in reports.items()},
                  "files": _file_list(tmp)}  # every file, so that a later `webedge demo` may replace the folder
        (tmp / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    return report


def selftest(name: str, out: Path, screenshots: Path | None = None) -> dict:
    """Open the built demo headless at each viewport; return {viewport: page result} plus failures."""
    from .serve import BundleServer
    from .testing import browser

    app = _app(name)
    server = BundleServer(Path(out), isolate=False).start()  # no COOP/COEP: the service worker's job
    results: dict = {"failures": []}
    try:
        with browser.launch(webgpu=False) as chromium, \
                progress.bar(f"webedge demo {name}: running in Chromium", total=len(VIEWPORTS), unit="page") as bar:
            for view, (width, height) in VIEWPORTS.items():
                context = chromium.new_context(viewport={"width": width, "height": height})
                try:
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda e: errors.append(str(e)))
                    page.goto(server.url + "index.html?selftest")
                    page.wait_for_function("window.demoResult !== undefined", timeout=SELFTEST_TIMEOUT_MS)
                    page.wait_for_timeout(200)  # let the last paint land before measuring and the screenshot
                    result = page.evaluate("window.demoResult")
                    result["pageWidth"] = page.evaluate("document.documentElement.scrollWidth")
                    result["pageErrors"] = errors
                    if screenshots is not None:
                        screenshots.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(screenshots / f"{name}-{view}.png"), full_page=True)
                finally:
                    context.close()
                results[view] = result
                if result.get("error"):
                    results["failures"].append(f"{view}: the page failed: {result['error']}")
                    continue
                results["failures"] += [f"{view}: {f}" for f in app.check(result, source_root() / name)]
                if result["pageWidth"] > width:
                    results["failures"].append(f"{view}: the page is {result['pageWidth']} px wide in a {width} px viewport")
                results["failures"] += [f"{view}: page error: {e}" for e in errors]
                bar.update(1)
    finally:
        server.stop()
    return results


def run(name: str, out: Path, screenshots: Path | None = None) -> int:
    """The CLI's `webedge demo NAME`: build, check headless, print the answer, PASS and where to look."""
    app = _app(name)
    report = build(name, out)
    print(f"demo    {name}: {app.title}")
    for folder, b in report["bundles"].items():
        print(f"bundle  {Path(out) / folder}  ({b['backend']}; {b['totals']['all']['gzip'] / 1e6:.2f} MB gzip) "
              f"<- {b['model']}")
    results = selftest(name, out, screenshots)
    desktop = results.get("desktop", {})
    print(f"\nin headless Chromium, served with no COOP/COEP headers: {desktop.get('backend', '?')}, "
          f"{desktop.get('threadsWhy', '?')}")
    for line in app.describe(desktop):
        print(line)
    if screenshots is not None:
        print(f"screenshots: {', '.join(str(screenshots / f'{name}-{v}.png') for v in VIEWPORTS)}")
    print(f"\nopen it:  webedge serve --plain {out}   (then visit http://127.0.0.1:8000/)")
    if results["failures"]:
        for f in results["failures"]:
            print(f"FAIL {f}")
        raise CheckFailed(f"{len(results['failures'])} check(s) failed")
    print("PASS")
    return 0
