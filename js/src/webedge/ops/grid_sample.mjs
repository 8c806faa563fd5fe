// GridSample (opsets 16-22): samples X [N, C, ...spatial] at the normalised points of
// grid [N, ...out, R] (R = spatial rank, coordinates in reverse order: x first), for any rank.
// Modes nearest / (bi)linear / (bi)cubic, padding zeros / border / reflection, align_corners;
// the arithmetic follows onnx's reference (onnx/reference/ops/op_grid_sample.py). The mode is
// always given: webedge/plan/compile.py writes the opset's default.
import { size, stridesOf } from '../tensor.mjs';

const MODES = { bilinear: 'linear', linear: 'linear', nearest: 'nearest', bicubic: 'cubic', cubic: 'cubic' };

// Normalised [-1, 1] -> pixel coordinate along a dim of length n.
const denormalize = (v, n, align) => (align ? ((v + 1) / 2) * (n - 1) : ((v + 1) * n - 1) / 2);

// Reflect x by the nearer border until it lies in [lo, hi].
function reflect(x, lo, hi) {
  const range = hi - lo;
  if (x < lo) {
    const dx = lo - x;
    const k = Math.trunc(dx / range);
    const r = dx - k * range;
    return k % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const k = Math.trunc(dx / range);
    const r = dx - k * range;
    return k % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

// Round half to even (numpy's rint, what PyTorch and onnx use for mode nearest).
function roundEven(v) {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function cubicCoeffs(t) {
  const A = -0.75;
  const c0 = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
  const c1 = ((A + 2) * t - (A + 3)) * t * t + 1;
  const c2 = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
  const c3 = ((A * (2 - t) - 5 * A) * (2 - t) + 8 * A) * (2 - t) - 4 * A;
  return [c0, c1, c2, c3];
}

// Taps (integer positions) and weights along one dim for a pixel coordinate x.
function taps(mode, x) {
  if (mode === 'nearest') return [[x], [1]];
  const x0 = Math.floor(x);
  const t = x - x0;
  if (mode === 'linear') return [[x0, x0 + 1], [1 - t, t]];
  return [[x0 - 1, x0, x0 + 1, x0 + 2], cubicCoeffs(t)];
}

// Index of tap i along a dim of length n after padding, or -1 for a zero (padding zeros).
function padIndex(i, n, padding, lo, hi) {
  if (padding === 'zeros') return i >= 0 && i < n ? i : -1;
  if (padding === 'border') return Math.min(Math.max(i, 0), n - 1);
  return Math.trunc(reflect(i, lo, hi));
}

function run(js, node, [x, grid], [y]) {
  const at = node.attrs;
  const mode = MODES[at.mode];
  if (!mode) throw new Error(`mode ${at.mode} is not supported`);
  const padding = at.padding_mode ?? 'zeros';
  const align = !!at.align_corners;
  const [N, C, ...sp] = x.dims;
  const R = sp.length;
  const outSp = grid.dims.slice(1, -1);
  const xd = x.data;
  const gd = grid.data;
  const yd = y.data;
  const inStr = stridesOf(sp);
  const plane = size(sp);
  const points = size(outSp);
  const lo = sp.map(() => (align ? 0 : -0.5));
  const hi = sp.map((n) => (align ? n - 1 : n - 0.5));
  const tapIdx = new Array(R);
  const tapW = new Array(R);
  const pick = new Array(R).fill(0);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < points; p++) {
      // the grid lists coordinates innermost dim first
      for (let d = 0; d < R; d++) {
        let v = denormalize(gd[(n * points + p) * R + (R - 1 - d)], sp[d], align);
        if (mode === 'nearest') v = roundEven(v);
        if (v < lo[d] || v > hi[d]) {
          if (padding === 'border') v = Math.min(Math.max(v, 0), sp[d] - 1);
          else if (padding === 'reflection') v = reflect(v, lo[d], hi[d]);
        }
        const [idx, w] = taps(mode, mode === 'nearest' ? Math.trunc(v) : v);
        tapIdx[d] = idx.map((i) => padIndex(i, sp[d], padding, lo[d], hi[d]));
        tapW[d] = w;
      }
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * plane;
        let sum = 0;
        pick.fill(0);
        for (;;) {
          let w = 1;
          let off = 0;
          for (let d = 0; d < R; d++) {
            const i = tapIdx[d][pick[d]];
            if (i < 0) w = 0;
            else off += i * inStr[d];
            w *= tapW[d][pick[d]];
          }
          if (w !== 0) sum += w * xd[base + off];
          let d = R - 1;
          while (d >= 0 && ++pick[d] >= tapIdx[d].length) pick[d--] = 0;
          if (d < 0) break;
        }
        yd[(n * C + c) * points + p] = sum;
      }
    }
  }
}

export const units = [{
  op: 'GridSample',
  shape: (node, [x, grid]) => [{ dtype: x.dtype, dims: [x.dims[0], x.dims[1], ...grid.dims.slice(1, -1)] }],
  js: { run },
}];
