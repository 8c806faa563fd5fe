// Recurrent ops LSTM, GRU and RNN (ONNX layout 0 and 1, forward/reverse/bidirectional,
// sequence_lens, clip, peepholes, input_forget, custom activations from lib/activations.mjs).
// wasm: the input projection of the whole sequence is one gemm_f32 per direction; each step adds
// H @ R^T (another gemm_f32) and applies the gates in JS.
import { ACTIVATIONS } from '../lib/activations.mjs';
import { copyRegion, fitsF32, grid1d } from '../lib/gpu.mjs';

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
    const clip = at.clip;
    const acts = activations(node, A, DEFAULT_ACTS[kind]);
    const lens = seqLens ? Array.from(seqLens.data, Number) : new Array(N).fill(S);
    const lbr = at.linear_before_reset ?? 0;
    // Everything allocated up front: views below stay valid (no allocation while computing).
    // In layout 0 the outputs are computed in place; otherwise (layout 1, or an output not
    // asked for) into temporaries.
    const own = (t, dims) => (layout === 0 && t ? t : alloc(dims));
    const temps = [];
    const alloc = (dims) => {
      const t = wasm.alloc('float32', dims);
      temps.push(t);
      return t;
    };
    const Y = own(outputs[0], [S, dirs, N, H]);
    const Yh = own(outputs[1], [dirs, N, H]);
    const Yc = kind === 'LSTM' ? own(outputs[2], [dirs, N, H]) : null;
    const XW = alloc([S * N, G * H]);
    const HR = alloc([N, G * H]);
    const bias = alloc([G * H]);
    const hState = alloc([N, H]);
    const rh = kind === 'GRU' && !lbr ? alloc([N, H]) : null;
    const rhOut = kind === 'GRU' && !lbr ? alloc([N, H]) : null;
    const mem = () => wasm.arena.memory.buffer;
    try {
      for (let d = 0; d < dirs; d++) {
        const reverse = at.direction === 'reverse' || d === 1;
        const [f, g, h] = acts.slice(d * A, (d + 1) * A);
        const bv = bias.data;
        bv.fill(0);
        if (B) {
          const b = B.data.subarray(d * 2 * G * H, (d + 1) * 2 * G * H);
          for (let k = 0; k < G * H; k++) bv[k] = b[k] + (kind === 'GRU' && k >= 2 * H ? 0 : b[G * H + k]);
        }
        // XW = X @ W_d^T + bias: [S*N, G*H]
        wasm.call('gemm_f32', gemm(X.ptr, W.ptr + d * G * H * I * 4, XW.ptr, S * N, G * H, I, bias.ptr));
        const hv = hState.data;
        const c = new Float32Array(N * H);
        if (h0) hv.set(h0.data.subarray(d * N * H, (d + 1) * N * H));
        else hv.fill(0);
        if (c0) c.set(c0.data.subarray(d * N * H, (d + 1) * N * H));
        const Rd = R.ptr + d * G * H * H * 4;
        const rb = B && kind === 'GRU' ? B.data.subarray(d * 2 * G * H + G * H, (d + 1) * 2 * G * H) : null;
        const p = P ? P.data.subarray(d * 3 * H, (d + 1) * 3 * H) : null;
        const clamp = clip ? (v) => Math.max(-clip, Math.min(clip, v)) : (v) => v;
        for (let step = 0; step < S; step++) {
          const t = reverse ? S - 1 - step : step;
          wasm.call('gemm_f32', gemm(hState.ptr, Rd, HR.ptr, N, G * H, H));
          const xw = new Float32Array(mem(), XW.ptr + t * N * G * H * 4, N * G * H);
          const hr = new Float32Array(mem(), HR.ptr, N * G * H);
          const hvv = new Float32Array(mem(), hState.ptr, N * H);
          const y = new Float32Array(mem(), Y.ptr, S * dirs * N * H);
          if (kind === 'GRU' && !lbr) {
            // r is needed before (r * H) @ Rh^T: compute it first for this step
            const rv = new Float32Array(mem(), rh.ptr, N * H);
            for (let n = 0; n < N; n++) {
              for (let k = 0; k < H; k++) {
                const r = f(clamp(xw[n * 3 * H + H + k] + hr[n * 3 * H + H + k]));
                rv[n * H + k] = r * hvv[n * H + k];
              }
            }
            wasm.call('gemm_f32', gemm(rh.ptr, Rd + 2 * H * H * 4, rhOut.ptr, N, H, H));
          }
          for (let n = 0; n < N; n++) {
            const active = t < lens[n];
            for (let k = 0; k < H; k++) {
              const o = n * H + k;
              if (!active) {
                y[((t * dirs) + d) * N * H + o] = 0;
                continue;
              }
              const base = n * G * H;
              let hNew;
              if (kind === 'RNN') {
                hNew = f(clamp(xw[base + k] + hr[base + k]));
              } else if (kind === 'LSTM') {
                const cPrev = c[o];
                let i = clamp(xw[base + k] + hr[base + k] + (p ? p[k] * cPrev : 0));
                let ff = clamp(xw[base + 2 * H + k] + hr[base + 2 * H + k] + (p ? p[2 * H + k] * cPrev : 0));
                const cc = g(clamp(xw[base + 3 * H + k] + hr[base + 3 * H + k]));
                i = f(i);
                ff = at.input_forget ? 1 - i : f(ff);
                const cNew = ff * cPrev + i * cc;
                const oo = f(clamp(xw[base + H + k] + hr[base + H + k] + (p ? p[H + k] * cNew : 0)));
                c[o] = cNew;
                hNew = oo * h(cNew);
              } else {
                const z = f(clamp(xw[base + k] + hr[base + k]));
                let hh;
                if (lbr) {
                  const r = f(clamp(xw[base + H + k] + hr[base + H + k]));
                  hh = g(clamp(xw[base + 2 * H + k] + r * (hr[base + 2 * H + k] + (rb ? rb[2 * H + k] : 0))));
                } else {
                  const rhr = new Float32Array(mem(), rhOut.ptr, N * H); // (r * H) @ Rh^T
                  hh = g(clamp(xw[base + 2 * H + k] + rhr[n * H + k] + (rb ? rb[2 * H + k] : 0)));
                }
                hNew = (1 - z) * hh + z * hvv[o];
              }
              hvv[o] = hNew;
              y[((t * dirs) + d) * N * H + o] = hNew;
            }
          }
        }
        Yh.data.set(hState.data, d * N * H);
        if (Yc) Yc.data.set(c, d * N * H);
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
  wasm: { kernels: ['linalg'], calls: ['gemm_f32'], supports: (node, [X]) => X.dtype === 'float32', run },
  ...(globalThis.WEBGPU && op === 'LSTM' ? { webgpu: lstmGpu } : {}),
}));
