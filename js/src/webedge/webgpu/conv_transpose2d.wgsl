// ConvTranspose, 2-D NCHW (1-D as H = 1), as a gather: one thread per output element,
//   Y[n, g*Cog + co, oy, ox] = bias + sum_{ci, ky, kx} X[n, g*Cig + ci, iy, ix] * W[g*Cig + ci, co, ky, kx]
// over the taps where oy + ph - ky*dh = iy*sh for an input row iy (columns likewise).
// W is [Ci, Co/groups, kh, kw] (ONNX's layout). Grid as binary.wgsl.

struct Params {
  total: u32, row: u32, Ci: u32, H: u32,
  W: u32, Co: u32, Ho: u32, Wo: u32,
  groups: u32, kh: u32, kw: u32, sh: u32,
  sw: u32, ph: u32, pw: u32, dh: u32,
  dw: u32, _p0: u32, _p1: u32, _p2: u32,
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
  let oc = (i / (p.Wo * p.Ho)) % p.Co;
  let n = i / (p.Wo * p.Ho * p.Co);
  let Cog = p.Co / p.groups;
  let Cig = p.Ci / p.groups;
  let g = oc / Cog;
  let co = oc % Cog;
  var acc = 0.0;
  if (HAS_BIAS) { acc = Bias[oc]; }
  for (var ky = 0u; ky < p.kh; ky++) {
    let ty = i32(oy + p.ph) - i32(ky * p.dh);
    if (ty < 0 || ty % i32(p.sh) != 0) { continue; }
    let iy = u32(ty) / p.sh;
    if (iy >= p.H) { continue; }
    for (var kx = 0u; kx < p.kw; kx++) {
      let tx = i32(ox + p.pw) - i32(kx * p.dw);
      if (tx < 0 || tx % i32(p.sw) != 0) { continue; }
      let ix = u32(tx) / p.sw;
      if (ix >= p.W) { continue; }
      for (var ci = 0u; ci < Cig; ci++) {
        let c = g * Cig + ci;
        acc = fma(X[((n * p.Ci + c) * p.H + iy) * p.W + ix], Wt[((c * Cog + co) * p.kh + ky) * p.kw + kx], acc);
      }
    }
  }
  Y[i] = acc;
}
