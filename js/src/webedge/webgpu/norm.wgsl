// LayerNormalization and InstanceNormalization: each row of D contiguous elements (the axes from
// LayerNormalization's `axis` on, or one (n, c) plane) is normalised by one workgroup of 64:
//   Y = (X - mean) / sqrt(var + eps) * scale + bias (population variance, two passes).
// scale/bias index: the position in the row (LayerNorm, PER_CHANNEL false) or the row's channel
// (InstanceNorm: row % C). HAS_BIAS (override) for LayerNorm's optional bias.
// Grid: rows folded into y past 65535 (row_groups: workgroups per grid row).

struct Params { rows: u32, D: u32, C: u32, row_groups: u32, eps: f32, _p0: u32, _p1: u32, _p2: u32 }

override PER_CHANNEL: bool = false;
override HAS_BIAS: bool = true;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Scale: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

var<workgroup> part: array<f32, 64>;

fn total(v: f32, lane: u32) -> f32 {
  part[lane] = v;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lane < w) { part[lane] += part[lane + w]; }
    workgroupBarrier();
  }
  let t = part[0];
  workgroupBarrier();
  return t;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wg.x + wg.y * p.row_groups;
  let valid = row < p.rows;
  let base = row * p.D;
  var s = 0.0;
  if (valid) { for (var d = lid.x; d < p.D; d += 64u) { s += X[base + d]; } }
  let mean = total(s, lid.x) / f32(p.D);
  var q = 0.0;
  if (valid) { for (var d = lid.x; d < p.D; d += 64u) { let c = X[base + d] - mean; q += c * c; } }
  let inv = 1.0 / sqrt(total(q, lid.x) / f32(p.D) + p.eps);
  if (!valid) { return; }
  for (var d = lid.x; d < p.D; d += 64u) {
    let k = select(d, row % p.C, PER_CHANNEL);
    var v = (X[base + d] - mean) * inv * Scale[k];
    if (HAS_BIAS) { v += Bias[k]; }
    Y[base + d] = v;
  }
}
