// MatMul and Gemm: Y[b, m, n] = act(alpha * sum_k A[b, m, k] * B[b, k, n] + beta * C[b, m, n]).
// A, B, C are addressed by strides in elements, so a transposed operand is just other strides and
// a broadcast one a zero stride; the batch index b is split over up to 4 batch dims (bdims), each
// operand with its own batch strides. Y is contiguous [batch, M, N].
// Tiling: a workgroup of 8x8 threads computes a 32x32 tile of Y, each thread 4x4 outputs, K in
// steps of 16 through workgroup memory (2 x 2 KiB). Grid: (ceil(N/32), ceil(M/32), batch).
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
  M: u32, N: u32, K: u32, batch: u32,
  a_rs: u32, a_cs: u32, b_rs: u32, b_cs: u32,   // row and column strides of A [M, K] and B [K, N]
  c_rs: u32, c_cs: u32, alpha: f32, beta: f32,  // C's strides (0: broadcast)
  act_a: f32, act_b: f32, a_off: u32, b_off: u32, // where A and B start in their buffers
  bdims: vec4<u32>,                             // batch dims, innermost last (unused ones 1)
  a_bs: vec4<u32>, b_bs: vec4<u32>, c_bs: vec4<u32>,
}

override HAS_C: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> C: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

var<workgroup> As: array<array<f32, 32>, 16>; // [k][m]
var<workgroup> Bs: array<array<f32, 32>, 16>; // [k][n]

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let bi = wg.z;
  var rem = bi;
  var ao = p.a_off;
  var bo = p.b_off;
  var co = 0u;
  for (var d = 3i; d >= 0; d--) {
    let i = rem % p.bdims[d];
    rem = rem / p.bdims[d];
    ao += i * p.a_bs[d];
    bo += i * p.b_bs[d];
    co += i * p.c_bs[d];
  }
  let m0 = wg.y * 32u;
  let n0 = wg.x * 32u;
  let tid = lid.y * 8u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += 16u) {
    for (var j = 0u; j < 8u; j++) {
      let e = tid + 64u * j;
      let am = e / 16u;
      let ak = e % 16u;
      var av = 0.0;
      if (m0 + am < p.M && k0 + ak < p.K) { av = A[ao + (m0 + am) * p.a_rs + (k0 + ak) * p.a_cs]; }
      As[ak][am] = av;
      let bk = e / 32u;
      let bn = e % 32u;
      var bv = 0.0;
      if (k0 + bk < p.K && n0 + bn < p.N) { bv = B[bo + (k0 + bk) * p.b_rs + (n0 + bn) * p.b_cs]; }
      Bs[bk][bn] = bv;
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
    for (var jj = 0u; jj < 4u; jj++) {
      let n = n0 + lid.x * 4u + jj;
      if (m < p.M && n < p.N) {
        var v = p.alpha * acc[i][jj];
        if (HAS_C) { v += p.beta * C[co + m * p.c_rs + n * p.c_cs]; }
        Y[(bi * p.M + m) * p.N + n] = act(v, p.act_a, p.act_b);
      }
    }
  }
}
