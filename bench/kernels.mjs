// GFLOP/s of conv2d_f32 / gemm_f32 on the real models' shapes in Node's V8, one thread, next to a
// measured 4-lane multiply-add peak of this CPU.
//
//   python bench/kernel_shapes.py > /tmp/shapes.json
//   node bench/kernels.mjs --shapes /tmp/shapes.json [--rounds 5] [--min-share 0.02] [--filter magika]
//        [--variants simd128=webedge/runtime/kernels/linalg.wasm,relaxed=webedge/runtime/kernels/relaxed/linalg.wasm]
//
// Every variant (a linalg.wasm: the shipped SIMD128 and relaxed ones by default; any other build,
// e.g. another tree's, for an A/B) is instantiated against one shared memory holding the same
// random inputs. Shapes are those of bench/kernel_shapes.py that carry at least --min-share of their
// model's Conv/MatMul flops. Each round times every shape on every variant (variant order rotating
// per round); one timing is the best of ~20 ms batches over ~--ms milliseconds. The table gives the
// median over rounds per variant, the ratio of each variant to the first, and the load average at
// the start and the end. The peak lines time a hand-assembled loop of 12 independent 4-lane chains
// acc = acc * b + c: f32x4.mul + f32x4.add (SIMD128) and f32x4.relaxed_madd (relaxed, one FMA).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const rounds = Number(args.rounds ?? 5);
const minShare = Number(args['min-share'] ?? 0.02);
const budget = Number(args.ms ?? 100);
const filter = args.filter ?? '';
const variants = (args.variants ?? 'simd128=webedge/runtime/kernels/linalg.wasm,relaxed=webedge/runtime/kernels/relaxed/linalg.wasm')
  .split(',').map((s) => { const [name, path] = s.split('='); return { name, path: path.startsWith('/') ? path : join(ROOT, path) }; });
if (!args.shapes) throw new Error('--shapes FILE (from python bench/kernel_shapes.py) is required');

// ---- the peak loop, assembled by hand ------------------------------------------------------------
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const ACCS = 12;
function peakModule(fused) {
  const B = ACCS + 1, C = ACCS + 2; // locals: 0 = n (param), 1..12 accumulators, 13 b, 14 c
  const f32 = (v) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
  const body = [0x01, 14, 0x7b, // 14 v128 locals, zero-initialised
    ...f32(0.9999), 0xfd, 0x13, 0x21, B, ...f32(0.0001), 0xfd, 0x13, 0x21, C,
    0x03, 0x40]; // loop
  for (let i = 1; i <= ACCS; i++) {
    body.push(0x20, i, 0x20, B);
    if (fused) body.push(0x20, C, 0xfd, 0x85, 0x02); // f32x4.relaxed_madd(acc, b, c)
    else body.push(0xfd, 0xe6, 0x01, 0x20, C, 0xfd, 0xe4, 0x01); // f32x4.add(f32x4.mul(acc, b), c)
    body.push(0x21, i);
  }
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b); // n -= 1; br_if n; end loop
  body.push(0x20, 1);
  for (let i = 2; i <= ACCS; i++) body.push(0x20, i, 0xfd, 0xe4, 0x01);
  body.push(0xfd, 0x1f, 0, 0x0b); // f32x4.extract_lane 0; end
  const name = [...new TextEncoder().encode('peak')];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), ...section(3, [1, 0]),
    ...section(7, [1, name.length, ...name, 0, 0]), ...section(10, [1, ...leb(body.length), ...body])]);
}

// Node 20 validates relaxed SIMD only behind a flag: rerun this script with it
if (!WebAssembly.validate(peakModule(true)) && !process.env.WEBEDGE_BENCH_RERUN) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, WEBEDGE_BENCH_RERUN: '1' } });
  process.exit(r.status ?? 1);
}

// ---- timing ----------------------------------------------------------------------------------
function best(fn) { // ms per call: best of ~20 ms batches within `budget` ms
  fn();
  let b = Infinity;
  const t0 = performance.now();
  while (performance.now() - t0 < budget) {
    let reps = 0;
    const b0 = performance.now();
    let t = b0;
    while (t - b0 < 20 || reps < 2) { fn(); reps++; t = performance.now(); }
    b = Math.min(b, (t - b0) / reps);
  }
  return b;
}
const median = (v) => { const s = [...v].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');

// ---- shapes and data -------------------------------------------------------------------------
const all = JSON.parse(readFileSync(args.shapes, 'utf8'));
const total = {};
for (const r of all) total[r.model] = (total[r.model] ?? 0) + r.flops * r.count;
const shapes = all.filter((r) => r.flops * r.count >= minShare * total[r.model])
  .map((r) => ({ ...r, label: label(r), share: (r.flops * r.count) / total[r.model] }))
  .filter((r) => `${r.model} ${r.label}`.includes(filter));
function label(r) {
  if (r.op === 'gemm') return `gemm ${r.M}x${r.N}x${r.K}${r.transB ? ' tB' : ''}${r.batch > 1 ? ` b${r.batch}` : ''}`;
  const g = r.group > 1 ? (r.path === 'depthwise' ? ' dw' : ` g${r.group}`) : '';
  return `conv ${r.KH}x${r.KW}${r.sh > 1 || r.sw > 1 ? ` s${r.sh}${r.sw}` : ''}${g} ${r.N}x${r.C}x${r.H}x${r.W}->${r.M}`;
}

const floats = (r) => (r.op === 'gemm'
  ? [r.M * r.K, r.K * r.N, r.N, r.M * r.N]
  : [r.N * r.C * r.H * r.W, r.M * (r.C / r.group) * r.KH * r.KW, r.M, r.N * r.M * r.OH * r.OW]);
const need = Math.max(...shapes.map((r) => floats(r).reduce((a, n) => a + n + 16, 0)));
const memory = new WebAssembly.Memory({ initial: Math.ceil((65536 + need * 4) / 65536) + 1 });
const heap = new Float32Array(memory.buffer);
for (let i = 16384; i < heap.length; i++) heap[i] = Math.random() * 2 - 1;
const mods = [];
for (const v of variants) {
  const { instance } = await WebAssembly.instantiate(readFileSync(v.path), { env: { memory } });
  mods.push({ ...v, k: instance.exports });
}
function call(r) { // argument list of the shape (pointers into the shared random data)
  let top = 65536;
  const ptr = floats(r).map((n) => { const p = top; top += ((n + 16) * 4 + 63) & ~63; return p; });
  if (r.op === 'gemm') {
    const [a, b, c, y] = ptr;
    return (k) => k.gemm_f32(a, b, c, y, r.M, r.N, r.K, 0, r.transB, 1, 0, 0, 0, 0, 0);
  }
  const [x, w, b, y] = ptr;
  return (k) => k.conv2d_f32(x, w, b, y, r.N, r.C, r.H, r.W, r.M, r.KH, r.KW, r.OH, r.OW, 0, r.OH, r.sh, r.sw, r.dh, r.dw,
    r.pt, r.pl, r.group, 0, 0, 0);
}

// ---- run -------------------------------------------------------------------------------------
const peaks = [['peak mul+add (SIMD128)', false], ['peak relaxed_madd (FMA)', true]];
const peakFns = [];
for (const [name, fused] of peaks) {
  try {
    const { instance } = await WebAssembly.instantiate(peakModule(fused));
    peakFns.push({ name, fn: () => instance.exports.peak(200000) });
  } catch (e) { console.log(`${name}: not run (${e.message})`); }
}
const PEAK_FLOPS = 200000 * ACCS * 8;
const times = shapes.map(() => mods.map(() => []));
const peakTimes = peakFns.map(() => []);
const load0 = load();
console.log(`load average at start: ${load0}; ${rounds} rounds, ${shapes.length} shapes, variants ${mods.map((m) => m.name).join(', ')}`);
for (let round = 0; round < rounds; round++) {
  peakFns.forEach((p, i) => peakTimes[i].push(best(p.fn)));
  shapes.forEach((r, si) => {
    const fn = call(r);
    for (let j = 0; j < mods.length; j++) {
      const vi = (j + round) % mods.length;
      times[si][vi].push(best(() => fn(mods[vi].k)));
    }
  });
  console.error(`round ${round + 1}/${rounds} done, load ${load()}`);
}
for (const [i, p] of peakFns.entries()) console.log(`${p.name.padEnd(64)} ${(PEAK_FLOPS / median(peakTimes[i]) / 1e6).toFixed(1).padStart(6)} GFLOP/s`);
const head = ['model'.padEnd(10), 'shape'.padEnd(40), 'count', 'share',
  ...mods.map((m) => `${m.name} ms`.padStart(12) + `${m.name} GF/s`.padStart(14)), ...mods.slice(1).map((m) => `${m.name}/${mods[0].name}`.padStart(16))];
console.log(head.join(' '));
const sums = {};
shapes.forEach((r, si) => {
  const ms = mods.map((_, vi) => median(times[si][vi]));
  const s = (sums[r.model] ??= { flops: 0, ms: mods.map(() => 0) });
  s.flops += r.flops * r.count;
  ms.forEach((t, vi) => { s.ms[vi] += t * r.count; });
  console.log([r.model.padEnd(10), r.label.padEnd(40), String(r.count).padStart(5), `${(100 * r.share).toFixed(1)}%`.padStart(5),
    ...ms.map((t) => t.toFixed(3).padStart(12) + (r.flops / t / 1e6).toFixed(2).padStart(14)),
    ...ms.slice(1).map((t) => (t / ms[0]).toFixed(3).padStart(16))].join(' '));
});
for (const [model, s] of Object.entries(sums))
  console.log([model.padEnd(10), 'all shapes above (x count)'.padEnd(40), '', '', ...s.ms.map((t) => t.toFixed(3).padStart(12) + (s.flops / t / 1e6).toFixed(2).padStart(14)),
    ...s.ms.slice(1).map((t) => (t / s.ms[0]).toFixed(3).padStart(16))].join(' '));
console.log(`load average at start: ${load0}, at end: ${load()}`);
