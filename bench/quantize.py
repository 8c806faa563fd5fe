"""What `--quantize` buys and costs, measured on real models in headless Chromium.

Run:  python bench/quantize.py                                   (all four models, ~6 minutes here)
      python bench/quantize.py --models magika --files 1024      (Magika only)
      python bench/quantize.py --append-results bench/RESULTS.md --date 2026-11-25

Part 1, a table per model (Magika, Silero VAD, PP-OCR cls, PP-OCR det): for every encoding
(fp32 = no quantization, fp16, int8, int4, int8-static, auto) on both backends (onnxruntime-web
`ort`, webedge's own runtime `webedge`), the model is bundled into a temporary folder and opened in
headless Chromium with `webedge.testing.check` (warm_runs=0, reload=False). Columns:
  weights, gzip   bytes of the files under weights/ in report.json, raw and gzip -9
  ratio           weights raw / the fp32 bundle's weights raw, same backend
  max abs, cosine the browser's outputs vs Python onnxruntime on the float32 ORIGINAL, one value
                  per output (Silero: output, stateN)
  check           PASS/FAIL of `check` with the tolerance the bundle's manifest carries for its
                  encoding (fp32: the default 1e-4); a FAIL names the output that missed
  bundle s        wall time of `webedge.bundle` (auto and int8-static include their calibration,
                  fp16/int8/int4 their accuracy check in onnxruntime on the same calibration data)
Inputs: Magika, four real files of this machine as features (batch 4) and calibration data of 16
other real files; Silero VAD, 512 samples of a 440 Hz tone plus noise at 16 kHz, zero state,
sr=16000 (int64), calibration four other tones/noise; PP-OCR cls, a 48x192 text-line-like image
(dark bars on a light background, normalised as PaddleOCR does); PP-OCR det, a 96x160 page-like
image. `auto` is asked for top1=0.99 on Magika and cosine=0.999 on the others.

Part 2, Magika agreement: >= --files real files read from this machine (walking /usr/share,
/usr/lib, /usr/include, /etc, /usr/bin; files under 64 bytes, links and unreadable ones skipped;
a seeded sample that takes at most 24 files per extension first, for variety; only the head and
tail blocks Magika looks at are read). Their features go through ONE int8 bundle per backend in
batches of 128 (an .npz per batch, `check(..., inputs=npz)`), and the browser's top label is
compared with Python onnxruntime's on the float32 original. Target: >= 99.5% agreement.

MLP (`--models mlp`, not in the default list): the 256->1024->256->10 Relu MLP with seeded
random-normal weights of tests/models.py `relu_mlp_model` (issue 13's int4 case), fp32/fp16/int8/int4
on both backends, each bundle checking itself on bundle's four generated input sets; the browser is
fed a seeded batch of 64 rows uniform in [0, 1). Target: int4 cosine >= 0.99 in <= 16% of the fp32
weight bytes.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from webedge import pretrained
from webedge.bundle import bundle
from webedge.errors import WebedgeError
from webedge.magika_features import features, load_config
from webedge.testing import check

ENCODINGS = ["none", "fp16", "int8", "int4", "int8-static", "auto"]
MLP_ENCODINGS = ["none", "fp16", "int8", "int4"]  # no calibration data for int8-static, no budget for auto
MLP_INT4 = {"cosine": 0.99, "ratio": 0.16}  # issue 13's target for the MLP at int4
BACKENDS = ["ort", "webedge"]
AUTO_TOLERANCE = {"magika": "top1=0.99"}  # others: cosine=0.999
ROOTS = ["/usr/share", "/usr/lib", "/usr/include", "/etc", "/usr/bin"]
BATCH = 128
AGREEMENT_TARGET = 0.995  # Magika int8 vs fp32, top-1, in the browser (issue 13)


# ---------------------------------------------------------------- inputs


def magika_config() -> dict:
    return load_config(pretrained.fetch("magika", pretrained.MODELS["magika"].extras[0]))


def read_ends(path: Path, block: int) -> bytes | None:
    """The first and last `block` bytes of a file (all Magika reads), or None if unreadable."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(block)
            if size > block:
                f.seek(max(block, size - block))
                data += f.read(block)
            return data
    except OSError:
        return None


def walk_files(roots: list[str]) -> list[Path]:
    found = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                if os.path.islink(p) or not os.path.isfile(p) or st.st_size < 64:
                    continue
                found.append(Path(p))
    return found


def sample_files(files: list[Path], n: int, seed: int = 0) -> list[Path]:
    """Up to 24 files per extension first (so .gz/.py/.pyc do not crowd out the rest), then random."""
    rng = np.random.default_rng(seed)
    by_ext: dict[str, list[Path]] = collections.defaultdict(list)
    for p in files:
        by_ext[p.suffix.lower() or "(none)"].append(p)
    chosen: list[Path] = []
    for ext in sorted(by_ext):
        group = by_ext[ext]
        idx = rng.permutation(len(group))[:24]
        chosen += [group[i] for i in idx]
    if len(chosen) > n:
        chosen = [chosen[i] for i in sorted(rng.permutation(len(chosen))[:n])]
    else:
        rest = sorted(set(files) - set(chosen))
        chosen += [rest[i] for i in rng.permutation(len(rest))[: n - len(chosen)]]
    return chosen


def magika_rows(paths: list[Path], config: dict) -> tuple[np.ndarray, list[Path]]:
    rows, kept = [], []
    for p in paths:
        data = read_ends(p, config["block_size"])
        if data is None:
            continue
        rows.append(features(data, config))
        kept.append(p)
    return (np.stack(rows) if rows else np.zeros((0, 2048), np.int32)), kept


def tone(freq: float, seed: int, noise: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(512) / 16000
    return (0.3 * np.sin(2 * np.pi * freq * t) + noise * rng.standard_normal(512)).astype(np.float32)[None]


def silero_feeds(audio: np.ndarray) -> dict:
    return {"input": audio, "state": np.zeros((2, 1, 128), np.float32), "sr": np.array(16000, np.int64)}


def text_image(h: int, w: int, rows: list[int], seed: int) -> np.ndarray:
    """Dark word-shaped bars on a light background, normalised (x/255 - 0.5)/0.5, NCHW."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 235, np.float32)
    bar = max(8, h // 4 if len(rows) == 1 else 14)
    for y in rows:
        x = 8
        while x < w - 20:
            width = int(rng.integers(4, 14))
            img[y:y + bar, x:x + width] = rng.integers(10, 60)
            x += width + int(rng.integers(2, 6))
    return ((img / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None].astype(np.float32)


def mlp_model_file(root: Path) -> Path:
    """tests/models.py's relu_mlp_model (256-1024-256-10, seeded), saved under `root`."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from models import relu_mlp_model, save

    return save(relu_mlp_model(), root / "mlp.onnx")


def model_data(name: str, root: Path, magika_inputs: np.ndarray | None, magika_calib: np.ndarray | None):
    """(inputs .npz, calibration folder, or None for bundle's own generated inputs) for one model."""
    folder = root / name
    (folder / "calibration").mkdir(parents=True)
    inputs = folder / "inputs.npz"
    if name == "magika":
        np.savez(inputs, bytes=magika_inputs)
        for i in range(0, len(magika_calib), 8):
            np.savez(folder / "calibration" / f"set{i // 8}.npz", bytes=magika_calib[i:i + 8])
    elif name == "silero-vad":
        np.savez(inputs, **silero_feeds(tone(440, 7)))
        for i, (f, noise) in enumerate([(220, 0.05), (880, 0.02), (300, 0.2), (0, 0.1)]):
            np.savez(folder / "calibration" / f"set{i}.npz", **silero_feeds(tone(f, 100 + i, noise)))
    elif name == "ppocr-cls":
        np.savez(inputs, x=text_image(48, 192, [17], 3))
        for i in range(4):
            np.savez(folder / "calibration" / f"set{i}.npz", x=text_image(48, 192, [10 + 4 * i], 20 + i))
    elif name == "mlp":
        np.savez(inputs, x=np.random.default_rng(9).random((64, 256), np.float32))
        return inputs, None
    elif name == "ppocr-det":
        np.savez(inputs, x=text_image(96, 160, [12, 40, 68], 3))
        for i in range(3):
            np.savez(folder / "calibration" / f"set{i}.npz", x=text_image(96, 160, [8 + 5 * i, 44, 70 - 3 * i], 30 + i))
    return inputs, folder / "calibration"


# ---------------------------------------------------------------- part 1: the tables


def weights_of(report: dict) -> tuple[int, int]:
    files = [f for name, f in report["files"].items() if name.startswith("weights/")]
    return sum(f["bytes"] for f in files), sum(f["gzip"] for f in files)


def run_case(name: str, model: Path, encoding: str, backend: str, inputs: Path, calib: Path, work: Path) -> dict:
    out = work / f"{name}-{encoding}-{backend}"
    tolerance = AUTO_TOLERANCE.get(name, "cosine=0.999") if encoding == "auto" else None
    row = {"model": name, "encoding": encoding if encoding != "none" else "fp32", "backend": backend,
           "tolerance": tolerance}
    t0 = time.perf_counter()
    try:
        # every encoding gets the model's real calibration data: fp16/int8/int4 check their accuracy
        # on it before writing (on generated noise Magika int8 is refused, Silero's is not checked)
        rep = bundle(model, out, backend=backend, quantize=encoding, tolerance=tolerance,
                     calibration=calib if encoding != "none" else None)
    except WebedgeError as exc:
        row.update(error=f"bundle: {exc}", bundle_s=time.perf_counter() - t0)
        return row
    except Exception as exc:  # noqa: BLE001 - a crash is a finding too: record it, measure the rest
        first = (str(exc).strip().splitlines() or [""])[0]
        row.update(error=f"bundle crashed ({type(exc).__name__}): {first[-160:]}", bundle_s=time.perf_counter() - t0)
        return row
    row["bundle_s"] = time.perf_counter() - t0
    row["weights"], row["gzip"] = weights_of(rep)
    q = rep.get("quantization") or {}
    row["mix"] = q.get("tensors_by_encoding")
    t1 = time.perf_counter()
    try:
        report = check(out, model=model, inputs=inputs, warm_runs=0, reload=False)
    except WebedgeError as exc:
        row.update(error=f"check: {exc}")
        return row
    row["check_s"] = time.perf_counter() - t1
    row["outputs"] = [(c.name, c.max_abs, c.cosine) for c in report.outputs]
    row["ok"] = report.ok
    row["failures"] = report.failures
    shutil.rmtree(out, ignore_errors=True)
    return row


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def table(rows: list[dict]) -> list[str]:
    fp32 = {(r["model"], r["backend"]): r.get("weights") for r in rows if r["encoding"] == "fp32"}
    lines = ["| encoding | backend | weights | gzip | ratio | max abs | cosine | check | bundle s |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        base = fp32.get((r["model"], r["backend"]))
        ratio = f"{r['weights'] / base:.3f}" if r.get("weights") and base else "-"
        enc = r["encoding"] + (f" ({r['tolerance']})" if r.get("tolerance") else "")
        if "outputs" in r:
            maxabs = " / ".join(f"{m:.2e}" for _, m, _ in r["outputs"])
            cos = " / ".join(f"{c:.6f}" for _, _, c in r["outputs"])
            verdict = "PASS" if r["ok"] else "FAIL " + "; ".join(
                f.split(":")[0].replace("output ", "") if f.startswith("output") else f[:90] for f in r["failures"])
        else:
            maxabs = cos = "-"
            verdict = "ERROR " + r.get("error", "")[:200].replace("|", "/")
        lines.append(f"| {enc} | {r['backend']} | {fmt_bytes(r.get('weights'))} | {fmt_bytes(r.get('gzip'))} | "
                     f"{ratio} | {maxabs} | {cos} | {verdict} | {r['bundle_s']:.1f} |")
    return lines


def mlp_verdict(rows: list[dict]) -> tuple[list[str], bool]:
    """The MLP's int4 rows against issue 13's target, one line per backend; (lines, all met)."""
    fp32 = {r["backend"]: r.get("weights") for r in rows if r["encoding"] == "fp32"}
    lines, met = [""], True
    for r in rows:
        if r["encoding"] not in ("int8", "int4"):
            continue
        if "outputs" not in r or not fp32.get(r["backend"]):
            lines.append(f"MLP {r['encoding']} on {r['backend']}: not measured ({r.get('error', 'no fp32 bundle')})")
            met = met and r["encoding"] != "int4"
            continue
        _, max_abs, cosine = r["outputs"][0]
        ratio = r["weights"] / fp32[r["backend"]]
        line = (f"MLP {r['encoding']} on {r['backend']}: cosine {cosine:.4f}, max abs {max_abs:.3g}, "
                f"weights {r['weights']:,} B = {ratio:.1%} of fp32 ({fp32[r['backend']]:,} B)")
        if r["encoding"] == "int4":
            ok = cosine >= MLP_INT4["cosine"] and ratio <= MLP_INT4["ratio"]
            met = met and ok
            line += (f"; target cosine >= {MLP_INT4['cosine']} at <= {MLP_INT4['ratio']:.0%}: "
                     + ("met" if ok else "MISSED"))
        lines.append(line + "  ")
    return lines, met


def notes(name: str, rows: list[dict]) -> list[str]:
    """What the table alone does not say, from the rows just measured."""
    if name != "silero-vad":
        return []
    w = {(r["encoding"], r["backend"]): r.get("weights") for r in rows}
    if not all(w.get((e, b)) for e in ("fp32", "int8") for b in ("ort", "webedge")):
        return []
    return ["", f"Silero VAD: int8 shrinks the ort bundle to {w['int8', 'ort'] / w['fp32', 'ort']:.0%} of fp32 but the "
            f"webedge bundle only to {w['int8', 'webedge'] / w['fp32', 'webedge']:.0%}. In the original graph every "
            "weight is a main-graph initializer (the LSTM's weight_ih/weight_hh are read through Slice nodes inside "
            "the 8 kHz and 16 kHz If branches), so weight-only quantization reaches them all, with per-tensor "
            "scales for the LSTM weights since their consumers sit in subgraphs. webedge's runtime gets the graph "
            "after its own constant folding, which turns those slices into per-gate constants held inside each "
            f"If branch ({fmt_bytes(w['fp32', 'webedge'] - w['fp32', 'ort'])} more fp32 than the ort bundle: the "
            "LSTM weights twice, once per branch); quantization touches only main-graph initializers, so those "
            "stay float32. On ort int8 the VAD probability moves by ~1e-3 but stateN fails the int8 tolerance: "
            "one cell-state unit flips sign (this recurrent state is very sensitive to the LSTM input weights; "
            "quantizing weight_ih or encoder.2 alone does it in Python onnxruntime too)."]


# ---------------------------------------------------------------- part 2: Magika agreement


def agreement(model: Path, rows: np.ndarray, paths: list[Path], labels: list[str], work: Path,
              backends: list[str]) -> tuple[list[str], dict]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    ref = np.concatenate([session.run(None, {"bytes": rows[i:i + BATCH]})[0] for i in range(0, len(rows), BATCH)])
    ref_label = ref.argmax(-1)
    lines, result = [], {}
    kinds = collections.Counter(labels[i] for i in ref_label)
    lines.append(f"{len(rows)} files, {len(kinds)} distinct fp32 labels; most common: "
                 + ", ".join(f"{k} {n}" for k, n in kinds.most_common(12)))
    lines.append("")
    lines.append("| bundle | backend | files | agree | agreement | batches within int8 tolerance | time s |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for backend in backends:
        out = work / f"agree-int8-{backend}"
        t0 = time.perf_counter()
        np.savez(work / "agree-calibration.npz", bytes=rows[:BATCH])  # real files: int8 checks itself on them
        bundle(model, out, backend=backend, quantize="int8", calibration=work / "agree-calibration.npz")
        got, passed = [], 0
        for i in range(0, len(rows), BATCH):
            npz = work / f"batch{i // BATCH}.npz"
            np.savez(npz, bytes=rows[i:i + BATCH])
            report = check(out, model=model, inputs=npz, warm_runs=0, reload=False)
            if "target_label" not in report.browser_outputs:
                raise SystemExit(f"browser run failed on batch {i // BATCH}: {report.failures}")
            got.append(report.browser_outputs["target_label"])
            passed += report.ok
        probs = np.concatenate(got)
        same = probs.argmax(-1) == ref_label
        seconds = time.perf_counter() - t0
        nb = -(-len(rows) // BATCH)
        lines.append(f"| int8 | {backend} | {len(rows)} | {int(same.sum())} | {same.mean():.2%} | {passed}/{nb} | "
                     f"{seconds:.0f} |")
        result[backend] = {"agreement": float(same.mean()), "files": len(rows),
                           "disagree": [(str(paths[j]), labels[ref_label[j]], labels[probs[j].argmax()],
                                         float(ref[j].max()), float(probs[j].max())) for j in np.flatnonzero(~same)]}
        shutil.rmtree(out, ignore_errors=True)
    lines.append("")
    for backend, r in result.items():
        for path, want, have, p_ref, p_q in r["disagree"][:10]:
            lines.append(f"- {backend} disagrees on {path}: fp32 {want} ({p_ref:.2f}), int8 {have} ({p_q:.2f})")
    return lines, result


# ---------------------------------------------------------------- main


def chromium_version() -> str:
    for exe in (os.environ.get("WEBEDGE_CHROMIUM"), shutil.which("chromium"), shutil.which("google-chrome")):
        if exe:
            try:
                text = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20).stdout
                return " ".join(w for w in text.split()[:2])
            except (OSError, subprocess.SubprocessError):
                pass
    return "Chromium (version unknown)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="magika,silero-vad,ppocr-cls,ppocr-det",
                    help="comma-separated; also 'mlp' (issue 13's int4 MLP, not in the default)")
    ap.add_argument("--backends", default="ort,webedge")
    ap.add_argument("--files", type=int, default=1024, help="real files for the Magika agreement check (0: skip)")
    ap.add_argument("--append-results", help="append the tables to this markdown file (e.g. bench/RESULTS.md)")
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    a = ap.parse_args(argv)
    known = {"magika", "silero-vad", "ppocr-cls", "ppocr-det", "mlp"}
    unknown = [m for m in a.models.split(",") if m not in known] + [
        b for b in a.backends.split(",") if b not in BACKENDS]
    if unknown:
        print(f"bench/quantize.py: unknown model or backend {', '.join(unknown)}; models: {', '.join(sorted(known))}, "
              f"backends: {', '.join(BACKENDS)}", file=sys.stderr)
        return 2
    if a.files < 0:
        print(f"bench/quantize.py: --files must be >= 0, got {a.files}", file=sys.stderr)
        return 2
    logging.getLogger().setLevel(logging.ERROR)  # onnxruntime's quantizer advises pre-processing
    models, backends = a.models.split(","), a.backends.split(",")
    started = time.perf_counter()
    md: list[str] = []

    config = magika_config()
    labels = config["target_labels_space"]
    sample: list[Path] = []
    if "magika" in models:
        t0 = time.perf_counter()
        everything = walk_files(ROOTS)
        sample = sample_files(everything, a.files + 16 + 64)  # spare for unreadable files
        print(f"walked {len(everything)} files of >= 64 bytes in {time.perf_counter() - t0:.1f} s", flush=True)
    fixed = [Path(sys.executable).resolve(), Path(np.__file__), Path("/etc/passwd"),
             Path("/usr/share/common-licenses/GPL-3"), Path("/usr/include/stdio.h"), Path(json.__file__)]
    fixed = [p for p in fixed if p.is_file() and p.stat().st_size >= 64][:4]
    magika_inputs, _ = magika_rows(fixed, config)
    calib_rows, calib_paths = magika_rows([p for p in sample if p not in fixed][:16], config)

    with tempfile.TemporaryDirectory(prefix="webedge-bench-quantize-") as tmp:
        work = Path(tmp)
        mlp_met = True
        for name in models:
            model = mlp_model_file(work) if name == "mlp" else pretrained.fetch(name)
            inputs, calib = model_data(name, work / "data", magika_inputs, calib_rows)
            rows = []
            for encoding in (MLP_ENCODINGS if name == "mlp" else ENCODINGS):
                for backend in backends:
                    row = run_case(name, model, encoding, backend, inputs, calib, work)
                    rows.append(row)
                    detail = (f"{row.get('weights', 0):>9} B, " + ", ".join(f"{o}: {m:.2e}/{c:.6f}" for o, m, c in row["outputs"])
                              + f", {'PASS' if row['ok'] else 'FAIL'}") if "outputs" in row else row.get("error", "")
                    print(f"  {name:<10} {row['encoding']:<11} {backend:<8} {detail}  "
                          f"[bundle {row['bundle_s']:.1f} s, check {row.get('check_s', 0):.1f} s]", flush=True)
            outs = ", ".join(o for o, _, _ in rows[0].get("outputs", [])) or "-"
            extra, met = mlp_verdict(rows) if name == "mlp" else (notes(name, rows), True)
            mlp_met = mlp_met and met
            md += ["", f"#### {name} (outputs: {outs})", ""] + table(rows) + extra
            print("\n".join(md[-(len(rows) + 4 + len(extra)):]), flush=True)

        agree_result = {}
        if "magika" in models and a.files > 0:
            rows, paths = magika_rows([p for p in sample if p not in set(calib_paths) | set(fixed)], config)
            rows, paths = rows[:a.files], paths[:a.files]
            print(f"\nMagika agreement on {len(rows)} real files, batches of {BATCH}", flush=True)
            lines, agree_result = agreement(pretrained.fetch("magika"), rows, paths, labels, work, backends)
            md += ["", "#### Magika: int8 in the browser vs fp32 onnxruntime, top label on real files", ""] + lines
            print("\n".join(lines), flush=True)
    total = time.perf_counter() - started
    print(f"\ntotal {total:.0f} s")

    if a.append_results:
        machine = (f"{os.cpu_count()} cores, {platform.machine()}, {chromium_version()} headless "
                   "(wasm backends on the CPU; SwiftShader not involved)")
        args = list(sys.argv[1:] if argv is None else argv)
        for flag in ("--append-results", "--date"):  # where the text goes is not part of the measurement
            if flag in args:
                i = args.index(flag)
                del args[i:i + 2]
        cmd = " ".join(["python bench/quantize.py", *args])
        head = ["", "## Quantization", "", f"Command: `{cmd}` ({total / 60:.1f} minutes)  ",
                f"Date: {a.date}  ", f"Machine: {machine}", "",
                "Weights are the bytes under weights/ in report.json (gzip -9 beside them); ratio is against the "
                "fp32 bundle of the same backend. max abs / cosine: the browser's outputs against Python "
                "onnxruntime on the float32 original, per output. check: `webedge.testing.check` with the "
                "tolerance the manifest carries for the encoding (fp32: 1e-4)."]
        path = Path(a.append_results)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as f:
            if path.stat().st_size == 0:
                f.write("# Benchmark results\n")
            f.write("\n".join(head + md) + "\n")
        print(f"appended to {path}")
    bad = [b for b, r in agree_result.items() if r["agreement"] < AGREEMENT_TARGET]
    return 1 if bad or not mlp_met else 0


if __name__ == "__main__":
    sys.exit(main())
