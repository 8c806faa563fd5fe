/* math_f32(op, x, y, n, a0, a1): the unary ops with transcendental math (float32, SIMD128; mathf.h,
 * no libm): sigmoid, tanh, exp, log, erf, gelu (a0 1: its tanh approximation), softplus, elu(a0), sin, cos (x may equal y; codes:
 * elementwise.h). A model pays for this module only when it runs one of them: it is most of what
 * the elementwise kernels weigh. */
#include "elementwise.h"

UNARY_FN(u_sigmoid, "math_f32/Sigmoid", f4_sigmoid(v))
UNARY_FN(u_tanh, "math_f32/Tanh", f4_tanh(v))
UNARY_FN(u_exp, "math_f32/Exp", f4_exp(v))
UNARY_FN(u_log, "math_f32/Log", f4_log(v))
UNARY_FN(u_erf, "math_f32/Erf", f4_erf(v))
UNARY_FN(u_gelu, "math_f32/Gelu", a0 != 0.0f ? f4_gelu_tanh(v) : f4_gelu(v)) /* a0 1: approximate=tanh */
UNARY_FN(u_softplus, "math_f32/Softplus", f4_softplus(v))
UNARY_FN(u_elu, "math_f32/Elu", f4_elu(v, a0))
UNARY_FN(u_sin, "math_f32/Sin", f4_sin(v))
UNARY_FN(u_cos, "math_f32/Cos", f4_cos(v))

KEXPORT("math_f32")
void math_f32(int op, const float *x, float *y, int n, float a0, float a1) {
  switch (op) {
    case U_SIGMOID: u_sigmoid(x, y, n, a0, a1); break;
    case U_TANH: u_tanh(x, y, n, a0, a1); break;
    case U_EXP: u_exp(x, y, n, a0, a1); break;
    case U_LOG: u_log(x, y, n, a0, a1); break;
    case U_ERF: u_erf(x, y, n, a0, a1); break;
    case U_GELU: u_gelu(x, y, n, a0, a1); break;
    case U_SOFTPLUS: u_softplus(x, y, n, a0, a1); break;
    case U_ELU: u_elu(x, y, n, a0, a1); break;
    case U_SIN: u_sin(x, y, n, a0, a1); break;
    case U_COS: u_cos(x, y, n, a0, a1); break;
    default: break;
  }
}
