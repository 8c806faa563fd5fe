// Conv (2-D, NCHW; 1-D convs come as H = 1) as an implicit GEMM per group g:
//   Y[n, g*Mg + m, oy, ox] = act(bias[g*Mg + m] + sum_k W[g*Mg + m, k] * X'[k, (n, oy, ox)])
// with k = (ci, ky, kx) over the group's Cig input channels and X' the im2col of X read on the
// fly (zero outside the padded input): iy = oy*sh - ph + ky*dh, ix = ox*sw - pw + kx*dw.
// Tiling as matmul.wgsl: 8x8 threads, a 32 (channels) x 32 (pixels) tile, K in steps of 16.
// Grid: (ceil(N*Ho*Wo / 32), ceil(Mg / 32), groups).
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
  N: u32, Ci: u32, H: u32, W: u32,
  Co: u32, Ho: u32, Wo: u32, groups: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  ph: u32, pw: u32, dh: u32, dw: u32,
  act_a: f32, act_b: f32, _p0: u32, _p1: u32,
}

override HAS_BIAS: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

var<workgroup> As: array<array<f32, 32>, 16>; // weights [k][m]
var<workgroup> Bs: array<array<f32, 32>, 16>; // im2col [k][pixel]

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = wg.z;
  let Mg = p.Co / p.groups;
  let Cig = p.Ci / p.groups;
  let khw = p.kh * p.kw;
  let K = Cig * khw;
  let HWo = p.Ho * p.Wo;
  let cols = p.N * HWo;
  let m0 = wg.y * 32u;
  let c0 = wg.x * 32u;
  let tid = lid.y * 8u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    for (var j = 0u; j < 8u; j++) {
      let e = tid + 64u * j;
      let am = e / 16u;
      let ak = e % 16u;
      var av = 0.0;
      if (m0 + am < Mg && k0 + ak < K) { av = Wt[(g * Mg + m0 + am) * K + k0 + ak]; }
      As[ak][am] = av;
      let bk = e / 32u;
      let bc = e % 32u;
      var bv = 0.0;
      let k = k0 + bk;
      let col = c0 + bc;
      if (k < K && col < cols) {
        let ci = k / khw;
        let r = k % khw;
        let ky = r / p.kw;
        let kx = r % p.kw;
        let n = col / HWo;
        let q = col % HWo;
        let oy = q / p.Wo;
        let ox = q % p.Wo;
        let iy = i32(oy * p.sh + ky * p.dh) - i32(p.ph);
        let ix = i32(ox * p.sw + kx * p.dw) - i32(p.pw);
        if (iy >= 0 && iy < i32(p.H) && ix >= 0 && ix < i32(p.W)) {
          bv = X[((n * p.Ci + g * Cig + ci) * p.H + u32(iy)) * p.W + u32(ix)];
        }
      }
      Bs[bk][bc] = bv;
    }
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        a[i] = As[k][lid.y * 4u + i];
        b[i] = Bs[k][lid.x * 4u + i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var jj = 0u; jj < 4u; jj++) { acc[i][jj] = fma(a[i], b[jj], acc[i][jj]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= Mg) { continue; }
    let co = g * Mg + m;
    var bias = 0.0;
    if (HAS_BIAS) { bias = Bias[co]; }
    for (var jj = 0u; jj < 4u; jj++) {
      let col = c0 + lid.x * 4u + jj;
      if (col < cols) {
        let n = col / HWo;
        let q = col % HWo;
        Y[(n * p.Co + co) * HWo + q] = act(acc[i][jj] + bias, p.act_a, p.act_b);
      }
    }
  }
}
