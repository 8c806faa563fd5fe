// Resize on the last two axes of [planes, H, W] as a separable gather with taps computed on the
// host by the Resize op unit (the same coordinate transforms, rounding and cubic/linear weights its
// JS part uses, so they exist once): for output row oy, taps k < TY give a source row IY and a
// weight WY; likewise columns. Y[pl, oy, ox] = sum_{a,b} WY[oy,a] * WX[ox,b] * X[pl, IY[oy,a], IX[ox,b]].
// A tap with index -1 lies outside the input (tf_crop_and_resize): the output is `extrapolation`.
// TY, TX (override): taps per output row/column (1 nearest, 2 linear, 4 cubic). Grid as binary.wgsl.

struct Params { total: u32, row: u32, H: u32, W: u32, Ho: u32, Wo: u32, extrapolation: f32, _p0: u32 }

override TY: u32 = 1u;
override TX: u32 = 1u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> IY: array<i32>;
@group(0) @binding(3) var<storage, read> WY: array<f32>;
@group(0) @binding(4) var<storage, read> IX: array<i32>;
@group(0) @binding(5) var<storage, read> WX: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  let ox = i % p.Wo;
  let oy = (i / p.Wo) % p.Ho;
  let plane = i / (p.Wo * p.Ho);
  let base = plane * p.H * p.W;
  var acc = 0.0;
  for (var a = 0u; a < TY; a++) {
    let sy = IY[oy * TY + a];
    if (sy < 0) {
      Y[i] = p.extrapolation;
      return;
    }
    let wy = WY[oy * TY + a];
    for (var b = 0u; b < TX; b++) {
      let sx = IX[ox * TX + b];
      if (sx < 0) {
        Y[i] = p.extrapolation;
        return;
      }
      acc = fma(wy * WX[ox * TX + b], X[base + u32(sy) * p.W + u32(sx)], acc);
    }
  }
  Y[i] = acc;
}
