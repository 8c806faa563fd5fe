/* pow_f32(a, b, y, rank, dims, astrides, bstrides): a ^ b with broadcasting (elementwise.h), float32,
 * SIMD128, with exact shortcuts for the scalar exponents 2, 1, -1 and 0.5 (x^2 in norms is common).
 * A module of its own: pow is half of what the binary kernels weigh, and few models use it. */
#define WEBEDGE_BINARY_ROW /* this file defines row(); elementwise.h drives it */
#include "elementwise.h"

/* pow is large; keep one out-of-line copy instead of one per loop. */
static __attribute__((noinline)) v128_t pow_v(v128_t a, v128_t b) { return f4_pow(a, b); }

/* pow by a scalar exponent that has an exact shortcut (x*x, x, 1/x, sqrt: each correctly rounded,
 * as pow itself); returns 0 when there is none.  Common in exported graphs (x^2 in norms). */
static int pow_scalar_shortcut(const float *a, int sa, float e, float *y, int n) {
  if (e != 2.0f && e != 1.0f && e != -1.0f && e != 0.5f) return 0;
  int i = 0;
  if (sa == 1)
    for (; i + 4 <= n; i += 4) {
      v128_t v = wasm_v128_load(a + i), r;
      if (e == 2.0f) r = wasm_f32x4_mul(v, v);
      else if (e == 1.0f) r = v;
      else if (e == -1.0f) r = wasm_f32x4_div(F4(1.0f), v);
      else /* pow(-0, .5) = +0 and pow(-inf, .5) = +inf, unlike sqrt */
        r = wasm_v128_bitselect(F4(__builtin_inff()), wasm_f32x4_sqrt(wasm_f32x4_add(v, F4(0.0f))),
                                wasm_f32x4_eq(v, F4(-__builtin_inff())));
      wasm_v128_store(y + i, r);
    }
  for (; i < n; i++) {
    float v = a[i * sa];
    y[i] = e == 2.0f ? v * v : e == 1.0f ? v : e == -1.0f ? 1.0f / v : v == -__builtin_inff() ? __builtin_inff() : __builtin_sqrtf(v + 0.0f);
  }
  return 1;
}

#define V_POW(p, q) pow_v(p, q)
DEFINE_ROW(row_pow, V_POW)

static void row(int op, const float *a, int sa, const float *b, int sb, float *y, int n) {
  (void)op;
  if (sb == 0 && pow_scalar_shortcut(a, sa, b[0], y, n)) return;
  row_pow(a, sa, b, sb, y, n);
}

KEXPORT("pow_f32")
void pow_f32(const float *a, const float *b, float *y, int rank, const int *dims, const int *astrides, const int *bstrides) {
  broadcast(0, a, b, y, rank, dims, astrides, bstrides);
}
