// Reductions over one block of contiguous axes: the input is viewed as [outer, R, inner] and
// Y[o, s] = reduce_{r < R} X[o, r, s] (Global pools: inner = 1, R = H*W). OP (override): 0 Sum,
// 1 Mean, 2 Max, 3 Min, 4 Prod, 5 SumSquare, 6 L1, 7 L2, 8 LogSum, 9 LogSumExp. A workgroup of 64
// threads reduces one (o, s) row, strided loads then a tree in workgroup memory; Max/Min keep
// NaN. Grid: (rows) folded into y past 65535 (row_groups: workgroups per grid row).

struct Params { outer: u32, R: u32, inner: u32, row_groups: u32, inf: f32, _p0: u32, _p1: u32, _p2: u32 }

override OP: u32 = 0u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

var<workgroup> part: array<f32, 64>;
var<workgroup> peak: array<f32, 64>;

fn start() -> f32 {
  switch OP {
    case 2u: { return -p.inf; }
    case 3u: { return p.inf; }
    case 4u: { return 1.0; }
    default: { return 0.0; }
  }
}

fn fold(acc: f32, v: f32) -> f32 {
  switch OP {
    case 2u: { return select(acc, v, v > acc || v != v || acc != acc); }
    case 3u: { return select(acc, v, v < acc || v != v || acc != acc); }
    case 4u: { return acc * v; }
    case 5u, 7u: { return acc + v * v; }
    case 6u: { return acc + abs(v); }
    default: { return acc + v; }
  }
}

fn combine(a: f32, b: f32) -> f32 {
  switch OP {
    case 2u, 3u: { return fold(a, b); }
    case 4u: { return a * b; }
    default: { return a + b; }
  }
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let rowi = wg.x + wg.y * p.row_groups;
  let valid = rowi < p.outer * p.inner;
  let o = rowi / max(p.inner, 1u);
  let s = rowi % max(p.inner, 1u);
  let base = o * p.R * p.inner + s;
  // LogSumExp: subtract the row's max first, so exp cannot overflow
  var m = 0.0;
  if (OP == 9u) {
    var mx = -p.inf;
    if (valid) { for (var r = lid.x; r < p.R; r += 64u) { mx = max(mx, X[base + r * p.inner]); } }
    peak[lid.x] = mx;
    workgroupBarrier();
    for (var w = 32u; w > 0u; w >>= 1u) {
      if (lid.x < w) { peak[lid.x] = max(peak[lid.x], peak[lid.x + w]); }
      workgroupBarrier();
    }
    m = peak[0];
  }
  var acc = start();
  if (valid) {
    for (var r = lid.x; r < p.R; r += 64u) {
      let v = X[base + r * p.inner];
      acc = select(fold(acc, v), acc + exp(v - m), OP == 9u);
    }
  }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid.x < w) { part[lid.x] = combine(part[lid.x], part[lid.x + w]); }
    workgroupBarrier();
  }
  if (lid.x == 0u && valid) {
    var v = part[0];
    switch OP {
      case 1u: { v = v / f32(p.R); }
      case 7u: { v = sqrt(v); }
      case 8u: { v = select(log(v), -p.inf, v == 0.0); } // WGSL leaves log(0) undefined
      case 9u: { v = select(log(v) + m, -p.inf, v == 0.0); }
      default: {}
    }
    Y[o * p.inner + s] = v;
  }
}
