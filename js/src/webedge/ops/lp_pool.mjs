// LpPool and GlobalLpPool: (sum |x|^p over each window, or each whole plane)^(1/p), JS only, any
// number of spatial dims and float dtype, in double (lib/geometry.mjs's windows). A module of its
// own, so that models with the other pools (ops/pool.mjs, ops/global_pool.mjs) do not carry it.
import { windowGeometry } from '../lib/geometry.mjs';
import { encoder, numbersOf } from '../lib/values.mjs';
import { size, stridesOf } from '../tensor.mjs';

// (sum |x|^p over the window)^(1/p); padding contributes nothing. Computed in double, rounded once.
function lpPool(js, node, [x], [y]) {
  const at = node.attrs;
  const p = at.p ?? 2;
  const [N, C, ...spatial] = x.dims;
  const kernel = at.kernel_shape;
  const g = windowGeometry(at, spatial, kernel);
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(x.dtype);
  const plane = size(spatial);
  const xs = stridesOf(spatial);
  const taps = []; // kernel coordinates, row-major
  const k = new Array(kernel.length).fill(0);
  for (let t = 0; t < size(kernel); t++) {
    taps.push(k.slice());
    for (let d = kernel.length - 1; d >= 0; d--) { if (++k[d] < kernel[d]) break; k[d] = 0; }
  }
  const d = spatial.length;
  const pos = new Array(d).fill(0);
  let o = 0;
  // y: [N * C, out...]; each output position sums over every kernel tap inside the input.
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * plane;
    for (let q = 0; q < size(g.out); q++) {
      let rem = q;
      for (let a = d - 1; a >= 0; a--) { pos[a] = rem % g.out[a]; rem = Math.floor(rem / g.out[a]); }
      let s = 0;
      for (const tap of taps) {
        let off = base;
        let inside = true;
        for (let a = 0; a < d; a++) {
          const c = pos[a] * g.strides[a] - g.begin[a] + tap[a] * g.dil[a];
          if (c < 0 || c >= spatial[a]) { inside = false; break; }
          off += c * xs[a];
        }
        if (inside) s += Math.abs(xv[off]) ** p;
      }
      const v = s ** (1 / p);
      yd[o++] = enc ? enc(v) : v;
    }
  }
}

function shape(node, [x]) {
  const { out } = windowGeometry(node.attrs, x.dims.slice(2), node.attrs.kernel_shape);
  return [{ dtype: x.dtype, dims: [x.dims[0], x.dims[1], ...out] }];
}

function globalLpPool(js, node, [x], [y]) {
  const p = node.attrs.p ?? 2;
  const [N, C, ...spatial] = x.dims;
  const plane = size(spatial);
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(x.dtype);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let i = nc * plane; i < (nc + 1) * plane; i++) s += Math.abs(xv[i]) ** p;
    const v = s ** (1 / p);
    yd[nc] = enc ? enc(v) : v;
  }
}

const globalShape = (node, [x]) => [{ dtype: x.dtype, dims: [x.dims[0], x.dims[1], ...x.dims.slice(2).map(() => 1)] }];

export const units = [
  { op: 'LpPool', shape, js: { run: lpPool } },
  { op: 'GlobalLpPool', shape: globalShape, js: { run: globalLpPool } },
];
