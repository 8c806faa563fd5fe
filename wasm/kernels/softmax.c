/* softmax_f32: softmax (or log-softmax) over the middle axis of x viewed as [outer, axis, inner].
 *   y = exp(x - max) / sum(exp(x - max))      or      y = (x - max) - log(sum(exp(x - max)))
 * Max-shifted, so no overflow.  inner == 1 (softmax over the last axis): each row is contiguous and
 * is reduced with 4-lane vectors; inner > 1: 4 neighbouring inner positions form a vector and the
 * loops stride down the axis.  exp/log are the double-evaluated ones from mathf.h (< 1 ulp). */
#include "mathf.h"

static __attribute__((noinline)) v128_t vexp(v128_t v) { return f4_exp(v); }
/* a part: only LogSoftmax calls it (webedge/backends/wasm_strip.py strips it from Softmax plans) */
KPART("softmax_f32/log") __attribute__((noinline)) v128_t vlog(v128_t v) { return f4_log(v); }

static inline float hmax(v128_t v) {
  v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}
static inline float hsum(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

/* one contiguous row of n */
static void softmax_row(const float *x, float *y, int n, int log) {
  v128_t m4 = F4(-__builtin_inff());
  int i = 0;
  for (; i + 4 <= n; i += 4) m4 = wasm_f32x4_pmax(m4, wasm_v128_load(x + i));
  float m = hmax(m4);
  for (; i < n; i++)
    if (x[i] > m) m = x[i];
  v128_t vm = F4(m), s4 = F4(0.0f);
  for (i = 0; i + 4 <= n; i += 4) { /* y = exp(x - max), summed */
    v128_t e = vexp(wasm_f32x4_sub(wasm_v128_load(x + i), vm));
    s4 = wasm_f32x4_add(s4, e);
    if (!log) wasm_v128_store(y + i, e);
  }
  float s = hsum(s4);
  for (; i < n; i++) {
    float e = f_lane0(vexp(F4(x[i] - m)));
    s += e;
    if (!log) y[i] = e;
  }
  if (log) { /* y = x - (max + log(sum)) */
    v128_t shift = F4(m + f_lane0(vlog(F4(s))));
    for (i = 0; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_sub(wasm_v128_load(x + i), shift));
    for (; i < n; i++) y[i] = x[i] - wasm_f32x4_extract_lane(shift, 0);
  } else {
    v128_t r = F4(1.0f / s);
    for (i = 0; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_mul(wasm_v128_load(y + i), r));
    for (; i < n; i++) y[i] *= 1.0f / s;
  }
}

/* 4 inner positions at once: x[a * inner] for a in [0, axis) */
static inline void softmax_cols4(const float *x, float *y, int axis, int inner, int log) {
  v128_t m = F4(-__builtin_inff()), s = F4(0.0f);
  for (int a = 0; a < axis; a++) m = wasm_f32x4_pmax(m, wasm_v128_load(x + a * inner));
  for (int a = 0; a < axis; a++) {
    v128_t e = vexp(wasm_f32x4_sub(wasm_v128_load(x + a * inner), m));
    s = wasm_f32x4_add(s, e);
    if (!log) wasm_v128_store(y + a * inner, e);
  }
  if (log) {
    v128_t shift = wasm_f32x4_add(m, vlog(s));
    for (int a = 0; a < axis; a++)
      wasm_v128_store(y + a * inner, wasm_f32x4_sub(wasm_v128_load(x + a * inner), shift));
  } else {
    v128_t r = wasm_f32x4_div(F4(1.0f), s);
    for (int a = 0; a < axis; a++) wasm_v128_store(y + a * inner, wasm_f32x4_mul(wasm_v128_load(y + a * inner), r));
  }
}

/* a single inner position (tail): strided scalar */
static void softmax_col1(const float *x, float *y, int axis, int inner, int log) {
  float m = -__builtin_inff(), s = 0.0f;
  for (int a = 0; a < axis; a++)
    if (x[a * inner] > m) m = x[a * inner];
  for (int a = 0; a < axis; a++) {
    float e = f_lane0(vexp(F4(x[a * inner] - m)));
    s += e;
    if (!log) y[a * inner] = e;
  }
  if (log) {
    float shift = m + f_lane0(vlog(F4(s)));
    for (int a = 0; a < axis; a++) y[a * inner] = x[a * inner] - shift;
  } else {
    float r = 1.0f / s;
    for (int a = 0; a < axis; a++) y[a * inner] *= r;
  }
}

KEXPORT("softmax_f32")
void softmax_f32(const float *x, float *y, int outer, int axis, int inner, int log) {
  if (axis <= 0) return;
  for (int o = 0; o < outer; o++) { /* [outer] blocks of [axis, inner] */
    const float *xo = x + o * axis * inner;
    float *yo = y + o * axis * inner;
    if (inner == 1) {
      softmax_row(xo, yo, axis, log);
      continue;
    }
    int i = 0;
    for (; i + 4 <= inner; i += 4) softmax_cols4(xo + i, yo + i, axis, inner, log);
    for (; i < inner; i++) softmax_col1(xo + i, yo + i, axis, inner, log);
  }
}
