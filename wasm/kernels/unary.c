/* unary_f32(op, x, y, n, a0, a1): the unary ops without transcendental math (x may equal y), float32,
 * SIMD128: identity, relu, clip(a0, a1), hardsigmoid(a0, a1), hardswish, leakyrelu(a0), sqrt, abs,
 * neg, reciprocal, floor, ceil, round (half to even). Codes: elementwise.h; exp, tanh, sigmoid and
 * the rest are math.c's math_f32. */
#include "elementwise.h"

UNARY_FN(u_copy, "unary_f32/Identity", v)
UNARY_FN(u_relu, "unary_f32/Relu", f4_relu(v))
UNARY_FN(u_clip, "unary_f32/Clip", f4_clip(v, a0, a1))
UNARY_FN(u_hardsigmoid, "unary_f32/HardSigmoid", f4_hardsigmoid(v, a0, a1))
UNARY_FN(u_hardswish, "unary_f32/HardSwish", f4_hardswish(v))
UNARY_FN(u_leakyrelu, "unary_f32/LeakyRelu", f4_leakyrelu(v, a0))
UNARY_FN(u_sqrt, "unary_f32/Sqrt", wasm_f32x4_sqrt(v))
UNARY_FN(u_abs, "unary_f32/Abs", wasm_f32x4_abs(v))
UNARY_FN(u_neg, "unary_f32/Neg", wasm_f32x4_neg(v))
UNARY_FN(u_reciprocal, "unary_f32/Reciprocal", wasm_f32x4_div(F4(1.0f), v))
UNARY_FN(u_floor, "unary_f32/Floor", wasm_f32x4_floor(v))
UNARY_FN(u_ceil, "unary_f32/Ceil", wasm_f32x4_ceil(v))
UNARY_FN(u_round, "unary_f32/Round", wasm_f32x4_nearest(v))

KEXPORT("unary_f32")
void unary_f32(int op, const float *x, float *y, int n, float a0, float a1) {
  switch (op) {
    case U_IDENTITY: if (x != y) u_copy(x, y, n, a0, a1); break;
    case U_RELU: u_relu(x, y, n, a0, a1); break;
    case U_CLIP: u_clip(x, y, n, a0, a1); break;
    case U_HARDSIGMOID: u_hardsigmoid(x, y, n, a0, a1); break;
    case U_HARDSWISH: u_hardswish(x, y, n, a0, a1); break;
    case U_LEAKYRELU: u_leakyrelu(x, y, n, a0, a1); break;
    case U_SQRT: u_sqrt(x, y, n, a0, a1); break;
    case U_ABS: u_abs(x, y, n, a0, a1); break;
    case U_NEG: u_neg(x, y, n, a0, a1); break;
    case U_RECIPROCAL: u_reciprocal(x, y, n, a0, a1); break;
    case U_FLOOR: u_floor(x, y, n, a0, a1); break;
    case U_CEIL: u_ceil(x, y, n, a0, a1); break;
    case U_ROUND: u_round(x, y, n, a0, a1); break;
    default: break;
  }
}
