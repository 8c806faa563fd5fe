/* Elementwise kernels: broadcasting binary ops and unary ops (float32, SIMD128).
 *
 * binary_f32(op, a, b, y, rank, dims, astrides, bstrides): y (contiguous, shape dims) = a op b with
 *   per-axis element strides for a and b (0 on broadcast axes).  op: 0 add, 1 sub, 2 mul, 3 div,
 *   4 pow, 5 max, 6 min.  Axes are coalesced first (size-1 axes dropped, adjacent axes merged when
 *   both inputs are contiguous across them), so "both contiguous", "a scalar" and "b scalar" become
 *   a single row; each row then runs one of four SIMD loops (a and b each unit-stride or broadcast)
 *   or a strided gather.
 * unary_f32(op, x, y, n, a0, a1): see the op list in the switch below (x may equal y). */
#include "mathf.h"

enum { OP_ADD = 0, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_MAX, OP_MIN };
#define MAX_RANK 16

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

/* One row of n outputs: a advances by sa, b by sb (elements).  OP is a macro of two v128 values. */
#define DEFINE_ROW(name, OP)                                                                         \
  static void name(const float *a, int sa, const float *b, int sb, float *y, int n) {                \
    int i = 0;                                                                                       \
    if (sa == 1 && sb == 1) {                                                                        \
      for (; i + 8 <= n; i += 8) {                                                                   \
        wasm_v128_store(y + i, OP(wasm_v128_load(a + i), wasm_v128_load(b + i)));                    \
        wasm_v128_store(y + i + 4, OP(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));        \
      }                                                                                              \
      for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, OP(wasm_v128_load(a + i), wasm_v128_load(b + i))); \
    } else if (sa == 1 && sb == 0) {                                                                 \
      v128_t vb = wasm_v128_load32_splat(b);                                                         \
      for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, OP(wasm_v128_load(a + i), vb));              \
    } else if (sa == 0 && sb == 1) {                                                                 \
      v128_t va = wasm_v128_load32_splat(a);                                                         \
      for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, OP(va, wasm_v128_load(b + i)));              \
    } else {                                                                                         \
      for (; i + 4 <= n; i += 4) {                                                                   \
        v128_t va = wasm_f32x4_make(a[i * sa], a[(i + 1) * sa], a[(i + 2) * sa], a[(i + 3) * sa]);   \
        v128_t vb = wasm_f32x4_make(b[i * sb], b[(i + 1) * sb], b[(i + 2) * sb], b[(i + 3) * sb]);   \
        wasm_v128_store(y + i, OP(va, vb));                                                          \
      }                                                                                              \
    }                                                                                                \
    for (; i < n; i++) y[i] = f_lane0(OP(F4(a[i * sa]), F4(b[i * sb])));                             \
  }

#define V_ADD(p, q) wasm_f32x4_add(p, q)
#define V_SUB(p, q) wasm_f32x4_sub(p, q)
#define V_MUL(p, q) wasm_f32x4_mul(p, q)
#define V_DIV(p, q) wasm_f32x4_div(p, q)
#define V_POW(p, q) pow_v(p, q)
#define V_MAX(p, q) wasm_f32x4_max(p, q) /* IEEE: nan propagates, -0 < +0 */
#define V_MIN(p, q) wasm_f32x4_min(p, q)
DEFINE_ROW(row_add, V_ADD)
DEFINE_ROW(row_sub, V_SUB)
DEFINE_ROW(row_mul, V_MUL)
DEFINE_ROW(row_div, V_DIV)
DEFINE_ROW(row_pow, V_POW)
DEFINE_ROW(row_max, V_MAX)
DEFINE_ROW(row_min, V_MIN)

static void row(int op, const float *a, int sa, const float *b, int sb, float *y, int n) {
  switch (op) {
    case OP_ADD: row_add(a, sa, b, sb, y, n); break;
    case OP_SUB: row_sub(a, sa, b, sb, y, n); break;
    case OP_MUL: row_mul(a, sa, b, sb, y, n); break;
    case OP_DIV: row_div(a, sa, b, sb, y, n); break;
    case OP_POW:
      if (sb == 0 && pow_scalar_shortcut(a, sa, b[0], y, n)) break;
      row_pow(a, sa, b, sb, y, n);
      break;
    case OP_MAX: row_max(a, sa, b, sb, y, n); break;
    case OP_MIN: row_min(a, sa, b, sb, y, n); break;
    default: break;
  }
}

KEXPORT("binary_f32")
void binary_f32(int op, const float *a, const float *b, float *y, int rank, const int *dims, const int *astrides,
                const int *bstrides) {
  int d[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK], idx[MAX_RANK];
  int r = 0;
  for (int i = 0; i < rank; i++)
    if (dims[i] <= 0) return; /* empty output */
  if (rank > MAX_RANK) {
    /* Rare: too many axes for the stack arrays; decompose each flat index (slow but exact). */
    int total = 1;
    for (int i = 0; i < rank; i++) total *= dims[i];
    for (int f = 0; f < total; f++) {
      int rem = f, oa = 0, ob = 0;
      for (int ax = rank - 1; ax >= 0; ax--) {
        int q = rem % dims[ax];
        rem /= dims[ax];
        oa += q * astrides[ax];
        ob += q * bstrides[ax];
      }
      row(op, a + oa, 0, b + ob, 0, y + f, 1);
    }
    return;
  }
  /* Coalesce from the innermost axis outwards: drop size-1 axes; merge axis i into the axis
   * inside it when a and b both step across the pair as one axis. */
  for (int i = rank - 1; i >= 0; i--) {
    if (dims[i] == 1) continue;
    if (r > 0 && astrides[i] == sa[r - 1] * d[r - 1] && bstrides[i] == sb[r - 1] * d[r - 1]) {
      d[r - 1] *= dims[i];
      continue;
    }
    d[r] = dims[i];
    sa[r] = astrides[i];
    sb[r] = bstrides[i];
    r++;
  }
  if (r == 0) { /* all axes size 1: one element */
    d[0] = 1;
    sa[0] = sb[0] = 0;
    r = 1;
  }
  /* d[0] is now the innermost axis (reversed order). */
  int n = d[0], rows = 1;
  for (int i = 1; i < r; i++) {
    rows *= d[i];
    idx[i] = 0;
  }
  int oa = 0, ob = 0;
  for (int rw = 0; rw < rows; rw++) {
    row(op, a + oa, sa[0], b + ob, sb[0], y + rw * n, n);
    for (int ax = 1; ax < r; ax++) { /* odometer over the outer axes */
      oa += sa[ax];
      ob += sb[ax];
      if (++idx[ax] < d[ax]) break;
      oa -= sa[ax] * d[ax];
      ob -= sb[ax] * d[ax];
      idx[ax] = 0;
    }
  }
}

/* ---- unary ------------------------------------------------------------------------------------ */

enum {
  U_IDENTITY = 0, U_RELU, U_CLIP, U_HARDSIGMOID, U_HARDSWISH, U_LEAKYRELU, U_SIGMOID, U_TANH, U_EXP, U_LOG,
  U_SQRT, U_ABS, U_NEG, U_RECIPROCAL, U_ERF, U_GELU, U_FLOOR, U_CEIL, U_SOFTPLUS, U_ELU, U_SIN, U_COS, U_ROUND
};

/* One out-of-line loop per op with the math inlined once; the last n % 4 elements go through a
 * 4-float stack slot so the tail runs the same vector code. */
#define UNARY_FN(name, EXPR)                                                                       \
  static __attribute__((noinline)) void name(const float *x, float *y, int n, float a0, float a1) { \
    (void)a0;                                                                                      \
    (void)a1;                                                                                      \
    for (int i = 0; i < n; i += 4) {                                                               \
      float t[4];                                                                                  \
      int full = i + 4 <= n;                                                                       \
      v128_t v;                                                                                    \
      if (full) {                                                                                  \
        v = wasm_v128_load(x + i);                                                                 \
      } else {                                                                                     \
        for (int j = 0; j < 4; j++) t[j] = i + j < n ? x[i + j] : 0.0f;                           \
        v = wasm_v128_load(t);                                                                     \
      }                                                                                            \
      v = EXPR;                                                                                    \
      if (full) {                                                                                  \
        wasm_v128_store(y + i, v);                                                                 \
      } else {                                                                                     \
        wasm_v128_store(t, v);                                                                     \
        for (int j = 0; i + j < n; j++) y[i + j] = t[j];                                           \
      }                                                                                            \
    }                                                                                              \
  }

UNARY_FN(u_copy, v)
UNARY_FN(u_relu, f4_relu(v))
UNARY_FN(u_clip, f4_clip(v, a0, a1))
UNARY_FN(u_hardsigmoid, f4_hardsigmoid(v, a0, a1))
UNARY_FN(u_hardswish, f4_hardswish(v))
UNARY_FN(u_leakyrelu, f4_leakyrelu(v, a0))
UNARY_FN(u_sigmoid, f4_sigmoid(v))
UNARY_FN(u_tanh, f4_tanh(v))
UNARY_FN(u_exp, f4_exp(v))
UNARY_FN(u_log, f4_log(v))
UNARY_FN(u_sqrt, wasm_f32x4_sqrt(v))
UNARY_FN(u_abs, wasm_f32x4_abs(v))
UNARY_FN(u_neg, wasm_f32x4_neg(v))
UNARY_FN(u_reciprocal, wasm_f32x4_div(F4(1.0f), v))
UNARY_FN(u_erf, f4_erf(v))
UNARY_FN(u_gelu, f4_gelu(v))
UNARY_FN(u_floor, wasm_f32x4_floor(v))
UNARY_FN(u_ceil, wasm_f32x4_ceil(v))
UNARY_FN(u_softplus, f4_softplus(v))
UNARY_FN(u_elu, f4_elu(v, a0))
UNARY_FN(u_sin, f4_sin(v))
UNARY_FN(u_cos, f4_cos(v))
UNARY_FN(u_round, wasm_f32x4_nearest(v)) /* half to even */

KEXPORT("unary_f32")
void unary_f32(int op, const float *x, float *y, int n, float a0, float a1) {
  switch (op) {
    case U_IDENTITY: if (x != y) u_copy(x, y, n, a0, a1); break;
    case U_RELU: u_relu(x, y, n, a0, a1); break;
    case U_CLIP: u_clip(x, y, n, a0, a1); break;
    case U_HARDSIGMOID: u_hardsigmoid(x, y, n, a0, a1); break;
    case U_HARDSWISH: u_hardswish(x, y, n, a0, a1); break;
    case U_LEAKYRELU: u_leakyrelu(x, y, n, a0, a1); break;
    case U_SIGMOID: u_sigmoid(x, y, n, a0, a1); break;
    case U_TANH: u_tanh(x, y, n, a0, a1); break;
    case U_EXP: u_exp(x, y, n, a0, a1); break;
    case U_LOG: u_log(x, y, n, a0, a1); break;
    case U_SQRT: u_sqrt(x, y, n, a0, a1); break;
    case U_ABS: u_abs(x, y, n, a0, a1); break;
    case U_NEG: u_neg(x, y, n, a0, a1); break;
    case U_RECIPROCAL: u_reciprocal(x, y, n, a0, a1); break;
    case U_ERF: u_erf(x, y, n, a0, a1); break;
    case U_GELU: u_gelu(x, y, n, a0, a1); break;
    case U_FLOOR: u_floor(x, y, n, a0, a1); break;
    case U_CEIL: u_ceil(x, y, n, a0, a1); break;
    case U_SOFTPLUS: u_softplus(x, y, n, a0, a1); break;
    case U_ELU: u_elu(x, y, n, a0, a1); break;
    case U_SIN: u_sin(x, y, n, a0, a1); break;
    case U_COS: u_cos(x, y, n, a0, a1); break;
    case U_ROUND: u_round(x, y, n, a0, a1); break;
    default: break;
  }
}
