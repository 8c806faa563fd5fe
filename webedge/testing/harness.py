"""The browser check behind `webedge test`, the library call and the pytest plugin.

One run: serve the bundle on localhost (COOP/COEP, so threads work), open it in a headless
browser (Chromium, Firefox or WebKit: `drivers`) with the HTTP cache off (so only webedge's own
Cache API store can save downloads), optionally emulate a network (Chromium throttles itself; for
the others the server shapes the link), load the model, feed the inputs, time a first and N warm
inferences, then reload the page and load again to prove that a warm cache downloads no weights.
The outputs are compared with Python onnxruntime on the original model (or, without one, on the
bundle's own graph and shards read from disk).
"""

from __future__ import annotations

import base64
import math
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import manifest as manifest_mod
from ..compression import decode
from ..errors import WebedgeError
from ..onnx_import import check_model_file
from ..prune import parse_names
from ..report import kind_of
from ..serve import BundleServer
from ..shards import span_file
from ..site_files import COI_FILE
from .. import progress
from . import network
from .drivers import open_driver, parse_browsers
from .compare import OutputCheck, Tolerance, compare
from ..inputs import MAX_OUTPUT_BYTES, NUMPY, bind_dims, check_output_bytes, load_inputs, make_inputs, parse_dims


PAGE_JS = (Path(__file__).with_name("harness_page.js")).read_text()
HARNESS_HTML = b"<!doctype html><meta charset=utf-8><title>webedge harness</title><link rel=icon href='data:,'><p>webedge test harness</p>"
EVAL_TIMEOUT_MS = 300_000
HOSTS = ("isolated", "plain")
# --host plain with the bundle's service worker: the page registers coi-serviceworker.js as a user's
# page does, but its reload is left to the harness (the next navigation), so that no evaluation is
# cut off by a reload it did not expect.
COI_HTML = ("<!doctype html><meta charset=utf-8><title>webedge harness</title><link rel=icon href='data:,'>"
            "<script>window.coi = {doReload: () => { window.webedgeCoiWantsReload = true; }};</script>"
            f"<script src='/{COI_FILE}'></script><p>webedge test harness (plain host, service worker)</p>").encode()
COI_PRIME_JS = """async () => {
  if (globalThis.crossOriginIsolated) return {isolated: true};
  if (!navigator.serviceWorker) return {isolated: false, why: 'this browser session has no navigator.serviceWorker'};
  const late = new Promise((resolve) => setTimeout(() => resolve('timed out after 20 s'), 20000));
  const ready = await Promise.race([navigator.serviceWorker.ready.then(() => 'ready'), late]);
  return {isolated: false, ready, wantsReload: !!window.webedgeCoiWantsReload};
}"""


@dataclass
class Report:
    bundle: str
    browser: str = ""  # "<engine> <version>"
    backend: str = ""
    threads: int = 1
    simd: str | None = None  # the wasm kernel set webedge's runtime ran: relaxed or simd128
    threads_why: str = ""
    worker: bool = False
    host: str = "isolated"
    isolated: bool = False
    streaming: bool = False
    network: str = "none"
    reference: str = ""
    bytes: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    reload: dict = field(default_factory=dict)
    outputs: list[OutputCheck] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    browser_outputs: dict = field(default_factory=dict)
    quantization: dict = field(default_factory=dict)
    tolerance: Tolerance | None = None
    not_measured: dict = field(default_factory=dict)  # what this engine cannot measure -> why
    requests: list[dict] = field(default_factory=list)  # the cold load's requests: file, start/end ms, bytes
    marks: dict = field(default_factory=dict)  # load phases, ms on the same clock as `requests`
    placement: dict = field(default_factory=dict)  # webedge runtime: op -> {device: executed nodes}
    fallback: str | None = None  # why a WebGPU bundle ran on wasm
    outputs_asked: list[str] = field(default_factory=list)  # --outputs: load(url, {outputs}) and only these compared
    weight_bytes_all: int = 0  # the bundle's shard bytes, all outputs (to set against bytes["weights"])

    @property
    def ok(self) -> bool:
        return not self.failures

    def measured(self) -> dict[str, float]:
        """Flat key -> value for budgets: the same keys `--budget` takes."""
        names = {"runtime": "runtime_bytes", "weights": "weight_bytes", "total": "total_bytes"}
        m = {names[k]: v for k, v in self.bytes.items() if k in names}
        m.update(self.timings)
        m.update({f"reload_{k}": v for k, v in self.reload.items()})
        return m

    def as_dict(self) -> dict:
        return {"bundle": self.bundle, "ok": self.ok, "browser": self.browser, "backend": self.backend,
                "threads": self.threads, "simd": self.simd, "threads_why": self.threads_why, "host": self.host,
                "isolated": self.isolated, "worker": self.worker,
                "streaming": self.streaming,
                "network": self.network, "reference": self.reference, "bytes": self.bytes,
                "timings": self.timings, "reload": self.reload,
                "outputs": [c.as_dict() for c in self.outputs], "budgets": self.budgets,
                "quantization": self.quantization, "placement": self.placement, "fallback": self.fallback,
                "tolerance": vars(self.tolerance) if self.tolerance else None,
                "not_measured": self.not_measured, "requests": self.requests, "marks": self.marks,
                "outputs_asked": self.outputs_asked, "weight_bytes_all": self.weight_bytes_all,
                "failures": self.failures}


def reference_outputs(model_path: Path | None, folder: Path, man: dict, feeds: dict) -> tuple[dict, str]:
    from ..ort_session import ort as quiet_ort
    from ..ort_session import reason
    from ..ort_session import session as quiet_session

    ort = quiet_ort()
    if model_path is not None:
        path, label = Path(model_path), f"onnxruntime {ort.__version__} on {model_path}"
        if not path.is_file():
            raise WebedgeError(f"--model {model_path}: no such file")
        check_model_file(path)  # its external data must not reach outside its folder
    elif man["backend"]["name"] != "ort":
        raise WebedgeError(f"{folder} runs on the {man['backend']['name']} runtime, whose plan is not an ONNX "
                           "graph: pass --model ORIGINAL.onnx to compare against")
    else:
        path = inside(folder, man["backend"]["graph"]["file"])
        label = f"onnxruntime {ort.__version__} on the bundle's graph and shards (pass --model for the original)"
    with tempfile.TemporaryDirectory() as tmp:
        if model_path is None and (any(s.get("encoding") for s in man["shards"])
                                   or any("pieces" in w for w in man["weights"])):
            path = _decoded_copy(folder, man, Path(tmp))  # onnxruntime reads external data as raw bytes, one file a tensor
        try:
            session = quiet_session(str(path))
            names = [o["name"] for o in man["outputs"]]  # a pruned bundle's: only the outputs it kept
            values = session.run(names, {**_pruned_away_inputs(session, feeds), **feeds})
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises many types; one line is what we owe
            first = reason(exc)
            raise WebedgeError(f"onnxruntime could not run the reference model {path}: {first}") from None
    return dict(zip(names, values)), label


def _pruned_away_inputs(session, feeds: dict) -> dict[str, np.ndarray]:
    """Zeros for the inputs of the original model that a bundle pruned with `--outputs` dropped:
    onnxruntime wants every input fed, and no kept output reads these (webedge/prune.py)."""
    from onnx import TensorProto
    from onnx.helper import tensor_dtype_to_np_dtype

    by_ort = {f"tensor({name.lower()})": code for name, code in TensorProto.DataType.items()}
    filler = {}
    for i in session.get_inputs():
        if i.name not in feeds and i.type in by_ort:
            shape = [d if isinstance(d, int) and d >= 0 else 1 for d in i.shape]
            filler[i.name] = np.zeros(shape, tensor_dtype_to_np_dtype(by_ort[i.type]))
    return filler


def inside(root: Path, rel: str) -> Path:
    """root/rel, refusing a name that would land outside root. The manifest schema already allows
    only plain relative names; this is the second lock, where files are actually written."""
    target = (root / rel).resolve()
    if root.resolve() not in target.parents:
        raise WebedgeError(f"manifest file name '{rel}' points outside the bundle; the bundle is damaged or hostile, "
                           "bundle the model again")
    return target


def _decoded_copy(folder: Path, man: dict, tmp: Path) -> Path:
    """The bundle's graph next to its shards decoded, as the browser's loader decodes them, and each
    tensor that spans shards joined from its pieces under the name the graph gives it (span_file)."""
    graph = man["backend"]["graph"]["file"]
    shutil.copyfile(inside(folder, graph), inside(tmp, graph))
    decoded = []
    for s in man["shards"]:
        stored = inside(folder, s["file"])
        if not stored.is_file():
            raise WebedgeError(f"{folder}: shard {s['file']} is missing; bundle the model again")
        target = inside(tmp, s["file"])
        target.parent.mkdir(parents=True, exist_ok=True)
        decoded.append(decode(s.get("encoding"), stored.read_bytes()))
        target.write_bytes(decoded[-1])
    for k, w in enumerate(man["weights"]):
        if "pieces" in w:
            inside(tmp, span_file(k)).write_bytes(b"".join(decoded[p["shard"]][p["offset"]:p["offset"] + p["length"]]
                                                           for p in w["pieces"]))
    return inside(tmp, graph)


def _serve_inputs(server: BundleServer, feeds: dict[str, np.ndarray], coi: bool = False) -> list[dict]:
    blob, meta = bytearray(), []
    for name, arr in feeds.items():
        data = np.ascontiguousarray(arr).tobytes()
        blob.extend(b"\0" * (-len(blob) % 8))
        dtype = "bool" if arr.dtype == np.bool_ else str(arr.dtype)
        meta.append({"name": name, "dtype": dtype, "dims": list(arr.shape), "offset": len(blob), "length": len(data)})
        blob.extend(data)
    server.extra["__webedge__/inputs.bin"] = (bytes(blob), "application/octet-stream")
    server.extra["__webedge__/harness.html"] = (COI_HTML if coi else HARNESS_HTML, "text/html; charset=utf-8")
    return meta


def _bytes_by_kind(server: BundleServer) -> dict[str, int]:
    out = {"runtime": 0, "weights": 0, "model": 0, "page": 0}
    for path, n in server.bytes_served.items():
        if not path.startswith("__webedge__/"):
            kind = "runtime" if kind_of(path) == "worker" else kind_of(path)  # transferred: worker mode's is runtime
            out[kind if kind in out else "page"] += n
    out["total"] = sum(out.values())
    return out


def _requests(entries: list[dict], server: BundleServer) -> list[dict]:
    """The page's resource timing entries for bundle files, with the bytes the server sent for each
    (the same count in every engine; an engine's own transferSize is 0 in some)."""
    out = []
    for e in entries:
        url = str(e.get("url", ""))
        if not url.startswith(server.url):
            continue
        rel = url[len(server.url):].split("?", 1)[0]
        if rel.startswith("__webedge__/") or not rel:
            continue
        out.append({"file": rel, "start_ms": round(float(e["start"]), 2), "end_ms": round(float(e["end"]), 2),
                    "bytes": int(server.bytes_served.get(rel) or e.get("encoded") or 0),
                    "kind": kind_of(rel)})
    return sorted(out, key=lambda r: (r["start_ms"], r["file"]))


def _decode(outputs: dict) -> dict[str, np.ndarray]:
    """The page's base64 outputs as arrays; bytes that do not fit the dims are the runtime's bug,
    reported as a failed check, not a reshape traceback."""
    arrays = {}
    for name, o in outputs.items():
        dtype = np.dtype(np.float16 if o["type"] == "float16" else NUMPY.get(o["type"], np.float32))
        raw = base64.b64decode(o["b64"])
        dims = [int(d) for d in o["dims"]]
        if any(d < 0 for d in dims) or len(raw) != math.prod(dims) * dtype.itemsize:
            raise _BadOutput(f"output '{name}': the browser returned {len(raw)} bytes of {o['type']} for dims {dims}")
        arrays[name] = np.frombuffer(raw, dtype=dtype).reshape(dims).copy()
    return arrays


class _BadOutput(Exception):
    pass


def _coi_host(primed: dict) -> str:
    if primed.get("isolated"):
        return "plain (no COOP/COEP headers; already isolated)"
    if primed.get("ready") == "ready":
        return "plain (no COOP/COEP headers; coi-serviceworker.js registered on the first visit adds them)"
    why = primed.get("why") or primed.get("ready") or primed.get("error") or "no answer"
    return f"plain (no COOP/COEP headers; coi-serviceworker.js did not start: {why})"


def check(bundle_dir: str | Path, *, model: str | Path | None = None, inputs: str | Path | None = None,
          dims: dict | list | None = None, backend: str | None = None, network_preset: str = "none",
          warm_runs: int = 5, budgets: dict[str, float] | None = None, tolerance: Tolerance | None = None,
          reload: bool = True, stream: bool = True, threads: bool = True, browser: str = "chromium",
          host: str = "isolated", worker: bool = False, outputs: str | list[str] | None = None,
          simd: str | None = None) -> Report:
    """Open a bundle in a headless browser and measure it. Raises WebedgeError for bad usage.

    `browser` is chromium, firefox or webkit (`drivers`). `host` is how the bundle is served:
    `isolated` with COOP/COEP headers (as `webedge serve` and a bundle's `_headers` do), or `plain`
    with none (GitHub Pages), where only the bundle's coi-serviceworker.js can give threads.
    `threads=False` serves it plain and without the service worker: one thread. `worker` loads and
    runs the model in a Web Worker (the loader's `worker: true`). `simd` (relaxed or simd128) forces
    the loader's wasm kernel set (by default relaxed SIMD where the browser has it). `outputs` ('a,b' or a list) loads
    with the loader's `outputs` (only those outputs' weight shards), runs and compares only them. On a terminal the CLI shows the
    phases as a progress bar (webedge.progress)."""
    with progress.bar(f"webedge test in {browser}", total=4, unit="step") as bar:
        return _check(bundle_dir, model=model, inputs=inputs, dims=dims, backend=backend,
                      network_preset=network_preset, warm_runs=warm_runs, budgets=budgets, tolerance=tolerance,
                      reload=reload, stream=stream, threads=threads, browser=browser, host=host, worker=worker,
                      outputs=outputs, simd=simd, bar=bar)


def _check(bundle_dir: str | Path, *, model: str | Path | None = None, inputs: str | Path | None = None,
           dims: dict | list | None = None, backend: str | None = None, network_preset: str = "none",
           warm_runs: int = 5, budgets: dict[str, float] | None = None, tolerance: Tolerance | None = None,
           reload: bool = True, stream: bool = True, threads: bool = True, browser: str = "chromium",
           host: str = "isolated", worker: bool = False, outputs: str | list[str] | None = None,
          simd: str | None = None, bar) -> Report:
    engines = parse_browsers(browser)
    if len(engines) != 1:
        raise WebedgeError("check() runs one browser; call it once per engine (the CLI takes a comma list)")
    engine = engines[0]
    if simd not in (None, "relaxed", "simd128"):
        raise WebedgeError(f"unknown --simd '{simd}'; choose relaxed (fused multiply-adds) or simd128")
    if host not in HOSTS:
        raise WebedgeError(f"unknown host '{host}'; choose isolated (COOP/COEP headers) or plain (no headers, "
                           "like GitHub Pages)")
    folder = Path(bundle_dir)
    if not folder.is_dir():
        raise WebedgeError(f"{folder}: not a folder; pass the output folder of `webedge bundle`")
    man = manifest_mod.read(folder)
    network.preset(network_preset)
    names = None if outputs is None else parse_names(outputs)
    have = [o["name"] for o in man["outputs"]]
    unknown = [n for n in names or [] if n not in have]
    if unknown:
        raise WebedgeError(f"--outputs: the bundle has no output {', '.join(repr(n) for n in unknown)} "
                           f"(its outputs: {', '.join(have)})")
    if backend and backend not in man["backend"]["eps"]:
        raise WebedgeError(f"this bundle runs on {', '.join(man['backend']['eps'])}, not '{backend}'; "
                           f"re-bundle with --ep {backend}")
    given = parse_dims(dims)
    feeds = load_inputs(inputs, man["inputs"]) if inputs else make_inputs(man["inputs"], given)
    check_output_bytes(man["outputs"], bind_dims(man["inputs"], feeds, given))
    bar.set_description_str(f"webedge test in {engine}: onnxruntime reference")
    expected, reference = reference_outputs(Path(model) if model else None, folder, man, feeds)
    if names:
        expected = {n: expected[n] for n in names}
    bar.update(1)
    bar.set_description_str(f"webedge test in {engine}: starting the browser")
    quant = man.get("quantization")
    if tolerance is None:
        # a quantized bundle is held to its encoding's tolerance against the float32 original
        tolerance = Tolerance(**quant["tolerance"]) if quant and quant.get("tolerance") else Tolerance()
    report = Report(bundle=str(folder), network=network_preset, reference=reference, host=host, worker=worker,
                    outputs_asked=names or [], weight_bytes_all=sum(s["bytes"] for s in man["shards"]))
    isolate = threads and host == "isolated"
    coi = threads and host == "plain" and (folder / COI_FILE).is_file()
    report.quantization = {k: quant[k] for k in ("encoding", "ratio") if k in quant} if quant else {}
    report.tolerance = tolerance

    with open_driver(engine, webgpu=True) as driver:
        report.browser = f"{driver.engine} {driver.version}"
        bar.update(1)
        bar.set_description_str(f"webedge test in {engine}: cold load and {warm_runs} warm runs")
        shaped = network_preset != "none" and not driver.throttles
        if shaped:
            report.network = f"{network_preset} (shaped by the test server: {engine} cannot throttle itself)"
        # no COOP/COEP: single-threaded wasm; no-store where the engine's HTTP cache stays on
        server = BundleServer(folder, isolate=isolate, no_store=engine != "chromium",
                              link=network.ShapedLink(network_preset) if shaped else None).start()
        try:
            args = {"inputs": _serve_inputs(server, feeds, coi), "backend": backend, "warmRuns": warm_runs,
                    "stream": stream, "maxOutputBytes": MAX_OUTPUT_BYTES, "worker": worker, "outputs": names,
                    "simd": simd}
            url = server.url + "__webedge__/harness.html"
            browser_net = network_preset if driver.throttles else "none"
            if coi:  # a first visit registers the service worker; the cold run is the reload it asks for
                report.host = _coi_host(driver.run(url, COI_PRIME_JS, {}, "none"))
                server.reset_counts()
            elif host == "plain":
                report.host = "plain (no COOP/COEP headers; the bundle has no service worker: --no-coi-worker)"
            cold = driver.run(url, PAGE_JS, args, browser_net)
            if "error" in cold:
                report.failures.append(f"browser: {cold['error']}")
                return report
            report.bytes = _bytes_by_kind(server)
            report.requests = _requests(cold.get("requests", []), server)
            if reload and not driver.keeps_cache:
                report.not_measured["reload"] = (f"not measured in {report.browser}: its test session keeps no "
                                                 "Cache API storage across page loads")
            elif reload:
                bar.update(1)
                bar.set_description_str(f"webedge test in {engine}: warm-cache reload")
                server.reset_counts()
                warm = driver.run(url, PAGE_JS, {**args, "warmRuns": 0}, browser_net)
                if "error" in warm:
                    report.failures.append(f"browser (reload): {warm['error']}")
                else:
                    served = _bytes_by_kind(server)
                    report.reload = {"weight_bytes": served["weights"], "total_bytes": served["total"],
                                     "ready_ms": round(warm["stats"]["timings"]["ready"], 1),
                                     "cache_bytes": warm["stats"]["cacheBytes"]}
        finally:
            server.stop()

    t = cold["stats"]["timings"]
    report.backend, report.threads, report.streaming = cold["backend"], cold["threads"], bool(cold.get("streaming"))
    report.simd = cold.get("simd")
    report.threads_why, report.isolated = cold.get("threadsWhy", ""), bool(cold.get("isolated"))
    report.marks = {"load() called": round(t["start"], 1), "manifest": round(t["manifest"], 1),
                    "runtime": round(t["runtime"], 1), "weights": round(t["weights"], 1), "ready": round(t["ready"], 1),
                    "first result": round(cold["firstStart"] + cold["firstInference"], 1)}
    report.placement = cold.get("placement") or {}
    report.fallback = cold.get("fallbackReason")
    if backend == "webgpu" and report.backend != "webedge/webgpu" and report.backend != "ort/webgpu":
        report.failures.append(f"asked for WebGPU, but the bundle ran as {report.backend}: {report.fallback or 'no reason given'}")
    report.timings = {
        "manifest_ms": round(t["manifest"], 1),
        "runtime_ms": round(t["runtime"], 1),
        "weights_ms": round(t["weights"], 1),
        "ready_ms": round(t["ready"], 1),
        "first_inference_ms": round(cold["firstInference"], 2),
        "first_result_ms": round(cold["firstStart"] + cold["firstInference"], 1),
        "warm_inference_ms": round(statistics.median(cold["warm"]), 2) if cold["warm"] else None,
        "warm_mean_ms": round(cold["warmTotal"] / len(cold["warm"]), 3) if cold["warm"] else None,
    }
    try:
        actual = _decode(cold["outputs"])
    except _BadOutput as exc:
        report.failures.append(str(exc))
        return report
    report.browser_outputs = actual
    report.outputs = compare(expected, actual, tolerance)
    report.failures += [f"output '{c.name}': {c.why}" for c in report.outputs if not c.ok]
    measured = report.measured()
    for key, limit in (budgets or {}).items():
        value = measured.get(key)
        if value is None and key.startswith("reload_") and "reload" in report.not_measured:
            report.budgets.append({"key": key, "limit": limit, "value": None, "ok": None,
                                   "note": report.not_measured["reload"]})
            continue
        ok = value is not None and value <= limit
        report.budgets.append({"key": key, "limit": limit, "value": value, "ok": ok})
        if not ok:
            report.failures.append(f"budget {key}: measured {value} > limit {limit:g}")
    return report
