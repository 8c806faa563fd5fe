// One LSTM time step after its two GEMMs (matmul.wgsl): XW holds X_t @ W^T + Wb + Rb for every
// step ([T, B, 4H]; gates in ONNX's order i, o, f, c), HR holds H_{t-1} @ R^T ([B, 4H]). Per (b, j):
//   i = sigmoid(xi + hi + Pi*c), f = sigmoid(xf + hf + Pf*c), g = tanh(xc + hc),
//   c' = f*c + i*g, o = sigmoid(xo + ho + Po*c'), h' = o * tanh(c')
// (the default activations; clip and input_forget as ONNX says). C and H are updated in place and
// h' is written to Y at this step's offset. PEEP (override): P [3H] = (Pi, Po, Pf) is used.
// Grid as binary.wgsl over B*H.

struct Params {
  total: u32, row: u32, Hs: u32, xw_off: u32,
  y_off: u32, y_bstride: u32, clip: f32, input_forget: u32,
}

override PEEP: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> XW: array<f32>;
@group(0) @binding(2) var<storage, read> HR: array<f32>;
@group(0) @binding(3) var<storage, read> P: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;
@group(0) @binding(5) var<storage, read_write> H: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }

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


fn clipped(x: f32) -> f32 {
  return select(x, clamp(x, -p.clip, p.clip), p.clip > 0.0);
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x + gid.y * p.row;
  if (k >= p.total) { return; }
  let b = k / p.Hs;
  let j = k % p.Hs;
  let g = b * 4u * p.Hs;
  let x = p.xw_off + g;
  let c = C[k];
  var pi = 0.0;
  var po = 0.0;
  var pf = 0.0;
  if (PEEP) {
    pi = P[j];
    po = P[p.Hs + j];
    pf = P[2u * p.Hs + j];
  }
  let gi = sigmoid(clipped(XW[x + j] + HR[g + j] + pi * c));
  var gf = sigmoid(clipped(XW[x + 2u * p.Hs + j] + HR[g + 2u * p.Hs + j] + pf * c));
  if (p.input_forget != 0u) { gf = 1.0 - gi; }
  let gc = tanh_safe(clipped(XW[x + 3u * p.Hs + j] + HR[g + 3u * p.Hs + j]));
  let c2 = gf * c + gi * gc;
  let go = sigmoid(clipped(XW[x + p.Hs + j] + HR[g + p.Hs + j] + po * c2));
  let h2 = go * tanh_safe(c2);
  C[k] = c2;
  H[k] = h2;
  Y[p.y_off + b * p.y_bstride + j] = h2;
}
