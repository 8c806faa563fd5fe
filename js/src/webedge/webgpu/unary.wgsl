// Element-wise unary ops: Y[i] = f(X[i]). OP (override) uses the codes of wasm/abi.mjs's UNARY
// and MATH tables: 0 Identity, 1 Relu, 2 Clip(a, b), 3 HardSigmoid(a, b), 4 HardSwish,
// 5 LeakyRelu(a), 6 Sigmoid, 7 Tanh, 8 Exp, 9 Log, 10 Sqrt, 11 Abs, 12 Neg, 13 Reciprocal,
// 14 Erf, 15 Gelu (a = 1: its tanh approximation), 16 Floor, 17 Ceil, 18 Softplus, 19 Elu(a), 20 Sin, 21 Cos, 22 Round (half to
// even, as ONNX), plus 23 Softsign, 24 Selu(a, b), 25 Celu(a), 26 ThresholdedRelu(a), 27 Mish,
// 28 Sign. Parameters a, b in Params. Grid as binary.wgsl.

struct Params { total: u32, row: u32, a: f32, b: f32, inf: f32, _p0: u32, _p1: u32, _p2: u32 }

override OP: u32 = 0u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), odd-extended.
fn erf_as(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(y, -y, x < 0.0);
}

// #include tanh

// log(1 + x) to full relative precision for small x: WGSL bounds log's error absolutely near 1
// (2^-21), so log(1 + tiny) alone is off by a large fraction of the result.
fn log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  return select(log(u) * x / (u - 1.0), x, u == 1.0);
}

fn softplus(x: f32) -> f32 {
  return select(max(x, 0.0) + log1p(exp(-abs(x))), x, x > 20.0);
}

fn f(x: f32) -> f32 {
  let a = p.a;
  let b = p.b;
  switch OP {
    case 0u: { return x; }
    case 1u: { return select(x, 0.0, x < 0.0); }
    case 2u: { let v = select(x, a, x < a); return select(v, b, v > b); }
    case 3u: { return clamp(a * x + b, 0.0, 1.0); }
    case 4u: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }
    case 5u: { return select(x, a * x, x < 0.0); }
    case 6u: { return 1.0 / (1.0 + exp(-x)); }
    case 7u: { return tanh_safe(x); }
    case 8u: { return exp(x); }
    case 9u: { return select(select(log(x), -p.inf, x == 0.0), p.inf - p.inf, x < 0.0); } // WGSL: undefined there
    case 10u: { return select(sqrt(x), p.inf - p.inf, x < 0.0); }
    case 11u: { return abs(x); }
    case 12u: { return -x; }
    case 13u: { return 1.0 / x; }
    case 14u: { return erf_as(x); }
    case 15u: {
      if (a != 0.0) { return x / (1.0 + exp(-1.5957691216057308 * (x + 0.044715 * x * x * x))); } // x sigmoid(2u)
      return 0.5 * x * (1.0 + erf_as(x * 0.70710678118654752));
    }
    case 16u: { return floor(x); }
    case 17u: { return ceil(x); }
    case 18u: { return softplus(x); }
    case 19u: { return select(x, a * (exp(x) - 1.0), x < 0.0); }
    case 20u: { return sin(x); }
    case 21u: { return cos(x); }
    case 22u: { return round(x); }
    case 23u: { return x / (1.0 + abs(x)); }
    case 24u: { return b * select(x, a * (exp(x) - 1.0), x <= 0.0); }
    case 25u: { return max(0.0, x) + min(0.0, a * (exp(x / a) - 1.0)); }
    case 26u: { return select(0.0, x, x > a); }
    case 27u: { return x * tanh_safe(softplus(x)); }
    case 28u: { return sign(x); }
    default: { return x; }
  }
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  Y[i] = f(X[i]);
}
