// Softmax / LogSoftmax along one axis: the input is viewed as [outer, D, inner] and each (o, s)
// row of D elements X[o, d, s] is normalised by one workgroup of 64 threads: the row's max, the
// sum of exp(x - max), then exp(x - max) / sum, or (x - max) - log(sum) when LOG (override).
// Grid: rows (outer * inner) folded into y past 65535 (row_groups: workgroups per grid row).

struct Params { outer: u32, D: u32, inner: u32, row_groups: u32, inf: f32, _p0: u32, _p1: u32, _p2: u32 }

override LOG: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let rowi = wg.x + wg.y * p.row_groups;
  let valid = rowi < p.outer * p.inner;
  let o = rowi / max(p.inner, 1u);
  let s = rowi % max(p.inner, 1u);
  let base = o * p.D * p.inner + s;
  var mx = -p.inf;
  if (valid) { for (var d = lid.x; d < p.D; d += 64u) { mx = max(mx, X[base + d * p.inner]); } }
  part[lid.x] = mx;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid.x < w) { part[lid.x] = max(part[lid.x], part[lid.x + w]); }
    workgroupBarrier();
  }
  let m = part[0];
  workgroupBarrier();
  var sum = 0.0;
  if (valid) { for (var d = lid.x; d < p.D; d += 64u) { sum += exp(X[base + d * p.inner] - m); } }
  part[lid.x] = sum;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid.x < w) { part[lid.x] += part[lid.x + w]; }
    workgroupBarrier();
  }
  let total = part[0];
  if (valid) {
    for (var d = lid.x; d < p.D; d += 64u) {
      let x = X[base + d * p.inner] - m;
      Y[base + d * p.inner] = select(exp(x) / total, x - log(total), LOG);
    }
  }
}
