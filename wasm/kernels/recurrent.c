/* recurrent_f32: one direction of an ONNX LSTM, GRU or RNN with the default activations, the whole
 * sequence in one call (part of linalg: the per-step H @ R^T is gemm_core.h's GEMM).
 *
 *   xw [S, N, G*H]  the input projection X @ W^T + Wb (computed by gemm_f32 before)
 *   rb [G*H]        the recurrence bias Rb or 0: added to every step's H @ R^T (GRU without
 *                   linear_before_reset: Rbh to (r * H) @ Rh^T)
 *   r  [G*H, H]     the recurrence weights of this direction (ONNX R[d])
 *   rt [H, G*H]     0, or room for R^T: then R is transposed into it once and every step's GEMM
 *                   packs contiguous rows (worth it from 4 batch rows up, where the GEMM packs R)
 *   p  [3H]         LSTM peepholes (i, o, f) or 0;  h, c [N, H]: the initial state in, the last out
 *   y               Y of this direction at step 0; step t at y + t * ystride ([N, H] per step)
 *   lens [N]        int32 sequence lengths or 0 (all S): a row past its length keeps its state and
 *                   writes zeros to Y
 *   work            [N, G*H] floats for H @ R^T, plus 2 * [N, H] for GRU without linear_before_reset
 *   clip            > 0: pre-activations clamped to [-clip, clip]
 * Gate orders are ONNX's: LSTM i o f c, GRU z r h. Activations: sigmoid and tanh from mathf.h (the
 * JS op keeps custom activations). Each kind's gate math is a part (`recurrent_f32/LSTM`, ...), so a
 * bundle keeps only the kinds its plan runs (webedge/backends/wasm_strip.py). */
#include "gemm_core.h"

enum { REC_RNN = 0, REC_LSTM, REC_GRU };

/* one out-of-line copy of each activation for the gate parts (the act/ parts may be stripped) */
static __attribute__((noinline)) v128_t rec_sigmoid(v128_t x) { return f4_sigmoid(x); }
static __attribute__((noinline)) v128_t rec_tanh(v128_t x) { return f4_tanh(x); }

/* the first n (1..4) floats at p as a vector (zeros after), and back; the tails (n < 4, H not a
 * multiple of 4) out of line, so each of the gates' loads and stores inlines to a branch and a
 * vector access */
static __attribute__((noinline)) v128_t ld_tail(const float *p, int n) {
  float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return wasm_v128_load(t);
}
static __attribute__((noinline)) void st_tail(float *p, v128_t v, int n) {
  float t[4];
  wasm_v128_store(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}
static inline v128_t ld(const float *p, int n) { return n == 4 ? wasm_v128_load(p) : ld_tail(p, n); }
static inline void st(float *p, v128_t v, int n) {
  if (n == 4) wasm_v128_store(p, v);
  else st_tail(p, v, n);
}
/* xw + hr, clamped to [lo, hi] (+-inf without clip) */
static inline v128_t pre(const float *xw, const float *hr, int n, v128_t lo, v128_t hi) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_add(ld(xw, n), ld(hr, n)), lo), hi);
}
static inline v128_t clamp(v128_t x, v128_t lo, v128_t hi) { return wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi); }

/* One batch row of an RNN step: h = tanh(xw + hr); y = h. */
KPART("recurrent_f32/RNN") __attribute__((noinline)) void rnn_row(const float *xw, const float *hr, float *h, float *y,
                                                                    int H, v128_t lo, v128_t hi) {
  for (int k = 0; k < H; k += 4) {
    int n = imin(4, H - k);
    v128_t v = rec_tanh(pre(xw + k, hr + k, n, lo, hi));
    st(h + k, v, n);
    st(y + k, v, n);
  }
}

/* One batch row of an LSTM step (i o f c): c = f * c + i * g, h = o * tanh(c); peepholes p or 0. */
KPART("recurrent_f32/LSTM") __attribute__((noinline)) void lstm_row(const float *xw, const float *hr, const float *p,
                                                                      float *h, float *c, float *y, int H, v128_t lo,
                                                                      v128_t hi, int input_forget) {
  v128_t zero = F4(0.0f), one = F4(1.0f);
  for (int k = 0; k < H; k += 4) {
    int n = imin(4, H - k);
    v128_t cp = ld(c + k, n);
    v128_t xi = wasm_f32x4_add(ld(xw + k, n), ld(hr + k, n));
    v128_t xo = wasm_f32x4_add(ld(xw + H + k, n), ld(hr + H + k, n));
    v128_t xf = wasm_f32x4_add(ld(xw + 2 * H + k, n), ld(hr + 2 * H + k, n));
    v128_t pi = p ? ld(p + k, n) : zero, po = p ? ld(p + H + k, n) : zero, pf = p ? ld(p + 2 * H + k, n) : zero;
    v128_t i = rec_sigmoid(clamp(F4_MADD(pi, cp, xi), lo, hi));
    v128_t f = input_forget ? wasm_f32x4_sub(one, i) : rec_sigmoid(clamp(F4_MADD(pf, cp, xf), lo, hi));
    v128_t g = rec_tanh(pre(xw + 3 * H + k, hr + 3 * H + k, n, lo, hi));
    v128_t cn = F4_MADD(f, cp, wasm_f32x4_mul(i, g));
    v128_t o = rec_sigmoid(clamp(F4_MADD(po, cn, xo), lo, hi));
    v128_t hn = wasm_f32x4_mul(o, rec_tanh(cn));
    st(c + k, cn, n);
    st(h + k, hn, n);
    st(y + k, hn, n);
  }
}

/* One batch row of a GRU step (z r h). phase 0 (without linear_before_reset, before the second
 * GEMM): rh = sigmoid(r) * h. phase 1: hh = tanh(xw_h + rhr) without linear_before_reset (rhr the
 * row of (r * h) @ Rh^T + Rbh), tanh(xw_h + r * hr_h) with it; h = hh + z * (h - hh). */
KPART("recurrent_f32/GRU") __attribute__((noinline)) void gru_row(int phase, const float *xw, const float *hr,
                                                                    const float *rhr, float *rh, float *h, float *y,
                                                                    int H, v128_t lo, v128_t hi) {
  for (int k = 0; k < H; k += 4) {
    int n = imin(4, H - k);
    v128_t hp = ld(h + k, n);
    if (phase == 0) {
      st(rh + k, wasm_f32x4_mul(rec_sigmoid(pre(xw + H + k, hr + H + k, n, lo, hi)), hp), n);
      continue;
    }
    v128_t z = rec_sigmoid(pre(xw + k, hr + k, n, lo, hi));
    v128_t a;
    if (rhr) {
      a = wasm_f32x4_add(ld(xw + 2 * H + k, n), ld(rhr + k, n));
    } else {
      v128_t r = rec_sigmoid(pre(xw + H + k, hr + H + k, n, lo, hi));
      a = F4_MADD(r, ld(hr + 2 * H + k, n), ld(xw + 2 * H + k, n));
    }
    v128_t hh = rec_tanh(clamp(a, lo, hi));
    v128_t hn = F4_MADD(z, wasm_f32x4_sub(hp, hh), hh);
    st(h + k, hn, n);
    st(y + k, hn, n);
  }
}

/* y[M, ncols] = a[M, K] @ B, B(k, j) = b[k * sbk + j * sbn], no epilogue */
static void rec_gemm(int M, int ncols, int K, const float *a, const float *b, int sbk, int sbn, float *y) {
  epi_t e = {1.0f, 0.0f, 0, 0, ncols, ACT_NONE, 0.0f, 0.0f};
  bsrc_t bs = {0};
  bs.b = b;
  bs.sbk = sbk;
  bs.sbn = sbn;
  gemm_run(M, ncols, K, a, K, 1, &bs, y, ncols, &e);
}

/* The driver's helpers: out of line and not auto-vectorised or unrolled (clang's -O3 copies of
 * these loops made the driver 3 kB; they run once per step or once per call). */
#define SCALAR_LOOP _Pragma("clang loop vectorize(disable) unroll(disable)")

/* y[m, j] += b[j] for m < M, j < n (rows of stride ld) */
static __attribute__((noinline)) void add_rows(float *y, const float *b, int M, int n, int ld) {
  for (int m = 0; m < M; m++) {
    float *ym = y + m * ld;
    int j = 0;
    SCALAR_LOOP for (; j + 4 <= n; j += 4) wasm_v128_store(ym + j, wasm_f32x4_add(wasm_v128_load(ym + j), wasm_v128_load(b + j)));
    SCALAR_LOOP for (; j < n; j++) ym[j] += b[j];
  }
}

/* rt[k, j] = r[j, k]: R [GH, H] transposed */
static __attribute__((noinline)) void transpose(const float *r, float *rt, int GH, int H) {
  for (int j = 0; j < GH; j++) SCALAR_LOOP for (int k = 0; k < H; k++) rt[k * GH + j] = r[j * H + k];
}

KEXPORT("recurrent_f32")
void recurrent_f32(int kind, const float *xw, const float *r, float *rt, const float *rb, const float *p, float *h,
                   float *c, float *y, const int *lens, float *work, int S, int N, int H, int ystride, int reverse,
                   float clip, int input_forget, int lbr) {
  const int G = kind == REC_LSTM ? 4 : kind == REC_GRU ? 3 : 1, GH = G * H;
  v128_t lo = F4(clip > 0.0f ? -clip : -__builtin_inff()), hi = F4(clip > 0.0f ? clip : __builtin_inff());
  float *hr = work;                 /* [N, G*H] */
  float *rh = work + N * GH;        /* [N, H]: GRU's r * h */
  float *rhr = rh + N * H;          /* [N, H]: (r * h) @ Rh^T */
  /* B(k, j) = R[j, k]: read R transposed in place, or from its transposed copy */
  const float *bsrc = r;
  int sbk = 1, sbn = H;
  if (rt) {
    transpose(r, rt, GH, H);
    bsrc = rt;
    sbk = GH;
    sbn = 1;
  }
  for (int step = 0; step < S; step++) {
    int t = reverse ? S - 1 - step : step;
    const float *xwt = xw + t * N * GH;
    float *yt = y + t * ystride;
    rec_gemm(N, GH, H, h, bsrc, sbk, sbn, hr); /* H @ R^T + Rb: [N, G*H] */
    if (rb) add_rows(hr, rb, N, GH, GH);
    if (kind == REC_GRU && !lbr) {
      for (int n = 0; n < N; n++)
        gru_row(0, xwt + n * GH, hr + n * GH, 0, rh + n * H, h + n * H, 0, H, lo, hi);
      rec_gemm(N, H, H, rh, bsrc + 2 * H * sbn, sbk, sbn, rhr); /* (r * h) @ Rh^T + Rbh: [N, H] */
      if (rb) add_rows(rhr, rb + 2 * H, N, H, H);
    }
    for (int n = 0; n < N; n++) {
      float *yn = yt + n * H;
      if (lens && t >= lens[n]) {
        SCALAR_LOOP for (int k = 0; k < H; k++) yn[k] = 0.0f;
        continue;
      }
      const float *xn = xwt + n * GH, *hn = hr + n * GH;
      if (kind == REC_LSTM) lstm_row(xn, hn, p, h + n * H, c + n * H, yn, H, lo, hi, input_forget);
      else if (kind == REC_GRU) gru_row(1, xn, hn, lbr ? 0 : rhr + n * H, 0, h + n * H, yn, H, lo, hi);
      else rnn_row(xn, hn, h + n * H, yn, H, lo, hi);
    }
  }
}
