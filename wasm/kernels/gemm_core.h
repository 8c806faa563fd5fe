/* Blocked SIMD128 matrix multiply shared by gemm.c and conv.c (header only, static inline, no data).
 *
 *   Y[m, n] = epilogue( sum_k A(m, k) * B(k, n) )        Y row-major with row stride ldy
 *
 * A is read in place through element strides (sam, sak): 4 rows at a time, one splat-load per
 * element.  B is copied block by block into a packed buffer on the stack ([kc][ncp] floats,
 * ncp a multiple of NR, zero padded), either from a strided matrix or by gathering an im2col
 * block of a convolution input, so the micro-kernel always streams contiguous 8-float rows.
 *
 * Blocking: N in nc-column blocks and K in kc <= KC_MAX slices sized so the packed block fits
 * PACK_FLOATS (48 KiB of the 64 KiB stack); inside a block every 4-row strip of A runs across all
 * NR-column panels (the 4 x kc strip of A stays in L1).  Partial K sums are stored raw in Y and the
 * epilogue (alpha, beta*C or bias, activation) is applied when the last K slice is added.
 *
 * M < 4 with an in-memory B takes a path without packing (matrix-vector shapes): B streamed row by
 * row when contiguous along n, or dot products along k when B is transposed. */
#ifndef WEBEDGE_GEMM_CORE_H
#define WEBEDGE_GEMM_CORE_H

#include "mathf.h"

#define MR 4
#define NR 8
#define KC_MAX 256
#define PACK_FLOATS 12288

/* What to add before the activation: c_kind 0 none, 1 scalar c[0], 2 per column c[n],
 * 3 per row c[m], 4 full c[m * ldc + n]; everything scaled by beta, the product by alpha. */
typedef struct {
  float alpha, beta;
  const float *c;
  int c_kind, ldc;
  int act;
  float a0, a1;
} epi_t;

/* Where B comes from. kind 0: matrix B(k, n) = b[k * sbk + n * sbn].
 * kind 1: im2col of one image/group x[C][H][W]: k = (c * KH + kh) * KW + kw, n + p0 = oh * OW + ow
 * (p0: the first output pixel of a band of rows, conv2d_f32's oh0 * OW). */
typedef struct {
  int kind;
  const float *b;
  int sbk, sbn;
  int H, W, KH, KW, OW, sh, sw, dh, dw, pt, pl, p0;
} bsrc_t;

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }
/* floor division for a possibly negative numerator, positive d */
static inline int floordiv(int a, int d) { return a >= 0 ? a / d : -((-a + d - 1) / d); }

/* ---- epilogue --------------------------------------------------------------------------------- */

static inline float epi_scalar(const epi_t *e, float acc, int m, int n) {
  float v = acc * e->alpha;
  switch (e->c_kind) {
    case 1: v += e->beta * e->c[0]; break;
    case 2: v += e->beta * e->c[n]; break;
    case 3: v += e->beta * e->c[m]; break;
    case 4: v += e->beta * e->c[m * e->ldc + n]; break;
    default: break;
  }
  return f_act(e->act, v, e->a0, e->a1);
}

/* 4 columns n..n+3 of row m, all inside Y */
static inline v128_t epi_vec(const epi_t *e, v128_t acc, int m, int n) {
  v128_t v = e->alpha == 1.0f ? acc : wasm_f32x4_mul(acc, F4(e->alpha));
  switch (e->c_kind) {
    case 1: v = wasm_f32x4_add(v, F4(e->beta * e->c[0])); break;
    case 2: v = wasm_f32x4_add(v, wasm_f32x4_mul(F4(e->beta), wasm_v128_load(e->c + n))); break;
    case 3: v = wasm_f32x4_add(v, F4(e->beta * e->c[m])); break;
    case 4: v = wasm_f32x4_add(v, wasm_f32x4_mul(F4(e->beta), wasm_v128_load(e->c + m * e->ldc + n))); break;
    default: break;
  }
  return e->act ? f4_act(e->act, v, e->a0, e->a1) : v;
}

/* ---- packing ---------------------------------------------------------------------------------- */

/* buf[kk * ncp + j] = B(k0 + kk, n0 + j) for j < nc, 0 for nc <= j < ncp */
static void pack_b(const bsrc_t *s, int k0, int kc, int n0, int nc, int ncp, float *buf) {
  if (s->kind == 0) {
    if (s->sbn == 1) { /* rows contiguous: vector copies */
      for (int kk = 0; kk < kc; kk++) {
        const float *src = s->b + (k0 + kk) * s->sbk + n0;
        float *dst = buf + kk * ncp;
        int j = 0;
        for (; j + 4 <= nc; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
        for (; j < nc; j++) dst[j] = src[j];
        for (; j < ncp; j++) dst[j] = 0.0f;
      }
    } else { /* e.g. transposed B: read along k (contiguous when sbk == 1), write down a column */
      for (int j = 0; j < nc; j++) {
        const float *src = s->b + (n0 + j) * s->sbn + k0 * s->sbk;
        for (int kk = 0; kk < kc; kk++) buf[kk * ncp + j] = src[kk * s->sbk];
      }
      for (int kk = 0; kk < kc; kk++)
        for (int j = nc; j < ncp; j++) buf[kk * ncp + j] = 0.0f;
    }
    return;
  }
  /* im2col: for each k row (c, kh, kw) walk output rows oh covering pixels [n0, n0 + nc) */
  const int H = s->H, W = s->W, OW = s->OW, sw = s->sw;
  for (int kk = 0; kk < kc; kk++) {
    int k = k0 + kk;
    int kw = k % s->KW, t = k / s->KW;
    int kh = t % s->KH, c = t / s->KH;
    const float *xc = s->b + c * H * W;
    float *dst = buf + kk * ncp;
    int off_w = kw * s->dw - s->pl; /* iw = ow * sw + off_w */
    /* ow range whose iw lies in [0, W) */
    int ow_lo = off_w >= 0 ? 0 : (-off_w + sw - 1) / sw;
    int ow_hi = floordiv(W - 1 - off_w, sw) + 1; /* exclusive */
    if (ow_hi > OW) ow_hi = OW;
    int p = s->p0 + n0, end = p + nc, j = 0;
    while (p < end) {
      int oh = p / OW, ow = p - oh * OW;
      int run = imin(OW - ow, end - p); /* pixels [ow, ow + run) of row oh */
      int ih = oh * s->sh + kh * s->dh - s->pt;
      if (ih < 0 || ih >= H) {
        for (int q = 0; q < run; q++) dst[j + q] = 0.0f;
      } else {
        const float *xr = xc + ih * W + off_w;
        int a = imax(ow, ow_lo), b = imin(ow + run, ow_hi); /* valid [a, b) */
        int q = ow;
        for (; q < a && q < ow + run; q++) dst[j + q - ow] = 0.0f;
        if (sw == 1) {
          for (; q + 4 <= b; q += 4) wasm_v128_store(dst + j + q - ow, wasm_v128_load(xr + q));
          for (; q < b; q++) dst[j + q - ow] = xr[q];
        } else {
          for (; q < b; q++) dst[j + q - ow] = xr[q * sw];
        }
        for (; q < ow + run; q++) dst[j + q - ow] = 0.0f;
      }
      p += run;
      j += run;
    }
    for (; j < ncp; j++) dst[j] = 0.0f;
  }
}

/* ---- micro-kernel: 4 rows x 8 columns --------------------------------------------------------- */

#define FMA4(acc, a, b) acc = F4_MADD(a, b, acc)

/* rows m0 .. m0+mr-1 (mr <= 4) of A, packed panel bp (row stride ncp), into Y[m0.., n0..n0+nr) */
static inline void ukernel(int kc, const float *a, int sam, int sak, const float *bp, int ncp, float *y, int ldy,
                           int m0, int n0, int mr, int nr, int first, int last, const epi_t *e) {
  /* rows beyond mr re-read the last valid row; their results are dropped */
  const float *a0 = a + m0 * sam;
  const float *a1 = a + (m0 + imin(1, mr - 1)) * sam;
  const float *a2 = a + (m0 + imin(2, mr - 1)) * sam;
  const float *a3 = a + (m0 + imin(3, mr - 1)) * sam;
  v128_t c00 = F4(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int k = 0; k < kc; k++) { /* per k: 2 vector loads of B, 4 splats of A, 8 mul+add */
    v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    bp += ncp;
    v128_t x;
    x = wasm_v128_load32_splat(a0); FMA4(c00, x, b0); FMA4(c01, x, b1);
    x = wasm_v128_load32_splat(a1); FMA4(c10, x, b0); FMA4(c11, x, b1);
    x = wasm_v128_load32_splat(a2); FMA4(c20, x, b0); FMA4(c21, x, b1);
    x = wasm_v128_load32_splat(a3); FMA4(c30, x, b0); FMA4(c31, x, b1);
    a0 += sak; a1 += sak; a2 += sak; a3 += sak;
  }
  v128_t acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      float *yr = y + (m0 + i) * ldy + n0;
      for (int h = 0; h < 2; h++) {
        v128_t v = acc[i][h];
        if (!first) v = wasm_f32x4_add(v, wasm_v128_load(yr + 4 * h));
        if (last) v = epi_vec(e, v, m0 + i, n0 + 4 * h);
        wasm_v128_store(yr + 4 * h, v);
      }
    }
    return;
  }
  float t[MR * NR]; /* edge tile: spill, then store only the valid part */
  for (int i = 0; i < MR; i++) {
    wasm_v128_store(t + i * NR, acc[i][0]);
    wasm_v128_store(t + i * NR + 4, acc[i][1]);
  }
  for (int i = 0; i < mr; i++) {
    float *yr = y + (m0 + i) * ldy + n0;
    for (int j = 0; j < nr; j++) {
      float v = t[i * NR + j];
      if (!first) v += yr[j];
      if (last) v = epi_scalar(e, v, m0 + i, n0 + j);
      yr[j] = v;
    }
  }
}

/* ---- small-M paths (M < 4): no packing, no wasted rows ------------------------------------------ */

/* Y[m, :] for B rows contiguous along n (sbn == 1).  Plain multiplies and adds, not F4_MADD: the
 * scalar tail columns cannot fuse, so a relaxed build would round a column differently depending on
 * whether it falls in a vector group, and a band of columns (a thread's share) must be bit for bit
 * the whole call's.  B is streamed once, 4 rows at a time in order (the matrix-vector case is
 * bound by reading B): y_row += sum of 4 a(m, k) * B[k, :], with the raw sums kept in Y and the
 * epilogue applied in a last pass over Y. */
static void gemm_small_rows(int M, int N, int K, const float *a, int sam, int sak, const float *b, int sbk, float *y,
                            int ldy, const epi_t *e) {
  for (int k0 = 0; k0 < K; k0 += 4) { /* [K] in groups of 4 rows of B */
    int kk = imin(4, K - k0);
    const float *b0 = b + k0 * sbk, *b1 = b0 + sbk, *b2 = b1 + sbk, *b3 = b2 + sbk;
    for (int m = 0; m < M; m++) {
      const float *am = a + m * sam + k0 * sak;
      float *ym = y + m * ldy;
      float s0 = am[0], s1 = kk > 1 ? am[sak] : 0.0f, s2 = kk > 2 ? am[2 * sak] : 0.0f, s3 = kk > 3 ? am[3 * sak] : 0.0f;
      int n = 0;
      if (kk == 4) {
        v128_t c0 = F4(s0), c1 = F4(s1), c2 = F4(s2), c3 = F4(s3);
        for (; n + 4 <= N; n += 4) { /* [N] */
          v128_t v = k0 ? wasm_v128_load(ym + n) : F4(0.0f);
          v = wasm_f32x4_add(v, wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(c0, wasm_v128_load(b0 + n)),
                                                               wasm_f32x4_mul(c1, wasm_v128_load(b1 + n))),
                                               wasm_f32x4_add(wasm_f32x4_mul(c2, wasm_v128_load(b2 + n)),
                                                              wasm_f32x4_mul(c3, wasm_v128_load(b3 + n)))));
          wasm_v128_store(ym + n, v);
        }
        for (; n < N; n++) ym[n] = (k0 ? ym[n] : 0.0f) + ((s0 * b0[n] + s1 * b1[n]) + (s2 * b2[n] + s3 * b3[n]));
      } else { /* the last 1..3 rows of B, one at a time (no 0 * inf from absent rows) */
        for (int q = 0; q < kk; q++) {
          const float *bq = b0 + q * sbk;
          float sq = am[q * sak];
          v128_t cq = F4(sq);
          int first = k0 == 0 && q == 0;
          for (n = 0; n + 4 <= N; n += 4)
            wasm_v128_store(ym + n, wasm_f32x4_add(first ? F4(0.0f) : wasm_v128_load(ym + n), wasm_f32x4_mul(cq, wasm_v128_load(bq + n))));
          for (; n < N; n++) ym[n] = (first ? 0.0f : ym[n]) + sq * bq[n];
        }
      }
    }
  }
  for (int m = 0; m < M; m++) { /* epilogue pass */
    float *ym = y + m * ldy;
    int n = 0;
    for (; n + 4 <= N; n += 4) wasm_v128_store(ym + n, epi_vec(e, wasm_v128_load(ym + n), m, n));
    for (; n < N; n++) ym[n] = epi_scalar(e, ym[n], m, n);
  }
}

/* Y[m, n] = dot(A row m, B column n) with both contiguous along k (sak == 1, sbk == 1): the
 * transposed-B matrix-vector case, and conv.c's convs with few output pixels.  Tiles of 2 rows x
 * 4 columns keep 8 accumulators, so a fused multiply-add (4 cycles of latency) has 8 independent
 * chains, and each k step loads 2 A and 4 B vectors for 8 multiply-adds; a last single row (odd M,
 * and every matrix-vector product) runs 1 x 4 (8 chains there measured slower).  Columns past the edge
 * re-read the last one (their sums are dropped).  The sums go to Y; the last K % 4 terms and the
 * epilogue follow in one pass. */
/* lane j of the result = the sum of the 4 lanes of s_j (a transpose and two adds) */
static inline v128_t sum4(v128_t s0, v128_t s1, v128_t s2, v128_t s3) {
  v128_t t0 = wasm_f32x4_add(wasm_i32x4_shuffle(s0, s1, 0, 4, 1, 5), wasm_i32x4_shuffle(s0, s1, 2, 6, 3, 7));
  v128_t t1 = wasm_f32x4_add(wasm_i32x4_shuffle(s2, s3, 0, 4, 1, 5), wasm_i32x4_shuffle(s2, s3, 2, 6, 3, 7));
  return wasm_f32x4_add(wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5), wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
}

/* the first n (<= 4) lanes of v to p */
static inline void store_n(float *p, v128_t v, int n) {
  if (n == 4) {
    wasm_v128_store(p, v);
    return;
  }
  float t[4];
  wasm_v128_store(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}

static __attribute__((noinline)) void gemm_dots(int M, int N, int K, const float *a, int sam, const float *b, int sbn,
                                                float *y, int ldy, const epi_t *e) {
  int k0 = K & ~3;
  for (int n0 = 0; n0 < N; n0 += 4) {
    int nc = imin(4, N - n0);
    const float *b0 = b + n0 * sbn, *b1 = b + imin(n0 + 1, N - 1) * sbn;
    const float *b2 = b + imin(n0 + 2, N - 1) * sbn, *b3 = b + imin(n0 + 3, N - 1) * sbn;
    int m0 = 0;
    for (; m0 + 2 <= M; m0 += 2) {
      const float *a0 = a + m0 * sam, *a1 = a0 + sam;
      v128_t c00 = F4(0.0f), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
#pragma clang loop unroll(disable) /* already 8 chains wide */
      for (int k = 0; k + 4 <= K; k += 4) {
        v128_t x0 = wasm_v128_load(a0 + k), x1 = wasm_v128_load(a1 + k), v;
        v = wasm_v128_load(b0 + k); FMA4(c00, x0, v); FMA4(c10, x1, v);
        v = wasm_v128_load(b1 + k); FMA4(c01, x0, v); FMA4(c11, x1, v);
        v = wasm_v128_load(b2 + k); FMA4(c02, x0, v); FMA4(c12, x1, v);
        v = wasm_v128_load(b3 + k); FMA4(c03, x0, v); FMA4(c13, x1, v);
      }
      store_n(y + m0 * ldy + n0, sum4(c00, c01, c02, c03), nc);
      store_n(y + (m0 + 1) * ldy + n0, sum4(c10, c11, c12, c13), nc);
    }
    if (m0 < M) { /* the last row of an odd M (matrix-vector: every row): 1 x 4 */
      const float *a0 = a + m0 * sam;
      v128_t c0 = F4(0.0f), c1 = c0, c2 = c0, c3 = c0;
#pragma clang loop unroll(disable)
      for (int k = 0; k + 4 <= K; k += 4) {
        v128_t x = wasm_v128_load(a0 + k);
        FMA4(c0, x, wasm_v128_load(b0 + k));
        FMA4(c1, x, wasm_v128_load(b1 + k));
        FMA4(c2, x, wasm_v128_load(b2 + k));
        FMA4(c3, x, wasm_v128_load(b3 + k));
      }
      store_n(y + m0 * ldy + n0, sum4(c0, c1, c2, c3), nc);
    }
  }
  for (int m = 0; m < M; m++) { /* the k tail and the epilogue */
    float *ym = y + m * ldy;
    int n = 0;
    if (k0 == K)
      for (; n + 4 <= N; n += 4) wasm_v128_store(ym + n, epi_vec(e, wasm_v128_load(ym + n), m, n));
    for (; n < N; n++) {
      float s = ym[n];
#pragma clang loop vectorize(disable) unroll(disable)
      for (int k = k0; k < K; k++) s += a[m * sam + k] * b[n * sbn + k];
      ym[n] = epi_scalar(e, s, m, n);
    }
  }
}

/* ---- driver ----------------------------------------------------------------------------------- */

/* noinline: the 48 KiB packing buffer must live in this frame only, never in a caller's frame
 * next to another big buffer (conv's depthwise path has its own). */
static __attribute__((noinline)) void gemm_run(int M, int N, int K, const float *a, int sam, int sak, const bsrc_t *bs, float *y, int ldy,
                     const epi_t *e) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { /* empty sum: only the epilogue */
    for (int m = 0; m < M; m++)
      for (int n = 0; n < N; n++) y[m * ldy + n] = epi_scalar(e, 0.0f, m, n);
    return;
  }
  if (bs->kind == 0 && M < MR) {
    if (bs->sbn == 1) {
      gemm_small_rows(M, N, K, a, sam, sak, bs->b, bs->sbk, y, ldy, e);
      return;
    }
    if (bs->sbk == 1 && sak == 1) {
      gemm_dots(M, N, K, a, sam, bs->b, bs->sbn, y, ldy, e);
      return;
    }
  }
  float buf[PACK_FLOATS];
  int kc_max = imin(K, KC_MAX);
  int nc_max = (PACK_FLOATS / kc_max) / NR * NR;
  int nround = (N + NR - 1) / NR * NR;
  if (nc_max > nround) nc_max = nround;
  for (int n0 = 0; n0 < N; n0 += nc_max) {
    int nc = imin(nc_max, N - n0);
    int ncp = (nc + NR - 1) / NR * NR;
    for (int k0 = 0; k0 < K; k0 += kc_max) {
      int kc = imin(kc_max, K - k0);
      int first = k0 == 0, last = k0 + kc == K;
      pack_b(bs, k0, kc, n0, nc, ncp, buf);
      for (int m0 = 0; m0 < M; m0 += MR) {
        int mr = imin(MR, M - m0);
        for (int j = 0; j < ncp; j += NR) /* [4 x kc] strip of A times [kc x 8] panel */
          ukernel(kc, a + k0 * sak, sam, sak, buf + j, ncp, y, ldy, m0, n0 + j, mr, imin(NR, nc - j), first, last, e);
      }
    }
  }
}

#endif
