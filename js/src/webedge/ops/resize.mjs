// Resize (and its older form Upsample): nearest on any axes; linear and cubic on up to two
// axes (the others unscaled), antialias, exclude_outside, tf_crop_and_resize with extrapolation,
// keep_aspect_ratio_policy; ONNX's coordinate transformation and nearest rounding modes. In JS.
// webedge/plan/compile.py states the older forms (Upsample; Resize-10 with inputs [X, scales])
// as Resize with inputs [X, roi, scales, sizes], coordinate_transformation_mode asymmetric and
// nearest_mode floor, so this file knows one form.
//   wasm: resize_f32 (wasm/kernels/resize.c) on float32 when only the last two axes are resized and
//         every output point reads inside the input with one tap count (nearest; linear and cubic
//         without antialias): prepare()'s taps as index/weight tables, split over threads by rows.
//   js:   everything (the modes above, antialias, tf_crop_and_resize's extrapolation, any rank).
import { size, stridesOf } from '../tensor.mjs';
import { elementwise, fitsF32 } from '../lib/gpu.mjs';

const TRANSFORMS = {
  half_pixel: (x, s) => (x + 0.5) / s - 0.5,
  pytorch_half_pixel: (x, s, lenOut) => (lenOut > 1 ? (x + 0.5) / s - 0.5 : 0),
  align_corners: (x, s, lenOut, lenIn) => (lenOut === 1 ? 0 : (x * (lenIn - 1)) / (lenOut - 1)),
  asymmetric: (x, s) => x / s,
  tf_half_pixel_for_nn: (x, s) => (x + 0.5) / s,
  half_pixel_symmetric: (x, s, lenOut, lenIn) => {
    const adjustment = Math.floor(lenOut) / lenOut;
    return (lenIn / 2) * (1 - adjustment) + (x + 0.5) / s - 0.5;
  },
};
const ROUND = {
  round_prefer_floor: (v) => (v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v)),
  round_prefer_ceil: (v) => Math.round(v),
  floor: Math.floor,
  ceil: Math.ceil,
};

// The output dims and the scale of every axis, from sizes (with the aspect-ratio policy) or scales;
// scales/sizes may name only some axes (opset 18 `axes`), the others keep scale 1.
function target(node, [x, , scalesT, sizesT]) {
  const at = node.attrs;
  const r = x.dims.length;
  const axes = (at.axes ?? x.dims.map((_, i) => i)).map((a) => (a < 0 ? a + r : a));
  const scales = x.dims.map(() => 1);
  const dims = x.dims.slice();
  if (sizesT && sizesT.size) {
    const want = sizesT.numbers();
    const policy = at.keep_aspect_ratio_policy ?? 'stretch';
    if (policy === 'stretch') {
      axes.forEach((a, i) => { dims[a] = want[i]; scales[a] = want[i] / x.dims[a]; });
    } else {
      // one scale for all named axes: the largest that fits (not_larger) or the smallest that covers (not_smaller)
      const ratios = axes.map((a, i) => want[i] / x.dims[a]);
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => { scales[a] = s; dims[a] = Math.round(s * x.dims[a]); });
    }
  } else {
    const given = Array.from(scalesT ? scalesT.data : at.scales, Number);
    axes.forEach((a, i) => { scales[a] = given[i]; dims[a] = Math.floor(x.dims[a] * given[i]); });
  }
  return { axes, scales, dims };
}

// What both parts need: per output position, where to read and with what weight. Nearest:
// `maps` per axis (element offset along it, -1 outside the input for tf_crop_and_resize).
// Linear and cubic (on the last two axes): `rowTaps`/`colTaps`, [offset, weight] pairs or null.
function prepare(node, inputs) {
  const x = inputs[0];
  const at = node.attrs;
  const r = x.dims.length;
  const { axes, scales, dims } = target(node, inputs);
  const mode = at.mode ?? 'nearest';
  const ctm = at.coordinate_transformation_mode ?? 'half_pixel';
  let transform = TRANSFORMS[ctm];
  const roiT = inputs[1];
  const crop = ctm === 'tf_crop_and_resize';
  if (crop) {
    // roi = [starts..., ends...] over `axes`, as fractions of (length - 1)
    const roi = readRoi(roiT, axes, r);
    transform = (o, s, lenOut, lenIn, axis) => {
      const [a, b] = [roi[axis], roi[axis + r]];
      const out = Math.round(lenOut);
      return out > 1 ? a * (lenIn - 1) + (o * (b - a) * (lenIn - 1)) / (out - 1) : 0.5 * (a + b) * (lenIn - 1);
    };
  }
  if (!transform) throw new Error(`coordinate_transformation_mode '${ctm}' is not supported`);
  const extrapolation = at.extrapolation_value ?? 0;
  const xs = stridesOf(x.dims);
  // ONNX defines the resized length in the transforms as scale * input length (not floored)
  const coord = (axis, o) => transform(o, scales[axis], crop ? dims[axis] : scales[axis] * x.dims[axis], x.dims[axis], axis);
  const outside = (axis, c) => crop && (c < 0 || c > x.dims[axis] - 1);
  if (mode === 'nearest') {
    const round = ROUND[at.nearest_mode ?? 'round_prefer_floor'];
    const maps = dims.map((n, axis) => Array.from({ length: n }, (_, o) => {
      const c = coord(axis, o);
      if (outside(axis, c)) return -1;
      return Math.max(0, Math.min(x.dims[axis] - 1, round(c))) * xs[axis];
    }));
    return { x, dims, xs, extrapolation, maps };
  }
  return prepareTaps(x, at, mode, dims, scales, xs, coord, outside, extrapolation);
}

function runNearest(x, y, { maps, extrapolation, dims }) {
  const r = x.dims.length;
  const xd = x.data;
  const yd = y.data;
  // Outer positions advance like an odometer; the last axis is a tight loop through its map.
  const W = dims[r - 1];
  const last = maps[r - 1];
  const idx = new Array(r - 1).fill(0);
  const rows = W === 0 ? 0 : yd.length / W;
  for (let row = 0, o = 0; row < rows; row++) {
    let base = 0;
    let out = false;
    for (let d = 0; d < r - 1; d++) {
      const m = maps[d][idx[d]];
      if (m < 0) out = true;
      base += m;
    }
    for (let w = 0; w < W; w++, o++) yd[o] = out || last[w] < 0 ? extrapolation : xd[base + last[w]];
    for (let d = r - 2; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
}

function prepareTaps(x, at, mode, dims, scales, xs, coord, outside, extrapolation) {
  const r = x.dims.length;
  if (mode !== 'linear' && mode !== 'cubic') throw new Error(`Resize mode '${mode}' is not supported`);
  const scaled = dims.map((d, i) => d !== x.dims[i] || scales[i] !== 1).map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
  if (scaled.length > 2 || scaled.some((a) => a < r - 2)) throw new Error(`${mode} Resize is supported on the last two axes only`);
  const A = at.cubic_coeff_a ?? -0.75;
  const cubic = (s) => {
    const t = Math.abs(s);
    if (t <= 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
    if (t < 2) return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
    return 0;
  };
  // Per output position on each of the last two axes: [source offset, weight] taps.
  const antialias = at.antialias && mode !== 'nearest';
  const tapsFor = (axis) => Array.from({ length: dims[axis] }, (_, o) => {
    const n = x.dims[axis];
    if (outside(axis, coord(axis, o))) return null;
    if (antialias && scales[axis] < 1) {
      // Downsampling with antialias: the kernel is stretched by 1/scale over a fixed footprint
      // around the sample left of c, normalised, then edges replicate (or drop, exclude_outside).
      const sc = scales[axis];
      const c = coord(axis, o);
      const ratio = Number.isInteger(c) ? 1 : c - Math.floor(c);
      const left = c - ratio;
      const first = Math.floor(-(mode === 'linear' ? 1 : 2) / sc) + 1;
      const footprint = 2 - 2 * first;
      const kernel = mode === 'linear' ? (t) => Math.max(0, 1 - Math.abs(t)) : cubic;
      let taps = [];
      for (let j = first; j < first + footprint; j++) taps.push([left + j, kernel((j - ratio) * sc)]);
      const total = taps.reduce((acc, [, w]) => acc + w, 0);
      taps = taps.map(([i, w]) => [i, w / total]);
      if (at.exclude_outside) {
        taps = taps.filter(([i]) => i >= 0 && i < n);
        const kept = taps.reduce((acc, [, w]) => acc + w, 0);
        taps = taps.map(([i, w]) => [i, w / kept]);
      }
      return taps.map(([i, w]) => [Math.max(0, Math.min(n - 1, i)) * xs[axis], w]);
    }
    if (mode === 'linear') {
      const c = Math.max(0, Math.min(n - 1, coord(axis, o)));
      const i0 = Math.floor(c);
      const i1 = Math.min(i0 + 1, n - 1);
      return [[i0 * xs[axis], 1 - (c - i0)], [i1 * xs[axis], c - i0]];
    }
    const c = coord(axis, o);
    const i0 = Math.floor(c);
    const t = c - i0;
    let taps = [-1, 0, 1, 2].map((k) => [i0 + k, cubic(t - k)]);
    if (at.exclude_outside) {
      taps = taps.filter(([i]) => i >= 0 && i < n);
      const total = taps.reduce((acc, [, w]) => acc + w, 0);
      taps = taps.map(([i, w]) => [i, w / total]);
    }
    return taps.map(([i, w]) => [Math.max(0, Math.min(n - 1, i)) * xs[axis], w]);
  });
  const rowTaps = r >= 2 ? tapsFor(r - 2) : [[[0, 1]]];
  const colTaps = tapsFor(r - 1);
  return { x, dims, xs, extrapolation, rowTaps, colTaps };
}

function run(js, node, inputs, [y]) {
  const p = prepare(node, inputs);
  if (p.maps) return runNearest(inputs[0], y, p);
  const { x, dims, extrapolation, rowTaps, colTaps } = p;
  const r = x.dims.length;
  const xd = x.data;
  const yd = y.data;
  const [OH, OW] = [r >= 2 ? dims[r - 2] : 1, dims[r - 1]];
  const planes = yd.length / (OH * OW);
  const planeIn = (r >= 2 ? x.dims[r - 2] : 1) * x.dims[r - 1];
  for (let p = 0; p < planes; p++) {
    const ib = p * planeIn;
    for (let oh = 0; oh < OH; oh++) {
      const rows = rowTaps[oh];
      for (let ow = 0; ow < OW; ow++) {
        const cols = colTaps[ow];
        if (!rows || !cols) {
          yd[(p * OH + oh) * OW + ow] = extrapolation;
          continue;
        }
        let acc = 0;
        for (const [ro, rw] of rows) {
          let line = 0;
          for (const [co, cw] of cols) line += xd[ib + ro + co] * cw;
          acc += line * rw;
        }
        yd[(p * OH + oh) * OW + ow] = acc;
      }
    }
  }
  }

function readRoi(roiT, axes, r) {
  const roi = [...new Array(r).fill(0), ...new Array(r).fill(1)];
  if (roiT && roiT.size) {
    const v = Array.from(roiT.data, Number);
    const k = v.length / 2;
    axes.slice(0, k).forEach((a, i) => { roi[a] = v[i]; roi[a + r] = v[i + k]; });
  }
  return roi;
}

// prepare()'s taps as resize_f32's tables over [planes, H, W] (indices in rows and columns), or null
// where the kernel does not apply (an outer axis resized, a point outside, tap counts that differ).
function wasmTables(node, inputs) {
  const x = inputs[0];
  const r = x.dims.length;
  if (x.dtype !== 'float32' || r < 2 || size(x.dims) === 0) return null;
  const p = prepare(node, inputs);
  const { dims, xs } = p;
  const [H, W, OH, OW] = [x.dims[r - 2], x.dims[r - 1], dims[r - 2], dims[r - 1]];
  for (let d = 0; d < r - 2; d++) if (dims[d] !== x.dims[d]) return null;
  const planes = size(dims.slice(0, r - 2));
  if (p.maps) {
    for (let d = 0; d < r - 2; d++) if (p.maps[d].some((m, o) => m !== o * xs[d])) return null;
    const [rows, cols] = [p.maps[r - 2], p.maps[r - 1]];
    if (rows.some((m) => m < 0) || cols.some((m) => m < 0)) return null;
    return { H, W, OH, OW, planes, taps: 0, ri: Int32Array.from(rows, (m) => m / W), ci: Int32Array.from(cols) };
  }
  const taps = p.rowTaps[0]?.length;
  const same = (list) => list.every((t) => t && t.length === taps);
  if (!taps || !same(p.rowTaps) || !same(p.colTaps)) return null;
  const table = (list, stride) => [Int32Array.from(list.flat(), ([at]) => at / stride), Float32Array.from(list.flat(), ([, w]) => w)];
  const [ri, rw] = table(p.rowTaps, W);
  const [ci, cw] = table(p.colTaps, 1);
  return { H, W, OH, OW, planes, taps, ri, rw, ci, cw };
}

async function runWasm(wasm, node, inputs, [y]) {
  const { H, W, OH, OW, planes, taps, ...tables } = wasmTables(node, inputs);
  const put = (name) => {
    const a = tables[name];
    if (!a) return null;
    const t = wasm.alloc(a instanceof Int32Array ? 'int32' : 'float32', [a.length]);
    t.data.set(a);
    return t;
  };
  const [ri, rw, ci, cw] = ['ri', 'rw', 'ci', 'cw'].map(put);
  try {
    await wasm.split('resize_f32', { units: planes * OH, elements: planes * OH * OW * Math.max(1, taps * taps) }, ([r0, r1]) => [{
      x: inputs[0].ptr, y: y.ptr, H, W, OH, OW, r0, r1, taps, ri: ri.ptr, rw: rw ? rw.ptr : 0, ci: ci.ptr, cw: cw ? cw.ptr : 0 }]);
  } finally {
    for (const t of [ri, rw, ci, cw]) t?.release();
  }
}

const wasmPart = {
  kernels: ['resize'],
  calls: ['resize_f32', 'resize_f32/taps'],
  hostInputs: [1, 2, 3],
  supports: (node, inputs) => {
    try { return wasmTables(node, inputs) !== null; } catch { return false; }
  },
  run: runWasm,
};

const shape = (node, inputs) => [{ dtype: inputs[0].dtype, dims: target(node, inputs).dims }];

// webgpu: resize.wgsl on [planes, H, W] with prepare()'s taps as index/weight tables (the same
// coordinates as the JS part), when the axes before the last two are not resized.
function gpuTaps(node, inputs) {
  const p = prepare(node, inputs);
  const { x, dims, xs } = p;
  const r = x.dims.length;
  if (!p.maps) return p;
  for (let d = 0; d < r - 2; d++) if (dims[d] !== x.dims[d] || p.maps[d].some((m, o) => m !== o * xs[d])) return null;
  const one = (m) => (m < 0 ? null : [[m, 1]]);
  return { ...p, rowTaps: r >= 2 ? p.maps[r - 2].map(one) : [[[0, 1]]], colTaps: p.maps[r - 1].map(one) };
}

function tapTable(taps, stride) {
  const T = Math.max(1, ...taps.map((t) => (t ? t.length : 0)));
  const idx = new Int32Array(taps.length * T).fill(-1);
  const w = new Float32Array(taps.length * T);
  taps.forEach((t, o) => {
    if (!t) return;
    for (let k = 0; k < T; k++) {
      idx[o * T + k] = k < t.length ? t[k][0] / stride : t[0][0] / stride;
      w[o * T + k] = k < t.length ? t[k][1] : 0;
    }
  });
  return { T, idx, w };
}

async function runGpu(gpu, node, inputs, [y]) {
  const { x, dims, xs, extrapolation, rowTaps, colTaps } = gpuTaps(node, inputs);
  const r = x.dims.length;
  const rows = tapTable(rowTaps, r >= 2 ? xs[r - 2] : 1);
  const cols = tapTable(colTaps, xs[r - 1]);
  const up = (dtype, data) => gpu.upload({ dtype, dims: [data.length], data });
  const tables = [up('int32', rows.idx), up('float32', rows.w), up('int32', cols.idx), up('float32', cols.w)];
  try {
    await elementwise(gpu, 'resize', { TY: rows.T, TX: cols.T }, { H: r >= 2 ? x.dims[r - 2] : 1, W: x.dims[r - 1],
      Ho: r >= 2 ? dims[r - 2] : 1, Wo: dims[r - 1], extrapolation }, [x, ...tables], y);
  } finally {
    for (const t of tables) t.release();
  }
}

const gpuPart = {
  kernels: ['resize'],
  pipelines: (node) => { // the usual tap counts: nearest 1, linear 2, cubic 4 (antialias differs: made on first use)
    const t = { nearest: 1, linear: 2, cubic: 4 }[node.attrs.mode ?? 'nearest'] ?? 1;
    return [{ shader: 'resize', constants: { TY: t, TX: t } }];
  },
  hostInputs: [1, 2, 3],
  supports: (node, inputs, gpu) => fitsF32(gpu, [inputs[0]]) && inputs[0].dims.length >= 1 && size(inputs[0].dims) > 0
    && ['nearest', 'linear', 'cubic'].includes(node.attrs.mode ?? 'nearest') && (() => {
      try { return gpuTaps(node, inputs) !== null; } catch { return false; }
    })(),
  run: runGpu,
};

export const units = ['Resize', 'Upsample'].map((op) => ({ op, shape, shapeReads: [2, 3], wasm: wasmPart, js: { run },
  ...(globalThis.WEBGPU ? { webgpu: gpuPart } : {}) }));
