/* binary_f32(op, a, b, y, rank, dims, astrides, bstrides): a op b with broadcasting (elementwise.h),
 * float32, SIMD128. op: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min (Pow is math.c's pow_f32).
 * Each op's row loop is a part (`binary_f32/Add`, ...: KPART), so a bundle keeps only the rows of
 * the ops its plan runs (webedge/backends/wasm_strip.py); one call per row, not per element. */
#define WEBEDGE_BINARY_ROW /* this file defines row(); elementwise.h drives it */
#include "elementwise.h"

enum { OP_ADD = 0, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN };

#define V_ADD(p, q) wasm_f32x4_add(p, q)
#define V_SUB(p, q) wasm_f32x4_sub(p, q)
#define V_MUL(p, q) wasm_f32x4_mul(p, q)
#define V_DIV(p, q) wasm_f32x4_div(p, q)
#define V_MAX(p, q) wasm_f32x4_max(p, q) /* IEEE: nan propagates, -0 < +0 */
#define V_MIN(p, q) wasm_f32x4_min(p, q)
#define PART_ROW(name, PART, OP) DEFINE_ROW_AS(KPART(PART) __attribute__((noinline)), name, OP)
PART_ROW(row_add, "binary_f32/Add", V_ADD)
PART_ROW(row_sub, "binary_f32/Sub", V_SUB)
PART_ROW(row_mul, "binary_f32/Mul", V_MUL)
PART_ROW(row_div, "binary_f32/Div", V_DIV)
PART_ROW(row_max, "binary_f32/Max", V_MAX)
PART_ROW(row_min, "binary_f32/Min", V_MIN)

static void row(int op, const float *a, int sa, const float *b, int sb, float *y, int n) {
  switch (op) {
    case OP_ADD: row_add(a, sa, b, sb, y, n); break;
    case OP_SUB: row_sub(a, sa, b, sb, y, n); break;
    case OP_MUL: row_mul(a, sa, b, sb, y, n); break;
    case OP_DIV: row_div(a, sa, b, sb, y, n); break;
    case OP_MAX: row_max(a, sa, b, sb, y, n); break;
    case OP_MIN: row_min(a, sa, b, sb, y, n); break;
    default: break;
  }
}

KEXPORT("binary_f32")
void binary_f32(int op, const float *a, const float *b, float *y, int rank, const int *dims, const int *astrides,
                const int *bstrides) {
  broadcast(op, a, b, y, rank, dims, astrides, bstrides);
}
