"""Which weight-shard size loads fastest? Measures the default for `webedge bundle --shard-size`.

Run:  python bench/shard_size.py            (about 4 minutes on a 2-core machine)
      python bench/shard_size.py --backend webedge     (webedge's own runtime instead of onnxruntime-web)
      python bench/shard_size.py --repeats 5 --networks 4g,3g,none

The model is generated here: a 15-layer fp32 MLP (MatMul+Add+Relu), 30 weight tensors of
1.5 KiB (biases) to 1 MiB, 9.66 MB of weights in all (seeded, so incompressible and identical every run).
It is bundled with `webedge.bundle.bundle(..., backend=B, shard_size=S)` for each S in 256 KiB ..
16 MiB; B is --backend, `ort` (onnxruntime-web 1.30) unless told otherwise.

What is timed: the real `webedge.load()` of each bundle in headless Chromium, cold (fresh browser
context, HTTP cache off through CDP), on one of the network presets of webedge.testing.network.
Only the weights should compete for the (emulated) link, so with the ort backend, before each
timed load the page puts the runtime .wasm (14 MB, 3.7 MB gzip) into webedge's own Cache API store
(where a previous visit would have left it), then the network is throttled and the page reloaded.
The script checks that the timed load took the .wasm from that store and downloaded every shard.
The ORT entry module and glue (74 KB, less gzipped) still come over the network meanwhile; with
--backend webedge the runtime is small (about 170 KB before gzip) and is not pre-cached.

  weights = timings.weights - timings.manifest: fetch + SHA-256 check + Cache API write of the
            graph (or plan) file and all shards (webedge fetches 6 at a time)
  ready   = timings.ready, ms since the page started: also includes the webedge.mjs import, the
            manifest and the session creation (and, streaming on webedge's runtime, every
            weight placed: the script waits for `model.loaded`)
On 'none' (bare loopback) the link is Python's http.server on the same 2 cores, so those numbers
are noisy; they show per-request overhead, not a real network.

With --full it also times the whole first visit as users get it: `webedge.testing.check(bundle,
network_preset=NET, reload=False, warm_runs=1)`, where the runtime (ort: 3.7 MB gzip) downloads at the same time
as the weights and shares the link (about 3.5 minutes more per repeat on 4g here).

Each cell is the median of --repeats runs (sizes and networks interleaved); [min-max] beside it.
With 256 KiB a tensor above 256 KiB now spans shards; the results in bench/RESULTS.md were measured
before tensors could span, when each such tensor got a shard of its own (bench/span_shards.py compares the two).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from webedge.bundle import DEFAULT_SHARD_SIZE, bundle
from webedge.serve import COMPRESSIBLE, BundleServer
from webedge.testing import browser, check, network

KiB, MiB = 1024, 1024 * 1024
SIZES = [256 * KiB, 1 * MiB, 2 * MiB, 4 * MiB, 8 * MiB, 16 * MiB]
WIDTHS = [256, 384, 512, 384, 448, 512, 384, 256, 512, 512, 384, 448, 256, 384, 384, 256]

PAGE = b"<!doctype html><meta charset=utf-8><title>shard bench</title>"

# Put the runtime .wasm where webedge.load() looks first (its Cache API store, keyed by SHA-256).
SEED_WASM = """async () => {
  const man = await (await fetch('/model.json')).json();
  const wasm = man.backend.files.find((f) => f.role === 'wasm');
  if (!wasm) return false;
  const bytes = await (await fetch('/' + wasm.file)).arrayBuffer();
  const cache = await caches.open('webedge-files-v1');
  await cache.put(new Request(new URL('/.webedge-cache/' + wasm.sha256, location.href)), new Response(bytes));
  return true;
}"""

LOAD = """async () => {
  const webedge = await import('/webedge.mjs');
  const model = await webedge.load('/model.json');
  await model.loaded;
  const stats = model.stats;
  await model.dispose();
  return stats;
}"""


def make_model(path: Path) -> None:
    rng = np.random.default_rng(0)
    nodes, inits, x = [], [], "x"
    for i, (d_in, d_out) in enumerate(zip(WIDTHS, WIDTHS[1:])):
        w = (rng.standard_normal((d_in, d_out)) / np.sqrt(d_in)).astype(np.float32)
        b = (rng.standard_normal(d_out) * 0.01).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes += [helper.make_node("MatMul", [x, f"w{i}"], [f"m{i}"]),
                  helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"]),
                  helper.make_node("Relu", [f"a{i}"], [f"h{i}"])]
        x = f"h{i}"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, WIDTHS[0]])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, WIDTHS[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def warm_gzip(server: BundleServer, folder: Path) -> None:
    """Have the server gzip every compressible file once now, so no timed load pays for it."""
    for f in folder.rglob("*"):
        if f.is_file() and f.suffix in COMPRESSIBLE:
            req = urllib.request.Request(server.url + f.relative_to(folder).as_posix(), headers={"Accept-Encoding": "gzip"})
            urllib.request.urlopen(req).read()
    server.reset_counts()


def load_once(b, server: BundleServer, net: str) -> dict:
    context = b.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.goto(server.url + "bench.html")
        seeded = page.evaluate(SEED_WASM)
        network.apply(cdp, net)
        server.reset_counts()
        page.goto(server.url + "bench.html")
        stats = page.evaluate(LOAD)
    finally:
        context.close()
    served = dict(server.bytes_served)
    if seeded and (any(p.endswith(".wasm") for p in served) or stats["cacheBytes"] == 0):
        sys.exit(f"the runtime .wasm was downloaded during the timed load ({served}); the bench is invalid")
    if sum(n for p, n in served.items() if p.startswith("weights/")) != server.weight_bytes:
        sys.exit("not every shard was downloaded during the timed load; the bench is invalid")
    t = stats["timings"]
    return {"weights": t["weights"] - t["manifest"], "ready": t["ready"]}


def full_once(folder: Path, net: str) -> dict:
    report = check(folder, network_preset=net, reload=False, warm_runs=1)
    if not report.ok:
        sys.exit(f"webedge.testing.check failed on {folder}: {report.failures}")
    t = report.timings
    return {"weights": t["weights_ms"] - t["manifest_ms"], "ready": t["ready_ms"]}


def add(into: dict, measured: dict) -> None:
    for k, v in measured.items():
        into[k].append(v)


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):7.0f} [{min(values):.0f}-{max(values):.0f}]"


def label(size: int) -> str:
    return f"{size // MiB} MiB" if size >= MiB else f"{size // KiB} KiB"


def print_table(title: str, results: dict, shards: dict, nets: list[str]) -> None:
    print(f"\n{title}")
    head = f"{'shard size':>10} {'shards':>6}"
    for n in nets:
        head += f" | {n + ' weights':>22} {n + ' ready':>22}"
    print(head)
    print("-" * len(head))
    for size in SIZES:
        line = f"{label(size):>10} {shards[size]:>6}"
        for n in nets:
            line += f" | {cell(results[size, n]['weights']):>22} {cell(results[size, n]['ready']):>22}"
        print(line)
    for n in nets:
        med = {s: statistics.median(results[s, n]["weights"]) for s in SIZES}
        best = min(SIZES, key=med.get)
        default = f"; default {label(DEFAULT_SHARD_SIZE)}: {med[DEFAULT_SHARD_SIZE]:.0f} ms" if DEFAULT_SHARD_SIZE in med else ""
        print(f"fastest weights on {n}: {label(best)} ({med[best]:.0f} ms{default})")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--networks", default="4g,none", help="comma-separated presets (4g, 3g, none)")
    ap.add_argument("--backend", default="ort", choices=["ort", "webedge"], help="bundle backend (default ort)")
    ap.add_argument("--full", action="store_true", help="also time full cold loads with webedge.testing.check")
    args = ap.parse_args()
    nets = args.networks.split(",")
    for n in nets:
        network.preset(n)
    modes = ["isolated"] + (["full"] if args.full else [])

    with tempfile.TemporaryDirectory(prefix="shard-bench-") as tmp:
        model = Path(tmp) / "mlp.onnx"
        make_model(model)
        folders, servers, shards = {}, {}, {}
        for size in SIZES:
            folders[size] = Path(tmp) / f"s{size}"
            report = bundle(model, folders[size], backend=args.backend, shard_size=size, force=True)
            shards[size] = report["params"]["shards"]
            server = BundleServer(folders[size]).start()
            warm_gzip(server, folders[size])
            server.extra["bench.html"] = (PAGE, "text/html; charset=utf-8")
            server.weight_bytes = report["totals"]["weights"]["bytes"]
            servers[size] = server
        print(f"backend {args.backend}; model: {len(WIDTHS) - 1}-layer MLP, {report['params']['tensors']} weight tensors, "
              f"{report['params']['bytes'] / 1e6:.2f} MB of weights; {args.repeats} repeats, median [min-max] in ms; "
              f"1-min load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

        results = {m: {(s, n): {"weights": [], "ready": []} for s in SIZES for n in nets} for m in modes}
        try:
            for rep in range(args.repeats):
                with browser.launch(webgpu=False) as b:
                    for net in nets:
                        for size in SIZES:
                            add(results["isolated"][size, net], load_once(b, servers[size], net))
                if args.full:  # check() launches its own browser; Playwright's sync API cannot nest
                    for net in nets:
                        for size in SIZES:
                            add(results["full"][size, net], full_once(folders[size], net))
                print(f"  repeat {rep + 1}/{args.repeats} done", file=sys.stderr, flush=True)
        finally:
            for server in servers.values():
                server.stop()

    print(f"1-min load average at end {os.getloadavg()[0]:.1f}")
    alone = "runtime .wasm already in webedge's cache" if args.backend == "ort" else "webedge runtime, not pre-cached"
    print_table(f"weights alone ({alone}):", results["isolated"], shards, nets)
    if args.full:
        print_table("full cold load, webedge.testing.check (runtime .wasm downloads alongside):",
                    results["full"], shards, nets)


if __name__ == "__main__":
    main()
