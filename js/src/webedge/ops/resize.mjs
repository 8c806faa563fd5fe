// Resize (and its older form Upsample): nearest on any axes; linear and cubic on up to two
// axes (the others unscaled), antialias, exclude_outside, tf_crop_and_resize with extrapolation,
// keep_aspect_ratio_policy; ONNX's coordinate transformation and nearest rounding modes. In JS.
// webedge/plan/compile.py states the older forms (Upsample; Resize-10 with inputs [X, scales])
// as Resize with inputs [X, roi, scales, sizes], coordinate_transformation_mode asymmetric and
// nearest_mode floor, so this file knows one form.
import { stridesOf } from '../tensor.mjs';

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

function run(js, node, inputs, [y]) {
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
  const xd = x.data;
  const yd = y.data;
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
    return;
  }
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

const shape = (node, inputs) => [{ dtype: inputs[0].dtype, dims: target(node, inputs).dims }];

export const units = ['Resize', 'Upsample'].map((op) => ({ op, shape, shapeReads: [2, 3], js: { run } }));
