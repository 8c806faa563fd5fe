"""Threads on webedge's own runtime: a worker pool over shared memory when the page is cross-origin
isolated, one thread otherwise, and only the kernel variant that runs is downloaded.
Checked in headless Chromium against Python onnxruntime (this fails, not skips, without Chromium)."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from webedge.bundle import bundle
from webedge.serve import BundleServer
from webedge.testing import browser, check

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium():
    # per test: check() starts its own Playwright, which cannot run while another one is open
    with browser.launch(webgpu=False) as b:
        yield b


@pytest.fixture(scope="module")
def magika_webedge(tmp_path_factory, magika_model):
    out = tmp_path_factory.mktemp("magika-webedge") / "site"
    return out, bundle(magika_model, out, backend="webedge")


def _served_kernels(server: BundleServer) -> set[str]:
    """The kernel modules and the worker pool (chunks/) the page fetched."""
    return {path for path in server.bytes_served if path.startswith(("kernels/", "chunks/"))}


LOAD_AND_RUN = """async (opts) => {
  const webedge = await import('/webedge.mjs');
  try {
    const model = await webedge.load('/model.json', opts);
    const out = await model.run({bytes: new Int32Array(4 * 2048).fill(65)});
    await model.dispose();
    return {threads: model.threads, isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency,
            n: out.target_label.data.length};
  } catch (err) { return {error: err.message, name: err.name}; }
}"""


def _load(chromium, folder, isolate: bool, **opts) -> tuple[dict, set[str]]:
    server = BundleServer(folder, isolate=isolate).start()
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(server.blank_page())
        got = page.evaluate(LOAD_AND_RUN, {**opts, "cache": False})
    finally:
        context.close()
        server.stop()
    return got, _served_kernels(server)


def test_bundle_ships_both_kernel_sets_and_counts_the_threaded_one_apart(magika_webedge):
    folder, report = magika_webedge
    files = json.loads((folder / "model.json").read_text())["backend"]["files"]
    single = sorted(f["file"] for f in files if f["role"] == "kernel")
    threaded = sorted(f["file"] for f in files if f["role"] == "kernel-mt")
    assert single and threaded == [f.replace("kernels/", "kernels/mt/") for f in single]
    executor = [f["file"] for f in files if f["role"] == "executor"]
    pool = [f["file"] for f in files if f["role"] == "executor-mt"]  # the worker pool: imported only with threads
    assert len(executor) == 1 and len(pool) == 1
    runtime = sum(report["files"][f]["gzip"] for f in [*single, *executor, "webedge.mjs"])
    assert report["totals"]["runtime"]["gzip"] == runtime  # what a single-threaded page downloads
    assert report["totals"]["threads"]["gzip"] == sum(report["files"][f]["gzip"] for f in [*threaded, *pool])
    relaxed = sorted(f["file"] for f in files if f["role"] in ("kernel-relaxed", "kernel-relaxed-mt"))
    assert relaxed == sorted([f.replace("kernels/", "kernels/relaxed/") for f in single]
                             + [f.replace("kernels/", "kernels/relaxed-mt/") for f in single])
    assert report["totals"]["relaxed"]["gzip"] == sum(report["files"][f]["gzip"] for f in relaxed)


def test_magika_runs_on_threads_only_when_isolated_and_matches_onnxruntime(magika_webedge, magika_model):
    folder, _ = magika_webedge
    threaded = check(folder, model=magika_model, dims={"unk__214": 4}, warm_runs=2, reload=False, threads=True)
    assert threaded.ok, threaded.failures
    assert threaded.backend == "webedge/wasm" and threaded.threads == 2  # this machine: 2 cores; default min(cores, 4)
    plain = check(folder, model=magika_model, dims={"unk__214": 4}, warm_runs=2, reload=False, threads=False)
    assert plain.ok, plain.failures
    assert plain.threads == 1


def test_only_the_kernel_variant_that_runs_is_downloaded(chromium, magika_webedge):
    """SIMD128 kernels here (tests/test_simd_variants.py checks the relaxed-SIMD ones the same way)."""
    folder, _ = magika_webedge
    got, kernels = _load(chromium, folder, isolate=True, simd="simd128")
    assert got.get("isolated") is True and got["threads"] == min(4, got["cores"]) > 1, got
    assert got["n"] == 4 * 214
    pool = {k for k in kernels if k.startswith("chunks/")}
    assert len(pool) == 1 and all(k.startswith("kernels/mt/") for k in kernels - pool), kernels
    got, kernels = _load(chromium, folder, isolate=False, simd="simd128")
    assert got.get("isolated") is False and got["threads"] == 1, got
    # one thread: neither the threaded kernels nor the worker pool
    assert kernels and not any(k.startswith(("kernels/mt/", "chunks/")) for k in kernels), kernels


def test_threads_option_overrides_the_default_and_is_checked(chromium, magika_webedge):
    folder, _ = magika_webedge
    got, kernels = _load(chromium, folder, isolate=True, threads=1)
    assert got["threads"] == 1 and not any(k.startswith(("kernels/mt/", "kernels/relaxed-mt/")) for k in kernels), \
        (got, kernels)
    got, _ = _load(chromium, folder, isolate=True, threads=3)
    assert got["threads"] == 3, got
    got, _ = _load(chromium, folder, isolate=False, threads=3)  # no shared memory without isolation
    assert got["threads"] == 1, got
    for bad in (0, 2.5, "2"):
        got, _ = _load(chromium, folder, isolate=True, threads=bad)
        assert got == {"error": f"option threads must be a positive integer, got {json.dumps(bad)}",
                       "name": "WebedgeError"}


def _split_model(path):
    """One node per way the ops split across threads, each at least 2 * MIN_SHARE_FLOPS (threads.mjs),
    so that 2 threads split it:
    Conv by output channels (a count that is not a multiple of 4), by groups, by depthwise channels,
    by images; Gemm by rows (column bias) and by columns of a transposed B (one row); MatMul by
    batch entries and by rows; then (at least 2 * MIN_SHARE_FLOPS / ELEMENT_FLOPS elements each) pooling
    by planes, BatchNormalization by images and by channels, a broadcasting Add by its outer axis,
    Sigmoid by element ranges, a linear Resize by rows and ConvTranspose's GEMM and scatter-add."""
    rng = np.random.default_rng(5)
    inits = []

    def w(name, *shape):
        inits.append(numpy_helper.from_array(rng.uniform(-0.2, 0.2, shape).astype(np.float32), name))
        return name

    nodes = [
        helper.make_node("Conv", ["x", w("w1", 30, 16, 3, 3), w("b1", 30)], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["c1", w("w2", 30, 1, 7, 7)], ["c2"], pads=[3, 3, 3, 3], group=30),
        helper.make_node("Conv", ["c2", w("w3", 30, 10, 3, 3), w("b3", 30)], ["c3"], pads=[1, 1, 1, 1], group=3),
        helper.make_node("Relu", ["c3"], ["y_conv"]),
        helper.make_node("Conv", ["x2", "w1", "b1"], ["y_images"], pads=[1, 1, 1, 1]),
        helper.make_node("Gemm", ["a", w("g1", 192, 256), w("g1c", 96, 1)], ["y_gemm"], transB=1, alpha=0.5),
        helper.make_node("Gemm", ["v", w("g2", 3072, 1024), w("g2c", 3072)], ["y_gemv"], transB=1),
        helper.make_node("MatMul", ["q", w("k", 6, 64, 96)], ["y_bmm"]),
        helper.make_node("MatMul", ["a", w("m", 256, 200)], ["y_mm"]),
        helper.make_node("MaxPool", ["xb"], ["y_maxpool"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("AveragePool", ["xb"], ["y_avgpool"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["xb", w("s24", 24), w("b24", 24), w("m24", 24), "v24"], ["y_bn_images"]),
        helper.make_node("BatchNormalization", ["x1", "s24", "b24", "m24", "v24"], ["y_bn_channels"]),
        helper.make_node("Add", ["xb", "row"], ["y_add"]),
        helper.make_node("Sigmoid", ["xb"], ["y_sigmoid"]),
        helper.make_node("Resize", ["xr", "", "scales"], ["y_resize"], mode="linear"),
        helper.make_node("ConvTranspose", ["xt", w("wt", 32, 16, 3, 3), w("bt", 16)], ["y_convt"], strides=[2, 2],
                         pads=[1, 1, 1, 1], output_padding=[1, 1]),
    ]
    inits.append(numpy_helper.from_array(rng.uniform(0.5, 2, 24).astype(np.float32), "v24"))
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales"))
    f = TensorProto.FLOAT
    inputs = [helper.make_tensor_value_info(n, f, s) for n, s in (
        ("x", [1, 16, 64, 64]), ("x2", [3, 16, 24, 24]), ("a", [96, 256]), ("v", [1, 1024]), ("q", [6, 128, 64]),
        ("xb", [2, 24, 128, 128]), ("x1", [1, 24, 180, 180]), ("row", [1, 24, 1, 128]), ("xr", [1, 8, 96, 96]),
        ("xt", [1, 32, 64, 64]))]
    outputs = [helper.make_tensor_value_info(n, f, s) for n, s in (
        ("y_conv", [1, 30, 64, 64]), ("y_images", [3, 30, 24, 24]), ("y_gemm", [96, 192]), ("y_gemv", [1, 3072]),
        ("y_bmm", [6, 128, 96]), ("y_mm", [96, 200]), ("y_maxpool", [2, 24, 128, 128]), ("y_avgpool", [2, 24, 64, 64]),
        ("y_bn_images", [2, 24, 128, 128]), ("y_bn_channels", [1, 24, 180, 180]), ("y_add", [2, 24, 128, 128]),
        ("y_sigmoid", [2, 24, 128, 128]), ("y_resize", [1, 8, 192, 192]), ("y_convt", [1, 16, 128, 128]))]
    graph = helper.make_graph(nodes, "splits", inputs, outputs, inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9), path)


def test_every_split_matches_onnxruntime_on_two_threads(tmp_path):
    _split_model(tmp_path / "splits.onnx")
    bundle(tmp_path / "splits.onnx", tmp_path / "site", backend="webedge")
    report = check(tmp_path / "site", model=tmp_path / "splits.onnx", warm_runs=2, reload=False, threads=True)
    assert report.threads == 2
    assert report.ok, report.failures
    assert all(c.max_abs < 1e-4 for c in report.outputs), [(c.name, c.max_abs) for c in report.outputs]


# Two sessions of one bundle in one isolated page, on 1 and 2 threads (SIMD128 kernels both), the
# same input; each output compared as bits, and the 2-thread pool's count of split calls per kernel.
SAME_BITS_JS = """async ({inputs}) => {
  const manifest = await (await fetch('/model.json')).json();
  const rt = await import('/' + manifest.backend.files.find((f) => f.role === 'executor').file);
  const get = async (f) => new Uint8Array(await (await fetch('/' + f)).arrayBuffer());
  const shards = [];
  for (const s of manifest.shards) shards.push(await get(s.file));
  const blob = new Uint8Array(await (await fetch('/__webedge__/inputs.bin')).arrayBuffer());
  const feeds = {};
  for (const i of inputs) feeds[i.name] = { data: new Float32Array(blob.slice(i.offset, i.offset + i.length).buffer), dims: i.dims, type: i.dtype };
  const results = [];
  for (const threads of [1, 2]) {
    const kernels = [];
    for (const f of manifest.backend.files.filter((f) => f.role === (threads > 1 ? 'kernel-mt' : 'kernel'))) kernels.push([f.file, await get(f.file)]);
    const session = await rt.createWebedgeSession({ manifest, planBytes: await get(manifest.backend.graph.file), kernels,
      shards, threads });
    const out = await session.run(feeds);
    const bits = {};
    for (const [name, t] of Object.entries(out)) bits[name] = Array.from(new Uint32Array(Float32Array.from(t.data).buffer));
    results.push({ threads: session.threads, bits, splits: { ...(session.executor.devices.wasm.pool?.splits ?? {}) } });
    await session.dispose();
  }
  const [one, two] = results;
  const differ = Object.keys(one.bits).filter((n) => one.bits[n].length !== two.bits[n].length || one.bits[n].some((v, i) => v !== two.bits[n][i]));
  return { threads: [one.threads, two.threads], outputs: Object.keys(one.bits), sizes: Object.values(one.bits).map((b) => b.length),
    differ, splits: two.splits, unsplit: one.splits };
}"""


def test_ppocr_det_on_two_threads_splits_every_heavy_op_and_equals_one_thread_bitwise(tmp_path, chromium):
    """PP-OCR det at 480x640: every kernel it calls (conv bands, the elementwise ops, pooling,
    BatchNormalization, ConvTranspose's GEMM and col2im, Resize) splits on 2 threads, and the result is bit for bit
    the 1-thread one (a split only cuts the work, it never changes how an element is computed)."""
    from webedge import pretrained
    from webedge.testing.harness import _serve_inputs

    bundle(pretrained.fetch("ppocr-det"), tmp_path / "site", backend="webedge", compress=False)
    server = BundleServer(tmp_path / "site").start()
    context = chromium.new_context()
    try:
        x = np.random.default_rng(7).uniform(-1, 1, (1, 3, 480, 640)).astype(np.float32)
        inputs = _serve_inputs(server, {"x": x})
        page = context.new_page()
        page.goto(server.url + "__webedge__/harness.html")
        got = page.evaluate(SAME_BITS_JS, {"inputs": inputs})
    finally:
        context.close()
        server.stop()
    assert got["threads"] == [1, 2] and got["unsplit"] == {}, got
    assert got["sizes"] == [480 * 640], got
    assert got["differ"] == [], got
    for kernel in ("conv2d_f32", "binary_f32", "unary_f32", "math_f32", "global_avgpool_f32", "batchnorm_f32", "gemm_f32",
                   "col2im_f32", "resize_f32"):
        assert got["splits"].get(kernel, 0) > 0, (kernel, got["splits"])
