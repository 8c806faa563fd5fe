// A strided copy, the GPU part of every op that only moves elements: Transpose (permuted
// strides), Slice (a start offset and step strides, negative ones included), Concat and Split (one
// dispatch per piece, at an offset of the output or input), Expand and Tile-free broadcasts (zero
// strides), Reshape-like views of a sub-region. For every index of `dims` (rank <= 8):
//   Y[y_off + sum idx[d] * y_str[d]] = X[x_off + sum idx[d] * x_str[d]]
// Strides are signed (i32). Grid as binary.wgsl over the region's elements.

struct Params {
  total: u32, row: u32, rank: u32, _p0: u32,
  x_off: i32, y_off: i32, _p1: u32, _p2: u32,
  dims: array<vec4<u32>, 2>,
  x_str: array<vec4<i32>, 2>,
  y_str: array<vec4<i32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  var rem = i;
  var xi = p.x_off;
  var yi = p.y_off;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let n = p.dims[d / 4][d % 4];
    let k = i32(rem % n);
    rem = rem / n;
    xi += k * p.x_str[d / 4][d % 4];
    yi += k * p.y_str[d / 4][d % 4];
  }
  Y[u32(yi)] = X[u32(xi)];
}
