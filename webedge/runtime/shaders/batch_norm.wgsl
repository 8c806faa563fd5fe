// BatchNormalization at inference, NC...: Y = (X - mean[c]) / sqrt(var[c] + eps) * scale[c] + B[c]
// with c = (i / inner) % C. (The plan usually folds it into the Conv before it; this is for the
// ones that stand alone.) One thread per element; grid as binary.wgsl.

struct Params { total: u32, row: u32, C: u32, inner: u32, eps: f32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Scale: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read> Mean: array<f32>;
@group(0) @binding(5) var<storage, read> Var: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  let c = (i / p.inner) % p.C;
  Y[i] = (X[i] - Mean[c]) / sqrt(Var[c] + p.eps) * Scale[c] + Bias[c];
}
