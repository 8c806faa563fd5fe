/* Normalisations over float32, SIMD128.
 * batchnorm_f32: inference BatchNormalization, y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c]
 *   folded per channel into y = x * k + b.  x [N, C, HW].
 * layernorm_f32: per row of [outer, inner]: y = (x - mean) / sqrt(var + eps) * scale + bias
 *   (scale, bias [inner]; bias may be 0).  Biased variance, as ONNX.
 * instancenorm_f32: per [HW] plane of [N, C, HW], scale/bias per channel.
 * Mean and variance are two-pass (sum, then sum of squared deviations), each with 8 lanes of
 * float partial sums, which stays accurate for long rows where E[x^2] - E[x]^2 would cancel. */
#include "mathf.h"

static inline float hsum(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

/* mean and 1/sqrt(var + eps) of n contiguous floats */
static void moments(const float *x, int n, float eps, float *mean_out, float *rstd_out) {
  v128_t s0 = F4(0.0f), s1 = s0;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = wasm_f32x4_add(s0, wasm_v128_load(x + i));
    s1 = wasm_f32x4_add(s1, wasm_v128_load(x + i + 4));
  }
  float s = hsum(wasm_f32x4_add(s0, s1));
  for (; i < n; i++) s += x[i];
  float mean = s / (float)n;
  v128_t vm = F4(mean);
  s0 = s1 = F4(0.0f);
  for (i = 0; i + 8 <= n; i += 8) {
    v128_t d0 = wasm_f32x4_sub(wasm_v128_load(x + i), vm), d1 = wasm_f32x4_sub(wasm_v128_load(x + i + 4), vm);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
  }
  float q = hsum(wasm_f32x4_add(s0, s1));
  for (; i < n; i++) q += (x[i] - mean) * (x[i] - mean);
  *mean_out = mean;
  *rstd_out = 1.0f / __builtin_sqrtf(q / (float)n + eps);
}

/* y = x * k + b over n floats */
static void affine(const float *x, float *y, int n, float k, float b) {
  v128_t vk = F4(k), vb = F4(b);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(x + i), vk), vb));
  for (; i < n; i++) y[i] = x[i] * k + b;
}

KEXPORT("batchnorm_f32")
void batchnorm_f32(const float *x, const float *scale, const float *bias, const float *mean, const float *var, float *y,
                   int N, int C, int HW, float eps) {
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++) { /* [HW] plane of channel c */
      float k = scale[c] / __builtin_sqrtf(var[c] + eps);
      int off = (n * C + c) * HW;
      affine(x + off, y + off, HW, k, bias[c] - mean[c] * k);
    }
}

KEXPORT("instancenorm_f32")
void instancenorm_f32(const float *x, const float *scale, const float *bias, float *y, int N, int C, int HW, float eps) {
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++) {
      int off = (n * C + c) * HW;
      float mean, rstd;
      moments(x + off, HW, eps, &mean, &rstd);
      float k = scale[c] * rstd;
      affine(x + off, y + off, HW, k, bias[c] - mean * k);
    }
}

KEXPORT("layernorm_f32")
void layernorm_f32(const float *x, const float *scale, const float *bias, float *y, int outer, int inner, float eps) {
  for (int o = 0; o < outer; o++) { /* [outer] rows of [inner] */
    const float *xr = x + o * inner;
    float *yr = y + o * inner;
    float mean, rstd;
    moments(xr, inner, eps, &mean, &rstd);
    v128_t vm = F4(mean), vr = F4(rstd);
    int i = 0;
    for (; i + 4 <= inner; i += 4) {
      v128_t v = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), vm), vr), wasm_v128_load(scale + i));
      if (bias) v = wasm_f32x4_add(v, wasm_v128_load(bias + i));
      wasm_v128_store(yr + i, v);
    }
    for (; i < inner; i++) yr[i] = (xr[i] - mean) * rstd * scale[i] + (bias ? bias[i] : 0.0f);
  }
}
