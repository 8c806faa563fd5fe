"""The relaxed-SIMD kernel sets: a bundle ships SIMD128 and relaxed-SIMD kernels, the loader fetches
the relaxed ones only where the engine validates relaxed SIMD (Chromium and Firefox here; WebKit
and Node 20 without a flag do not), `load(url, {simd})` forces a set, and both sets agree with
onnxruntime on a real model. The relaxed set's fused multiply-adds round once, so its outputs may
differ from SIMD128's in the last bits: they are compared with the default tolerance, not bitwise.
The browser tests fail (not skip) without the browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from webedge.bundle import bundle
from webedge.serve import BundleServer
from webedge.testing import browser, check

ROOT = Path(__file__).resolve().parents[1]
RELAXED_ROLES = ("kernel-relaxed", "kernel-relaxed-mt")


@pytest.fixture(scope="module")
def magika_webedge(tmp_path_factory, magika_model):
    out = tmp_path_factory.mktemp("magika-simd") / "site"
    bundle(magika_model, out, backend="webedge")
    return out


RUN = """async (opts) => {
  const webedge = await import('/webedge.mjs');
  try {
    const model = await webedge.load('/model.json', opts);
    const out = await model.run({bytes: new Int32Array(4 * 2048).map((_, i) => (i * 37) % 257)});
    await model.dispose();
    return {simd: model.simd, threads: model.threads, scores: Array.from(out.target_label.data)};
  } catch (err) { return {error: err.message}; }
}"""


def _run(folder: Path, isolate: bool = False, **opts) -> tuple[dict, set[str]]:
    """Load and run the bundle in headless Chromium; (the page's answer, kernel files it fetched)."""
    server = BundleServer(folder, isolate=isolate).start()
    try:
        with browser.launch(webgpu=False) as b:
            context = b.new_context()
            page = context.new_page()
            page.goto(server.blank_page())
            got = page.evaluate(RUN, {**opts, "cache": False})
            context.close()
    finally:
        server.stop()
    return got, {p for p in server.bytes_served if p.startswith("kernels/")}


def test_the_bundle_ships_a_relaxed_twin_of_every_kernel_module(magika_webedge):
    files = json.loads((magika_webedge / "model.json").read_text())["backend"]["files"]
    by_role = {role: sorted(f["file"] for f in files if f["role"] == role)
               for role in ("kernel", "kernel-mt", *RELAXED_ROLES)}
    assert by_role["kernel"]
    for role, folder in (("kernel-relaxed", "relaxed/"), ("kernel-relaxed-mt", "relaxed-mt/")):
        assert by_role[role] == [f.replace("kernels/", f"kernels/{folder}") for f in by_role["kernel"]]
    madd = bytes([0xFD, 0x85, 0x02])  # f32x4.relaxed_madd: in the relaxed builds, never in the SIMD128 ones
    relaxed = {f: madd in (magika_webedge / f).read_bytes() for f in by_role["kernel-relaxed"]}
    assert relaxed["kernels/relaxed/linalg.wasm"], relaxed
    for f in by_role["kernel"] + by_role["kernel-mt"]:
        assert madd not in (magika_webedge / f).read_bytes(), f"{f}: a SIMD128 kernel holds a relaxed-SIMD op"


@pytest.mark.browser
def test_chromium_fetches_only_the_relaxed_kernels_and_simd128_on_request(magika_webedge):
    relaxed, kernels = _run(magika_webedge)
    assert relaxed.get("simd") == "relaxed", relaxed
    assert kernels and all(k.startswith("kernels/relaxed/") for k in kernels), kernels
    threaded, kernels = _run(magika_webedge, isolate=True)
    assert threaded.get("simd") == "relaxed" and threaded["threads"] > 1, threaded
    assert kernels and all(k.startswith("kernels/relaxed-mt/") for k in kernels), kernels
    plain, kernels = _run(magika_webedge, simd="simd128")
    assert plain.get("simd") == "simd128", plain
    assert kernels and not any(k.startswith(("kernels/relaxed", "kernels/mt/")) for k in kernels), kernels
    # the same scores up to the last bits of the fused rounding
    np.testing.assert_allclose(relaxed["scores"], plain["scores"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(threaded["scores"], plain["scores"], rtol=1e-4, atol=1e-6)


@pytest.mark.browser
def test_a_bad_simd_option_and_a_bundle_without_relaxed_kernels(magika_webedge, tmp_path):
    got, kernels = _run(magika_webedge, simd="avx2")
    assert got == {"error": 'option simd must be one of relaxed, simd128, got "avx2"'} and not kernels
    # a bundle from before the relaxed sets: SIMD128 by default, a clear error when relaxed is forced
    old = tmp_path / "old"
    shutil.copytree(magika_webedge, old)
    manifest = json.loads((old / "model.json").read_text())
    manifest["backend"]["files"] = [f for f in manifest["backend"]["files"] if f["role"] not in RELAXED_ROLES]
    (old / "model.json").write_text(json.dumps(manifest))
    got, kernels = _run(old)
    assert got.get("simd") == "simd128" and kernels and not any(k.startswith("kernels/relaxed") for k in kernels), got
    got, _ = _run(old, simd="relaxed")
    assert "ships no relaxed-SIMD kernels" in got.get("error", ""), got


@pytest.mark.browser
@pytest.mark.parametrize("simd", ["relaxed", "simd128"])
def test_both_kernel_sets_match_onnxruntime_on_magika(magika_webedge, magika_model, simd):
    report = check(magika_webedge, model=magika_model, dims={"unk__214": 4}, warm_runs=1, reload=False, simd=simd)
    assert report.ok, report.failures
    assert report.simd == simd


@pytest.mark.browser
@pytest.mark.parametrize("engine,expected", [("firefox", "relaxed"), ("webkit", "simd128")])
def test_firefox_runs_relaxed_simd_and_webkit_simd128(magika_webedge, magika_model, engine, expected):
    """What each engine on this machine validates (Firefox ESR 153: relaxed SIMD; WebKitGTK 2.50 has
    none): if an engine update changes it, this says so."""
    report = check(magika_webedge, model=magika_model, dims={"unk__214": 4}, warm_runs=1, reload=False,
                   browser=engine, threads=False)
    assert report.ok, report.failures
    assert report.simd == expected


def _node_simd(flags: list[str]) -> tuple[bool, list] | None:
    """simd.mjs's choices in Node: (whether Node validates an independently encoded relaxed_madd
    module, [default, forced simd128, the threaded role, forced relaxed or its error]); None when
    this Node does not know one of `flags`."""
    import wasmtime

    probe = wasmtime.wat2wasm("(module (func (param v128 v128) (result v128) "
                              "local.get 0 local.get 1 local.get 0 f32x4.relaxed_madd))")
    script = """
      const { simdFor, kernelRole } = await import(process.argv[1]);
      const engine = WebAssembly.validate(Uint8Array.from(Buffer.from(process.argv[2], 'hex')));
      const bundle = { backend: { files: [{ role: 'kernel' }, { role: 'kernel-relaxed' }] } };
      const out = [simdFor(bundle), simdFor(bundle, 'simd128'), kernelRole(simdFor(bundle), 2)];
      try { out.push(simdFor(bundle, 'relaxed')); } catch (err) { out.push(err.message); }
      console.log(JSON.stringify([engine, out]));
    """
    src = (ROOT / "js" / "src" / "simd.mjs").as_uri()
    proc = subprocess.run(["node", *flags, "--input-type=module", "-e", script, src, bytes(probe).hex()],
                          capture_output=True, text=True, timeout=60)
    if flags and "bad option" in proc.stderr:
        return None
    assert proc.returncode == 0, proc.stderr
    return tuple(json.loads(proc.stdout))


def test_the_probe_follows_the_engine_not_the_browser_name():
    """The loader's probe agrees with the engine about relaxed SIMD, with it off and on (Node 20's V8
    validates it only behind a flag; later Node versions by default)."""
    seen = set()
    for flags in ([], ["--experimental-wasm-relaxed-simd"]):
        got = _node_simd(flags)
        if got is None:
            continue
        engine, out = got
        seen.add(engine)
        if engine:
            assert out == ["relaxed", "simd128", "kernel-relaxed-mt", "relaxed"]
        else:
            assert out == ["simd128", "simd128", "kernel-mt",
                           "simd: 'relaxed' asked for, but this browser does not support relaxed SIMD"]
    assert True in seen
