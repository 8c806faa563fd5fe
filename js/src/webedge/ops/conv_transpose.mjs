// ConvTranspose: x [N, C, ...spatial], w [C, M/group, ...kernel], b [M] -> y [N, M, ...out]
// (output_shape, output_padding, pads / auto_pad: transposeGeometry below, with lib/geometry.mjs's SAME rule).
//   wasm: 1-D and 2-D float32; per image and group, cols = W_g^T @ X_g with gemm_f32
//         ([M/g*KH*KW, C/g] @ [C/g, H*W], W_g^T copied out so that its rows split over threads),
//         then col2im_f32 (wasm/kernels/col2im.c) adds bias and scatter-adds the columns into y;
//         both split over threads (GEMM rows, output channels).
//   js:   any number of spatial dims: every input point scatters its kernel-weighted value.
import { as2d, filled, isSame, kernelTaps, remembered, samePadBefore } from '../lib/geometry.mjs';
import { size, stridesOf } from '../tensor.mjs';
import { elementwise, fitsF32, none } from '../lib/gpu.mjs';

/** ConvTranspose over `spatial` with `kernel`: output sizes and the leading pad cropped from the
 * full result (output_shape or SAME_* fix the output size; otherwise pads crop it). Shared, like
 * windowGeometry's. */
const transposeGeometry = (at, spatial, kernel) => remembered('t', at, spatial, kernel, computeTranspose);

function computeTranspose(at, spatial, kernel) {
  const n = spatial.length;
  const strides = at.strides ?? filled(n, 1);
  const dil = at.dilations ?? filled(n, 1);
  const outPad = at.output_padding ?? filled(n, 0);
  const autoPad = at.auto_pad ?? 'NOTSET';
  const full = spatial.map((s, d) => strides[d] * (s - 1) + outPad[d] + (kernel[d] - 1) * dil[d] + 1);
  const given = at.output_shape ? at.output_shape.slice(-n) : null;
  if (given || isSame(autoPad)) {
    const out = given ?? spatial.map((s, d) => s * strides[d]);
    // a given output_shape crops like SAME_LOWER (onnxruntime)
    const begin = out.map((o, d) => samePadBefore(Math.max(0, full[d] - o), autoPad));
    return { out, begin, strides, dil };
  }
  const pads = autoPad === 'VALID' || !at.pads ? filled(2 * n, 0) : at.pads;
  return { out: full.map((f, d) => f - pads[d] - pads[d + n]), begin: pads.slice(0, n), strides, dil };
}

function shape(node, [x, w]) {
  const group = node.attrs.group ?? 1;
  const g = transposeGeometry(node.attrs, x.dims.slice(2), w.dims.slice(2));
  return [{ dtype: x.dtype, dims: [x.dims[0], w.dims[1] * group, ...g.out] }];
}

function fillBias(y, b, N, M, plane) {
  const yd = y.data;
  if (!b) return yd.fill(0);
  const bd = b.data;
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) yd.fill(bd[m], (n * M + m) * plane, (n * M + m + 1) * plane);
  return yd;
}

async function runWasm(wasm, node, [x, w, b], [y]) {
  const spatial = x.dims.slice(2);
  const kernel = w.dims.slice(2);
  const g = as2d(transposeGeometry(node.attrs, spatial, kernel), spatial, kernel);
  const group = node.attrs.group ?? 1;
  const [N, C] = x.dims;
  const Mg = w.dims[1];
  const M = Mg * group;
  const Cg = C / group;
  const rows = Mg * g.KH * g.KW;
  const HW = g.H * g.W;
  const plane = g.OH * g.OW;
  const cols = wasm.alloc('float32', [rows, HW]);
  const wt = wasm.alloc('float32', [rows, Cg]); // W_g^T, row-major: the GEMM's rows split over threads
  const geo = { H: g.H, W: g.W, KH: g.KH, KW: g.KW, OH: g.OH, OW: g.OW, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw,
    pad_top: g.pt, pad_left: g.pl };
  try {
    for (let gi = 0; gi < group; gi++) {
      transposeInto(wt.data, w.data, gi * Cg * rows, Cg, rows);
      for (let n = 0; n < N; n++) {
        // cols[rows, HW] = W_g^T [rows, Cg] @ X_g [Cg, HW]
        const bp = x.ptr + (n * C + gi * Cg) * HW * 4;
        await wasm.split('gemm_f32', { units: rows, align: 4, flops: 2 * rows * HW * Cg }, ([m0, m1]) => [{
          a: wt.ptr + m0 * Cg * 4, b: bp, c: 0, y: cols.ptr + m0 * HW * 4, M: m1 - m0, N: HW, K: Cg, transA: 0, transB: 0,
          alpha: 1, beta: 0, c_kind: 0, act: 0, a0: 0, a1: 0 }]);
        // y[n, group gi's channels] = bias + the columns scatter-added, split by output channels
        const yp = y.ptr + (n * M + gi * Mg) * plane * 4;
        await wasm.split('col2im_f32', { units: Mg, elements: Mg * (plane + g.KH * g.KW * HW) }, ([m0, m1]) => [{
          cols: cols.ptr + m0 * g.KH * g.KW * HW * 4, bias: b ? b.ptr + (gi * Mg + m0) * 4 : 0, y: yp + m0 * plane * 4,
          M: m1 - m0, ...geo }]);
      }
    }
  } finally {
    cols.release();
    wt.release();
  }
}

// dst[r * K + k] = src[at + k * R + r]: a [K, R] block transposed
function transposeInto(dst, src, at, K, R) {
  for (let k = 0; k < K; k++) for (let r = 0; r < R; r++) dst[r * K + k] = src[at + k * R + r];
}

function runJs(js, node, [x, w, b], [y]) {
  const at = node.attrs;
  const [N, C, ...sp] = x.dims;
  const [, Mg, ...kernel] = w.dims;
  const group = at.group ?? 1;
  const M = Mg * group;
  const Cg = C / group;
  const { out, begin, strides, dil } = transposeGeometry(at, sp, kernel);
  const outStr = stridesOf(out);
  const inPlane = size(sp);
  const outPlane = size(out);
  const K = size(kernel);
  const taps = kernelTaps(kernel, dil, outStr);
  const R = sp.length;
  const yd = fillBias(y, b, N, M, outPlane);
  const xd = x.data, wd = w.data;
  const i = new Array(R).fill(0);
  for (let p = 0; p < inPlane; p++) {
    const start = i.map((v, d) => v * strides[d] - begin[d]);
    const startOff = start.reduce((a, v, d) => a + v * outStr[d], 0);
    const inside = [];
    taps.forEach((t, ti) => {
      if (t.pos.every((q, d) => start[d] + q >= 0 && start[d] + q < out[d])) inside.push(ti);
    });
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const v = xd[(n * C + c) * inPlane + p];
        const g = Math.floor(c / Cg);
        for (let m = 0; m < Mg; m++) {
          const yBase = (n * M + g * Mg + m) * outPlane + startOff;
          const wBase = (c * Mg + m) * K;
          for (const ti of inside) yd[yBase + taps[ti].off] += v * wd[wBase + ti];
        }
      }
    }
    for (let d = R - 1; d >= 0; d--) {
      if (++i[d] < sp[d]) break;
      i[d] = 0;
    }
  }
}

// webgpu: conv_transpose2d.wgsl, a gather over the taps that reach each output point (1-D, 2-D)
function runGpu(gpu, node, [x, w, b], [y]) {
  const spatial = x.dims.slice(2);
  const kernel = w.dims.slice(2);
  const g = as2d(transposeGeometry(node.attrs, spatial, kernel), spatial, kernel);
  return elementwise(gpu, 'conv_transpose2d', { HAS_BIAS: !!b }, {
    Ci: x.dims[1], H: g.H, W: g.W, Co: y.dims[1], Ho: g.OH, Wo: g.OW, groups: node.attrs.group ?? 1,
    kh: g.KH, kw: g.KW, sh: g.sh, sw: g.sw, ph: g.pt, pw: g.pl, dh: g.dh, dw: g.dw }, [x, w, b ?? none(gpu)], y);
}

export const units = [{
  op: 'ConvTranspose',
  shape,
  wasm: { kernels: ['linalg'], calls: ['gemm_f32', 'col2im_f32'], supports: (node, [x]) => x.dtype === 'float32' && x.dims.length <= 4, run: runWasm },
  js: { run: runJs },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['conv_transpose2d'], run: runGpu,
    supports: (node, [x, w, b], gpu) => x.dims.length >= 3 && x.dims.length <= 4 && fitsF32(gpu, [x, w, b]) } } : {}),
}];
