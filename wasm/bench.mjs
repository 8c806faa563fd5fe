// Time the kernels in V8 (the browser's engine) with Node: `node wasm/bench.mjs [filter]`.
// Loads every webedge/runtime/kernels/*.wasm (or $WEBEDGE_KERNELS/*.wasm) against one shared memory,
// as the runtime does, and prints GFLOP/s of the fast kernels next to their scalar _ref versions
// where the modules have them: the shipped ones do not; build the test variant for those with
//   python wasm/build.py --variant test --out-dir /tmp/kernels && WEBEDGE_KERNELS=/tmp/kernels node wasm/bench.mjs
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = process.env.WEBEDGE_KERNELS ?? join(dirname(fileURLToPath(import.meta.url)), "..", "webedge", "runtime", "kernels");
const memory = new WebAssembly.Memory({ initial: 2048 }); // 128 MiB
const k = {};
for (const f of readdirSync(dir).filter((f) => f.endsWith(".wasm"))) {
  const { instance } = await WebAssembly.instantiate(readFileSync(join(dir, f)), { env: { memory } });
  Object.assign(k, instance.exports);
}

let top = 65536; // the kernels' stacks live below 64 KiB
const alloc = (n) => { const p = top; top += ((n * 4 + 63) >> 6) << 6; return p; };
const rand = (n) => { const p = alloc(n); const a = new Float32Array(memory.buffer, p, n); for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1; return p; };

// best of several ~40 ms batches: the least disturbed estimate on a busy machine
function time(fn, flops) {
  fn();
  let best = Infinity;
  const t0 = performance.now();
  while (performance.now() - t0 < 400) {
    let reps = 0;
    const b0 = performance.now();
    let t = b0;
    while (t - b0 < 40 || reps < 2) { fn(); reps++; t = performance.now(); }
    best = Math.min(best, (t - b0) / reps);
  }
  return `${best.toFixed(3).padStart(9)} ms ${(flops / best / 1e6).toFixed(2).padStart(7)} GFLOP/s`;
}

const filter = process.argv[2] || "";
const row = (name, s) => { if (name.includes(filter)) console.log(`${name.padEnd(46)} ${s()}`); };

function conv(name, N, C, H, W, M, KH, KW, s, p, g, ref = true) {
  const OH = Math.floor((H + 2 * p - KH) / s) + 1, OW = Math.floor((W + 2 * p - KW) / s) + 1;
  const x = rand(N * C * H * W), w = rand(M * (C / g) * KH * KW), b = rand(M), y = alloc(N * M * OH * OW);
  const flops = 2 * N * M * OH * OW * (C / g) * KH * KW;
  const args = [x, w, b, y, N, C, H, W, M, KH, KW, OH, OW, 0, OH, s, s, 1, 1, p, p, g, 1, 0, 0];
  row(`conv ${name}`, () => time(() => k.conv2d_f32(...args), flops));
  if (ref) row(`conv ${name} (ref)`, () => time(() => k.conv2d_f32_ref(...args), flops));
}

function gemm(M, N, K, tb, ref = true) {
  const a = rand(M * K), b = rand(K * N), c = rand(N), y = alloc(M * N);
  const args = [a, b, c, y, M, N, K, 0, tb, 1, 1, 2, 0, 0, 0];
  row(`gemm ${M}x${N}x${K}${tb ? " transB" : ""}`, () => time(() => k.gemm_f32(...args), 2 * M * N * K));
  if (ref) row(`gemm ${M}x${N}x${K}${tb ? " transB" : ""} (ref)`, () => time(() => k.gemm_f32_ref(...args), 2 * M * N * K));
}

gemm(256, 256, 256, 0);
gemm(256, 256, 256, 1, false);
gemm(1, 1000, 1280, 1);
gemm(1, 1024, 1024, 0, false);
gemm(64, 3136, 576, 0, false);
conv("1x1 64->64 56x56", 1, 64, 56, 56, 64, 1, 1, 1, 0, 1);
conv("1x1 256->64 28x28", 1, 256, 28, 28, 64, 1, 1, 1, 0, 1, false);
conv("3x3 64->64 56x56 p1", 1, 64, 56, 56, 64, 3, 3, 1, 1, 1);
conv("3x3 s2 3->32 224x224 p1 (stem)", 1, 3, 224, 224, 32, 3, 3, 2, 1, 1, false);
conv("3x3 512->512 7x7 p1", 1, 512, 7, 7, 512, 3, 3, 1, 1, 1, false);
conv("dw 3x3 32ch 112x112 p1", 1, 32, 112, 112, 32, 3, 3, 1, 1, 32);
conv("dw 3x3 s2 96ch 112x112 p1", 1, 96, 112, 112, 96, 3, 3, 2, 1, 96, false);
conv("group4 3x3 64->64 28x28 p1", 1, 64, 28, 28, 64, 3, 3, 1, 1, 4, false);

{
  const n = 1 << 20, x = rand(n), y = alloc(n);
  for (const [op, name] of [[1, "relu"], [6, "sigmoid"], [7, "tanh"], [8, "exp"], [9, "log"], [14, "erf"], [15, "gelu"]])
    row(`unary ${name} 1M`, () => time(() => k.unary_f32(op, x, y, n, 0, 0), n));
  const xs = rand(1000 * 1000), ys = alloc(1000 * 1000);
  row("softmax 1000 rows x 1000", () => time(() => k.softmax_f32(xs, ys, 1000, 1000, 1, 0), 1e6));
}
