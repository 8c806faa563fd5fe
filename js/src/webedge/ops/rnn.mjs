// Recurrent ops LSTM, GRU and RNN (ONNX layout 0 and 1, forward/reverse/bidirectional, sequence_lens,
// clip, peepholes, input_forget, custom activations). The input projection of the whole sequence
// is one gemm per direction; each step adds H @ R^T (another gemm) and applies the gates in JS.

const ACTS = {
  Sigmoid: () => (x) => 1 / (1 + Math.exp(-x)),
  Tanh: () => Math.tanh,
  Relu: () => (x) => (x > 0 ? x : 0),
  HardSigmoid: (a = 0.2, b = 0.5) => (x) => Math.max(0, Math.min(1, a * x + b)),
  LeakyRelu: (a = 0.01) => (x) => (x >= 0 ? x : a * x),
  ThresholdedRelu: (a = 1.0) => (x) => (x > a ? x : 0),
  Affine: (a = 1, b = 0) => (x) => a * x + b,
  ScaledTanh: (a = 1, b = 1) => (x) => a * Math.tanh(b * x),
  Elu: (a = 1) => (x) => (x >= 0 ? x : a * (Math.exp(x) - 1)),
  Softsign: () => (x) => x / (1 + Math.abs(x)),
  Softplus: () => (x) => Math.log1p(Math.exp(x)),
};

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
    const make = ACTS[name];
    if (!make) throw new Error(`activation ${name} is not supported`);
    const needsA = ['HardSigmoid', 'LeakyRelu', 'ThresholdedRelu', 'Affine', 'ScaledTanh', 'Elu'].includes(name);
    const needsB = ['HardSigmoid', 'Affine', 'ScaledTanh'].includes(name);
    out.push(make(needsA ? alpha[ai++] : undefined, needsB ? beta[bi++] : undefined));
  }
  return out;
}

// [B, S, ...] <-> [S, B, ...] for layout 1.
function swap01(ex, t) {
  const [a, b, ...rest] = t.dims;
  const inner = rest.reduce((p, q) => p * q, 1);
  const y = ex.alloc('float32', [b, a, ...rest]);
  const src = t.data;
  const dst = y.data;
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) dst.set(src.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
  return y;
}

// Gates per cell and the default activations of each kind.
const GATES = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTS = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

function recurrent(kind) {
  const G = GATES[kind];
  const A = DEFAULT_ACTS[kind].length;
  return (ex, node, inputs) => {
    const at = node.attrs;
    const layout = at.layout ?? 0;
    let [X, W, R, B, seqLens, h0, c0, P] = inputs;
    if (layout === 1) {
      X = swap01(ex, X);
      if (h0) h0 = swap01(ex, h0);
      if (c0) c0 = swap01(ex, c0);
    }
    const [S, N, I] = X.dims;
    const dirs = W.dims[0];
    const H = at.hidden_size ?? R.dims[2];
    const clip = at.clip;
    const acts = activations(node, A, DEFAULT_ACTS[kind]);
    const lens = seqLens ? Array.from(seqLens.data, Number) : new Array(N).fill(S);
    const lbr = at.linear_before_reset ?? 0;

    // Everything allocated up front: views below stay valid (no allocation while computing).
    const Y = ex.alloc('float32', [S, dirs, N, H]);
    const Yh = ex.alloc('float32', [dirs, N, H]);
    const Yc = kind === 'LSTM' ? ex.alloc('float32', [dirs, N, H]) : null;
    const XW = ex.alloc('float32', [S * N, G * H]);
    const HR = ex.alloc('float32', [N, G * H]);
    const bias = ex.alloc('float32', [G * H]);
    const hState = ex.alloc('float32', [N, H]);
    const rh = kind === 'GRU' && !lbr ? ex.alloc('float32', [N, H]) : null;
    const rhOut = kind === 'GRU' && !lbr ? ex.alloc('float32', [N, H]) : null;
    const temps = [XW, HR, bias, hState, rh, rhOut].filter(Boolean);
    const swapped = layout === 1 ? [X, h0, c0].filter(Boolean) : [];
    const mem = () => ex.arena.memory.buffer;
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
        ex.k.gemm_f32(X.ptr, W.ptr + d * G * H * I * 4, bias.ptr, XW.ptr, S * N, G * H, I, 0, 1, 1, 1, 2, 0, 0, 0);
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
          ex.k.gemm_f32(hState.ptr, Rd, 0, HR.ptr, N, G * H, H, 0, 1, 1, 0, 0, 0, 0, 0);
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
            ex.k.gemm_f32(rh.ptr, Rd + 2 * H * H * 4, 0, rhOut.ptr, N, H, H, 0, 1, 1, 0, 0, 0, 0, 0);
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
    } finally {
      for (const t of [...temps, ...swapped]) ex.arena.dispose(t.ptr);
    }
    if (layout === 1) {
      // Y: [S, dirs, N, H] -> [N, S, dirs, H]; Y_h/Y_c: [dirs, N, H] -> [N, dirs, H]
      const y1 = ex.alloc('float32', [N, S, dirs, H]);
      const src = Y.data;
      const dst = y1.data;
      for (let t = 0; t < S; t++) for (let d = 0; d < dirs; d++) for (let n = 0; n < N; n++) {
        dst.set(src.subarray(((t * dirs + d) * N + n) * H, ((t * dirs + d) * N + n + 1) * H), ((n * S + t) * dirs + d) * H);
      }
      ex.arena.dispose(Y.ptr);
      const outs = [y1, swap01(ex, Yh), Yc ? swap01(ex, Yc) : null];
      ex.arena.dispose(Yh.ptr);
      if (Yc) ex.arena.dispose(Yc.ptr);
      return outs;
    }
    return [Y, Yh, Yc];
  };
}

export const ops = { LSTM: recurrent('LSTM'), GRU: recurrent('GRU'), RNN: recurrent('RNN') };
