// Pad, any rank <= 8: for each output index, the input index per dim is idx - pad_begin, and
// outside the input MODE (override) decides: 0 constant (Y = value), 1 reflect (mirrored without
// the edge), 2 edge (the nearest edge element), 3 wrap. Grid as binary.wgsl.

struct Params {
  total: u32, row: u32, rank: u32, _p0: u32,
  value: f32, _p1: u32, _p2: u32, _p3: u32,
  out_dims: array<vec4<u32>, 2>,
  in_dims: array<vec4<u32>, 2>,
  begin: array<vec4<i32>, 2>,
}

override MODE: u32 = 0u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.row;
  if (i >= p.total) { return; }
  var rem = i;
  var xi = 0u;
  var stride = 1u;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let n = p.out_dims[d / 4][d % 4];
    let len = i32(p.in_dims[d / 4][d % 4]);
    var k = i32(rem % n) - p.begin[d / 4][d % 4];
    rem = rem / n;
    if (k < 0 || k >= len) {
      switch MODE {
        case 1u: {
          let period = max(2 * len - 2, 1);
          k = ((k % period) + period) % period;
          k = select(k, period - k, k >= len);
        }
        case 2u: { k = clamp(k, 0, len - 1); }
        case 3u: { k = ((k % len) + len) % len; }
        default: {
          Y[i] = p.value;
          return;
        }
      }
    }
    xi += u32(k) * stride;
    stride *= u32(len);
  }
  Y[i] = X[xi];
}
