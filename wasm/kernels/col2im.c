/* col2im_f32: the scatter-add half of ConvTranspose (js/src/webedge/ops/conv_transpose.mjs runs the
 * GEMM half, cols = W_g^T @ X_g, with gemm_f32): for output channels m < M,
 *
 *   y[m, oh, ow] = bias[m] (0 without) + sum of cols[(m, kh, kw), (h, w)] over the taps that land
 *                  there: oh = h * sh - pad_top + kh * dh, ow = w * sw - pad_left + kw * dw
 *
 * cols [M * KH * KW, H * W], y [M, OH, OW]. Channels are independent (each sums its taps in one order), so
 * the worker pool splits it by output channels. Part of linalg (wasm/build.py MODULES), next to gemm.
 * Arguments: js/src/webedge/wasm/abi.mjs. */
#include "mathf.h"

static inline int c2i_floordiv(int a, int d) { return a >= 0 ? a / d : -((-a + d - 1) / d); }

KEXPORT("col2im_f32")
void col2im_f32(const float *cols, const float *bias, float *y, int M, int H, int W, int KH, int KW, int OH, int OW,
                int sh, int sw, int dh, int dw, int pad_top, int pad_left) {
  int HW = H * W, P = OH * OW;
  for (int m = 0; m < M; m++) { /* [M] output channels */
    float *ym = y + m * P;
    v128_t vb = F4(bias ? bias[m] : 0.0f);
    int i = 0;
    for (; i + 4 <= P; i += 4) wasm_v128_store(ym + i, vb);
    for (; i < P; i++) ym[i] = f_lane0(vb);
    for (int kh = 0; kh < KH; kh++)
      for (int kw = 0; kw < KW; kw++) {
        const float *row = cols + ((m * KH + kh) * KW + kw) * HW;
        int off = kw * dw - pad_left; /* ow = w * sw + off */
        int w_lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
        int w_hi = c2i_floordiv(OW - 1 - off, sw) + 1;
        if (w_hi > W) w_hi = W;
        for (int h = 0; h < H; h++) {
          int oh = h * sh - pad_top + kh * dh;
          if (oh < 0 || oh >= OH) continue;
          float *dst = ym + oh * OW + off;
          const float *src = row + h * W;
          for (int w = w_lo; w < w_hi; w++) dst[w * sw] += src[w];
        }
      }
  }
}
