"""Cold load of a model with one large tensor: cut across shards (pieces) vs in one shard.

Run:  python bench/span_shards.py                 (about 2 minutes on a 2-core machine)
      python bench/span_shards.py --repeats 7 --network 3g --backend ort

The model is generated here: x[1, 256] -> MatMul 256x256 -> Relu -> MatMul 256x4096 (one 4 MiB
float32 weight, "big") -> Relu -> MatMul 4096x16, 4.72 MB of seeded random weights (incompressible,
so the shards are stored as they are). It is bundled three times with `webedge.bundle.bundle(...,
backend=B)` (B: --backend, webedge's runtime unless told otherwise):
  one shard  --shard-size 8 MiB: `big` lies in one 4 MiB shard, as every tensor bigger than the
             target did before tensors could span shards (the old packer gave it a shard of its own
             at any size)
  1 MiB      --shard-size 1 MiB: `big` spans 5 shards
  512 KiB    --shard-size 512 KiB: `big` spans 9 shards

What is timed: the real `webedge.load()` of each bundle in headless Chromium, cold (fresh browser
context, HTTP cache off through CDP), on the --network preset (webedge.testing.network, through
CDP), then one `run()` and `model.loaded`; ms since the page's navigation started:
  first  = the first run() resolved: time to first result (webedge's runtime streams by default,
           so load() resolves early and run() waits for the weights each node reads)
  ready  = timings.ready: every weight downloaded, verified and placed
  runtime = timings.runtime: the runtime files (ort: the 14 MB .wasm, 3.7 MB gzip) are in; they
           share the link with the shards, which the loader fetches 6 at a time
Variants are interleaved within each repeat (order reversed every other repeat). Cells are medians
[min-max] over --repeats; the ratios are median(spanning) / median(one shard). The 1-min load
average is printed at start and end (other work on the machine skews the numbers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from webedge.bundle import bundle
from webedge.serve import BundleServer
from webedge.testing import browser, network

from shard_size import warm_gzip  # bench/ is on sys.path when run as python bench/span_shards.py

KiB, MiB = 1024, 1024 * 1024
VARIANTS = {"one shard": 8 * MiB, "1 MiB": 1 * MiB, "512 KiB": 512 * KiB}
DIMS = [256, 256, 4096, 16]
PAGE = b"<!doctype html><meta charset=utf-8><title>span bench</title>"

LOAD = """async (n) => {
  const webedge = await import('/webedge.mjs');
  const model = await webedge.load('/model.json');
  const out = await model.run({x: new Float32Array(n).fill(0.5)});
  const first = performance.now();
  await model.loaded;
  const stats = model.stats;
  const y = Array.from(out[model.outputs[0].name].data.slice(0, 4));
  await model.dispose();
  return {first, ready: stats.timings.ready, runtime: stats.timings.runtime, y, network: stats.networkBytes};
}"""


def make_model(path: Path) -> None:
    rng = np.random.default_rng(0)
    nodes, inits, x = [], [], "x"
    for i, (d_in, d_out) in enumerate(zip(DIMS, DIMS[1:])):
        name = "big" if d_in * d_out * 4 >= 4 * MiB else f"w{i}"
        inits.append(numpy_helper.from_array((rng.standard_normal((d_in, d_out)) / np.sqrt(d_in)).astype(np.float32), name))
        nodes.append(helper.make_node("MatMul", [x, name], [f"m{i}"]))
        nodes.append(helper.make_node("Relu", [f"m{i}"], [f"h{i}"]))
        x = f"h{i}"
    graph = helper.make_graph(nodes, "span", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, DIMS[0]])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, DIMS[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def load_once(b, server: BundleServer, net: str) -> dict:
    context = b.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        network.apply(cdp, net)
        server.reset_counts()
        page.goto(server.url + "bench.html")
        got = page.evaluate(LOAD, DIMS[0])
    finally:
        context.close()
    shards = sum(n for p, n in server.bytes_served.items() if p.startswith("weights/"))
    if shards != server.weight_bytes:
        sys.exit(f"the timed load downloaded {shards} shard bytes, not {server.weight_bytes}; the bench is invalid")
    return got


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):6.0f} [{min(values):.0f}-{max(values):.0f}]"


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--network", default="4g", help="a preset: 4g, 3g or none")
    ap.add_argument("--backend", default="webedge", choices=["webedge", "ort"])
    args = ap.parse_args()
    network.preset(args.network)
    print(f"1-min load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    with tempfile.TemporaryDirectory(prefix="span-bench-") as tmp:
        model = Path(tmp) / "span.onnx"
        make_model(model)
        servers, shards = {}, {}
        for name, size in VARIANTS.items():
            folder = Path(tmp) / f"s{size}"
            report = bundle(model, folder, backend=args.backend, shard_size=size, force=True)
            shards[name] = report["params"]["shards"]
            server = BundleServer(folder).start()
            warm_gzip(server, folder)  # the server gzips each script once now, not during a timed load
            server.extra["bench.html"] = (PAGE, "text/html; charset=utf-8")
            server.weight_bytes = sum(f.stat().st_size for f in (folder / "weights").iterdir())
            servers[name] = server
        print(f"backend {args.backend}, network {args.network}; {report['params']['bytes'] / 1e6:.2f} MB of weights, "
              f"the big tensor {DIMS[1] * DIMS[2] * 4 / MiB:.0f} MiB; {args.repeats} repeats, median [min-max] in ms")
        results = {name: {"first": [], "ready": [], "runtime": []} for name in VARIANTS}
        outputs = {}
        try:
            for rep in range(args.repeats):
                order = list(VARIANTS) if rep % 2 == 0 else list(reversed(VARIANTS))
                with browser.launch(webgpu=False) as b:
                    for name in order:
                        got = load_once(b, servers[name], args.network)
                        for k in results[name]:
                            results[name][k].append(got[k])
                        outputs.setdefault(name, got["y"])
                print(f"  repeat {rep + 1}/{args.repeats} done", file=sys.stderr, flush=True)
        finally:
            for server in servers.values():
                server.stop()
    print(f"1-min load average at end {os.getloadavg()[0]:.2f}")
    ref = outputs["one shard"]
    worst = max(max(abs(a - b) for a, b in zip(ref, y)) for y in outputs.values())
    print(f"first outputs agree across variants: max |difference| {worst:.2g}")
    print(f"\n{'variant':>10} {'shards':>6} | {'first result':>20} {'ready':>20} {'runtime in':>20} | "
          f"{'first ratio':>11} {'ready ratio':>11}")
    base = {k: statistics.median(results["one shard"][k]) for k in ("first", "ready")}
    for name in VARIANTS:
        r = results[name]
        ratios = [statistics.median(r[k]) / base[k] for k in ("first", "ready")]
        print(f"{name:>10} {shards[name]:>6} | {cell(r['first']):>20} {cell(r['ready']):>20} {cell(r['runtime']):>20} | "
              f"{ratios[0]:>11.3f} {ratios[1]:>11.3f}")


if __name__ == "__main__":
    main()
