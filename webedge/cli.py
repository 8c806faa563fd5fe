"""The `webedge` command line: bundle, test, serve, inspect, demo.

Every command turns a `WebedgeError` into one line on stderr and exit status 2, and a failed
check into exit status 1; no traceback reaches the user for a problem they can fix.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import CheckFailed, WebedgeError
from .humanize import human_bytes as _human


def cmd_bundle(a: argparse.Namespace) -> int:
    from .bundle import bundle

    report = bundle(a.model, a.out, backend=a.backend, ep=a.ep, shard_size=a.shard_size, force=a.force,
                    quantize=a.quantize, block_size=a.block_size, tolerance=a.tolerance, calibration=a.calibration_data,
                    compress=a.compress)
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
    q = report.get("quantization")
    if q:
        kinds = ", ".join(f"{k} {n}" for k, n in q["tensors_by_encoding"].items())
        print(f"  quantized {q['encoding']}: {_human(q['fp32_bytes'])} of float32 weights -> {_human(q['bytes'])} "
              f"({q['ratio']:.1%}); tensors: {kinds}")
    return 0


def cmd_test(a: argparse.Namespace) -> int:
    from .testing import check
    from .testing.budgets import from_config, parse_args
    from .testing.compare import Tolerance
    from .testing.printing import print_report

    budgets = {**from_config(Path.cwd()), **parse_args(a.budget)}
    given = {k: v for k, v in (("atol", a.atol), ("rtol", a.rtol), ("min_cosine", a.min_cosine)) if v is not None}
    tolerance = None
    if given:
        from .manifest import read

        quant = read(Path(a.bundle)).get("quantization") if Path(a.bundle).is_dir() else None
        tolerance = Tolerance(**{**vars(Tolerance()), **((quant or {}).get("tolerance") or {}), **given})
    report = check(a.bundle, model=a.model, inputs=a.inputs, dims=a.dim, backend=a.backend,
                   network_preset=a.network, warm_runs=a.runs, budgets=budgets, stream=not a.no_stream,
                   tolerance=tolerance)
    print_report(report)
    if a.json:
        Path(a.json).write_text(json.dumps(report.as_dict(), indent=1) + "\n")
    if not report.ok:
        raise CheckFailed(f"{len(report.failures)} check(s) failed")
    return 0


def cmd_serve(a: argparse.Namespace) -> int:
    from .serve import serve

    serve(Path(a.bundle), a.host, a.port)
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
    from .demo import run_demo

    return run_demo(Path(a.out), backend=a.backend, network_preset=a.network)


def build_parser() -> argparse.ArgumentParser:
    from .bundle import DEFAULT_SHARD_SIZE, EPS

    p = argparse.ArgumentParser(prog="webedge", description="Bundle an ONNX model into a static web site "
                                "that runs it in the browser, and prove it in headless Chromium.")
    p.add_argument("--version", action="version", version=f"webedge {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("bundle", help="bundle an ONNX model into a static folder")
    b.add_argument("model", help="the .onnx file")
    b.add_argument("-o", "--out", required=True, help="output folder (written atomically)")
    b.add_argument("--backend", default="auto", choices=["ort", "webedge", "auto"],
                   help="webedge: our own op-pruned wasm runtime (34-38 kB gzip for the real models; wasm only); ort: onnxruntime-web "
                   "(3.7 MB gzip); auto: webedge when it runs every op, else ort, saying why (default: auto)")
    b.add_argument("--ep", default="wasm", choices=EPS, help="execution provider the bundle ships (default: wasm; "
                   "webgpu also runs wasm)")
    b.add_argument("--shard-size", default=DEFAULT_SHARD_SIZE, help=f"target shard size (default {DEFAULT_SHARD_SIZE})")
    b.add_argument("--no-compress", dest="compress", action="store_false",
                   help="store shards as raw bytes (by default each is deflated, float words byte-shuffled first, "
                        "where that saves at least 3%%; the browser inflates them natively)")
    b.add_argument("--force", action="store_true", help="replace an existing output folder")
    b.add_argument("--quantize", default="none", choices=["none", "fp16", "int8", "int4", "int8-static", "auto"],
                   help="weight encoding: fp16; int8 (per output channel); int4 (blocks, MatMul/Gemm/Gather weights; "
                   "others int8); int8-static (activations too, onnxruntime's QDQ, needs --calibration-data); "
                   "auto (smallest per tensor within --tolerance)")
    b.add_argument("--block-size", type=int, default=32, help="int4 block size (default 32)")
    b.add_argument("--tolerance", help="for --quantize auto: cosine=0.999, max_abs=0.01 or top1=0.99")
    b.add_argument("--calibration-data", help="inputs for int8-static/auto: an .npz or a folder of .npz files")
    b.set_defaults(func=cmd_bundle)

    t = sub.add_parser("test", help="check a bundle in headless Chromium against onnxruntime")
    t.add_argument("bundle", help="a folder written by `webedge bundle`")
    t.add_argument("--model", help="the original .onnx to compare against (default: the bundle's own graph)")
    t.add_argument("--inputs", help=".npz with one array per model input")
    t.add_argument("--dim", action="append", metavar="NAME=VALUE", help="value of a symbolic dimension")
    t.add_argument("--backend", choices=EPS, help="execution provider to run on (default: the bundle's first)")
    t.add_argument("--budget", action="append", metavar="KEY=VALUE", help="fail when a measurement exceeds it")
    t.add_argument("--network", default="none", help="emulated network: none, 4g, 3g")
    t.add_argument("--runs", type=int, default=5, help="warm inferences to time (median reported)")
    t.add_argument("--no-stream", action="store_true", help="webedge runtime: download every weight before computing")
    t.add_argument("--atol", type=float, help="absolute tolerance (default 1e-4, or the quantized encoding's)")
    t.add_argument("--rtol", type=float, help="relative tolerance (default 1e-4, or the quantized encoding's)")
    t.add_argument("--min-cosine", type=float, help="least cosine similarity per output (default 0.9999)")
    t.add_argument("--json", help="also write the report as JSON here")
    t.set_defaults(func=cmd_test)

    s = sub.add_parser("serve", help="serve a bundle locally (COOP/COEP, wasm MIME, immutable shards)")
    s.add_argument("bundle")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)

    i = sub.add_parser("inspect", help="describe a model or a bundle")
    i.add_argument("target", help="an .onnx file or a bundle folder")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_inspect)

    d = sub.add_parser("demo", help="bundle Magika's file-type model and run it on real files in Chromium")
    d.add_argument("--out", default="webedge-demo", help="where to write the demo bundle (default ./webedge-demo)")
    d.add_argument("--backend", choices=EPS, default="wasm")
    d.add_argument("--network", default="none")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CheckFailed as exc:
        print(f"webedge: {exc}", file=sys.stderr)
        return exc.exit_code
    except WebedgeError as exc:
        print(f"webedge: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
