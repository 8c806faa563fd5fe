/* conv2d_f32: ONNX Conv (NCHW float32) with fused bias + activation, SIMD128.
 *
 *   x [N, C, H, W], w [M, C/group, KH, KW], bias [M] or 0, y [N, M, OH, OW]
 *   Only output rows [oh0, oh1) of every channel are written (a band: the worker pool splits a
 *   one-image conv into bands of rows), at their places in the full [OH, OW] planes.
 *   iy = oy * s + k * d - pad (top/left); taps outside the input read zero.
 *
 * Paths:
 *   depthwise (group == C == M > 1): per channel, the input rows a window needs are copied into
 *     zero-padded rows on the stack, then 16/4 output columns at a time with unit-stride loads
 *     (sw 1), even-lane shuffles (sw 2) or gathers, over the window rows inside the image only;
 *     KW 5 at stride 1 has an unrolled copy (part conv2d_f32/dw5).
 *   everything else: per image and group, a GEMM  y[Mg, OH*OW] = w[Mg, Cg*KH*KW] @ B  through
 *     gemm_core.h, where B is the input itself for 1x1 stride-1 unpadded convs (pointwise: packed
 *     straight from the [Cg, H*W] rows) or im2col blocks gathered into the packing buffer; with
 *     fewer than 8 output pixels, dot products of the weight rows with a transposed im2col instead.
 *     A column conv (W == KW == OW == 1, e.g. Magika's 5x1) is first turned into the same conv
 *     along W.
 * conv2d_f32_ref is the direct 7-deep scalar loop, kept as the reference; it is built into the test
 * variant only (WEBEDGE_REFERENCE_KERNELS), not shipped. Arguments: js/src/webedge/wasm/abi.mjs. */
#define ACT_PARTS /* linalg exports the fused-activation parts (mathf.h) */
#include "gemm_core.h"

/* ---- depthwise -------------------------------------------------------------------------------- */

/* Each input row a window needs is copied once into a zero-padded row of a small ring buffer on
 * the stack, so every output column, border or not, runs the same vector code without bounds
 * checks (rows above/below the image point at a shared zero row).  Output columns are done in
 * chunks so the padded rows fit the buffer for any width. */
#define DW_BUF_FLOATS 12288
#define DW_MAX_ROWS 32 /* (KH - 1) * dh + 1 input rows live at once, plus the zero row */

/* 4 input values for output columns j..j+3 at padded column iw = j * sw + kw * dw */
static inline v128_t load_strided(const float *xr, int iw, int sw) {
  if (sw == 1) return wasm_v128_load(xr + iw);
  if (sw == 2) return wasm_i32x4_shuffle(wasm_v128_load(xr + iw), wasm_v128_load(xr + iw + 4), 0, 2, 4, 6);
  return wasm_f32x4_make(xr[iw], xr[iw + sw], xr[iw + 2 * sw], xr[iw + 3 * sw]);
}

/* one output pixel with bounds checks: only for windows too large for the row buffer */
static float dw_pixel(const float *xc, const float *wc, int H, int W, int KH, int KW, int ih0, int iw0, int dh, int dw) {
  float s = 0.0f;
  for (int kh = 0; kh < KH; kh++) {
    int ih = ih0 + kh * dh;
    if (ih < 0 || ih >= H) continue;
    for (int kw = 0; kw < KW; kw++) {
      int iw = iw0 + kw * dw;
      if (iw >= 0 && iw < W) s += xc[ih * W + iw] * wc[kh * KW + kw];
    }
  }
  return s;
}

/* any KH x KW window over the nr input rows rows[r] (weights wrows[r]) that lie inside the image:
 * rows that fall in the zero padding add nothing and are left out, which for the short maps of
 * PP-OCR (H 2-6 under a 5x5 window) skips up to half the taps.  16 columns at a time (4
 * accumulators: one weight splat per 4 FMAs), then 4.  Padded columns [0, cwr) of one output row
 * (cwr a multiple of 4) into dst.  KW and SW are literals in the specialised copies. */
static inline __attribute__((always_inline)) void dw_cols_t(const float *const *rows, const float *const *wrows, int nr,
                                                            const int KW, v128_t vb, float *dst, int cwr, const int SW,
                                                            int dw, int act, float a0, float a1) {
  int j = 0;
  for (; j + 16 <= cwr; j += 16) {
    v128_t s0 = vb, s1 = vb, s2 = vb, s3 = vb;
    for (int r = 0; r < nr; r++)
      for (int kw = 0; kw < KW; kw++) {
        v128_t wv = wasm_v128_load32_splat(wrows[r] + kw);
        const float *xr = rows[r] + j * SW + kw * dw;
        FMA4(s0, wv, load_strided(xr, 0, SW));
        FMA4(s1, wv, load_strided(xr, 4 * SW, SW));
        FMA4(s2, wv, load_strided(xr, 8 * SW, SW));
        FMA4(s3, wv, load_strided(xr, 12 * SW, SW));
      }
    wasm_v128_store(dst + j, f4_act(act, s0, a0, a1));
    wasm_v128_store(dst + j + 4, f4_act(act, s1, a0, a1));
    wasm_v128_store(dst + j + 8, f4_act(act, s2, a0, a1));
    wasm_v128_store(dst + j + 12, f4_act(act, s3, a0, a1));
  }
  for (; j < cwr; j += 4) {
    v128_t s0 = vb;
    for (int r = 0; r < nr; r++)
      for (int kw = 0; kw < KW; kw++)
        FMA4(s0, wasm_v128_load32_splat(wrows[r] + kw), load_strided(rows[r] + j * SW + kw * dw, 0, SW));
    wasm_v128_store(dst + j, f4_act(act, s0, a0, a1));
  }
}
/* KW 5 at stride 1 (most of PP-OCR's depthwise flops), unrolled: a part of its own, which a plan
 * without such convs leaves out (wasm_strip.py's PART_RULES) */
KPART("conv2d_f32/dw5") __attribute__((noinline)) void dw5(const float *const *rows, const float *const *wrows, int nr,
                                                            v128_t vb, float *dst, int cwr, int dw, int act, float a0, float a1) {
  dw_cols_t(rows, wrows, nr, 5, vb, dst, cwr, 1, dw, act, a0, a1);
}
static __attribute__((noinline)) void dw_cols(const float *const *rows, const float *const *wrows, int nr, int KW, v128_t vb,
                                              float *dst, int cwr, int sw, int dw, int act, float a0, float a1) {
  dw_cols_t(rows, wrows, nr, KW, vb, dst, cwr, sw, dw, act, a0, a1);
}

/* noinline: keeps its 48 KiB row buffer out of conv2d_f32's frame (gemm_run has its own) */
KPART("conv2d_f32/depthwise") __attribute__((noinline)) void conv_depthwise(const float *x, const float *w, const float *bias, float *y,
                                                     int N, int C, int H, int W, int KH, int KW, int OH, int OW,
                                                     int oh0, int oh1, int sh, int sw, int dh, int dw, int pt, int pl,
                                                     int act, float a0, float a1) {
  float buf[DW_BUF_FLOATS];
  int span = (KW - 1) * dw;
  int S = (KH - 1) * dh + 1;  /* ring slots: rows one window spans */
  /* output columns per chunk so that (S + 1) padded rows of (CW-1)*sw + span + 12 floats fit */
  int CW = S + 1 <= DW_MAX_ROWS ? (DW_BUF_FLOATS / (S + 1) - span - 12) / sw : 0;
  CW &= ~7;
  if (CW > ((OW + 7) & ~7)) CW = (OW + 7) & ~7;
  for (int nc = 0; nc < N * C; nc++) { /* [N*C] channels */
    int c = nc % C;
    const float *xc = x + nc * H * W;
    const float *wc = w + c * KH * KW;
    float *yc = y + nc * OH * OW;
    float bv = bias ? bias[c] : 0.0f;
    if (CW < 8) { /* window too large for the buffer: scalar with bounds checks */
      for (int oh = oh0; oh < oh1; oh++)
        for (int ow = 0; ow < OW; ow++)
          yc[oh * OW + ow] = f_act(act, dw_pixel(xc, wc, H, W, KH, KW, oh * sh - pt, ow * sw - pl, dh, dw) + bv, a0, a1);
      continue;
    }
    v128_t vb = F4(bv);
    for (int c0 = 0; c0 < OW; c0 += CW) { /* [OW] in chunks of CW output columns */
      int cw = imin(CW, OW - c0), cwr = (cw + 3) & ~3;
      int iw0 = c0 * sw - pl;                       /* input column of padded column 0 */
      int PW = ((cwr - 1) * sw + span + 2 + 3) & ~3; /* sw 2 reads one float past the last tap */
      int tags[DW_MAX_ROWS];
      for (int q = 0; q < S; q++) tags[q] = -1; /* input row held by slot q + 1 (-1: none) */
      for (int q = 0; q < PW; q++) buf[q] = 0.0f; /* slot 0: the zero row */
      int ja = imax(0, -iw0), jb = imin(PW, W - iw0); /* padded columns inside the image */
      for (int oh = oh0; oh < oh1; oh++) { /* [oh0, oh1) rows */
        const float *rows[DW_MAX_ROWS];
        for (int kh = 0; kh < KH; kh++) {
          int ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) {
            rows[kh] = buf;
            continue;
          }
          int q = ih % S;
          float *dst = buf + (q + 1) * PW;
          if (tags[q] != ih) { /* copy input row ih, zero padded, into slot q + 1 */
            const float *src = xc + ih * W + iw0;
            int j = 0;
            for (; j < ja && j < PW; j++) dst[j] = 0.0f;
            for (; j + 4 <= jb; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
            for (; j < jb; j++) dst[j] = src[j];
            for (; j < PW; j++) dst[j] = 0.0f;
            tags[q] = ih;
          }
          rows[kh] = dst;
        }
        float *yr = yc + oh * OW + c0;
        float tail[8];
        /* full 4-column groups go straight to y; a ragged last group through `tail` */
        int direct = cw & ~3;
        const float *live[DW_MAX_ROWS], *wlive[DW_MAX_ROWS];
        int nr = 0;
        for (int kh = 0; kh < KH; kh++)
          if (rows[kh] != buf) { live[nr] = rows[kh]; wlive[nr++] = wc + kh * KW; }
        for (int pass = 0; pass < 2; pass++) { /* the full 4-column groups, then the ragged one */
          if (pass) {
            if (direct == cw) break;
            for (int r = 0; r < nr; r++) live[r] += direct * sw;
          }
          float *out = pass ? tail : yr;
          int n = pass ? 4 : direct;
          if (KW == 5 && sw == 1) dw5(live, wlive, nr, vb, out, n, dw, act, a0, a1);
          else dw_cols(live, wlive, nr, KW, vb, out, n, sw, dw, act, a0, a1);
        }
        for (int j = direct; j < cw; j++) yr[j] = tail[j - direct];
      }
    }
  }
}

/* ---- few output pixels ------------------------------------------------------------------------- */

/* P < NR output pixels (Silero VAD's convs have 1-3 time steps): the 4x8 micro-kernel would compute
 * 8 columns to keep P of them.  Instead the im2col matrix is gathered transposed, colT[p][k]
 * (contiguous along k, like the weight rows), and each output is a dot product of a weight row and
 * a colT row: gemm_core.h's gemm_dots, 2 x 4 tiles with 8 FMA chains. */
#define FEW_FLOATS 8192

static int few_pixels(int P, int Kg) { return P < NR && P * Kg <= FEW_FLOATS; }

/* noinline: its buffer stays out of conv2d_f32's frame */
/* output pixels [p0, p0 + PB) of planes of P pixels; yg points at pixel p0 of the first plane */
static __attribute__((noinline)) void conv_few(const float *xg, const float *wg, float *yg, int H, int W, int Cg, int KH,
                                               int KW, int OW, int p0, int PB, int P, int sh, int sw, int dh, int dw,
                                               int pt, int pl, int Mg, const epi_t *e) {
  float colT[FEW_FLOATS];
  int Kg = Cg * KH * KW;
  for (int q = 0; q < PB; q++) {
    int p = p0 + q;
    int ih0 = (p / OW) * sh - pt, iw0 = (p % OW) * sw - pl;
    float *dst = colT + q * Kg;
    for (int c = 0; c < Cg; c++)
      for (int kh = 0; kh < KH; kh++) {
        int ih = ih0 + kh * dh;
        if (ih < 0 || ih >= H) {
          for (int kw = 0; kw < KW; kw++) *dst++ = 0.0f;
          continue;
        }
        const float *xr = xg + (c * H + ih) * W;
#pragma clang loop vectorize(disable) unroll(disable) /* P * K values once per call: small next to the dots */
        for (int kw = 0; kw < KW; kw++) {
          int iw = iw0 + kw * dw;
          *dst++ = iw >= 0 && iw < W ? xr[iw] : 0.0f;
        }
      }
  }
  gemm_dots(Mg, PB, Kg, wg, Kg, colT, Kg, yg, P, e);
}

/* ---- entry points ------------------------------------------------------------------------------ */

KEXPORT("conv2d_f32")
void conv2d_f32(const float *x, const float *w, const float *bias, float *y, int N, int C, int H, int W, int M, int KH,
                int KW, int OH, int OW, int oh0, int oh1, int sh, int sw, int dh, int dw, int pad_top, int pad_left,
                int group, int act, float a0, float a1) {
  if (oh0 < 0) oh0 = 0;
  if (oh1 > OH) oh1 = OH;
  if (oh0 >= oh1) return;
  if (group > 1 && group == C && group == M) { /* group > 1: a 1-channel conv is a GEMM, and a plan without
                                                  grouped convs needs no depthwise part (wasm_strip.py) */
    conv_depthwise(x, w, bias, y, N, C, H, W, KH, KW, OH, OW, oh0, oh1, sh, sw, dh, dw, pad_top, pad_left, act, a0, a1);
    return;
  }
  int p0 = oh0 * OW, PB = (oh1 - oh0) * OW; /* the band's pixels [p0, p0 + PB): the same under the swap below */
  if (W == 1 && KW == 1 && OW == 1 && pad_left == 0) { /* a column conv (Magika's 5x1 over W = 1): the
    same sums with H and W swapped, so an im2col row is one run of OH pixels, not OH runs of one */
    W = H; H = 1; KW = KH; KH = 1; OW = OH; OH = 1;
    sw = sh; sh = 1; dw = dh; dh = 1; pad_left = pad_top; pad_top = 0;
  }
  int Cg = C / group, Mg = M / group, Kg = Cg * KH * KW, P = OH * OW;
  int pointwise = KH == 1 && KW == 1 && sh == 1 && sw == 1 && pad_top == 0 && pad_left == 0 && OH == H && OW == W;
  bsrc_t bs;
  bs.kind = pointwise ? 0 : 1;
  bs.sbk = H * W; /* pointwise: B = x[Cg][H*W] */
  bs.sbn = 1;
  bs.H = H; bs.W = W; bs.KH = KH; bs.KW = KW; bs.OW = OW;
  bs.sh = sh; bs.sw = sw; bs.dh = dh; bs.dw = dw; bs.pt = pad_top; bs.pl = pad_left;
  bs.p0 = p0; /* im2col: pixels from the band's first; pointwise: B starts there (below) */
  for (int n = 0; n < N; n++)
    for (int g = 0; g < group; g++) { /* y[n, g*Mg:(g+1)*Mg, band] = w_g [Mg, Kg] @ B [Kg, band's pixels] */
      epi_t e;
      e.alpha = 1.0f;
      e.beta = 1.0f;
      e.c = bias ? bias + g * Mg : 0;
      e.c_kind = bias ? 3 : 0; /* per output row = output channel */
      e.ldc = 0;
      e.act = act;
      e.a0 = a0;
      e.a1 = a1;
      const float *xg = x + (n * C + g * Cg) * H * W;
      float *yg = y + (n * M + g * Mg) * P + p0;
      if (few_pixels(P, Kg)) { /* by the whole plane, not the band: every band of a conv takes the same path */
        conv_few(xg, w + g * Mg * Kg, yg, H, W, Cg, KH, KW, OW, p0, PB, P, sh, sw, dh, dw, pad_top, pad_left, Mg, &e);
        continue;
      }
      bs.b = xg + (pointwise ? p0 : 0);
      gemm_run(Mg, PB, Kg, w + g * Mg * Kg, Kg, 1, &bs, yg, P, &e);
    }
}

#ifdef WEBEDGE_REFERENCE_KERNELS /* the test variant only (wasm/build.py --variant test) */
KEXPORT("conv2d_f32_ref")
void conv2d_f32_ref(const float *x, const float *w, const float *bias, float *y, int N, int C, int H, int W, int M,
                    int KH, int KW, int OH, int OW, int oh0, int oh1, int sh, int sw, int dh, int dw, int pad_top,
                    int pad_left, int group, int act, float a0, float a1) {
  int Cg = C / group, Mg = M / group;
  for (int n = 0; n < N; n++)
    for (int m = 0; m < M; m++) {
      int g = m / Mg;
      for (int oh = imax(oh0, 0); oh < imin(oh1, OH); oh++)
        for (int ow = 0; ow < OW; ow++) {
          float s = 0.0f;
          for (int c = 0; c < Cg; c++)
            for (int kh = 0; kh < KH; kh++) {
              int ih = oh * sh + kh * dh - pad_top;
              if (ih < 0 || ih >= H) continue;
              for (int kw = 0; kw < KW; kw++) {
                int iw = ow * sw + kw * dw - pad_left;
                if (iw < 0 || iw >= W) continue;
                s += x[((n * C + g * Cg + c) * H + ih) * W + iw] * w[((m * Cg + c) * KH + kh) * KW + kw];
              }
            }
          if (bias) s += bias[m];
          y[((n * M + m) * OH + oh) * OW + ow] = f_act(act, s, a0, a1);
        }
    }
}
#endif
