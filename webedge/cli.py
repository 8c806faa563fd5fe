"""The `webedge` command line: bundle, test, serve, inspect, demo.

Every command turns a `WebedgeError` into one line on stderr and exit status 2, and a failed
check into exit status 1; no traceback reaches the user for a problem they can fix.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
from pathlib import Path

from . import __version__, progress
from .errors import CheckFailed, InstallationError, Interrupted, WebedgeError
from .humanize import human_bytes as _human


def cmd_bundle(a: argparse.Namespace) -> int:
    from .bundle import bundle

    report = bundle(a.model, a.out, backend=a.backend, ep=a.ep, shard_size=a.shard_size, force=a.force,
                    quantize=a.quantize, block_size=a.block_size, tolerance=a.tolerance, calibration=a.calibration_data,
                    compress=a.compress, labels=a.labels, coi_worker=a.coi_worker,
                    allow_inaccurate=a.allow_inaccurate, outputs=a.outputs)
    t = report["totals"]
    b = report["backend"]
    print(f"bundled {a.model} -> {a.out}  ({b['name']} {b.get('version', '')}, eps: {', '.join(b['eps'])}; "
          f"backend: {b.get('why', '')})")
    for kind in ("runtime", "model", "weights", "page", "all"):
        if kind in t:
            print(f"  {kind:<8} {_human(t[kind]['bytes']):>10} raw  {_human(t[kind]['gzip']):>10} gzip")
    p = report["params"]
    print(f"  {p['tensors']} weight tensors, {_human(p['bytes'])} in {p['shards']} shard(s); "
          f"{_human(p['inline_bytes'])} left inline")
    pr = report.get("pruning")
    if pr:
        dropped = "".join(f"; input '{n}' dropped (no kept node reads it)" for n in pr["inputs_dropped"])
        print(f"  pruned   to {', '.join(pr['outputs'])}: {pr['nodes_dropped']} node(s) and "
              f"{_human(pr['weight_bytes_dropped'])} of weights dropped with {', '.join(pr['dropped_outputs']) or 'no output'}"
              + dropped)
    q = report.get("quantization")
    if q:
        print_quantization(q)
        acc = q.get("accuracy") or {}
        if acc.get("checked") and acc.get("ok") and acc.get("worst"):
            w = acc["worst"]
            print(f"  accuracy {q['encoding']} vs float32 in onnxruntime on {acc['inputs']}: within tolerance "
                  f"(closest: '{w['output']}' cosine {w['cosine']:.5f}, max abs {w['max_abs']:.3g})")
        warning = acc.get("warning")
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
    for name, n in (report.get("labels") or {}).get("outputs", {}).items():
        print(f"  labels   {n} for output '{name}' (from {report['labels']['source']})")
    print("  threads  " + ("coi-serviceworker.js makes any host cross-origin isolated (after a reload on the first visit)"
                           if report.get("coi_worker") else "only where the host sends COOP/COEP (see _headers)"))
    for f in (report.get("host_limits") or {}).get("over", []):
        print(f"  note: {f['file']} is {f['bytes'] / 2**20:.1f} MiB, over the per-file limit of "
              f"{', '.join(f['refused_by'])}; host it elsewhere (docs/hosting.md)")
    return 0


def print_quantization(q: dict) -> None:
    """What --quantize did, over all the model's weight bytes: per encoding what was quantized,
    per reason what stayed as it was (int8-static's record has neither: one line of counts)."""
    if "quantized" not in q:
        kinds = ", ".join(f"{k} {n}" for k, n in q["tensors_by_encoding"].items())
        print(f"  quantized {q['encoding']}: {_human(q['fp32_bytes'])} of float32 weights -> {_human(q['bytes'])} "
              f"({q['ratio']:.1%}); tensors: {kinds}")
        return
    print(f"  quantized {q['encoding']}: all weights {_human(q['fp32_bytes'])} -> {_human(q['bytes'])} "
          f"({q['ratio']:.1%} of all weight bytes)")
    copies = sum(1 for t in q["tensors"] if t.get("same_as"))
    for enc, e in q["quantized"].items():
        print(f"    {enc:<6} {e['tensors']:>4} tensor(s) {_human(e['fp32_bytes']):>10} -> {_human(e['bytes'])}")
    if q.get("in_subgraphs"):
        print(f"    {q['in_subgraphs']} of them inside If/Loop/Scan bodies"
              + (f" ({copies} exact copies stored once)" if copies else ""))
    for why, e in q["kept"].items():
        print(f"    kept   {e['tensors']:>4} tensor(s) {_human(e['fp32_bytes']):>10}: {why}")


def cmd_test(a: argparse.Namespace) -> int:
    from .testing import check
    from .testing.budgets import from_config, parse_args
    from .testing.drivers import parse_browsers
    from .testing.compare import Tolerance
    from .testing.printing import print_report

    budgets = {**from_config(Path.cwd()), **parse_args(a.budget)}
    given = {k: v for k, v in (("atol", a.atol), ("rtol", a.rtol), ("min_cosine", a.min_cosine)) if v is not None}
    tolerance = None
    if given:
        from .manifest import read

        quant = read(Path(a.bundle)).get("quantization") if Path(a.bundle).is_dir() else None
        tolerance = Tolerance(**{**vars(Tolerance()), **((quant or {}).get("tolerance") or {}), **given})
    engines = parse_browsers(a.browser)
    for flag, target in (("--json", a.json), ("--html", a.html)):
        if target and not Path(target).absolute().parent.is_dir():
            raise WebedgeError(f"{flag} {target}: its folder does not exist")
    reports = []
    for i, engine in enumerate(engines):
        if i:
            print("\n" + "-" * 72 + "\n")
        report = check(a.bundle, model=a.model, inputs=a.inputs, dims=a.dim, backend=a.backend,
                       network_preset=a.network, warm_runs=a.runs, budgets=budgets, stream=not a.no_stream,
                       tolerance=tolerance, browser=engine, host=a.host, worker=a.worker, outputs=a.outputs,
                       simd=a.simd)
        print_report(report)
        reports.append(report)
    if a.json:
        data = [r.as_dict() for r in reports] if len(reports) > 1 else reports[0].as_dict()
        Path(a.json).write_text(json.dumps(data, indent=1) + "\n")
    if a.html:
        from .testing.html_report import write

        write(reports, Path(a.bundle), a.html)
        print(f"\nHTML report: {a.html}")
    failed = [r for r in reports if not r.ok]
    if failed:
        where = f" in {', '.join(r.browser for r in failed)}" if len(reports) > 1 else ""
        raise CheckFailed(f"{sum(len(r.failures) for r in failed)} check(s) failed{where}")
    return 0


def cmd_serve(a: argparse.Namespace) -> int:
    from .serve import serve

    serve(Path(a.bundle), a.host, a.port, isolate=not a.plain)
    return 0


def cmd_inspect(a: argparse.Namespace) -> int:
    from .inspection import inspect_path, print_inspection

    info = inspect_path(Path(a.target))
    if a.json:
        print(json.dumps(info, indent=1))
    else:
        print_inspection(info)
    return 0


def cmd_demo(a: argparse.Namespace) -> int:
    from . import demo_apps

    if a.list:
        print("\n".join(demo_apps.list_apps()))
        print("\nwebedge demo NAME -o DIR builds one into DIR and checks it in headless Chromium; "
              "plain `webedge demo` bundles Magika and checks it against onnxruntime")
        return 0
    if a.name is None:
        from .demo import run_demo

        return run_demo(Path(a.out or "webedge-demo"), backend=a.backend, network_preset=a.network)
    if a.backend != "wasm" or a.network != "none":
        raise WebedgeError("--backend and --network are for plain `webedge demo`; a named demo runs on wasm")
    return demo_apps.run(a.name, Path(a.out or f"webedge-demo-{a.name}"),
                         screenshots=Path(a.screenshots) if a.screenshots else None)


def _quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars (shown only on a terminal, on "
                   "stderr, for steps that take more than a second)")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit status 2) like every other error."""

    def error(self, message: str):
        raise WebedgeError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    from .bundle import DEFAULT_SHARD_SIZE, EPS

    p = _Parser(prog="webedge", description="Bundle an ONNX model into a static web site "
                                "that runs it in the browser, and prove it in headless Chromium.")
    p.add_argument("--version", action="version", version=f"webedge {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("bundle", help="bundle an ONNX model into a static folder")
    b.add_argument("model", help="the .onnx file")
    b.add_argument("-o", "--out", required=True, help="output folder (written atomically)")
    b.add_argument("--backend", default="auto", choices=["ort", "webedge", "auto"],
                   help="webedge: our own op-pruned wasm runtime (tens of kB; wasm only); ort: onnxruntime-web "
                   "(megabytes); auto: webedge when it runs every op, else ort, saying why (default: auto); "
                   "report.json has the exact bytes")
    b.add_argument("--ep", default="wasm", choices=EPS, help="execution provider the bundle ships (default: wasm; "
                   "webgpu also runs wasm)")
    b.add_argument("--shard-size", default=DEFAULT_SHARD_SIZE, help=f"target shard size (default {DEFAULT_SHARD_SIZE})")
    b.add_argument("--no-compress", dest="compress", action="store_false",
                   help="store shards as raw bytes (by default each is deflated, float words byte-shuffled first, "
                        "where that saves at least 3%%; the browser inflates them natively)")
    b.add_argument("--force", action="store_true", help="replace an existing output folder")
    b.add_argument("--labels", metavar="FILE", help="class names for the outputs: a JSON list (or {output: [names]}) "
                   "or one name per line; default: the model's metadata (labels/classes/names, PaddleOCR's character)")
    b.add_argument("--outputs", metavar="A,B", help="keep only these outputs: the graph is pruned to the nodes and "
                   "weights they need before anything else, so the bundle carries nothing the others alone use")
    b.add_argument("--no-coi-worker", dest="coi_worker", action="store_false",
                   help="leave out coi-serviceworker.js (which gives threads on hosts that send no COOP/COEP headers)")
    b.add_argument("--quantize", default="none", choices=["none", "fp16", "int8", "int4", "int8-static", "auto"],
                   help="weight encoding: fp16; int8 (per output channel); int4 (blocks, MatMul/Gemm/Gather weights; "
                   "others int8); int8-static (activations too, onnxruntime's QDQ, needs --calibration-data); "
                   "auto (smallest per tensor within --tolerance)")
    b.add_argument("--block-size", type=int, default=32, help="int4 block size (default 32)")
    b.add_argument("--tolerance", help="for --quantize auto: cosine=0.999, max_abs=0.01 or top1=0.99")
    b.add_argument("--calibration-data", help="inputs for int8-static/auto, and for the accuracy check of "
                   "fp16/int8/int4 (default: generated inputs): an .npz or a folder of .npz files")
    b.add_argument("--allow-inaccurate", action="store_true",
                   help="write a fp16/int8/int4 bundle that misses its encoding's tolerance against float32 "
                   "(measured in onnxruntime on the calibration inputs) with a warning, instead of refusing it")
    _quiet(b)
    b.set_defaults(func=cmd_bundle)

    t = sub.add_parser("test", help="check a bundle in headless Chromium against onnxruntime")
    t.add_argument("bundle", help="a folder written by `webedge bundle`")
    t.add_argument("--model", help="the original .onnx to compare against (default: the bundle's own graph)")
    t.add_argument("--inputs", help=".npz with one array per model input")
    t.add_argument("--dim", action="append", metavar="NAME=VALUE", help="value of a symbolic dimension")
    t.add_argument("--backend", choices=EPS, help="execution provider to run on (default: the bundle's first)")
    t.add_argument("--browser", default="chromium", help="chromium, firefox or webkit, or several with commas "
                   "(one report each; --json then writes a list); default chromium")
    t.add_argument("--budget", action="append", metavar="KEY=VALUE", help="fail when a measurement exceeds it")
    t.add_argument("--network", default="none", help="emulated network: none, 4g, 3g")
    t.add_argument("--host", default="isolated", choices=["isolated", "plain"],
                   help="isolated: serve with COOP/COEP headers (default); plain: no special headers, like GitHub "
                   "Pages, where only the bundle's coi-serviceworker.js can give threads")
    t.add_argument("--worker", action="store_true", help="load and run the model in a Web Worker "
                   "(the loader's worker: true)")
    t.add_argument("--outputs", metavar="A,B", help="load only these outputs' weights (the loader's outputs option), "
                   "run and compare only them, and report the weight bytes fetched (unlike `bundle --outputs`, "
                   "nothing is pruned)")
    t.add_argument("--simd", choices=["relaxed", "simd128"], help="webedge runtime: run this wasm kernel set "
                   "(the loader's simd option); default: relaxed SIMD where the browser has it, else SIMD128")
    t.add_argument("--runs", type=int, default=5, help="warm inferences to time (median reported)")
    t.add_argument("--no-stream", action="store_true", help="webedge runtime: download every weight before computing")
    t.add_argument("--atol", type=float, help="absolute tolerance (default 1e-4, or the quantized encoding's)")
    t.add_argument("--rtol", type=float, help="relative tolerance (default 1e-4, or the quantized encoding's)")
    t.add_argument("--min-cosine", type=float, help="least cosine similarity per output (default 0.9999)")
    t.add_argument("--json", help="also write the report as JSON here")
    t.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report here: load waterfall "
                   "(every request, phase marks), errors against onnxruntime, budgets, quantization")
    _quiet(t)
    t.set_defaults(func=cmd_test)

    s = sub.add_parser("serve", help="serve a bundle locally (COOP/COEP unless --plain, wasm MIME, immutable shards)")
    s.add_argument("bundle")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--plain", action="store_true", help="send no COOP/COEP headers, like GitHub Pages and most "
                   "static hosts (the bundle's service worker then has to isolate the page)")
    s.set_defaults(func=cmd_serve)

    i = sub.add_parser("inspect", help="describe a model or a bundle")
    i.add_argument("target", help="an .onnx file or a bundle folder")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_inspect)

    d = sub.add_parser("demo", help="the demo apps (--list); without a name: bundle Magika and run it on real files")
    d.add_argument("name", nargs="?", help="a demo app: magika, vad or ocr (see --list)")
    d.add_argument("--list", action="store_true", help="list the demo apps")
    d.add_argument("-o", "--out", help="where to write it (default ./webedge-demo, or ./webedge-demo-NAME)")
    d.add_argument("--screenshots", metavar="DIR", help="named demo: save its page at desktop and phone size here")
    d.add_argument("--backend", choices=EPS, default="wasm")
    d.add_argument("--network", default="none")
    _quiet(d)
    d.set_defaults(func=cmd_demo)
    return p


def _raise_interrupted(signum, frame):  # noqa: ARG001
    # Later signals are ignored so that the cleanup this one starts runs to its end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signum)


# The compiled extensions a command imports on its way. They are imported before the raising
# handlers go in, while a signal still just ends the process (console.py): an exception raised
# while an extension initialises unwinds through its C++ (nanobind, pybind11) and aborts or
# crashes the interpreter instead of reaching the cleanup (seen: SIGABRT, SIGSEGV).
EXTENSIONS = {cmd_bundle: ("onnxruntime",), cmd_inspect: ("onnxruntime",),
              cmd_test: ("onnxruntime", "playwright.sync_api"), cmd_demo: ("onnxruntime", "playwright.sync_api")}


def _import_extensions(func) -> None:
    for name in EXTENSIONS.get(func, ()):
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # the command itself says what is missing


def _stdout_gone() -> int:
    """stdout's reader went away (`webedge inspect M | head`): exit quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
    except (OSError, ValueError):
        pass
    return 141


def main(argv: list[str] | None = None, *, handle_signals: bool = False) -> int:
    """Run one command; `handle_signals` (the console script) turns SIGINT/SIGTERM into a clean exit."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if handle_signals:
            _import_extensions(args.func)
            signal.signal(signal.SIGINT, _raise_interrupted)
            signal.signal(signal.SIGTERM, _raise_interrupted)
        progress.enable(sys.stderr.isatty() and not getattr(args, "quiet", False))
        try:
            return args.func(args)
        finally:
            progress.enable(False)  # bars belong to this command only (main() may run again in-process)
    except CheckFailed as exc:
        print(f"webedge: {exc}", file=sys.stderr)
        return exc.exit_code
    except InstallationError as exc:
        print(f"webedge: internal error: {exc}", file=sys.stderr)
        return exc.exit_code
    except WebedgeError as exc:
        print(f"webedge: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return _stdout_gone()
    except (Interrupted, KeyboardInterrupt) as exc:
        code = exc.exit_code if isinstance(exc, Interrupted) else 130
        try:
            print(f"webedge: interrupted ({signal.Signals(code - 128).name}); nothing was left half-written",
                  file=sys.stderr)
        except (OSError, ValueError):
            pass
        return code


if __name__ == "__main__":
    sys.exit(main(handle_signals=True))
