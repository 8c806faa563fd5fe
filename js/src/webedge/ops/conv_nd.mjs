// Conv and ConvTranspose for any number of spatial dims, in plain JS: the reference path for what
// the wasm kernels (1-D and 2-D only) do not cover, e.g. 3-D (volumetric) convolutions. Direct
// loops over output points and kernel taps; groups, dilations, pads and auto_pad as in ONNX, and
// Conv's fused activation (`_act`, see webedge/plan/fuse.py) applied like the kernels' epilogue.
// Also the N-D inverses of patch extraction and pooling: Col2Im and MaxUnpool.
import { size, stridesOf } from '../tensor.mjs';
import { poolGeometry } from './values.mjs';

const ACTS = {
  none: () => (v) => v,
  Relu: () => (v) => (v < 0 ? 0 : v),
  Clip: (lo, hi) => (v) => Math.min(Math.max(v, lo), hi),
  HardSigmoid: (a, b) => (v) => Math.min(Math.max(a * v + b, 0), 1),
  HardSwish: () => (v) => v * Math.min(Math.max(v / 6 + 0.5, 0), 1),
  LeakyRelu: (a) => (v) => (v < 0 ? a * v : v),
  Sigmoid: () => (v) => 1 / (1 + Math.exp(-v)),
  Tanh: () => Math.tanh,
};

// Flat offsets of every kernel tap in the input (dilated) and in the weight, with their coordinates.
function kernelTaps(kernel, dil, inStr) {
  const taps = [];
  const k = new Array(kernel.length).fill(0);
  for (let t = 0; t < size(kernel); t++) {
    taps.push(k.slice());
    for (let d = kernel.length - 1; d >= 0; d--) {
      if (++k[d] < kernel[d]) break;
      k[d] = 0;
    }
  }
  return taps.map((c) => ({ pos: c.map((v, d) => v * dil[d]), off: c.reduce((a, v, d) => a + v * dil[d] * inStr[d], 0) }));
}

// x [N, C, ...sp], w [M, C/group, ...k], b [M] -> [N, M, ...out].
export function convNd(ex, node, [x, w, b]) {
  const at = node.attrs;
  const [N, C, ...sp] = x.dims;
  const [M, Cg, ...kernel] = w.dims;
  const group = at.group ?? 1;
  const Mg = M / group;
  const { out, begin, strides, dil } = poolGeometry(at, sp, kernel);
  const act = ACTS[at._act ?? 'none'](...(at._act_params ?? []));
  const y = ex.alloc('float32', [N, M, ...out]);
  const xd = x.data, wd = w.data, yd = y.data, bd = b ? b.data : null;
  const inStr = stridesOf(sp);
  const inPlane = size(sp);
  const outPlane = size(out);
  const K = size(kernel);
  const taps = kernelTaps(kernel, dil, inStr);
  const R = sp.length;
  const o = new Array(R).fill(0);
  for (let q = 0; q < outPlane; q++) {
    const start = o.map((v, d) => v * strides[d] - begin[d]);
    const startOff = start.reduce((a, v, d) => a + v * inStr[d], 0);
    // taps that land inside the input for this output point
    const inside = [];
    taps.forEach((t, ti) => {
      if (t.pos.every((p, d) => start[d] + p >= 0 && start[d] + p < sp[d])) inside.push(ti);
    });
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / Mg);
        let sum = bd ? bd[m] : 0;
        for (let c = 0; c < Cg; c++) {
          const xBase = (n * C + g * Cg + c) * inPlane + startOff;
          const wBase = (m * Cg + c) * K;
          for (const ti of inside) sum += xd[xBase + taps[ti].off] * wd[wBase + ti];
        }
        yd[(n * M + m) * outPlane + q] = act(sum);
      }
    }
    for (let d = R - 1; d >= 0; d--) {
      if (++o[d] < out[d]) break;
      o[d] = 0;
    }
  }
  return [y];
}

// Output size and leading pad of each spatial dim of a ConvTranspose (the rules of conv_transpose.mjs).
function transposeGeometry(at, sp, kernel) {
  const R = sp.length;
  const strides = at.strides ?? new Array(R).fill(1);
  const dil = at.dilations ?? new Array(R).fill(1);
  const outPad = at.output_padding ?? new Array(R).fill(0);
  const autoPad = at.auto_pad ?? 'NOTSET';
  const full = sp.map((n, d) => strides[d] * (n - 1) + outPad[d] + (kernel[d] - 1) * dil[d] + 1);
  const given = at.output_shape ? at.output_shape.slice(-R) : null;
  if (given || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const out = given ?? sp.map((n, d) => n * strides[d]);
    const begin = out.map((o, d) => {
      const total = Math.max(0, full[d] - o);
      return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2); // as onnxruntime
    });
    return { out, begin, strides, dil };
  }
  const pads = autoPad === 'VALID' || !at.pads ? new Array(2 * R).fill(0) : at.pads;
  return { out: full.map((f, d) => f - pads[d] - pads[d + R]), begin: pads.slice(0, R), strides, dil };
}

// x [N, C, ...sp], w [C, M/group, ...k], b [M] -> [N, M, ...out]: every input point scatters
// its kernel-weighted value into the output.
export function convTransposeNd(ex, node, [x, w, b]) {
  const at = node.attrs;
  const [N, C, ...sp] = x.dims;
  const [, Mg, ...kernel] = w.dims;
  const group = at.group ?? 1;
  const M = Mg * group;
  const Cg = C / group;
  const { out, begin, strides, dil } = transposeGeometry(at, sp, kernel);
  const y = ex.alloc('float32', [N, M, ...out]);
  const xd = x.data, wd = w.data, yd = y.data;
  const outStr = stridesOf(out);
  const inPlane = size(sp);
  const outPlane = size(out);
  const K = size(kernel);
  const taps = kernelTaps(kernel, dil, outStr);
  const R = sp.length;
  const bd = b ? b.data : null;
  for (let nm = 0; nm < N * M; nm++) yd.fill(bd ? bd[nm % M] : 0, nm * outPlane, (nm + 1) * outPlane);
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
  return [y];
}

// Col2Im: x [N, C*prod(block), L] (L sliding blocks) -> [N, C, ...image]; overlapping taps add up.
function col2im(ex, node, [x, imageShape, blockShape]) {
  const at = node.attrs;
  const image = imageShape.numbers();
  const block = blockShape.numbers();
  const R = image.length;
  const dil = at.dilations ?? new Array(R).fill(1);
  const pads = at.pads ?? new Array(2 * R).fill(0);
  const strides = at.strides ?? new Array(R).fill(1);
  const blocks = image.map((n, d) => Math.floor((n + pads[d] + pads[d + R] - (dil[d] * (block[d] - 1) + 1)) / strides[d]) + 1);
  const [N, CK, L] = x.dims;
  const K = size(block);
  const C = CK / K;
  if (L !== size(blocks)) throw new Error(`input has ${L} blocks, image_shape and block_shape give ${size(blocks)}`);
  const y = ex.alloc(x.dtype, [N, C, ...image]);
  const xd = x.data, yd = y.data;
  yd.fill(0);
  const imStr = stridesOf(image);
  const plane = size(image);
  const taps = kernelTaps(block, dil, imStr);
  const b = new Array(R).fill(0);
  for (let l = 0; l < L; l++) {
    const start = b.map((v, d) => v * strides[d] - pads[d]);
    taps.forEach((t, k) => {
      const pos = t.pos.map((p, d) => start[d] + p);
      if (pos.some((p, d) => p < 0 || p >= image[d])) return;
      const off = pos.reduce((a, p, d) => a + p * imStr[d], 0);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) yd[(n * C + c) * plane + off] += xd[((n * C + c) * K + k) * L + l];
      }
    });
    for (let d = R - 1; d >= 0; d--) {
      if (++b[d] < blocks[d]) break;
      b[d] = 0;
    }
  }
  return [y];
}

// MaxUnpool: x [N, C, ...sp] with the flat indices MaxPool returned -> zeros except at those
// indices (of the inferred unpooled shape); with output_shape, that shape is padded at the end.
function maxUnpool(ex, node, [x, idx, outputShape]) {
  const at = node.attrs;
  const sp = x.dims.slice(2);
  const R = sp.length;
  const k = at.kernel_shape;
  const strides = at.strides ?? new Array(R).fill(1);
  const pads = at.pads ?? new Array(2 * R).fill(0);
  const inferred = [x.dims[0], x.dims[1], ...sp.map((n, d) => (n - 1) * strides[d] - (pads[d] + pads[d + R]) + k[d])];
  const shape = outputShape ? outputShape.numbers() : inferred;
  const y = ex.alloc(x.dtype, shape);
  const xd = x.data, yd = y.data, ids = idx.numbers();
  yd.fill(x.dtype === 'int64' || x.dtype === 'uint64' ? 0n : 0);
  const from = stridesOf(inferred);
  const to = stridesOf(shape);
  for (let i = 0; i < ids.length; i++) {
    // flat index in the inferred shape -> the same coordinates in the output shape
    let rem = ids[i];
    let off = 0;
    for (let d = 0; d < from.length; d++) {
      const c = Math.floor(rem / from[d]);
      rem -= c * from[d];
      if (c >= shape[d]) throw new Error(`index ${ids[i]} lies outside the output shape [${shape}]`);
      off += c * to[d];
    }
    yd[off] = xd[i];
  }
  return [y];
}

export const ops = { Col2Im: col2im, MaxUnpool: maxUnpool };
