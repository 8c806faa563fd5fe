/* resize_f32: ONNX Resize of the last two axes of [planes, H, W] float32 planes into [planes, OH, OW],
 * from tap tables that js/src/webedge/ops/resize.mjs computes (so every coordinate transformation
 * and rounding mode is the JS part's own): output rows [r0, r1) of planes * OH rows in all, so that
 * the worker pool splits a resize by rows.
 *
 *   taps == 0 (nearest): output row oh reads input row ri[oh], output column ow input column ci[ow];
 *     a row that reads the same input row as the one above it (upsampling) is a copy of that row.
 *   taps > 0 (linear, cubic): output (oh, ow) = sum_i rw[oh*taps+i] * sum_j cw[ow*taps+j] *
 *     x[ri[oh*taps+i], ci[ow*taps+j]], the part `resize_f32/taps` (a plan without such a Resize
 *     strips it: webedge/backends/wasm_strip.py).
 * Arguments: js/src/webedge/wasm/abi.mjs. */
#include "mathf.h"

KPART("resize_f32/taps") __attribute__((noinline)) void resize_taps(const float *x, float *y, int H, int W, int OH,
                                                                   int OW, int r0, int r1, int taps, const int *ri,
                                                                   const float *rw, const int *ci, const float *cw) {
  for (int r = r0; r < r1; r++) { /* [r0, r1) of planes * OH output rows */
    int p = r / OH, oh = r - p * OH;
    const float *xp = x + p * H * W;
    float *yr = y + r * OW;
    for (int ow = 0; ow < OW; ow++) {
      float acc = 0.0f;
      for (int i = 0; i < taps; i++) {
        const float *xr = xp + ri[oh * taps + i] * W;
        float line = 0.0f;
        for (int j = 0; j < taps; j++) line += xr[ci[ow * taps + j]] * cw[ow * taps + j];
        acc += line * rw[oh * taps + i];
      }
      yr[ow] = acc;
    }
  }
}

KEXPORT("resize_f32")
void resize_f32(const float *x, float *y, int H, int W, int OH, int OW, int r0, int r1, int taps, const int *ri,
                const float *rw, const int *ci, const float *cw) {
  if (taps > 0) {
    resize_taps(x, y, H, W, OH, OW, r0, r1, taps, ri, rw, ci, cw);
    return;
  }
  for (int r = r0; r < r1; r++) {
    int p = r / OH, oh = r - p * OH;
    float *yr = y + r * OW;
    if (r > r0 && oh > 0 && ri[oh] == ri[oh - 1]) { /* the row above (written by this call): copy it */
      const float *src = yr - OW;
      int j = 0;
      for (; j + 4 <= OW; j += 4) wasm_v128_store(yr + j, wasm_v128_load(src + j));
      for (; j < OW; j++) yr[j] = src[j];
      continue;
    }
    const float *xr = x + p * H * W + ri[oh] * W;
    for (int ow = 0; ow < OW; ow++) yr[ow] = xr[ci[ow]];
  }
}
