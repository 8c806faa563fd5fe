// Builds the browser runtime into webedge/runtime/ (committed, so bundling needs no Node):
//   webedge.mjs            the loader (src/index.mjs), minified;
//   executor/core.js       the core of webedge's own runtime (src/webedge/runtime.mjs), minified;
//   executor/gpu/core.js   the same core with its WebGPU paths (globalThis.WEBGPU true);
//   executor/<id>.js       every op module (src/webedge/ops/) and every helper module they share
//                          (src/webedge/lib/), each minified on its own;
//   chunks/pool-*.mjs      the worker pool, which the core imports only to run threaded;
//   registry.json          the op registry: every op, its devices, the wasm kernel modules, WGSL
//                          shaders and executor modules it needs, the module graph, and the kernel ABI;
//   executor/gpu/<id>.js   every op and helper module again with its `webgpu` part (globalThis.WEBGPU
//                          defined true), and the WebGPU device: what `--ep webgpu` bundles link;
//   shaders/<name>.wgsl    every WGSL shader with its `// #include`s expanded (webgpu/shaders.mjs).
// webedge/backends/executor_js.py links a bundle's executor from these: the core and the modules
// its plan's ops need, in one file (webedge/plan/ops.py reads the registry for the support check).
// A module here is a function `require => exports` (its ESM imports become `require(id)` and
// its export list the returned object), so linking is concatenation.
//     node build.mjs [--out DIR]      (npm run build; make js)
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OPS_DIR, loadOpModules, opModules } from './units.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SRC = join(HERE, 'src', 'webedge');
const outArg = process.argv.indexOf('--out');
const OUT = resolve(outArg > 0 ? process.argv[outArg + 1] : join(HERE, '..', 'webedge', 'runtime'));
const CORE_ENTRY = join(SRC, 'runtime.mjs');
const DEVICE_ORDER = ['webgpu', 'wasm', 'js'];
// absWorkingDir: esbuild's chunk names hash paths relative to it, so the output must not depend on
// where node was started.
const common = { bundle: true, format: 'esm', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'error', absWorkingDir: HERE };

for (const dir of ['executor', 'chunks']) rmSync(join(OUT, dir), { recursive: true, force: true });
mkdirSync(join(OUT, 'executor'), { recursive: true });

// 1. The loader, and beside it as modules of their own: worker mode (src/worker.mjs: only pages
// that load with {worker: true} download it) and the onnxruntime-web adapter (src/backends/ort.mjs:
// only --backend ort bundles carry it). Their WebedgeError is the loader's (./webedge.mjs).
// The manifest schema goes into the loader without its documentation (title, description, $id:
// the checker reads none of them; the file in webedge/ keeps them).
const schemaForChecking = {
  name: 'schema-for-checking',
  setup(build) {
    build.onLoad({ filter: /manifest\.schema\.json$/ }, (args) => {
      const strip = (v) => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).filter(([k]) => !['title', 'description', '$schema', '$id'].includes(k))
          .map(([k, x]) => [k, strip(x)]))
        : v);
      return { contents: JSON.stringify(strip(JSON.parse(readFileSync(args.path, 'utf8')))), loader: 'json' };
    });
  },
};
await esbuild.build({ ...common, entryPoints: [join(HERE, 'src', 'index.mjs')], outfile: join(OUT, 'webedge.mjs'),
  plugins: [schemaForChecking] });
for (const [entry, out] of [['worker.mjs', 'webedge-worker.mjs'], ['backends/ort.mjs', 'webedge-ort.mjs']]) await esbuild.build({
  ...common, entryPoints: [join(HERE, 'src', entry)], outfile: join(OUT, out),
  plugins: [{
    name: 'the-loader',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\/errors\.mjs$/ }, () => ({ path: './webedge.mjs', external: true }));
      build.onResolve({ filter: /^\./ }, (args) => ({ errors: [{ text: `${entry} may import only errors.mjs (from the loader), not ${args.path}` }] }));
    },
  }],
});

// An ESM module as esbuild writes it (static imports first, one export list last) -> the body of
// `require => {...}`. Anything else (a default or namespace import, code after the exports) stops
// the build, and the result must compile.
function toModule(code, id) {
  const IMPORT = /^import\{([^}]*)\}from"([^"]+)";/;
  let rest = code.trim();
  const lines = [];
  for (let m = IMPORT.exec(rest); m; m = IMPORT.exec(rest)) {
    lines.push(`const{${m[1].replaceAll(' as ', ':')}}=require(${JSON.stringify(m[2])});`);
    rest = rest.slice(m[0].length);
  }
  const exp = /export\{([^}]*)\};$/.exec(rest);
  if (!exp) throw new Error(`${id}: expected one export list at the end of the built module`);
  rest = rest.slice(0, exp.index);
  if (/(^|[;}])\s*(import|export)\s*[{*\w]/.test(rest)) throw new Error(`${id}: an import or export the linker cannot take`);
  const names = exp[1].split(',').map((p) => {
    const [local, name] = p.split(' as ');
    return name ? `${name}:${local}` : local;
  });
  const fn = `require=>{${lines.join('')}${rest}return{${names.join(',')}}}`;
  new Function(`return ${fn}`); // eslint-disable-line no-new-func -- a syntax check of the result
  return fn;
}

// 2. The core, twice: for wasm bundles (globalThis.WEBGPU false: the executor's GPU transfers,
// device creation and self-test folded away) and for --ep webgpu bundles (executor/gpu/core.js).
// Its dynamic import of the worker pool becomes a chunk of its own, the same file from both.
async function buildCore(gpu) {
  const built = await esbuild.build({
    ...common, entryPoints: { core: CORE_ENTRY }, outdir: OUT, splitting: true, metafile: true, write: false,
    chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': '.mjs' }, define: { 'globalThis.WEBGPU': gpu ? 'true' : 'false' },
  });
  const chunks = [];
  for (const file of built.outputFiles) {
    const name = relative(OUT, file.path).split('\\').join('/');
    if (name === 'core.mjs') {
      mkdirSync(join(OUT, 'executor', gpu ? 'gpu' : ''), { recursive: true });
      writeFileSync(join(OUT, 'executor', gpu ? 'gpu' : '', 'core.js'), `${toModule(file.text, 'core')}\n`);
    } else if (/^chunks\/pool-\w+\.mjs$/.test(name) && !/\bimport\s*[{*]/.test(file.text)) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.text);
      chunks.push(name);
    } else {
      throw new Error(`the core build wrote ${name}: the worker pool must import nothing, and the core split nowhere else`);
    }
  }
  const text = readFileSync(join(OUT, 'executor', gpu ? 'gpu' : '', 'core.js'), 'utf8');
  if (chunks.length !== 1 || !text.includes(`import("./${chunks[0]}")`)) throw new Error('the core must import the pool chunk');
  return { inputs: Object.keys(built.metafile.inputs).map((p) => resolve(HERE, p)), chunks };
}
const plainCore = await buildCore(false);
const gpuCore = await buildCore(true);
if (plainCore.chunks[0] !== gpuCore.chunks[0]) throw new Error('the worker pool differs between the wasm and WebGPU cores');
const threads = plainCore.chunks;
const coreInputs = new Set([...plainCore.inputs, ...gpuCore.inputs]); // metafile paths: from absWorkingDir
const coreReexports = new Set(readFileSync(CORE_ENTRY, 'utf8').match(/from '[^']+'/g).map((m) => resolve(SRC, m.slice(6, -1))));

// 3. Every module the op modules reach outside the core, each built alone: its imports of other
// modules stay imports (by module id), those of core modules become imports of "core". Built
// twice: without and with the ops' `webgpu` parts (globalThis.WEBGPU false / true, folded away
// by the minifier); a module's imports are read off what esbuild wrote, so a helper only the
// WebGPU parts use is not linked into wasm bundles.
async function buildModules(gpu, entries) {
  const out = {};
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift();
    const id = idOf(file);
    if (out[id]) continue;
    const built = await esbuild.build({
      ...common, entryPoints: [file], write: false, define: { 'globalThis.WEBGPU': gpu ? 'true' : 'false' },
      plugins: [{
        name: 'one-module',
        setup(build) {
          build.onResolve({ filter: /^\./ }, (args) => {
            const path = resolve(args.resolveDir, args.path);
            if (path === file) return undefined;
            if (coreInputs.has(path)) {
              if (!coreReexports.has(path)) {
                return { errors: [{ text: `${idOf(file)} imports ${idOf(path)}, which src/webedge/runtime.mjs does not re-export` }] };
              }
              return { path: 'core', external: true, sideEffects: false };
            }
            return { path: idOf(path), external: true, sideEffects: false }; // modules here only define
          });
        },
      }],
    });
    const text = built.outputFiles[0].text;
    const imports = [...new Set([...text.matchAll(/from"([^"]+)"/g)].map((m) => m[1]))].sort();
    for (const dep of imports) if (dep !== 'core') queue.push(join(SRC, dep));
    out[id] = { file: `executor/${gpu ? 'gpu/' : ''}${id.replace(/\.mjs$/, '.js')}`, imports };
    mkdirSync(dirname(join(OUT, out[id].file)), { recursive: true });
    writeFileSync(join(OUT, out[id].file), `${toModule(text, id)}\n`);
  }
  return out;
}
const idOf = (path) => relative(SRC, path).split('\\').join('/');
const opFiles = opModules().map((f) => join(OPS_DIR, f));
// lib/lowp_absent.mjs: what the linker puts in lib/lowp.mjs's place for a model without low-precision dtypes
const LOWP_ABSENT = join(SRC, 'lib', 'lowp_absent.mjs');
const modules = await buildModules(false, [...opFiles, LOWP_ABSENT]);
const DEVICE_MODULE = join(SRC, 'webgpu', 'device.mjs');
const gpuModules = await buildModules(true, [...opFiles, DEVICE_MODULE, LOWP_ABSENT]);

// 3b. The shaders, includes expanded, one file each (the library of includes is every .wgsl).
const { expand } = await import(pathToFileURL(join(SRC, 'webgpu', 'shaders.mjs')).href);
const WGSL_DIR = join(SRC, 'webgpu');
const wgsl = Object.fromEntries(readdirSync(WGSL_DIR).filter((f) => f.endsWith('.wgsl'))
  .map((f) => [f.slice(0, -5), readFileSync(join(WGSL_DIR, f), 'utf8')]));
const INCLUDES = new Set(['activations', 'tanh']); // included by others, not shaders of their own
rmSync(join(OUT, 'shaders'), { recursive: true, force: true });
mkdirSync(join(OUT, 'shaders'), { recursive: true });
for (const [name, source] of Object.entries(wgsl)) {
  if (!INCLUDES.has(name)) writeFileSync(join(OUT, 'shaders', `${name}.wgsl`), expand(source, wgsl));
}

// 4. The registry.
function closure(id, graph = modules) {
  const seen = new Set();
  const visit = (m) => {
    if (m === 'core' || seen.has(m)) return;
    for (const dep of graph[m].imports) visit(dep);
    seen.add(m); // after its imports: a valid evaluation order
  };
  visit(id);
  return [...seen];
}
const registry = {
  format: 'webedge-ops', version: 1,
  generated_by: 'js/build.mjs from js/src/webedge/ (ops/*.mjs, wasm/abi.mjs, lib/activations.mjs): do not edit',
  device_order: DEVICE_ORDER,
  core: 'executor/core.js',
  gpu_core: 'executor/gpu/core.js',
  threads: threads,
  ops: {},
  modules: Object.fromEntries(Object.entries(modules).sort(([a], [b]) => (a < b ? -1 : 1))),
  gpu_modules: Object.fromEntries(Object.entries(gpuModules).sort(([a], [b]) => (a < b ? -1 : 1))),
  gpu_device: idOf(DEVICE_MODULE),
  shaders: Object.keys(wgsl).filter((n) => !INCLUDES.has(n)).sort(),
  kernels: {},
  enums: {},
  activations: [],
};
globalThis.WEBGPU = true; // the units with their webgpu parts, as the GPU variant has them
for (const { file, units } of await loadOpModules()) {
  const module = `ops/${file}`;
  for (const unit of units) {
    if (registry.ops[unit.op]) throw new Error(`${unit.op} is defined by ${registry.ops[unit.op].module} and ${module}`);
    const devices = unit.control ? ['js'] : DEVICE_ORDER.filter((d) => unit[d]);
    if (!devices.length) throw new Error(`${module}: ${unit.op} has no part`);
    registry.ops[unit.op] = {
      module,
      devices,
      kernels: [...new Set(['wasm', 'js'].flatMap((d) => unit[d]?.kernels ?? []))].sort(),
      // the kernels and parts its wasm part may call (webedge/backends/wasm_strip.py strips the rest)
      ...(unit.wasm?.calls ? { wasm_calls: [...unit.wasm.calls] } : {}),
      shaders: [...(unit.webgpu?.kernels ?? [])].sort(),
      shape: unit.control ? 'control' : !unit.shape ? 'computed' : unit.shapeReads?.length ? 'data-dependent' : 'static',
      shape_reads: unit.shapeReads ?? [],
      modules: closure(module),
      gpu_modules: closure(module, gpuModules),
    };
  }
}
registry.ops = Object.fromEntries(Object.entries(registry.ops).sort(([a], [b]) => (a < b ? -1 : 1)));
const abi = await import(pathToFileURL(join(SRC, 'wasm', 'abi.mjs')).href);
for (const [name, k] of Object.entries(abi.KERNELS)) {
  registry.kernels[name] = { module: k.module, args: k.args.map((a) => [a.name, a.type]), ref: k.ref };
}
registry.enums = { act: abi.ACT, binary: abi.BINARY, unary: abi.UNARY, math: abi.MATH, recurrent: abi.RECURRENT };
const { ACTIVATIONS } = await import(pathToFileURL(join(SRC, 'lib', 'activations.mjs')).href);
registry.activations = Object.keys(ACTIVATIONS);
writeFileSync(join(OUT, 'registry.json'), `${JSON.stringify(registry, null, 1)}\n`);
