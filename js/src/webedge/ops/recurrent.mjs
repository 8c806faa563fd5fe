// Recurrent ops LSTM, GRU and RNN (ONNX layout 0 and 1, forward/reverse/bidirectional,
// sequence_lens, clip, peepholes, input_forget, custom activations from lib/activations.mjs).
// wasm: the input projection of the whole sequence is one gemm_f32 per direction; then, with the
// default activations, one recurrent_f32 call per direction runs every step (H @ R^T and the gates,
// wasm/kernels/recurrent.c); with custom activations each step is a gemm_f32 and the gates in JS.
import { ACTIVATIONS } from '../lib/activations.mjs';
import { copyRegion, fitsF32, grid1d } from '../lib/gpu.mjs';
import { RECURRENT, argsOf } from '../wasm/abi.mjs';

// Gates per cell and the default activations of each kind.
const GATES = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTS = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };
// y[M, N] = a[M, K] @ b[N, K]^T (+ c, a row vector, when given): the gemm_f32 calls of a cell
const gemm = (a, b, y, M, N, K, c = 0) => ({ a, b, c, y, M, N, K, transA: 0, transB: 1, alpha: 1, beta: c ? 1 : 0,
  c_kind: c ? 2 : 0, act: 0, a0: 0, a1: 0 });

// The activation functions of each direction, taking their alphas and betas in order.
function activations(node, count, defaults) {
  const names = node.attrs.activations ?? [];
  const alpha = node.attrs.activation_alpha ?? [];
  const beta = node.attrs.activation_beta ?? [];
  const dirs = node.attrs.direction === 'bidirectional' ? 2 : 1;
  const out = [];
  let ai = 0;
  let bi = 0;
  for (let i = 0; i < count * dirs; i++) {
    const name = names[i] ?? defaults[i % count];
    const entry = ACTIVATIONS[name];
    if (!entry) throw new Error(`activation ${name} is not supported`);
    const [nParams, make] = entry;
    out.push(make(nParams >= 1 ? alpha[ai++] : undefined, nParams >= 2 ? beta[bi++] : undefined));
  }
  return out;
}

// [a, b, ...] -> [b, a, ...] (layout 1 <-> 0), into `to`.
function swap01(t, to) {
  const [a, b, ...rest] = t.dims;
  const inner = rest.reduce((p, q) => p * q, 1);
  const src = t.data;
  const dst = to.data;
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) dst.set(src.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
}

function shape(node, [X, W, R]) {
  const layout = node.attrs.layout ?? 0;
  const [S, N] = layout ? [X.dims[1], X.dims[0]] : X.dims;
  const dirs = W.dims[0];
  const H = node.attrs.hidden_size ?? R.dims[2];
  const y = layout ? [N, S, dirs, H] : [S, dirs, N, H];
  const state = layout ? [N, dirs, H] : [dirs, N, H];
  const out = [{ dtype: X.dtype, dims: y }, { dtype: X.dtype, dims: state }];
  if (node.op === 'LSTM') out.push({ dtype: X.dtype, dims: state.slice() });
  return out;
}

// Whether recurrent_f32 computes this node: the default activations (named or not). Custom
// activations (and their alphas/betas) stay on the JS gate loop below.
function kernelTakes(node) {
  const names = node.attrs.activations;
  const defaults = DEFAULT_ACTS[node.op];
  return !names || names.every((n, i) => n === defaults[i % defaults.length]);
}

// One direction's steps in JS: gates from `acts`, state in hv/cv (views into the arena, made once
// per run: nothing is allocated while it computes; the gemm_f32 calls do not grow the memory).
function stepsJs(wasm, kind, at, acts, v, p, { S, N, H, d, dirs, lens, reverse, Rd, rb }) {
  const G = GATES[kind];
  const lbr = at.linear_before_reset ?? 0;
  const clip = at.clip;
  const cl = clip ? (x) => Math.max(-clip, Math.min(clip, x)) : (x) => x;
  const [f, g, h] = acts;
  const { xwAll, hr, hv, cv, y, rv, rhr, ptr } = v;
  // the per-step GEMMs' arguments, made once
  const mm = wasm.fn('gemm_f32');
  const hR = argsOf('gemm_f32', gemm(ptr.h, Rd, ptr.hr, N, G * H, H));
  const rhR = kind === 'GRU' && !lbr ? argsOf('gemm_f32', gemm(ptr.rh, Rd + 2 * H * H * 4, ptr.rhr, N, H, H)) : null;
  for (let step = 0; step < S; step++) {
    const t = reverse ? S - 1 - step : step;
    const xo = t * N * G * H;
    const yo = (t * dirs + d) * N * H;
    mm(...hR);
    if (kind === 'GRU' && !lbr) {
      // r is needed before (r * H) @ Rh^T: compute it first for this step
      for (let n = 0; n < N; n++) {
        for (let k = 0; k < H; k++) rv[n * H + k] = f(cl(xwAll[xo + n * 3 * H + H + k] + hr[n * 3 * H + H + k])) * hv[n * H + k];
      }
      mm(...rhR);
    }
    for (let n = 0; n < N; n++) {
      const active = t < lens[n];
      for (let k = 0; k < H; k++) {
        const o = n * H + k;
        if (!active) {
          y[yo + o] = 0;
          continue;
        }
        const x = xo + n * G * H + k; // gate j of unit k: xwAll[x + j * H] + hr[x - xo + j * H]
        const r = x - xo;
        let hNew;
        if (kind === 'RNN') {
          hNew = f(cl(xwAll[x] + hr[r]));
        } else if (kind === 'LSTM') {
          const cPrev = cv[o];
          const i = f(cl(xwAll[x] + hr[r] + (p ? p[k] * cPrev : 0)));
          const ff = at.input_forget ? 1 - i : f(cl(xwAll[x + 2 * H] + hr[r + 2 * H] + (p ? p[2 * H + k] * cPrev : 0)));
          const cNew = ff * cPrev + i * g(cl(xwAll[x + 3 * H] + hr[r + 3 * H]));
          const oo = f(cl(xwAll[x + H] + hr[r + H] + (p ? p[H + k] * cNew : 0)));
          cv[o] = cNew;
          hNew = oo * h(cNew);
        } else {
          const z = f(cl(xwAll[x] + hr[r]));
          const rbk = rb ? rb[2 * H + k] : 0;
          const hh = lbr ? g(cl(xwAll[x + 2 * H] + f(cl(xwAll[x + H] + hr[r + H])) * (hr[r + 2 * H] + rbk)))
            : g(cl(xwAll[x + 2 * H] + rhr[o] + rbk)); // rhr: (r * H) @ Rh^T
          hNew = (1 - z) * hh + z * hv[o];
        }
        hv[o] = hNew;
        y[yo + o] = hNew;
      }
    }
  }
}

function run(wasm, node, inputs, outputs) {
  const kind = node.op;
  const G = GATES[kind];
  const A = DEFAULT_ACTS[kind].length;
  const at = node.attrs;
  const layout = at.layout ?? 0;
  let [X, W, R, B, seqLens, h0, c0, P] = inputs;
  const swapped = [];
  const toLayout0 = (t) => {
    if (!t) return t;
    const [a, b, ...rest] = t.dims;
    const y = wasm.alloc('float32', [b, a, ...rest]);
    swap01(t, y);
    swapped.push(y);
    return y;
  };
  if (layout === 1) [X, h0, c0] = [toLayout0(X), toLayout0(h0), toLayout0(c0)];
  try {
    const [S, N, I] = X.dims;
    const dirs = W.dims[0];
    const H = at.hidden_size ?? R.dims[2];
    const fast = kernelTakes(node);
    const acts = fast ? null : activations(node, A, DEFAULT_ACTS[kind]);
    const lens = seqLens ? Array.from(seqLens.data, Number) : new Array(N).fill(S);
    const lbr = at.linear_before_reset ?? 0;
    // Everything allocated up front: views below stay valid (no allocation while computing).
    // In layout 0 the outputs are computed in place; otherwise (layout 1, or an output not
    // asked for) into temporaries. Y_h and Y_c are the state while the steps run.
    const own = (t, dims) => (layout === 0 && t ? t : alloc(dims));
    const temps = [];
    const alloc = (dims, dtype = 'float32') => {
      const t = wasm.alloc(dtype, dims);
      temps.push(t);
      return t;
    };
    const Y = own(outputs[0], [S, dirs, N, H]);
    const Yh = own(outputs[1], [dirs, N, H]);
    const Yc = kind === 'LSTM' ? own(outputs[2], [dirs, N, H]) : null;
    const XW = alloc([S * N, G * H]);
    const bias = fast ? null : alloc([G * H]);
    // the kernel's work: H @ R^T, and GRU's r * H and (r * H) @ Rh^T; R^T from 4 rows and 2 steps up
    const work = alloc([N * G * H + (kind === 'GRU' && !lbr ? 2 * N * H : 0)]);
    const rt = fast && N >= 4 && S > 1 ? alloc([H * G * H]) : null;
    const lensT = fast && seqLens ? alloc([N], 'int32') : null;
    if (lensT) lensT.data.set(lens);
    const mem = wasm.arena.memory.buffer;
    const f32 = (ptr, n) => new Float32Array(mem, ptr, n);
    const gruRh = kind === 'GRU' && !lbr;
    const v = fast ? null : {
      xwAll: f32(XW.ptr, S * N * G * H), hr: f32(work.ptr, N * G * H), y: f32(Y.ptr, S * dirs * N * H),
      rv: gruRh ? f32(work.ptr + N * G * H * 4, N * H) : null, rhr: gruRh ? f32(work.ptr + (N * G + N) * H * 4, N * H) : null,
    };
    try {
      for (let d = 0; d < dirs; d++) {
        const reverse = at.direction === 'reverse' || d === 1;
        // XW = X @ W_d^T + bias: [S*N, G*H]. The kernel takes Wb here and adds Rb to each step's
        // H @ R^T itself; the JS loop gets Wb + Rb folded, except GRU's Rbh (added per step)
        let biasPtr = 0;
        if (B && fast) biasPtr = B.ptr + d * 2 * G * H * 4;
        else if (B) {
          const bv = bias.data;
          const b = B.data.subarray(d * 2 * G * H, (d + 1) * 2 * G * H);
          for (let k = 0; k < G * H; k++) bv[k] = b[k] + (kind === 'GRU' && k >= 2 * H ? 0 : b[G * H + k]);
          biasPtr = bias.ptr;
        }
        wasm.call('gemm_f32', gemm(X.ptr, W.ptr + d * G * H * I * 4, XW.ptr, S * N, G * H, I, biasPtr));
        const hOff = d * N * H;
        if (h0) Yh.data.set(h0.data.subarray(hOff, hOff + N * H), hOff);
        else Yh.data.fill(0, hOff, hOff + N * H);
        if (Yc && c0) Yc.data.set(c0.data.subarray(hOff, hOff + N * H), hOff);
        else if (Yc) Yc.data.fill(0, hOff, hOff + N * H);
        const Rd = R.ptr + d * G * H * H * 4;
        if (fast) {
          const rb = B ? B.ptr + (d * 2 + 1) * G * H * 4 : 0; // Rb of direction d, in the arena
          wasm.call('recurrent_f32', { kind: RECURRENT[kind], xw: XW.ptr, r: Rd, rt: rt ? rt.ptr : 0, rb,
            p: P ? P.ptr + d * 3 * H * 4 : 0, h: Yh.ptr + hOff * 4, c: Yc ? Yc.ptr + hOff * 4 : 0, y: Y.ptr + hOff * 4,
            lens: lensT ? lensT.ptr : 0, work: work.ptr, S, N, H, ystride: dirs * N * H, reverse: reverse ? 1 : 0,
            clip: at.clip ?? 0, input_forget: at.input_forget ?? 0, lbr });
          continue;
        }
        v.hv = f32(Yh.ptr + hOff * 4, N * H);
        v.cv = Yc ? f32(Yc.ptr + hOff * 4, N * H) : null;
        v.ptr = { h: Yh.ptr + hOff * 4, hr: work.ptr, rh: work.ptr + N * G * H * 4, rhr: work.ptr + (N * G + N) * H * 4 };
        const rb = B && kind === 'GRU' ? B.data.subarray(d * 2 * G * H + G * H, (d + 1) * 2 * G * H) : null;
        const p = P ? P.data.subarray(d * 3 * H, (d + 1) * 3 * H) : null;
        stepsJs(wasm, kind, at, acts.slice(d * A, (d + 1) * A), v, p, { S, N, H, d, dirs, lens, reverse, Rd, rb });
      }
      if (layout === 1) {
        // Y: [S, dirs, N, H] -> [N, S, dirs, H]; Y_h/Y_c: [dirs, N, H] -> [N, dirs, H]
        if (outputs[0]) {
          const src = Y.data;
          const dst = outputs[0].data;
          for (let t = 0; t < S; t++) for (let d = 0; d < dirs; d++) for (let n = 0; n < N; n++) {
            dst.set(src.subarray(((t * dirs + d) * N + n) * H, ((t * dirs + d) * N + n + 1) * H), ((n * S + t) * dirs + d) * H);
          }
        }
        if (outputs[1]) swap01(Yh, outputs[1]);
        if (Yc && outputs[2]) swap01(Yc, outputs[2]);
      }
    } finally {
      for (const t of temps) t.release();
    }
  } finally {
    for (const t of swapped) t.release();
  }
}

// webgpu: LSTM in layout 0 with the default activations and full-length sequences. Per direction
// one matmul.wgsl dispatch projects the whole sequence (X @ W^T + Wb + Rb), then each step is
// H @ R^T (matmul.wgsl) and lstm_cell.wgsl, which updates H and C in place and writes Y[t].
const mm = (M, N, K, extra) => ({ M, N, K, batch: 1, a_rs: K, a_cs: 1, b_rs: 1, b_cs: K, c_rs: 0, c_cs: 1, alpha: 1,
  beta: 1, act_a: 0, act_b: 0, a_off: 0, b_off: 0, bdims: [1, 1, 1, 1], a_bs: [0, 0, 0, 0], b_bs: [0, 0, 0, 0],
  c_bs: [0, 0, 0, 0], ...extra });

async function runLstmGpu(gpu, node, inputs, outputs) {
  const [X, W, R, B, , h0, c0, P] = inputs;
  const [S, N, I] = X.dims;
  const dirs = W.dims[0];
  const H = node.attrs.hidden_size ?? R.dims[2];
  const G4 = 4 * H;
  const temps = [];
  const alloc = (dims) => { const t = gpu.alloc('float32', dims); temps.push(t); return t; };
  const up = (data) => { const t = gpu.upload({ dtype: 'float32', dims: [data.length], data }); temps.push(t); return t; };
  try {
    const Y = outputs[0] ?? alloc([S, dirs, N, H]);
    const XW = alloc([S * N, G4]);
    const HR = alloc([N, G4]);
    const hS = alloc([N, H]);
    const cS = alloc([N, H]);
    const zeros = new Float32Array(N * H);
    for (let d = 0; d < dirs; d++) {
      const reverse = node.attrs.direction === 'reverse' || d === 1;
      const bias = new Float32Array(G4);
      if (B) {
        const b = B.data.subarray(d * 2 * G4, (d + 1) * 2 * G4);
        for (let k = 0; k < G4; k++) bias[k] = b[k] + b[G4 + k];
      }
      const peep = P ? up(Float32Array.from(P.data.subarray(d * 3 * H, (d + 1) * 3 * H))) : up(new Float32Array(1));
      await gpu.run('matmul', { constants: { HAS_C: true }, params: mm(S * N, G4, I, { b_off: d * G4 * I }),
        bindings: [X, W, up(bias), XW], workgroups: [Math.ceil(G4 / 32), Math.ceil((S * N) / 32), 1] });
      for (const [state, init] of [[hS, h0], [cS, c0]]) {
        if (init) await copyRegion(gpu, init, state, { dims: [N * H], xOff: d * N * H });
        else gpu.write(state.buffer, zeros);
      }
      const cell = grid1d(N * H);
      for (let step = 0; step < S; step++) {
        const t = reverse ? S - 1 - step : step;
        await gpu.run('matmul', { constants: { HAS_C: false }, params: mm(N, G4, H, { b_off: d * G4 * H, beta: 0 }),
          bindings: [hS, R, hS, HR], workgroups: [Math.ceil(G4 / 32), Math.ceil(N / 32), 1] });
        await gpu.run('lstm_cell', { constants: { PEEP: !!P },
          params: { total: N * H, row: cell.row, Hs: H, xw_off: t * N * G4, y_off: (t * dirs + d) * N * H, y_bstride: H,
            clip: node.attrs.clip ?? 0, input_forget: node.attrs.input_forget ?? 0 },
          bindings: [XW, HR, peep, cS, hS, Y], workgroups: cell.workgroups });
      }
      if (outputs[1]) await copyRegion(gpu, hS, outputs[1], { dims: [N * H], yOff: d * N * H });
      if (outputs[2]) await copyRegion(gpu, cS, outputs[2], { dims: [N * H], yOff: d * N * H });
    }
  } finally {
    for (const t of temps) t.release();
  }
}

const lstmGpu = {
  kernels: ['matmul', 'lstm_cell', 'copy'],
  pipelines: (node) => [{ shader: 'matmul', constants: { HAS_C: true } }, { shader: 'matmul', constants: { HAS_C: false } },
    { shader: 'lstm_cell', constants: { PEEP: !!node.inputs[7] } }, { shader: 'copy', constants: {} }],
  hostInputs: [3, 4, 7], // B and P are summed/sliced here; sequence_lens checked
  supports(node, [X, W, R, B, seqLens, h0, c0, P], gpu) {
    const at = node.attrs;
    const full = !seqLens || Array.from(seqLens.data, Number).every((n) => n === X.dims[0]);
    return (at.layout ?? 0) === 0 && !at.activations && full && fitsF32(gpu, [X, W, R, h0, c0])
      && (!B || B.dtype === 'float32') && (!P || P.dtype === 'float32') && X.dims[0] > 0;
  },
  run: runLstmGpu,
};

export const units = ['LSTM', 'GRU', 'RNN'].map((op) => ({
  op,
  shape,
  wasm: { kernels: ['linalg'], calls: ['gemm_f32', 'recurrent_f32', `recurrent_f32/${op}`],
    supports: (node, [X]) => X.dtype === 'float32', run },
  ...(globalThis.WEBGPU && op === 'LSTM' ? { webgpu: lstmGpu } : {}),
}));
