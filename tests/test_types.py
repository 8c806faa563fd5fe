"""webedge.d.mts, the loader's TypeScript types, cannot drift from the loader.

- `tsc --strict` (npm typescript, pinned in js/package.json) accepts README's TypeScript usage
  against a real bundle's webedge.mjs + webedge.d.mts, and rejects misuse (`model.run(42)`, a
  misspelt option, a misspelt model field).
- The declared names are compared with the JS: what the built module exports (in Node), which
  options load() accepts (its refusal of an unknown one lists them), and the fields of a model
  loaded in Chromium, on the main thread and in worker mode, of its stats and progress events.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from models import matmul_model, save
from webedge.bundle import bundle
from webedge.installation import PACKAGE
from webedge.serve import BundleServer
from webedge.testing import browser

ROOT = Path(__file__).resolve().parents[1]
TSC = ROOT / "js" / "node_modules" / "typescript" / "bin" / "tsc"
TSCONFIG = {"compilerOptions": {"strict": True, "noEmit": True, "target": "es2022", "module": "es2022",
                                "moduleResolution": "bundler", "lib": ["es2022", "dom"], "skipLibCheck": False},
            "include": ["*.mts"]}


def node() -> str:
    path = shutil.which("node")
    assert path, "node is needed to type-check webedge.d.mts; install Node.js 20+"
    assert TSC.is_file(), "run `make setup` (npm ci in js/) first: typescript is missing"
    return path


def readme_typescript() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Put it on your site"):]
    found = re.search(r"```ts\n(.*?)```", section, re.S)
    assert found, "README's 'Put it on your site' has no ```ts block any more; update this test with it"
    return "\n".join(line[3:] if line.startswith("   ") else line for line in found.group(1).splitlines())


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A scratch TypeScript project with a real bundle in site/."""
    work = tmp_path_factory.mktemp("ts")
    bundle(save(matmul_model(16), work / "m.onnx"), work / "site", backend="webedge")
    (work / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    return work


def tsc(project: Path, source: str) -> subprocess.CompletedProcess:
    for old in project.glob("*.mts"):
        old.unlink()
    (project / "app.mts").write_text(source)
    return subprocess.run([node(), str(TSC), "-p", str(project / "tsconfig.json")], capture_output=True, text=True,
                          timeout=300)


def test_every_bundle_has_the_types_beside_the_loader(project):
    assert (project / "site" / "webedge.d.mts").read_bytes() == (PACKAGE / "runtime" / "webedge.d.mts").read_bytes()
    assert (PACKAGE / "runtime" / "webedge.d.mts").read_bytes() == (ROOT / "js" / "src" / "index.d.mts").read_bytes()


def test_tsc_strict_accepts_the_readme_usage(project):
    done = tsc(project, readme_typescript())
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("misuse, code", [
    ("await model.run(42);", "TS2345"),
    ("await model.run({bytes: [1, 2, 3]});", "TS2322"),
    ("await webedge.load('./site/model.json', {wroker: true});", "TS2561"),
    ("console.log(model.thread);", "TS2551"),
    ("model.threads = 3;", "TS2540"),
])
def test_tsc_strict_rejects_misuse(project, misuse, code):
    source = ("import * as webedge from './site/webedge.mjs';\n"
              "const model = await webedge.load('./site/model.json');\n" + misuse + "\nexport {};\n")
    done = tsc(project, source)
    assert done.returncode != 0, f"tsc accepted {misuse!r}"
    assert f"app.mts(3," in done.stdout and code in done.stdout, done.stdout


DECLARED = r"""
const ts = require(process.argv[1]);
const text = require('fs').readFileSync(process.argv[2], 'utf8');
const src = ts.createSourceFile('webedge.d.mts', text, ts.ScriptTarget.Latest, true);
const out = { values: [], interfaces: {} };
const exported = (n) => (ts.getCombinedModifierFlags(n) & ts.ModifierFlags.Export) !== 0;
for (const n of src.statements) {
  if (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) { if (exported(n)) out.values.push(n.name.text); }
  else if (ts.isVariableStatement(n) && exported(n)) for (const d of n.declarationList.declarations) out.values.push(d.name.text);
  else if (ts.isInterfaceDeclaration(n)) out.interfaces[n.name.text] = n.members.filter((m) => m.name).map((m) => m.name.text);
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def declared() -> dict:
    done = subprocess.run([node(), "-e", DECLARED, str(TSC.parents[1] / "lib" / "typescript.js"),
                           str(ROOT / "js" / "src" / "index.d.mts")], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_declared_exports_and_options_are_the_modules(declared):
    script = """
      const m = await import(process.argv[1]);
      let refusal = null;
      try { await m.load('x/model.json', { bogus: 1 }); } catch (e) { refusal = e.message; }
      console.log(JSON.stringify({ exports: Object.keys(m).sort(), refusal }));
    """
    done = subprocess.run([node(), "--input-type=module", "-e", script, str(PACKAGE / "runtime" / "webedge.mjs")],
                          capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    assert sorted(declared["values"]) == got["exports"]
    options = got["refusal"].split("load() takes ", 1)[1].split(", ")
    assert got["refusal"].startswith("unknown option(s) bogus;")
    assert sorted(options) == sorted(declared["interfaces"]["LoadOptions"])


@pytest.mark.browser
def test_declared_model_fields_are_what_load_returns(declared, project):
    server = BundleServer(project / "site").start()
    try:
        with browser.launch(webgpu=False) as chromium:
            page = chromium.new_page()
            page.goto(server.blank_page())
            got = page.evaluate("""async () => {
              const webedge = await import('/webedge.mjs');
              const seen = {};
              for (const worker of [false, true]) {
                const events = new Set();
                const model = await webedge.load('/model.json', {worker, onProgress: (e) => Object.keys(e).forEach((k) => events.add(k))});
                await model.loaded;
                await model.run({x: new Float32Array(16)});
                seen[worker] = {model: Object.keys(model).sort(), stats: Object.keys(model.stats).sort(),
                                timings: Object.keys(model.stats.timings).sort(), events: [...events].sort()};
                await model.dispose();
              }
              return seen;
            }""")
    finally:
        server.stop()
    interfaces = declared["interfaces"]
    for worker, seen in got.items():
        assert seen["model"] == sorted(interfaces["Model"]), worker
        assert seen["stats"] == sorted(interfaces["Stats"]), worker
        assert set(seen["timings"]) <= set(interfaces["Timings"]), worker
        assert set(seen["events"]) == set(interfaces["ProgressEvent"]), worker
