"""The browser check behind `webedge test`, the library call and the pytest plugin.

One run: serve the bundle on localhost (COOP/COEP, so threads work), open it in headless
Chromium with the HTTP cache off (so only webedge's own Cache API store can save downloads),
optionally throttle the network, load the model, feed the inputs, time a first and N warm
inferences, then reload the page and load again to prove that a warm cache downloads no weights.
The outputs are compared with Python onnxruntime on the original model (or, without one, on the
bundle's own graph and shards read from disk).
"""

from __future__ import annotations

import base64
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import manifest as manifest_mod
from ..compression import decode
from ..errors import WebedgeError
from ..report import kind_of
from ..serve import BundleServer
from . import browser, network
from .compare import OutputCheck, Tolerance, compare
from ..inputs import NUMPY, load_inputs, make_inputs, parse_dims


PAGE_JS = (Path(__file__).with_name("harness_page.js")).read_text()
HARNESS_HTML = b"<!doctype html><meta charset=utf-8><title>webedge harness</title><link rel=icon href='data:,'><p>webedge test harness</p>"
EVAL_TIMEOUT_MS = 300_000


@dataclass
class Report:
    bundle: str
    backend: str = ""
    threads: int = 1
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
    placement: dict = field(default_factory=dict)  # webedge runtime: op -> {device: executed nodes}
    fallback: str | None = None  # why a WebGPU bundle ran on wasm

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
        return {"bundle": self.bundle, "ok": self.ok, "backend": self.backend, "threads": self.threads,
                "streaming": self.streaming,
                "network": self.network, "reference": self.reference, "bytes": self.bytes,
                "timings": self.timings, "reload": self.reload,
                "outputs": [c.as_dict() for c in self.outputs], "budgets": self.budgets,
                "quantization": self.quantization, "placement": self.placement, "fallback": self.fallback,
                "tolerance": vars(self.tolerance) if self.tolerance else None,
                "failures": self.failures}


def reference_outputs(model_path: Path | None, folder: Path, man: dict, feeds: dict) -> tuple[dict, str]:
    import onnxruntime as ort

    if model_path is not None:
        path, label = Path(model_path), f"onnxruntime {ort.__version__} on {model_path}"
        if not path.is_file():
            raise WebedgeError(f"--model {model_path}: no such file")
    elif man["backend"]["name"] != "ort":
        raise WebedgeError(f"{folder} runs on the {man['backend']['name']} runtime, whose plan is not an ONNX "
                           "graph: pass --model ORIGINAL.onnx to compare against")
    else:
        path = folder / man["backend"]["graph"]["file"]
        label = f"onnxruntime {ort.__version__} on the bundle's graph and shards (pass --model for the original)"
    with tempfile.TemporaryDirectory() as tmp:
        if model_path is None and any(s.get("encoding") for s in man["shards"]):
            path = _decoded_copy(folder, man, Path(tmp))  # onnxruntime reads external data as raw bytes
        try:
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            names = [o["name"] for o in man["outputs"]]
            values = session.run(names, feeds)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises many types; one line is what we owe
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise WebedgeError(f"onnxruntime could not run the reference model {path}: {first}") from None
    return dict(zip(names, values)), label


def _decoded_copy(folder: Path, man: dict, tmp: Path) -> Path:
    """The bundle's graph next to its shards decoded, as the browser's loader decodes them."""
    graph = man["backend"]["graph"]["file"]
    shutil.copyfile(folder / graph, tmp / graph)
    for s in man["shards"]:
        stored = folder / s["file"]
        if not stored.is_file():
            raise WebedgeError(f"{folder}: shard {s['file']} is missing; bundle the model again")
        (tmp / s["file"]).parent.mkdir(parents=True, exist_ok=True)
        (tmp / s["file"]).write_bytes(decode(s.get("encoding"), stored.read_bytes()))
    return tmp / graph


def _serve_inputs(server: BundleServer, feeds: dict[str, np.ndarray]) -> list[dict]:
    blob, meta = bytearray(), []
    for name, arr in feeds.items():
        data = np.ascontiguousarray(arr).tobytes()
        blob.extend(b"\0" * (-len(blob) % 8))
        dtype = "bool" if arr.dtype == np.bool_ else str(arr.dtype)
        meta.append({"name": name, "dtype": dtype, "dims": list(arr.shape), "offset": len(blob), "length": len(data)})
        blob.extend(data)
    server.extra["__webedge__/inputs.bin"] = (bytes(blob), "application/octet-stream")
    server.extra["__webedge__/harness.html"] = (HARNESS_HTML, "text/html; charset=utf-8")
    return meta


def _bytes_by_kind(server: BundleServer) -> dict[str, int]:
    out = {"runtime": 0, "weights": 0, "model": 0, "page": 0}
    for path, n in server.bytes_served.items():
        if not path.startswith("__webedge__/"):
            out[kind_of(path) if kind_of(path) in out else "page"] += n
    out["total"] = sum(out.values())
    return out


def _decode(outputs: dict) -> dict[str, np.ndarray]:
    arrays = {}
    for name, o in outputs.items():
        dtype = NUMPY.get(o["type"], np.float32)
        if o["type"] == "float16":
            dtype = np.float16
        raw = base64.b64decode(o["b64"])
        arrays[name] = np.frombuffer(raw, dtype=dtype).reshape(o["dims"]).copy()
    return arrays


def _open_and_run(context, server: BundleServer, args: dict, net: str) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    network.apply(cdp, net)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    page.goto(server.url + "__webedge__/harness.html")
    result = page.evaluate(PAGE_JS, args)
    result["console"] = console[-5:]
    page.close()
    return result


def check(bundle_dir: str | Path, *, model: str | Path | None = None, inputs: str | Path | None = None,
          dims: dict | list | None = None, backend: str | None = None, network_preset: str = "none",
          warm_runs: int = 5, budgets: dict[str, float] | None = None, tolerance: Tolerance | None = None,
          reload: bool = True, stream: bool = True, threads: bool = True) -> Report:
    """Open a bundle in headless Chromium and measure it. Raises WebedgeError for bad usage.

    `threads=False` serves the page without cross-origin isolation, so wasm runs on one thread."""
    folder = Path(bundle_dir)
    if not folder.is_dir():
        raise WebedgeError(f"{folder}: not a folder; pass the output folder of `webedge bundle`")
    man = manifest_mod.read(folder)
    network.preset(network_preset)
    if backend and backend not in man["backend"]["eps"]:
        raise WebedgeError(f"this bundle runs on {', '.join(man['backend']['eps'])}, not '{backend}'; "
                           f"re-bundle with --ep {backend}")
    feeds = load_inputs(inputs, man["inputs"]) if inputs else make_inputs(man["inputs"], parse_dims(dims))
    expected, reference = reference_outputs(Path(model) if model else None, folder, man, feeds)
    quant = man.get("quantization")
    if tolerance is None:
        # a quantized bundle is held to its encoding's tolerance against the float32 original
        tolerance = Tolerance(**quant["tolerance"]) if quant and quant.get("tolerance") else Tolerance()
    report = Report(bundle=str(folder), network=network_preset, reference=reference)
    report.quantization = {k: quant[k] for k in ("encoding", "ratio") if k in quant} if quant else {}
    report.tolerance = tolerance

    server = BundleServer(folder, isolate=threads).start()  # no COOP/COEP: single-threaded wasm
    try:
        args = {"inputs": _serve_inputs(server, feeds), "backend": backend, "warmRuns": warm_runs, "stream": stream}
        with browser.launch(webgpu=True) as b:
            context = b.new_context()
            try:
                cold = _open_and_run(context, server, args, network_preset)
                if "error" in cold:
                    report.failures.append(f"browser: {cold['error']}")
                    return report
                report.bytes = _bytes_by_kind(server)
                if reload:
                    server.reset_counts()
                    warm = _open_and_run(context, server, {**args, "warmRuns": 0}, network_preset)
                    if "error" in warm:
                        report.failures.append(f"browser (reload): {warm['error']}")
                    else:
                        served = _bytes_by_kind(server)
                        report.reload = {"weight_bytes": served["weights"], "total_bytes": served["total"],
                                         "ready_ms": round(warm["stats"]["timings"]["ready"], 1),
                                         "cache_bytes": warm["stats"]["cacheBytes"]}
            finally:
                context.close()
    finally:
        server.stop()

    t = cold["stats"]["timings"]
    report.backend, report.threads, report.streaming = cold["backend"], cold["threads"], bool(cold.get("streaming"))
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
    actual = _decode(cold["outputs"])
    report.browser_outputs = actual
    report.outputs = compare(expected, actual, tolerance)
    report.failures += [f"output '{c.name}': {c.why}" for c in report.outputs if not c.ok]
    measured = report.measured()
    for key, limit in (budgets or {}).items():
        value = measured.get(key)
        ok = value is not None and value <= limit
        report.budgets.append({"key": key, "limit": limit, "value": value, "ok": ok})
        if not ok:
            report.failures.append(f"budget {key}: measured {value} > limit {limit:g}")
    return report
