/* Shared by the elementwise kernel modules (binary.c, unary.c, math.c): the broadcasting row
 * loops of the binary kernels and the vector loop of the unary ones, and the unary op codes.
 *
 * A binary kernel (binary_f32, pow_f32) writes y (contiguous, shape dims) = a op b with per-axis
 * element strides for a and b (0 on broadcast axes). Axes are coalesced first (size-1 axes
 * dropped, adjacent axes merged when both inputs are contiguous across them), so "both contiguous",
 * "a scalar" and "b scalar" become a single row; each row then runs one of four SIMD loops (a and
 * b each unit-stride or broadcast) or a strided gather.
 * The unary op codes are one space for unary_f32 (unary.c: the ops without transcendental math)
 * and math_f32 (math.c: the rest); each kernel handles its own codes (js/src/webedge/wasm/abi.mjs
 * UNARY and MATH). */
#ifndef WEBEDGE_ELEMENTWISE_H
#define WEBEDGE_ELEMENTWISE_H
#include "mathf.h"

#define MAX_RANK 16

/* One row of n outputs: a advances by sa, b by sb (elements).  OP is a macro of two v128 values.
 * DEFINE_ROW_AS: with the declaration's leading attributes `QUAL` (binary.c's parts). */
#define DEFINE_ROW(name, OP) DEFINE_ROW_AS(static, name, OP)
#define DEFINE_ROW_AS(QUAL, name, OP)                                                                \
  QUAL void name(const float *a, int sa, const float *b, int sb, float *y, int n) {                \
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

#ifdef WEBEDGE_BINARY_ROW
/* The row loop of the including kernel: n outputs of a op b, a advancing by sa, b by sb. */
static void row(int op, const float *a, int sa, const float *b, int sb, float *y, int n);

/* The driver of a binary kernel: coalesce the axes, then one `row` per run of the innermost one. */
static void broadcast(int op, const float *a, const float *b, float *y, int rank, const int *dims,
                      const int *astrides, const int *bstrides) {
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
#endif

enum {
  U_IDENTITY = 0, U_RELU, U_CLIP, U_HARDSIGMOID, U_HARDSWISH, U_LEAKYRELU, U_SIGMOID, U_TANH, U_EXP, U_LOG,
  U_SQRT, U_ABS, U_NEG, U_RECIPROCAL, U_ERF, U_GELU, U_FLOOR, U_CEIL, U_SOFTPLUS, U_ELU, U_SIN, U_COS, U_ROUND
};

/* One out-of-line loop per op with the math inlined once; the last n % 4 elements go through a
 * 4-float stack slot so the tail runs the same vector code. */
#define UNARY_FN(name, PART, EXPR)                                                                 \
  KPART(PART) __attribute__((noinline))        void name(const float *x, float *y, int n, float a0, float a1) { \
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

#endif
