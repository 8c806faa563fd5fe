// Gather along one axis: the data is viewed as [outer, axis_len, inner], the indices (int32, any
// shape, n of them) select along the axis, negative ones counting from the end; the output is
// [outer, n, inner]: Y[o, j, s] = X[o, idx[j], s]. An index out of range gives 0 (onnxruntime
// refuses it; the JS part throws). Grid as binary.wgsl over the output.

struct Params { total: u32, row: u32, axis_len: u32, inner: u32, n: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  let s = i % p.inner;
  let j = (i / p.inner) % p.n;
  let o = i / (p.inner * p.n);
  var k = Idx[j];
  if (k < 0) { k += i32(p.axis_len); }
  if (k < 0 || k >= i32(p.axis_len)) {
    Y[i] = 0.0;
    return;
  }
  Y[i] = X[(o * p.axis_len + u32(k)) * p.inner + s];
}
