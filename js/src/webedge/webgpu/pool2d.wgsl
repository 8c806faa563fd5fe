// MaxPool / AveragePool, 2-D NCHW (1-D pools come as H = 1): one thread per output element over
// its window iy = oy*sh - ph + ky*dh, ix likewise. MAX (override) picks max or average; an
// average divides by the window's count inside the input, or by every position the padded window
// covers when count_include_pad (not past the padded input's end: ceil_mode windows stop there,
// as onnxruntime counts them). Grid as binary.wgsl.

struct Params {
  total: u32, row: u32, H: u32, W: u32,
  Ho: u32, Wo: u32, kh: u32, kw: u32,
  sh: u32, sw: u32, ph: u32, pw: u32,
  dh: u32, dw: u32, include_pad: u32, inf: f32,
  pad_end_h: u32, pad_end_w: u32, _p1: u32, _p2: u32,
}

override MAX: bool = true;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  let ox = i % p.Wo;
  let oy = (i / p.Wo) % p.Ho;
  let plane = i / (p.Wo * p.Ho);
  let base = plane * p.H * p.W;
  var best = -p.inf;
  var sum = 0.0;
  var count = 0u;
  var covered = 0u;
  for (var ky = 0u; ky < p.kh; ky++) {
    let iy = i32(oy * p.sh + ky * p.dh) - i32(p.ph);
    let y_in_pad = iy < i32(p.H + p.pad_end_h);
    for (var kx = 0u; kx < p.kw; kx++) {
      let ix = i32(ox * p.sw + kx * p.dw) - i32(p.pw);
      if (y_in_pad && ix < i32(p.W + p.pad_end_w)) { covered++; }
      if (iy < 0 || iy >= i32(p.H) || ix < 0 || ix >= i32(p.W)) { continue; }
      let v = X[base + u32(iy) * p.W + u32(ix)];
      best = select(best, v, v > best || v != v);
      sum += v;
      count++;
    }
  }
  if (MAX) {
    Y[i] = best;
  } else {
    Y[i] = sum / f32(select(count, covered, p.include_pad != 0u));
  }
}
