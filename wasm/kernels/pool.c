/* Pooling over NCHW float32 planes, SIMD128.
 *
 * maxpool2d_f32 / avgpool2d_f32: ONNX MaxPool / AveragePool windows (KH x KW, strides, dilations,
 *   top/left pads; taps outside the input are skipped).  The output size OH x OW is given, so
 *   ceil_mode is the caller's choice.  Average divisor: the number of taps inside the input, or
 *   KH*KW when count_include_pad (the padded extent is not passed, so a ceil_mode window that runs
 *   past the bottom/right pad also counts those taps; ORT would not).  A max window with no tap
 *   inside gives -FLT_MAX (what ORT/MLAS produce).
 * global_avgpool_f32 / global_maxpool_f32: one value per [HW] plane of NC planes.
 *
 * Per output row the columns whose window lies inside the row are done 4 at a time (unit-stride
 * loads for sw 1, even-lane shuffles for sw 2, gathers otherwise); border columns are scalar. */
#include "mathf.h"

#define FLT_LOWEST (-3.4028234663852886e38f)

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int floordiv(int a, int d) { return a >= 0 ? a / d : -((-a + d - 1) / d); }

static inline v128_t load_strided(const float *xr, int iw, int sw) {
  if (sw == 1) return wasm_v128_load(xr + iw);
  if (sw == 2) return wasm_i32x4_shuffle(wasm_v128_load(xr + iw), wasm_v128_load(xr + iw + 4), 0, 2, 4, 6);
  return wasm_f32x4_make(xr[iw], xr[iw + sw], xr[iw + 2 * sw], xr[iw + 3 * sw]);
}

/* mode 0 max, 1 average (count valid taps), 2 average (divide by KH*KW) */
static void pool2d(int mode, const float *x, float *y, int N, int C, int H, int W, int OH, int OW, int KH, int KW, int sh,
                   int sw, int dh, int dw, int pt, int pl) {
  int span = (KW - 1) * dw + (sw == 2 ? 1 : 0); /* sw 2 loads one float past the last tap */
  int ow_a = (pl + sw - 1) / sw;
  int ow_b = floordiv(W - 1 - span + pl, sw) + 1;
  if (ow_b > OW) ow_b = OW;
  if (ow_a > OW) ow_a = OW;
  if (ow_b < ow_a) ow_b = ow_a;
  for (int nc = 0; nc < N * C; nc++) { /* [N*C] planes */
    const float *xc = x + nc * H * W;
    float *yc = y + nc * OH * OW;
    for (int oh = 0; oh < OH; oh++) { /* [OH] rows */
      int ih0 = oh * sh - pt;
      int kh_lo = ih0 >= 0 ? 0 : (-ih0 + dh - 1) / dh;
      int kh_hi = imin(KH, floordiv(H - 1 - ih0, dh) + 1);
      float *yr = yc + oh * OW;
      float inv_rows = mode == 2 ? 1.0f / (float)(KH * KW) : 1.0f / (float)((kh_hi - kh_lo) * KW);
      for (int ow = 0; ow < OW; ow++) {
        if (ow == ow_a) { /* [ow_a, ow_b) interior, 4 columns at a time */
          for (; ow + 4 <= ow_b; ow += 4) {
            int iw = ow * sw - pl;
            v128_t acc = mode ? F4(0.0f) : F4(FLT_LOWEST);
            for (int kh = kh_lo; kh < kh_hi; kh++) {
              const float *xr = xc + (ih0 + kh * dh) * W;
              for (int kw = 0; kw < KW; kw++) {
                v128_t v = load_strided(xr, iw + kw * dw, sw);
                acc = mode ? wasm_f32x4_add(acc, v) : wasm_f32x4_pmax(acc, v);
              }
            }
            if (mode) acc = kh_hi > kh_lo ? wasm_f32x4_mul(acc, F4(inv_rows)) : F4(0.0f);
            wasm_v128_store(yr + ow, acc);
          }
          if (ow >= OW) break;
        }
        int iw0 = ow * sw - pl;
        float acc = mode ? 0.0f : FLT_LOWEST;
        int count = 0;
        for (int kh = kh_lo; kh < kh_hi; kh++) {
          const float *xr = xc + (ih0 + kh * dh) * W;
          for (int kw = 0; kw < KW; kw++) {
            int iw = iw0 + kw * dw;
            if (iw < 0 || iw >= W) continue;
            float v = xr[iw];
            if (mode) acc += v;
            else if (v > acc) acc = v;
            count++;
          }
        }
        if (mode == 1) acc = count ? acc / (float)count : 0.0f;
        if (mode == 2) acc = acc / (float)(KH * KW);
        yr[ow] = acc;
      }
    }
  }
}

KEXPORT("maxpool2d_f32")
void maxpool2d_f32(const float *x, float *y, int N, int C, int H, int W, int OH, int OW, int KH, int KW, int sh, int sw,
                   int dh, int dw, int pad_top, int pad_left) {
  pool2d(0, x, y, N, C, H, W, OH, OW, KH, KW, sh, sw, dh, dw, pad_top, pad_left);
}

KEXPORT("avgpool2d_f32")
void avgpool2d_f32(const float *x, float *y, int N, int C, int H, int W, int OH, int OW, int KH, int KW, int sh, int sw,
                   int dh, int dw, int pad_top, int pad_left, int count_include_pad) {
  pool2d(count_include_pad ? 2 : 1, x, y, N, C, H, W, OH, OW, KH, KW, sh, sw, dh, dw, pad_top, pad_left);
}

KEXPORT("global_avgpool_f32")
void global_avgpool_f32(const float *x, float *y, int NC, int HW) {
  for (int p = 0; p < NC; p++) { /* [NC] planes of [HW] */
    const float *xp = x + p * HW;
    v128_t s0 = F4(0.0f), s1 = s0;
    int i = 0;
    for (; i + 8 <= HW; i += 8) {
      s0 = wasm_f32x4_add(s0, wasm_v128_load(xp + i));
      s1 = wasm_f32x4_add(s1, wasm_v128_load(xp + i + 4));
    }
    s0 = wasm_f32x4_add(s0, s1);
    float s = (wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1)) +
              (wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3));
    for (; i < HW; i++) s += xp[i];
    y[p] = s / (float)HW;
  }
}

KEXPORT("global_maxpool_f32")
void global_maxpool_f32(const float *x, float *y, int NC, int HW) {
  for (int p = 0; p < NC; p++) {
    const float *xp = x + p * HW;
    v128_t m0 = F4(FLT_LOWEST), m1 = m0;
    int i = 0;
    for (; i + 8 <= HW; i += 8) {
      m0 = wasm_f32x4_pmax(m0, wasm_v128_load(xp + i));
      m1 = wasm_f32x4_pmax(m1, wasm_v128_load(xp + i + 4));
    }
    m0 = wasm_f32x4_pmax(m0, m1);
    m0 = wasm_f32x4_pmax(m0, wasm_i32x4_shuffle(m0, m0, 2, 3, 0, 1));
    m0 = wasm_f32x4_pmax(m0, wasm_i32x4_shuffle(m0, m0, 1, 0, 3, 2));
    float m = wasm_f32x4_extract_lane(m0, 0);
    for (; i < HW; i++)
      if (xp[i] > m) m = xp[i];
    y[p] = m;
  }
}
