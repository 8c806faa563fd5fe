// Depthwise Conv (groups = Ci = Co, one filter per channel), direct: one thread per output
// element, Y[n, c, oy, ox] = act(bias[c] + sum_{ky,kx} W[c, 0, ky, kx] * X[n, c, iy, ix]).
// The implicit GEMM of conv2d.wgsl would do 1/32 useful work per tile here.
// Grid: ceil(N*C*Ho*Wo / 64) workgroups over x, and y when x would pass 65535.
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
  N: u32, C: u32, H: u32, W: u32,
  Ho: u32, Wo: u32, kh: u32, kw: u32,
  sh: u32, sw: u32, ph: u32, pw: u32,
  dh: u32, dw: u32, act_a: f32, act_b: f32,
  total: u32, row: u32, _p0: u32, _p1: u32,  // row: threads per grid row (x workgroups * 64)
}

override HAS_BIAS: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  let ox = i % p.Wo;
  let oy = (i / p.Wo) % p.Ho;
  let c = (i / (p.Wo * p.Ho)) % p.C;
  let n = i / (p.Wo * p.Ho * p.C);
  var acc = 0.0;
  if (HAS_BIAS) { acc = Bias[c]; }
  let base = (n * p.C + c) * p.H;
  for (var ky = 0u; ky < p.kh; ky++) {
    let iy = i32(oy * p.sh + ky * p.dh) - i32(p.ph);
    if (iy < 0 || iy >= i32(p.H)) { continue; }
    for (var kx = 0u; kx < p.kw; kx++) {
      let ix = i32(ox * p.sw + kx * p.dw) - i32(p.pw);
      if (ix < 0 || ix >= i32(p.W)) { continue; }
      acc = fma(Wt[(c * p.kh + ky) * p.kw + kx], X[(base + u32(iy)) * p.W + u32(ix)], acc);
    }
  }
  Y[i] = act(acc, p.act_a, p.act_b);
}
