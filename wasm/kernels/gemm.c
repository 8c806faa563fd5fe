/* gemm_f32: ONNX Gemm, y = act(alpha * op(A) @ op(B) + beta * C), float32, SIMD128.
 *   A [M, K] (stored [K, M] if transA), B [K, N] (stored [N, K] if transB), y [M, N].
 *   c_kind: 0 none, 1 scalar c[0], 2 row vector c[N], 3 column vector c[M], 4 full c[M, N].
 * The blocked kernel lives in gemm_core.h; gemm_f32_ref is the plain triple loop, built into the test
 * variant only (WEBEDGE_REFERENCE_KERNELS). Arguments: js/src/webedge/wasm/abi.mjs. */
#include "gemm_core.h"

static void make_epi(epi_t *e, const float *c, float alpha, float beta, int c_kind, int N, int act, float a0, float a1) {
  e->alpha = alpha;
  e->beta = beta;
  e->c = c;
  e->c_kind = c ? c_kind : 0;
  e->ldc = N;
  e->act = act;
  e->a0 = a0;
  e->a1 = a1;
}

KEXPORT("gemm_f32")
void gemm_f32(const float *a, const float *b, const float *c, float *y, int M, int N, int K, int transA, int transB,
              float alpha, float beta, int c_kind, int act, float a0, float a1) {
  epi_t e;
  make_epi(&e, c, alpha, beta, c_kind, N, act, a0, a1);
  bsrc_t bs = {0};
  bs.kind = 0;
  bs.b = b;
  bs.sbk = transB ? 1 : N;
  bs.sbn = transB ? K : 1;
  /* A(m, k): a[m * K + k], or a[k * M + m] when transposed */
  gemm_run(M, N, K, a, transA ? 1 : K, transA ? M : 1, &bs, y, N, &e);
}

#ifdef WEBEDGE_REFERENCE_KERNELS /* the test variant only (wasm/build.py --variant test) */
KEXPORT("gemm_f32_ref")
void gemm_f32_ref(const float *a, const float *b, const float *c, float *y, int M, int N, int K, int transA, int transB,
                  float alpha, float beta, int c_kind, int act, float a0, float a1) {
  epi_t e;
  make_epi(&e, c, alpha, beta, c_kind, N, act, a0, a1);
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      float s = 0.0f;
      for (int k = 0; k < K; k++) s += (transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]);
      y[m * N + n] = epi_scalar(&e, s, m, n);
    }
}
#endif
