// Element-wise binary ops with numpy broadcasting: Y[i] = act(op(A[ia], B[ib])). Y is contiguous
// with `rank` (<= 8) dims; ia and ib come from Y's index through each operand's strides in
// elements, 0 along a broadcast dim. OP (override): 0 Add, 1 Sub, 2 Mul, 3 Div, 4 Max, 5 Min
// (wasm/abi.mjs's BINARY), 6 Pow, 7 PRelu (A < 0 ? B * A : A). One thread per element, 64 per
// workgroup; the grid folds into y past 65535 workgroups (row: threads per grid row).
// The fused activation epilogue of matmul, conv2d, depthwise_conv2d and binary: `act(x)` applies
// the activation chosen by the override constant ACT, with parameters ACT_A/ACT_B taken from the
// including shader's Params (act_a, act_b). Codes are wasm/abi.mjs's ACT (a test checks), and
// each keeps NaN as the JS table does (comparisons with NaN are false, so `select` passes it on).
// Included by `// #include activations` (webgpu/shaders.mjs expands it).
override ACT: u32 = 0u;

fn act(x: f32, a: f32, b: f32) -> f32 {
  switch ACT {
    case 1u: { return select(x, 0.0, x < 0.0); }                         // Relu
    case 2u: { let v = select(x, a, x < a); return select(v, b, v > b); } // Clip(min a, max b)
    case 3u: { return clamp(a * x + b, 0.0, 1.0); }                      // HardSigmoid
    case 4u: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }              // HardSwish
    case 5u: { return select(x, a * x, x < 0.0); }                       // LeakyRelu
    case 6u: { return 1.0 / (1.0 + exp(-x)); }                           // Sigmoid
    case 7u: { return tanh_safe(x); }                                    // Tanh
    default: { return x; }
  }
}

// tanh without exp overflow for large |x| (some implementations give NaN for tanh(100)), and by
// its series near 0, where 1 - exp(-2|x|) would cancel. One home for activations, unary and
// lstm_cell: each takes it by `// #include tanh`.
fn tanh_safe(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.1) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 - x2 * 17.0 / 315.0)));
  }
  let e = exp(-2.0 * a);
  return sign(x) * (1.0 - e) / (1.0 + e);
}



struct Params {
  total: u32, row: u32, rank: u32, inf: f32,
  act_a: f32, act_b: f32, _p1: u32, _p2: u32,
  dims: array<vec4<u32>, 2>,
  a_str: array<vec4<u32>, 2>,
  b_str: array<vec4<u32>, 2>,
}

override OP: u32 = 0u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

fn apply(a: f32, b: f32) -> f32 {
  switch OP {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    case 4u: { return select(select(a, b, b > a), a + b, a != a || b != b); } // NaN wins, as ONNX Max
    case 5u: { return select(select(a, b, b < a), a + b, a != a || b != b); }
    case 6u: { return pow_onnx(a, b); }
    case 7u: { return select(a, b * a, a < 0.0); }
    default: { return a; }
  }
}

// pow for negative bases with integer exponents too (WGSL's pow is undefined for a < 0).
fn pow_onnx(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a >= 0.0) { return pow(a, b); }
  if (b != floor(b)) { return p.inf - p.inf; } // NaN, as C's pow
  let m = pow(-a, b);
  return select(m, -m, (abs(b) % 2.0) == 1.0);
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let n = p.dims[d / 4][d % 4];
    let k = rem % n;
    rem = rem / n;
    ia += k * p.a_str[d / 4][d % 4];
    ib += k * p.b_str[d / 4][d % 4];
  }
  Y[i] = act(apply(A[ia], B[ib]), p.act_a, p.act_b);
}
