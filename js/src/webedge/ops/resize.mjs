// Resize (and its older form Upsample): nearest on any axes; linear on up to two axes (the
// others unscaled), with ONNX's coordinate transformation and nearest rounding modes. In JS.
import { stridesOf } from '../tensor.mjs';

const TRANSFORMS = {
  half_pixel: (x, s) => (x + 0.5) / s - 0.5,
  pytorch_half_pixel: (x, s, lenOut) => (lenOut > 1 ? (x + 0.5) / s - 0.5 : 0),
  align_corners: (x, s, lenOut, lenIn) => (lenOut === 1 ? 0 : (x * (lenIn - 1)) / (lenOut - 1)),
  asymmetric: (x, s) => x / s,
  tf_half_pixel_for_nn: (x, s) => (x + 0.5) / s,
};
const ROUND = {
  round_prefer_floor: (v) => (v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v)),
  round_prefer_ceil: (v) => Math.round(v),
  floor: Math.floor,
  ceil: Math.ceil,
};

function resize(ex, node, inputs) {
  const x = inputs[0];
  const at = node.attrs;
  const r = x.dims.length;
  const legacy = node.op === 'Upsample' || (ex.plan.opset < 11 && inputs.length === 2);
  const scalesT = legacy ? inputs[1] : inputs[2];
  const sizesT = legacy ? null : inputs[3];
  let scales;
  let dims;
  if (sizesT && sizesT.size) {
    dims = sizesT.numbers();
    scales = dims.map((d, i) => d / x.dims[i]);
  } else {
    scales = Array.from(scalesT ? scalesT.data : at.scales, Number);
    dims = x.dims.map((d, i) => Math.floor(d * scales[i]));
  }
  const mode = at.mode ?? 'nearest';
  const ctm = legacy ? 'asymmetric' : at.coordinate_transformation_mode ?? 'half_pixel';
  const transform = TRANSFORMS[ctm];
  if (!transform) throw new Error(`coordinate_transformation_mode '${ctm}' is not supported`);
  const y = ex.alloc(x.dtype, dims);
  const xs = stridesOf(x.dims);
  const xd = x.data;
  const yd = y.data;
  const coord = (axis, o) => transform(o, scales[axis], dims[axis], x.dims[axis]);
  if (mode === 'nearest') {
    const round = ROUND[legacy ? 'floor' : at.nearest_mode ?? 'round_prefer_floor'];
    const maps = dims.map((n, axis) => Array.from({ length: n }, (_, o) => {
      const i = round(coord(axis, o));
      return Math.max(0, Math.min(x.dims[axis] - 1, i)) * xs[axis];
    }));
    const idx = new Array(r).fill(0);
    for (let o = 0; o < yd.length; o++) {
      let off = 0;
      for (let d = 0; d < r; d++) off += maps[d][idx[d]];
      yd[o] = xd[off];
      for (let d = r - 1; d >= 0; d--) {
        if (++idx[d] < dims[d]) break;
        idx[d] = 0;
      }
    }
    return [y];
  }
  if (mode !== 'linear') throw new Error(`Resize mode '${mode}' is not supported`);
  const scaled = dims.map((d, i) => d !== x.dims[i] || scales[i] !== 1).map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
  if (scaled.length > 2 || scaled.some((a) => a < r - 2)) throw new Error('linear Resize is supported on the last two axes only');
  // Per output position on the last two axes: two source offsets and the weight of the second.
  const taps = [r - 2, r - 1].map((axis) => {
    if (axis < 0) return null;
    return Array.from({ length: dims[axis] }, (_, o) => {
      const n = x.dims[axis];
      const c = Math.max(0, Math.min(n - 1, coord(axis, o)));
      const i0 = Math.floor(c);
      const i1 = Math.min(i0 + 1, n - 1);
      return [i0 * xs[axis], i1 * xs[axis], c - i0];
    });
  });
  const [OH, OW] = [dims[r - 2] ?? 1, dims[r - 1]];
  const planes = yd.length / (OH * OW);
  const planeIn = (x.dims[r - 2] ?? 1) * x.dims[r - 1];
  const rowsT = taps[0] ?? [[0, 0, 0]];
  for (let p = 0; p < planes; p++) {
    const ib = p * planeIn;
    for (let oh = 0; oh < OH; oh++) {
      const [a0, a1, wa] = rowsT[oh];
      for (let ow = 0; ow < OW; ow++) {
        const [b0, b1, wb] = taps[1][ow];
        const top = xd[ib + a0 + b0] * (1 - wb) + xd[ib + a0 + b1] * wb;
        const bottom = xd[ib + a1 + b0] * (1 - wb) + xd[ib + a1 + b1] * wb;
        yd[(p * OH + oh) * OW + ow] = top * (1 - wa) + bottom * wa;
      }
    }
  }
  return [y];
}

export const ops = { Resize: resize, Upsample: resize };
