/* Shared SIMD128 math for the kernels: header only, everything static inline, every constant an
 * immediate (no tables), so including it never creates a data segment.  There is no libm.
 *
 * Two tiers:
 *  - float (f32x4) for the functions that run over whole activations: exp (< 1 ulp, max relative
 *    error 8e-8), expm1, sigmoid, tanh, erf (abs error < 1e-7), gelu, elu.
 *  - double (each f32x4 widened to two f64x2, evaluated with truncation error far below float
 *    precision, rounded once): log, pow, softplus, sin, cos come out within about half an ulp;
 *    about 3-5x slower than the float tier, used where the float route would lose accuracy
 *    (pow's y * log x, log1p, trigonometric argument reduction).
 * Polynomial coefficients are our own fits (weighted least squares on Chebyshev nodes, iterated
 * towards minimax) or plain Taylor coefficients.
 *
 * Naming: f4_* take and return f32x4, d2_* take and return f64x2. */
#ifndef WEBEDGE_MATHF_H
#define WEBEDGE_MATHF_H

#include <wasm_simd128.h>

#define KEXPORT(name) __attribute__((export_name(name)))
/* A part: a noinline function that some kernel calls only for some ops or attributes, exported as
 * "<kernel>/<part>" (or "act/<Op>") so that `webedge bundle` can strip the parts a plan never
 * reaches (webedge/backends/wasm_strip.py); the kernels' ABI is unchanged. */
#define KPART(name) __attribute__((export_name(name))) /* on a non-static function: zig drops a static one's export */
/* The fused-activation parts are exported only by the modules that define ACT_PARTS (linalg):
 * the others never call them. */
#ifdef ACT_PARTS
#define ACT_PART(name) KPART(name)
#else
#define ACT_PART(name) static
#endif
#define F4(c) wasm_f32x4_splat(c)
/* a * b + c. The relaxed-SIMD variant (wasm/build.py, -mrelaxed-simd) computes it with one
 * f32x4.relaxed_madd, which engines lower to a fused multiply-add where the CPU has one (one
 * rounding instead of two: results differ from the SIMD128 variant in the last bits); the SIMD128
 * variant multiplies, then adds. */
#ifdef __wasm_relaxed_simd__
#define F4_MADD(a, b, c) wasm_f32x4_relaxed_madd(a, b, c)
#else
#define F4_MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#endif
#define D2(c) wasm_f64x2_splat(c)
#define I64(c) wasm_i64x2_splat(c)

/* Activation codes of the fused epilogues (and of unary_f32 ops 0..7). */
enum { ACT_NONE = 0, ACT_RELU, ACT_CLIP, ACT_HARDSIGMOID, ACT_HARDSWISH, ACT_LEAKYRELU, ACT_SIGMOID, ACT_TANH };

/* ---- f32x4 <-> 2 x f64x2 ------------------------------------------------------------------- */

static inline v128_t f4_lo(v128_t x) { return wasm_f64x2_promote_low_f32x4(x); }
static inline v128_t f4_hi(v128_t x) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)); }
static inline v128_t f4_join(v128_t lo, v128_t hi) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}
#define F4_VIA_D2(fn, x) f4_join(fn(f4_lo(x)), fn(f4_hi(x)))

static inline float f_lane0(v128_t v) { return wasm_f32x4_extract_lane(v, 0); }

/* ---- exp family (double) --------------------------------------------------------------------- */

/* x = k*ln2 + r with |r| <= ln2/2; returns expm1(r) and sets *two_k = 2^k.  x must be clamped to
 * [-700, 700] (or be nan).  Degree-11 Taylor: truncation < 1e-14 relative on |r| <= 0.347.
 * k comes from adding 1.5*2^52, which rounds to an integer and leaves k in the low mantissa bits:
 * shifting those bits up by 52 and adding the exponent bias gives 2^k directly. */
static inline v128_t d2_exp_reduce(v128_t x, v128_t *two_k) {
  v128_t t = wasm_f64x2_add(wasm_f64x2_mul(x, D2(1.4426950408889634)), D2(6755399441055744.0));
  v128_t k = wasm_f64x2_sub(t, D2(6755399441055744.0));
  /* ln2 split so k*LN2_HI is exact for |k| < 2^20 */
  v128_t r = wasm_f64x2_sub(x, wasm_f64x2_mul(k, D2(6.93147180369123816490e-01)));
  r = wasm_f64x2_sub(r, wasm_f64x2_mul(k, D2(1.90821492927058770002e-10)));
  *two_k = wasm_i64x2_add(wasm_i64x2_shl(t, 52), I64(0x3FF0000000000000LL));
  v128_t p = D2(1.0 / 39916800.0);
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 3628800.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 362880.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 40320.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 5040.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 720.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 120.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 24.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(1.0 / 6.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, r), D2(0.5));
  return wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_mul(p, r), r), r); /* r + r^2 * (...) */
}

/* pmax(a, b) = a < b ? b : a: one maxpd, and a nan x passes straight through */
static inline v128_t d2_clamp_exp_arg(v128_t x) {
  return wasm_f64x2_pmin(wasm_f64x2_pmax(x, D2(-700.0)), D2(700.0));
}

/* exp(x) in double; +-inf and nan behave (the clamp keeps nan). */
static inline v128_t d2_exp(v128_t x) {
  v128_t two_k;
  v128_t p = d2_exp_reduce(d2_clamp_exp_arg(x), &two_k);
  return wasm_f64x2_mul(wasm_f64x2_add(p, D2(1.0)), two_k);
}

/* ---- log (double) ------------------------------------------------------------------------------ */

/* log(x) for positive normal double x (every positive float promotes to one).  x = 2^e * m with
 * m in [sqrt(1/2), sqrt(2)); log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716, series to s^23. */
static inline v128_t d2_log(v128_t x) {
  v128_t e = wasm_i64x2_sub(wasm_u64x2_shr(x, 52), I64(1023));
  v128_t m = wasm_v128_or(wasm_v128_and(x, I64(0x000FFFFFFFFFFFFFLL)), I64(0x3FF0000000000000LL));
  v128_t big = wasm_f64x2_gt(m, D2(1.4142135623730951));
  m = wasm_v128_bitselect(wasm_f64x2_mul(m, D2(0.5)), m, big);
  e = wasm_i64x2_sub(e, big); /* big is all-ones (-1) where m was halved */
  /* int64 -> double through the 1.5*2^52 magic number (|e| < 2^51) */
  v128_t ed = wasm_f64x2_sub(wasm_i64x2_add(e, I64(0x4338000000000000LL)), D2(6755399441055744.0));
  v128_t f = wasm_f64x2_sub(m, D2(1.0));
  v128_t s = wasm_f64x2_div(f, wasm_f64x2_add(f, D2(2.0)));
  v128_t z = wasm_f64x2_mul(s, s);
  v128_t p = D2(1.0 / 23.0);
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 21.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 19.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 17.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 15.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 13.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 11.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 9.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 7.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 5.0));
  p = wasm_f64x2_add(wasm_f64x2_mul(p, z), D2(1.0 / 3.0));
  v128_t logm = wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_mul(p, z), wasm_f64x2_add(s, s)), wasm_f64x2_add(s, s));
  return wasm_f64x2_add(wasm_f64x2_mul(ed, D2(0.6931471805599453)), logm);
}

/* log1p(u) for u in [0, 1]: the 1+u rounding is corrected by u/((1+u)-1) (exact for tiny u too). */
static inline v128_t d2_log1p_unit(v128_t u) {
  v128_t w = wasm_f64x2_add(u, D2(1.0));
  v128_t wm1 = wasm_f64x2_sub(w, D2(1.0));
  v128_t r = wasm_f64x2_mul(d2_log(w), wasm_f64x2_div(u, wm1));
  return wasm_v128_bitselect(u, r, wasm_f64x2_eq(wm1, D2(0.0)));
}

/* ---- softplus (double) ----------------------------------------------------------------------- */

/* softplus(x) = max(x, 0) + log1p(exp(-|x|)) */
static inline v128_t d2_softplus(v128_t x) {
  v128_t u = d2_exp(wasm_f64x2_neg(wasm_f64x2_abs(x)));
  return wasm_f64x2_add(wasm_f64x2_max(x, D2(0.0)), d2_log1p_unit(u));
}

/* ---- sin / cos (double) ----------------------------------------------------------------------- */

/* x = k*pi/2 + r, |r| <= pi/4, with pi/2 split in 26/23/25-bit pieces plus a tail, so k*piece is
 * exact for |k| < 2^27 (|x| < 2.1e8).  Beyond that the reduction loses accuracy (no Payne-Hanek:
 * it needs a table of 2/pi bits); results stay in [-1, 1].
 * quadrant_shift: 0 for sin, 1 for cos (cos x = sin(x + pi/2)). */
static inline v128_t d2_sincos(v128_t x, int quadrant_shift) {
  /* k = round(x * 2/pi) through the 1.5*2^52 magic number; its low bits (the quadrant) stay in t */
  v128_t t = wasm_f64x2_add(wasm_f64x2_mul(x, D2(0.6366197723675814)), D2(6755399441055744.0));
  v128_t k = wasm_f64x2_sub(t, D2(6755399441055744.0));
  v128_t r = wasm_f64x2_sub(x, wasm_f64x2_mul(k, D2(1.5707963407039642)));
  r = wasm_f64x2_sub(r, wasm_f64x2_mul(k, D2(-1.3909067675399456e-08)));
  r = wasm_f64x2_sub(r, wasm_f64x2_mul(k, D2(6.123233932053594e-17)));
  r = wasm_f64x2_sub(r, wasm_f64x2_mul(k, D2(6.36831716351095e-25)));
  v128_t q = wasm_i64x2_add(t, I64(quadrant_shift));
  /* keeps |result| <= 1 where the reduction broke down (|x| > 2^51): wrong there, but bounded */
  r = wasm_f64x2_pmin(wasm_f64x2_pmax(r, D2(-0.7853981633974483)), D2(0.7853981633974483));
  v128_t z = wasm_f64x2_mul(r, r);
  /* sin r: Taylor to r^13 (next term < 1e-13 on |r| <= pi/4) */
  v128_t s = D2(1.0 / 6227020800.0);
  s = wasm_f64x2_sub(wasm_f64x2_mul(s, z), D2(1.0 / 39916800.0));
  s = wasm_f64x2_add(wasm_f64x2_mul(s, z), D2(1.0 / 362880.0));
  s = wasm_f64x2_sub(wasm_f64x2_mul(s, z), D2(1.0 / 5040.0));
  s = wasm_f64x2_add(wasm_f64x2_mul(s, z), D2(1.0 / 120.0));
  s = wasm_f64x2_sub(wasm_f64x2_mul(s, z), D2(1.0 / 6.0));
  s = wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_mul(s, z), r), r);
  /* cos r: Taylor to r^14 */
  v128_t c = D2(-1.0 / 87178291200.0);
  c = wasm_f64x2_add(wasm_f64x2_mul(c, z), D2(1.0 / 479001600.0));
  c = wasm_f64x2_sub(wasm_f64x2_mul(c, z), D2(1.0 / 3628800.0));
  c = wasm_f64x2_add(wasm_f64x2_mul(c, z), D2(1.0 / 40320.0));
  c = wasm_f64x2_sub(wasm_f64x2_mul(c, z), D2(1.0 / 720.0));
  c = wasm_f64x2_add(wasm_f64x2_mul(c, z), D2(1.0 / 24.0));
  c = wasm_f64x2_sub(wasm_f64x2_mul(c, z), D2(0.5));
  c = wasm_f64x2_add(wasm_f64x2_mul(c, z), D2(1.0));
  /* odd quadrant: use the cosine; quadrants 2 and 3: negate (bit 1 of q moved to the sign bit) */
  v128_t odd = wasm_i64x2_shr(wasm_i64x2_shl(q, 63), 63);
  v128_t res = wasm_v128_bitselect(c, s, odd);
  return wasm_v128_xor(res, wasm_v128_and(wasm_i64x2_shl(q, 62), I64(0x8000000000000000LL)));
}
static inline v128_t d2_sin(v128_t x) { /* sin(-0) = -0 */
  return wasm_v128_bitselect(x, d2_sincos(x, 0), wasm_f64x2_eq(x, D2(0.0)));
}
static inline v128_t d2_cos(v128_t x) { return d2_sincos(x, 1); }

/* ---- float tier: exp, expm1, sigmoid, tanh, erf, gelu, elu ------------------------------------ */

/* e^x = 2^k * (1 + p) for x in [-104, 89]: k = round(x / ln2) through the 1.5*2^23 magic number
 * (k lands in the low mantissa bits: *ki), r = x - k*ln2 in two pieces (k*0.693359375 is exact),
 * p = r + r^2 * q(r) with q a degree-4 fit of (e^r - 1 - r) / r^2 on |r| <= 0.35. */
static inline v128_t f4_exp_reduce(v128_t x, v128_t *ki) {
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(x, F4(1.44269504f)), F4(12582912.0f));
  *ki = wasm_i32x4_sub(t, wasm_i32x4_splat(0x4B400000));
  v128_t k = wasm_f32x4_sub(t, F4(12582912.0f));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(k, F4(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(k, F4(-2.12194440e-4f)));
  v128_t q = F4(0.001375042600557208f);
  q = wasm_f32x4_add(wasm_f32x4_mul(q, r), F4(0.008369624614715576f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, r), F4(0.04166961833834648f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, r), F4(0.16666512191295624f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, r), F4(0.49999988079071045f));
  return wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(r, r), q), r);
}

/* exp: < 1 ulp.  2^k is applied as 2^(k>>1) * 2^(k - (k>>1)) so that k = 128 (x near 88.7)
 * overflows properly and results below FLT_MIN round once into the subnormals. */
static inline v128_t f4_exp(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, F4(-104.0f)), F4(89.0f)); /* nan passes */
  v128_t ki;
  v128_t p = f4_exp_reduce(x, &ki);
  v128_t k1 = wasm_i32x4_shr(ki, 1);
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(k1, wasm_i32x4_splat(127)), 23);
  v128_t s2 = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_sub(ki, k1), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_add(p, F4(1.0f)), s1), s2);
}

/* expm1 for x in [-30, 30] (clamped: expm1 is -1 below that in float): 2^k * p + (2^k - 1), which
 * is p itself (relative accuracy kept) when |x| < ln2/2. */
static inline v128_t f4_expm1(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, F4(-30.0f)), F4(30.0f));
  v128_t ki;
  v128_t p = f4_exp_reduce(x, &ki);
  v128_t s = wasm_i32x4_shl(wasm_i32x4_add(ki, wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_add(wasm_f32x4_mul(p, s), wasm_f32x4_sub(s, F4(1.0f)));
}

/* sigmoid: e = exp(-|x|) never overflows; 1/(1+e) for x >= 0, e/(1+e) below (keeps tiny results) */
static inline v128_t f4_sigmoid(v128_t x) {
  v128_t e = f4_exp(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t r = wasm_f32x4_div(F4(1.0f), wasm_f32x4_add(e, F4(1.0f)));
  return wasm_v128_bitselect(wasm_f32x4_mul(e, r), r, wasm_f32x4_lt(x, F4(0.0f)));
}

/* tanh(|x|) = m / (m + 2), m = expm1(2|x|); |x| clamped to 9.5 where tanh is 1 in float */
static inline v128_t f4_tanh(v128_t x) {
  v128_t a = wasm_f32x4_pmin(wasm_f32x4_abs(x), F4(9.5f));
  v128_t m = f4_expm1(wasm_f32x4_add(a, a));
  v128_t t = wasm_f32x4_div(m, wasm_f32x4_add(m, F4(2.0f)));
  return wasm_v128_or(t, wasm_v128_and(x, F4(-0.0f)));
}

/* elu(x) = x for x > 0, alpha * expm1(x) otherwise */
static inline v128_t f4_elu(v128_t x, float alpha) {
  return wasm_v128_bitselect(x, wasm_f32x4_mul(f4_expm1(x), F4(alpha)), wasm_f32x4_gt(x, F4(0.0f)));
}

/* For a = |x|: *erf_out = erf(a), *erfc_out = erfc(a).  Absolute error < 1e-7.
 * a < 1:      erf = a + a * (c0 - 1 + z * P(z)), z = a^2, P degree 5 (the 1 kept out of the
 *             polynomial so the large part of the sum is exact).
 * 1 <= a < 4: erfc = exp(-a^2) * Q(u), u = (2a - 5) / 3, Q a degree-11 fit of erfc(a) exp(a^2).
 * a >= 4:     erf = 1, erfc = 0 (erfc(4) = 1.5e-8). */
static inline void f4_erf_parts(v128_t a, v128_t *erf_out, v128_t *erfc_out) {
  v128_t z = wasm_f32x4_mul(a, a);
  v128_t p = F4(7.77165187173523e-05f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), F4(-0.0007984910043887794f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), F4(0.005185417365282774f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), F4(-0.026852289214730263f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), F4(0.11283551156520844f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), F4(-0.376126229763031f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), F4(0.12837916612625122f));
  v128_t erf_small = wasm_f32x4_add(a, wasm_f32x4_mul(a, p));

  v128_t ac = wasm_f32x4_pmin(wasm_f32x4_pmax(a, F4(1.0f)), F4(4.0f));
  v128_t u = wasm_f32x4_sub(wasm_f32x4_mul(ac, F4(2.0f / 3.0f)), F4(5.0f / 3.0f));
  v128_t q = F4(-3.3207132219104096e-05f);
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(9.566642256686464e-05f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(-0.00015405456360895187f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(0.00036969335633330047f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(-0.0010071692522615194f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(0.002424311125651002f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(-0.005571599118411541f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(0.012484587728977203f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(-0.02700498327612877f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(0.056110892444849014f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(-0.11152104288339615f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), F4(0.21080635488033295f));
  v128_t erfc_big = wasm_f32x4_mul(f4_exp(wasm_f32x4_neg(wasm_f32x4_mul(ac, ac))), q);
  erfc_big = wasm_v128_andnot(erfc_big, wasm_f32x4_ge(a, F4(4.0f)));

  v128_t small = wasm_f32x4_lt(a, F4(1.0f));
  v128_t isnan = wasm_f32x4_ne(a, a); /* every comparison above is false for nan */
  *erf_out = wasm_v128_bitselect(a, wasm_v128_bitselect(erf_small, wasm_f32x4_sub(F4(1.0f), erfc_big), small), isnan);
  *erfc_out = wasm_v128_bitselect(a, wasm_v128_bitselect(wasm_f32x4_sub(F4(1.0f), erf_small), erfc_big, small), isnan);
}

static inline v128_t f4_erf(v128_t x) {
  v128_t e, ec;
  f4_erf_parts(wasm_f32x4_abs(x), &e, &ec);
  return wasm_v128_or(e, wasm_v128_and(x, F4(-0.0f)));
}

/* gelu(x) = 0.5 x (1 + erf(x / sqrt2)); for x < 0 the bracket is erfc(|x| / sqrt2) (no cancellation) */
static inline v128_t f4_gelu(v128_t x) {
  v128_t e, ec;
  f4_erf_parts(wasm_f32x4_abs(wasm_f32x4_mul(x, F4(0.70710678f))), &e, &ec);
  v128_t bracket = wasm_v128_bitselect(ec, wasm_f32x4_add(e, F4(1.0f)), wasm_f32x4_lt(x, F4(0.0f)));
  return wasm_f32x4_mul(wasm_f32x4_mul(x, F4(0.5f)), bracket);
}

/* gelu's tanh approximation: 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3)
 * (the sigmoid form has no 1 + tanh cancellation for negative x) */
static inline v128_t f4_gelu_tanh(v128_t x) {
  v128_t x3 = wasm_f32x4_mul(wasm_f32x4_mul(x, x), x);
  v128_t u2 = wasm_f32x4_mul(F4(1.5957691216057308f), F4_MADD(F4(0.044715f), x3, x));
  return wasm_f32x4_mul(x, f4_sigmoid(u2));
}

/* ---- double tier wrappers --------------------------------------------------------------------- */

static inline v128_t f4_softplus(v128_t x) { return F4_VIA_D2(d2_softplus, x); }
static inline v128_t f4_sin(v128_t x) { return F4_VIA_D2(d2_sin, x); }
static inline v128_t f4_cos(v128_t x) { return F4_VIA_D2(d2_cos, x); }

static inline v128_t f4_log(v128_t x) {
  v128_t r = F4_VIA_D2(d2_log, x); /* garbage for x <= 0, inf, nan: patched below */
  r = wasm_v128_bitselect(F4(__builtin_inff()), r, wasm_f32x4_eq(x, F4(__builtin_inff())));
  r = wasm_v128_bitselect(F4(-__builtin_inff()), r, wasm_f32x4_eq(x, F4(0.0f)));
  r = wasm_v128_bitselect(F4(__builtin_nanf("")), r, wasm_f32x4_lt(x, F4(0.0f)));
  return wasm_v128_bitselect(x, r, wasm_f32x4_ne(x, x));
}

/* pow with C99 powf special cases (pow(x, +-0) = 1, pow(1, y) = 1, negative base needs integer y,
 * signed zeros/infinities for odd integer y). Magnitude: exp(y * log|x|) in double. */
static inline v128_t d2_pow_mag(v128_t ax, v128_t y) { return d2_exp(wasm_f64x2_mul(y, d2_log(ax))); }
static inline v128_t f4_pow(v128_t x, v128_t y) {
  v128_t ax = wasm_f32x4_abs(x);
  v128_t r = f4_join(d2_pow_mag(f4_lo(ax), f4_lo(y)), d2_pow_mag(f4_hi(ax), f4_hi(y)));
  v128_t inf = F4(__builtin_inff()), zero = F4(0.0f), one = F4(1.0f);
  v128_t yneg = wasm_f32x4_lt(y, zero);
  r = wasm_v128_bitselect(wasm_v128_bitselect(inf, zero, yneg), r, wasm_f32x4_eq(ax, zero));
  r = wasm_v128_bitselect(wasm_v128_bitselect(zero, inf, yneg), r, wasm_f32x4_eq(ax, inf));
  r = wasm_v128_bitselect(one, r, wasm_f32x4_eq(ax, one));
  v128_t yint = wasm_f32x4_eq(wasm_f32x4_floor(y), y);
  v128_t yhalf = wasm_f32x4_mul(y, F4(0.5f));
  v128_t yodd = wasm_v128_and(yint, wasm_f32x4_ne(wasm_f32x4_floor(yhalf), yhalf));
  r = wasm_v128_xor(r, wasm_v128_and(wasm_v128_and(x, F4(-0.0f)), yodd)); /* odd y keeps x's sign */
  /* nan: finite negative x with non-integer y, nan x, nan y unless x == 1 (d2_log ignores nan) */
  v128_t bad = wasm_v128_andnot(wasm_v128_and(wasm_f32x4_lt(x, zero), wasm_f32x4_lt(ax, inf)), yint);
  bad = wasm_v128_or(bad, wasm_f32x4_ne(x, x));
  bad = wasm_v128_or(bad, wasm_v128_and(wasm_f32x4_ne(y, y), wasm_f32x4_ne(x, one)));
  r = wasm_v128_bitselect(F4(__builtin_nanf("")), r, bad);
  return wasm_v128_bitselect(one, r, wasm_f32x4_eq(y, zero));
}

/* ---- piecewise-linear activations (float) ------------------------------------------------------ */

/* pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a are single minps/maxps on x86 (the
 * IEEE f32x4.min/max need nan fix-ups); with x first, a nan x passes through. */
static inline v128_t f4_relu(v128_t x) { return wasm_f32x4_pmax(x, F4(0.0f)); }
static inline v128_t f4_clip(v128_t x, float lo, float hi) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(x, F4(lo)), F4(hi));
}
static inline v128_t f4_hardsigmoid(v128_t x, float alpha, float beta) {
  return f4_clip(wasm_f32x4_add(wasm_f32x4_mul(x, F4(alpha)), F4(beta)), 0.0f, 1.0f);
}
static inline v128_t f4_hardswish(v128_t x) { return wasm_f32x4_mul(x, f4_hardsigmoid(x, 1.0f / 6.0f, 0.5f)); }
static inline v128_t f4_leakyrelu(v128_t x, float alpha) {
  return wasm_v128_bitselect(wasm_f32x4_mul(x, F4(alpha)), x, wasm_f32x4_lt(x, F4(0.0f)));
}

/* One out-of-line copy of the exp-based activations per module (they would otherwise be inlined
 * into every epilogue site). */
ACT_PART("act/Sigmoid") __attribute__((noinline)) v128_t f4_sigmoid_call(v128_t x) { return f4_sigmoid(x); }
ACT_PART("act/Tanh") __attribute__((noinline)) v128_t f4_tanh_call(v128_t x) { return f4_tanh(x); }

/* Fused epilogue activation; act is loop-invariant, so the branch predicts perfectly. */
static inline v128_t f4_act(int act, v128_t x, float a0, float a1) {
  switch (act) {
    case ACT_RELU: return f4_relu(x);
    case ACT_CLIP: return f4_clip(x, a0, a1);
    case ACT_HARDSIGMOID: return f4_hardsigmoid(x, a0, a1);
    case ACT_HARDSWISH: return f4_hardswish(x);
    case ACT_LEAKYRELU: return f4_leakyrelu(x, a0);
    case ACT_SIGMOID: return f4_sigmoid_call(x);
    case ACT_TANH: return f4_tanh_call(x);
    default: return x;
  }
}

/* Scalar versions for tails and reference kernels: run the vector code on one lane. */
static inline float f_act(int act, float x, float a0, float a1) { return f_lane0(f4_act(act, F4(x), a0, a1)); }

#endif
