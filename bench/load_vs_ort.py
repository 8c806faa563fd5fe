"""Cold load and inference: a webedge bundle (ort backend) vs plain onnxruntime-web on the same model.

Run:  python bench/load_vs_ort.py                      (Magika, emulated 4G, about 2 minutes here)
      python bench/load_vs_ort.py --network none --models magika,silero-vad,ppocr-cls   (30 s)

For each model (webedge.pretrained) the script bundles it with `--backend ort`, then serves from ONE
BundleServer (COOP/COEP, so both pages are cross-origin isolated and run wasm threads; gzip for
.wasm/.mjs/.json/.onnx as a CDN would, weight shards as they are):
  /bench.html          the bundle: `webedge.load('/model.json')`, then `model.run(feeds)`
  /plain/index.html    plain onnxruntime-web: the ORIGINAL .onnx as /plain/model.onnx and a copy of
                       the bundle's ort/ files (same ORT build) in /plain/ort/; the page does
                       `import('/plain/ort/ort.wasm.min.mjs')`, sets `ort.env.wasm.wasmPaths` to the
                       absolute URL of /plain/ort/ (ORT resolves a relative './ort/' against its own
                       script URL, i.e. /plain/ort/ort/, and fails), sets
                       numThreads the way webedge does (min(4, hardwareConcurrency) when isolated),
                       then `InferenceSession.create('/plain/model.onnx', {executionProviders:
                       ['wasm'], graphOptimizationLevel: 'all'})` and `session.run(feeds)`.
Every run is cold: a fresh browser context (empty Cache API) with the HTTP cache off through CDP
(Network.setCacheDisabled) and the --network preset applied through CDP before the page opens.
Runs alternate webedge / ort-web, --repeats times each.

Timed inside the page, in ms from just before the first `import()` of each page (inputs are
already decoded into typed arrays by then):
  ready  = webedge.load() resolved / InferenceSession.create() resolved
  first  = first run() resolved (cold first result)
  warm   = median of --warm further run() calls (median over the loads); warm min = fastest one
Bytes are what the server sent for the run (page, scripts, runtime, model/weights), after gzip.
Cells are medians over the repeats. Inputs are seeded: Magika int32 [1, 2048] in [0, 16);
ppocr-cls float32 [1, 3, 48, 192] in [0, 1); silero-vad 512 samples of a tone at 16 kHz, zero state.
The first outputs of both loaders are compared (max |difference| is printed).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

from webedge import pretrained
from webedge.bundle import bundle
from webedge.serve import COMPRESSIBLE, BundleServer
from webedge.testing import browser, network
from webedge.inputs import NUMPY, make_inputs

DIMS = {"magika": {"unk__214": 1}, "ppocr-cls": {"x_dim0": 1, "x_dim2": 48, "x_dim3": 192}, "silero-vad": {}}
PAGE = b"<!doctype html><meta charset=utf-8><title>load bench</title>"

COMMON_JS = """
  const ARR = { float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
    int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array,
    uint64: BigUint64Array, bool: Uint8Array };
  const arrays = args.inputs.map((i) => {
    const u8 = Uint8Array.from(atob(i.b64), (c) => c.charCodeAt(0));
    return { name: i.name, type: i.dtype, dims: i.dims, data: new ARR[i.dtype](u8.buffer) };
  });
  const b64 = (t) => {
    const u8 = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
    let s = '';
    for (let k = 0; k < u8.length; k += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(k, k + 0x8000));
    return btoa(s);
  };
  const timeRuns = async (run) => {
    const out = await run();
    const first = performance.now() - t0;
    const warm = [];
    for (let k = 0; k < args.warm; k++) {
      const s = performance.now();
      await run();
      warm.push(performance.now() - s);
    }
    const o = out[args.output];
    return { first, warm, output: { type: o.type, b64: b64(o.data) } };
  };
"""

WEBEDGE_JS = """async (args) => {""" + COMMON_JS + """
  const t0 = performance.now();
  const webedge = await import('/webedge.mjs');
  const model = await webedge.load('/model.json');
  const ready = performance.now() - t0;
  const feeds = Object.fromEntries(arrays.map((a) => [a.name, a]));
  const r = await timeRuns(() => model.run(feeds));
  await model.dispose();
  return { ...r, ready, threads: model.threads, isolated: crossOriginIsolated };
}"""

PLAIN_JS = """async (args) => {""" + COMMON_JS + """
  const t0 = performance.now();
  const ort = await import(new URL('/plain/ort/ort.wasm.min.mjs', location.href).href);
  ort.env.wasm.wasmPaths = new URL('/plain/ort/', location.href).href;
  ort.env.wasm.numThreads = crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(new URL('/plain/model.onnx', location.href).href,
    { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const ready = performance.now() - t0;
  const feeds = Object.fromEntries(arrays.map((a) => [a.name, new ort.Tensor(a.type, a.data, a.dims)]));
  const r = await timeRuns(() => session.run(feeds));
  await session.release();
  return { ...r, ready, threads: ort.env.wasm.numThreads, isolated: crossOriginIsolated };
}"""


def model_inputs(name: str, specs: list[dict]) -> dict[str, np.ndarray]:
    if name == "silero-vad":
        rng = np.random.default_rng(7)
        t = np.arange(512) / 16000
        audio = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(512)).astype(np.float32)
        return {"input": audio[None, :], "state": np.zeros((2, 1, 128), np.float32), "sr": np.array(16000, np.int64)}
    return make_inputs(specs, DIMS[name])


def prepare(name: str, tmp: Path) -> tuple[BundleServer, dict]:
    """Bundle model `name` into tmp/name, add the plain ORT copy under plain/, and serve it."""
    source = pretrained.fetch(name)
    folder = tmp / name
    bundle(source, folder, backend="ort", force=True)
    (folder / "plain").mkdir()
    shutil.copytree(folder / "ort", folder / "plain" / "ort")
    shutil.copyfile(source, folder / "plain" / "model.onnx")
    man = json.loads((folder / "model.json").read_text())
    feeds = model_inputs(name, man["inputs"])
    args = {"inputs": [{"name": k, "dtype": str(v.dtype), "dims": list(v.shape),
                        "b64": base64.b64encode(np.ascontiguousarray(v).tobytes()).decode()} for k, v in feeds.items()],
            "output": man["outputs"][0]["name"]}
    server = BundleServer(folder).start()
    warm_gzip(server, folder)
    server.extra["bench.html"] = (PAGE, "text/html; charset=utf-8")
    server.extra["plain/index.html"] = (PAGE, "text/html; charset=utf-8")
    return server, args


def warm_gzip(server: BundleServer, folder: Path) -> None:
    """Have the server gzip every compressible file once now, so no timed load pays for it."""
    for f in folder.rglob("*"):
        if f.is_file() and f.suffix in COMPRESSIBLE:
            req = urllib.request.Request(server.url + f.relative_to(folder).as_posix(), headers={"Accept-Encoding": "gzip"})
            urllib.request.urlopen(req).read()
    server.reset_counts()


def run_once(b, server: BundleServer, url: str, js: str, args: dict, net: str) -> dict:
    context = b.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        network.apply(cdp, net)
        server.reset_counts()
        page.goto(server.url + url)
        result = page.evaluate(js, args)
    finally:
        context.close()
    if not result["isolated"]:
        sys.exit(f"{url}: the page is not cross-origin isolated; the comparison would be single-threaded")
    result["bytes"] = sum(server.bytes_served.values())
    out = result["output"]
    result["output"] = np.frombuffer(base64.b64decode(out["b64"]), dtype=NUMPY.get(out["type"], np.float32))
    return result


def summarize(runs: list[dict]) -> dict:
    med = statistics.median
    return {"ready": med(r["ready"] for r in runs), "first": med(r["first"] for r in runs),
            "warm": med(med(r["warm"]) for r in runs), "warm_min": min(min(r["warm"]) for r in runs), "bytes": med(r["bytes"] for r in runs),
            "threads": runs[0]["threads"]}


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="magika", help=f"comma-separated, from: {', '.join(DIMS)}")
    ap.add_argument("--network", default="4g", help="emulated network preset: 4g, 3g or none")
    ap.add_argument("--repeats", type=int, default=3, help="cold loads per loader and model")
    ap.add_argument("--warm", type=int, default=20, help="warm inferences per load")
    args = ap.parse_args()
    network.preset(args.network)
    models = args.models.split(",")
    for m in models:
        if m not in DIMS:
            ap.error(f"unknown model {m}; choose from {', '.join(DIMS)}")

    rows = []
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp, browser.launch(webgpu=False) as b:
        print(f"Chromium {b.version}, network '{args.network}', {args.repeats} cold loads each, "
              f"{args.warm} warm runs; times in ms from the page's first import(), medians; "
              f"1-min load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for name in models:
            server, page_args = prepare(name, Path(tmp))
            page_args["warm"] = args.warm
            runs = {"webedge": [], "ort-web": []}
            try:
                for rep in range(args.repeats):
                    runs["webedge"].append(run_once(b, server, "bench.html", WEBEDGE_JS, page_args, args.network))
                    runs["ort-web"].append(run_once(b, server, "plain/index.html", PLAIN_JS, page_args, args.network))
                    print(f"  {name}: repeat {rep + 1}/{args.repeats} done", file=sys.stderr, flush=True)
            finally:
                server.stop()
            diff = float(np.max(np.abs(runs["webedge"][0]["output"].astype(np.float64)
                                       - runs["ort-web"][0]["output"].astype(np.float64))))
            rows.append((name, summarize(runs["webedge"]), summarize(runs["ort-web"]), diff))

    print(f"1-min load average at end {os.getloadavg()[0]:.1f}")
    head = f"{'model':<11} {'loader':<8} {'threads':>7} {'ready':>8} {'first result':>12} {'warm':>8} {'warm min':>8} {'bytes':>11}"
    print(head)
    print("-" * len(head))
    for name, w, o, diff in rows:
        for label, s in (("webedge", w), ("ort-web", o)):
            print(f"{name:<11} {label:<8} {s['threads']:>7} {s['ready']:>8.0f} {s['first']:>12.0f} "
                  f"{s['warm']:>8.2f} {s['warm_min']:>8.2f} {s['bytes']:>11,.0f}")
        print(f"{name:<11} {'ratio':<8} {'':>7} {w['ready'] / o['ready']:>8.2f} {w['first'] / o['first']:>12.2f} "
              f"{w['warm'] / o['warm']:>8.2f} {'':>8} {w['bytes'] / o['bytes']:>11.3f}   (webedge / ort-web)")
        print(f"{name:<11} outputs: max |webedge - ort-web| = {diff:.3g}")


if __name__ == "__main__":
    main()
