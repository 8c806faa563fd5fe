// Normalisations and Lp pooling computed in JS (double precision, rounded once on store), on any
// float dtype: RMSNormalization, LpNormalization, MeanVarianceNormalization, LRN, LpPool (1-D, 2-D,
// 3-D, with the geometry rules of nn.mjs's pooling) and GlobalLpPool.
import { size, stridesOf } from '../tensor.mjs';
import { broadcastStrides, forEachBroadcast } from '../broadcast.mjs';
import { norm, numbersOf, encoder, forEachIndex, poolGeometry } from './values.mjs';

// Allocates y like x and returns it with x's values and a writer that encodes for y's dtype.
function output(ex, x, dims = x.dims.slice()) {
  const y = ex.alloc(x.dtype, dims);
  const yd = y.data;
  const enc = encoder(x.dtype);
  return { y, xv: numbersOf(x), put: enc ? (i, v) => { yd[i] = enc(v); } : (i, v) => { yd[i] = v; } };
}

// y = x / sqrt(mean(x^2 over axes [axis, rank)) + epsilon) * scale (scale broadcast to x).
function rmsNorm(ex, node, [x, scale]) {
  const axis = norm(node.attrs.axis ?? -1, x.dims.length);
  const eps = node.attrs.epsilon ?? 1e-5;
  const n = size(x.dims.slice(axis));
  const outer = size(x.dims.slice(0, axis));
  const { y, xv, put } = output(ex, x);
  const sv = numbersOf(scale);
  const rms = new Float64Array(outer); // x: [outer, n]
  for (let o = 0; o < outer; o++) {
    let s = 0;
    for (let i = o * n; i < (o + 1) * n; i++) s += xv[i] * xv[i];
    rms[o] = Math.sqrt(s / n + eps);
  }
  forEachBroadcast(x.dims, [broadcastStrides(scale.dims, x.dims)], (i, [j]) => put(i, (xv[i] / rms[Math.floor(i / n)]) * sv[j]));
  return [y];
}

// y = x / ||x||_p along one axis (0 where the norm is 0).
function lpNorm(ex, node, [x]) {
  const axis = norm(node.attrs.axis ?? -1, x.dims.length);
  const p = node.attrs.p ?? 2;
  if (p !== 1 && p !== 2) throw new Error(`LpNormalization with p = ${p} (only 1 and 2 are defined)`);
  const n = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const { y, xv, put } = output(ex, x);
  // x: [outer, n, inner], normalised along n.
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let t = 0; t < n; t++) {
        const v = xv[(o * n + t) * inner + i];
        s += p === 1 ? Math.abs(v) : v * v;
      }
      const len = p === 1 ? s : Math.sqrt(s);
      for (let t = 0; t < n; t++) {
        const at = (o * n + t) * inner + i;
        put(at, len === 0 ? 0 : xv[at] / len);
      }
    }
  }
  return [y];
}

// ONNX's function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9), moments over `axes`.
function meanVarianceNorm(ex, node, [x]) {
  const r = x.dims.length;
  const axes = (node.attrs.axes ?? [0, 2, 3]).map((a) => norm(a, r));
  const kept = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = size(kept);
  const count = x.size / groups;
  const { y, xv, put } = output(ex, x);
  const toGroup = [broadcastStrides(kept, x.dims)]; // flat x index -> its group (0 stride on reduced axes)
  const sum = new Float64Array(groups);
  const sq = new Float64Array(groups);
  forEachBroadcast(x.dims, toGroup, (i, [g]) => {
    sum[g] += xv[i];
    sq[g] += xv[i] * xv[i];
  });
  const mean = sum.map((s) => s / count);
  const std = mean.map((m, g) => Math.sqrt(Math.max(0, sq[g] / count - m * m)));
  forEachBroadcast(x.dims, toGroup, (i, [g]) => put(i, (xv[i] - mean[g]) / (std[g] + 1e-9)));
  return [y];
}

// y = x / (bias + alpha / size * sum of x^2 over the channels [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta
function lrn(ex, node, [x]) {
  const { alpha = 1e-4, beta = 0.75, bias = 1.0, size: nsize } = node.attrs;
  const [N, C] = x.dims;
  const inner = size(x.dims.slice(2));
  const lo = Math.floor((nsize - 1) / 2);
  const hi = Math.ceil((nsize - 1) / 2);
  const { y, xv, put } = output(ex, x);
  // x: [N, C, inner]
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let k = Math.max(0, c - lo); k <= Math.min(C - 1, c + hi); k++) {
          const v = xv[(n * C + k) * inner + i];
          s += v * v;
        }
        const at = (n * C + c) * inner + i;
        put(at, xv[at] / (bias + (alpha / nsize) * s) ** beta);
      }
    }
  }
  return [y];
}

// (sum |x|^p over the window)^(1/p); padding contributes nothing.
function lpPool(ex, node, [x]) {
  const at = node.attrs;
  const p = at.p ?? 2;
  const [N, C, ...spatial] = x.dims;
  const kernel = at.kernel_shape;
  const g = poolGeometry(at, spatial, kernel);
  const { y, xv, put } = output(ex, x, [N, C, ...g.out]);
  const plane = size(spatial);
  const xs = stridesOf(spatial);
  const taps = []; // kernel coordinates, row-major
  forEachIndex(kernel, (_, k) => taps.push(k.slice()));
  const d = spatial.length;
  let o = 0;
  // y: [N * C, out...]; each output position sums over every kernel tap inside the input.
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * plane;
    forEachIndex(g.out, (_, pos) => {
      let s = 0;
      for (const k of taps) {
        let off = base;
        let inside = true;
        for (let a = 0; a < d; a++) {
          const c = pos[a] * g.strides[a] - g.begin[a] + k[a] * g.dil[a];
          if (c < 0 || c >= spatial[a]) { inside = false; break; }
          off += c * xs[a];
        }
        if (inside) s += Math.abs(xv[off]) ** p;
      }
      put(o++, s ** (1 / p));
    });
  }
  return [y];
}

function globalLpPool(ex, node, [x]) {
  const p = node.attrs.p ?? 2;
  const [N, C, ...spatial] = x.dims;
  const plane = size(spatial);
  const { y, xv, put } = output(ex, x, [N, C, ...spatial.map(() => 1)]);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let i = nc * plane; i < (nc + 1) * plane; i++) s += Math.abs(xv[i]) ** p;
    put(nc, s ** (1 / p));
  }
  return [y];
}

export const ops = {
  RMSNormalization: rmsNorm, LpNormalization: lpNorm, MeanVarianceNormalization: meanVarianceNorm, LRN: lrn,
  LpPool: lpPool, GlobalLpPool: globalLpPool,
};
