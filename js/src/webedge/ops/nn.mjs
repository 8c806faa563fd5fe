// Ops backed by the wasm kernels of the same names: Conv (conv.c), Gemm/MatMul (gemm.c),
// pooling (pool.c), Softmax/LogSoftmax (softmax.c), normalisations (norm.c).
// With a worker pool (threads.mjs), Conv, Gemm and MatMul split their output into shares, each a
// call of the same kernel on offset pointers over a sub-range: output channels, groups, rows of
// A, columns of a transposed B, or batch entries.
import { size } from '../tensor.mjs';
import { broadcastDims } from '../broadcast.mjs';
import { convNd } from './conv_nd.mjs';
import { splitWork } from '../threads.mjs';

const ACT = { none: 0, Relu: 1, Clip: 2, HardSigmoid: 3, HardSwish: 4, LeakyRelu: 5, Sigmoid: 6, Tanh: 7 };

// Spatial geometry shared by Conv and pooling: 1-D and 2-D (a 1-D op is a 2-D op with H = 1).
function geometry(node, xDims, kernel) {
  const at = node.attrs;
  const spatial = xDims.slice(2);
  if (spatial.length > 2) throw new Error(`${spatial.length}-D ${node.op} is not supported yet`);
  const two = (v, fill) => (v ? (spatial.length === 1 ? [fill, v[0]] : v) : [fill, fill]);
  const [H, W] = spatial.length === 1 ? [1, spatial[0]] : spatial;
  const [KH, KW] = spatial.length === 1 ? [1, kernel[0]] : kernel;
  const [sh, sw] = two(at.strides, 1);
  const [dh, dw] = two(at.dilations, 1);
  let pads = at.pads ? (spatial.length === 1 ? [0, at.pads[0], 0, at.pads[1]] : at.pads) : [0, 0, 0, 0];
  const autoPad = at.auto_pad ?? 'NOTSET';
  const ceil = at.ceil_mode ? Math.ceil : Math.floor;
  const out = (n, k, s, d, p0, p1) => ceil((n + p0 + p1 - ((k - 1) * d + 1)) / s) + 1;
  let OH;
  let OW;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    OH = Math.ceil(H / sh);
    OW = Math.ceil(W / sw);
    const th = Math.max(0, (OH - 1) * sh + (KH - 1) * dh + 1 - H);
    const tw = Math.max(0, (OW - 1) * sw + (KW - 1) * dw + 1 - W);
    const lowH = autoPad === 'SAME_UPPER' ? Math.floor(th / 2) : Math.ceil(th / 2);
    const lowW = autoPad === 'SAME_UPPER' ? Math.floor(tw / 2) : Math.ceil(tw / 2);
    pads = [lowH, lowW, th - lowH, tw - lowW];
  } else {
    if (autoPad === 'VALID') pads = [0, 0, 0, 0];
    OH = out(H, KH, sh, dh, pads[0], pads[2]);
    OW = out(W, KW, sw, dw, pads[1], pads[3]);
    if (at.ceil_mode) {
      // ONNX: the last window must start inside the input or its left padding.
      if ((OH - 1) * sh >= H + pads[0]) OH--;
      if ((OW - 1) * sw >= W + pads[1]) OW--;
    }
  }
  const outSpatial = spatial.length === 1 ? [OW] : [OH, OW];
  return { H, W, KH, KW, sh, sw, dh, dw, pt: pads[0], pl: pads[1], OH, OW, outSpatial };
}

function conv(ex, node, [x, w, b]) {
  if (x.dims.length > 4) return convNd(ex, node, [x, w, b]); // 3-D and up: plain JS
  const g = geometry(node, x.dims, w.dims.slice(2));
  const [N, C] = x.dims;
  const M = w.dims[0];
  const y = ex.alloc('float32', [N, M, ...g.outSpatial]);
  const act = node.attrs._act ?? 'none';
  const [a0, a1] = node.attrs._act_params ?? [0, 0];
  const group = node.attrs.group ?? 1;
  const geo = [g.KH, g.KW, g.OH, g.OW, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl];
  const tail = [ACT[act], a0, a1];
  // Threads: units are images, or for one image output channels (group 1, in 4s: the GEMM's row
  // block; each share packs its own im2col blocks) or groups (a depthwise channel is a group).
  const [Cg, Mg, P, HW] = [C / group, M / group, g.OH * g.OW, g.H * g.W];
  const Kg = Cg * g.KH * g.KW;
  const [units, align] = N > 1 ? [N, 1] : group === 1 ? [M, 4] : [group, 1];
  const ranges = splitWork(ex, units, align, 2 * N * M * P * Kg);
  if (ranges) {
    const bias = (m0) => (b ? b.ptr + m0 * 4 : 0);
    const calls = ([u0, u1]) => {
      if (N > 1) return [[x.ptr + u0 * C * HW * 4, w.ptr, bias(0), y.ptr + u0 * M * P * 4, u1 - u0, C, g.H, g.W, M, ...geo, group, ...tail]];
      const [m0, m, c0, c, gs] = group === 1 ? [u0, u1 - u0, 0, C, 1] : [u0 * Mg, (u1 - u0) * Mg, u0 * Cg, (u1 - u0) * Cg, u1 - u0];
      return [[x.ptr + c0 * HW * 4, w.ptr + m0 * Kg * 4, bias(m0), y.ptr + m0 * P * 4, 1, c, g.H, g.W, m, ...geo, gs, ...tail]];
    };
    return ex.pool.run('conv2d_f32', ranges.map(calls), [y]);
  }
  ex.k.conv2d_f32(x.ptr, w.ptr, b ? b.ptr : 0, y.ptr, N, C, g.H, g.W, M, ...geo, group, ...tail);
  return [y];
}

function gemm(ex, node, [a, b, c]) {
  const at = node.attrs;
  const tA = at.transA ?? 0;
  const tB = at.transB ?? 0;
  const [M, K] = tA ? [a.dims[1], a.dims[0]] : a.dims;
  const N = tB ? b.dims[0] : b.dims[1];
  const y = ex.alloc('float32', [M, N]);
  let cKind = 0;
  if (c) {
    const cd = c.dims.length === 2 ? c.dims : c.dims.length === 1 ? [1, c.dims[0]] : [1, 1];
    cKind = size(cd) === 1 ? 1 : cd[0] === 1 ? 2 : cd[1] === 1 ? 3 : 4;
  }
  const act = at._act ?? 'none';
  const [a0, a1] = at._act_params ?? [0, 0];
  const tail = [tA, tB, at.alpha ?? 1, at.beta ?? 1, cKind, ACT[act], a0, a1];
  // Threads: rows of A (not transposed), or columns of a transposed B when there is one row.
  const byRows = !tA && M > 1;
  const ranges = byRows || (M === 1 && tB) ? splitWork(ex, byRows ? M : N, 4, 2 * M * N * K) : null;
  if (ranges) {
    const cOffset = (m0, n0) => (!c ? 0 : c.ptr + 4 * (cKind === 3 ? m0 : cKind === 4 ? m0 * N + n0 : cKind === 2 ? n0 : 0));
    const calls = ([u0, u1]) => [byRows
      ? [a.ptr + u0 * K * 4, b.ptr, cOffset(u0, 0), y.ptr + u0 * N * 4, u1 - u0, N, K, ...tail]
      : [a.ptr, b.ptr + u0 * K * 4, cOffset(0, u0), y.ptr + u0 * 4, 1, u1 - u0, K, ...tail]];
    return ex.pool.run('gemm_f32', ranges.map(calls), [y]);
  }
  ex.k.gemm_f32(a.ptr, b.ptr, c ? c.ptr : 0, y.ptr, M, N, K, ...tail);
  return [y];
}

// MatMul: numpy semantics (1-D promotion, broadcast batch dims), one gemm per batch entry.
function matmul(ex, node, [a, b]) {
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = ad.slice(-2);
  const N = bd[bd.length - 1];
  if (bd[bd.length - 2] !== K) throw new Error(`MatMul of [${a.dims}] and [${b.dims}]: inner dims differ`);
  const batch = broadcastDims(ad.slice(0, -2), bd.slice(0, -2));
  let outDims = [...batch, M, N];
  if (a.dims.length === 1) outDims.splice(-2, 1);
  if (b.dims.length === 1) outDims = outDims.slice(0, -1);
  const y = ex.alloc('float32', outDims);
  const count = size(batch);
  const idxOf = (dims, i) => {
    // flat batch index of a (possibly broadcast) operand for output batch entry i
    let off = 0;
    let mul = 1;
    let rem = i;
    for (let d = batch.length - 1; d >= 0; d--) {
      const coord = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
      const j = d - (batch.length - dims.length);
      if (j >= 0) {
        off += (dims[j] === 1 ? 0 : coord) * mul;
        mul *= dims[j];
      }
    }
    return off;
  };
  // batch entries [i0, i1), rows [m0, m1) of each
  const calls = (i0, i1, m0, m1) => {
    const out = [];
    for (let i = i0; i < i1; i++) {
      const ao = a.ptr + (idxOf(ad.slice(0, -2), i) * M + m0) * K * 4;
      const bo = b.ptr + idxOf(bd.slice(0, -2), i) * K * N * 4;
      out.push([ao, bo, 0, y.ptr + (i * M + m0) * N * 4, m1 - m0, N, K, 0, 0, 1, 0, 0, 0, 0, 0]);
    }
    return out;
  };
  // Threads: split the batch entries, or the rows of a single product.
  const ranges = splitWork(ex, count > 1 ? count : M, count > 1 ? 1 : 4, 2 * count * M * N * K);
  if (ranges) {
    const shares = ranges.map(([u0, u1]) => (count > 1 ? calls(u0, u1, 0, M) : calls(0, 1, u0, u1)));
    return ex.pool.run('gemm_f32', shares, [y]);
  }
  for (const args of calls(0, count, 0, M)) ex.k.gemm_f32(...args);
  return [y];
}

// Pooling in JS for what the kernels do not cover: 3-D, integer dtypes, MaxPool's Indices output.
function poolJs(ex, node, x, kind) {
  const at = node.attrs;
  const sp = x.dims.length - 2;
  const k = at.kernel_shape;
  const strides = at.strides ?? k.map(() => 1);
  const dil = at.dilations ?? k.map(() => 1);
  let pads = at.pads ?? new Array(2 * sp).fill(0);
  const inSp = x.dims.slice(2);
  const autoPad = at.auto_pad ?? 'NOTSET';
  let outSp;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    outSp = inSp.map((n, i) => Math.ceil(n / strides[i]));
    const total = outSp.map((o, i) => Math.max(0, (o - 1) * strides[i] + (k[i] - 1) * dil[i] + 1 - inSp[i]));
    const low = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
    pads = [...low, ...total.map((t, i) => t - low[i])];
  } else {
    if (autoPad === 'VALID') pads = new Array(2 * sp).fill(0);
    const round = at.ceil_mode ? Math.ceil : Math.floor;
    outSp = inSp.map((n, i) => {
      let o = round((n + pads[i] + pads[i + sp] - ((k[i] - 1) * dil[i] + 1)) / strides[i]) + 1;
      if (at.ceil_mode && (o - 1) * strides[i] >= n + pads[i]) o--;
      return o;
    });
  }
  const [N, C] = x.dims;
  const y = ex.alloc(x.dtype, [N, C, ...outSp]);
  const wantIdx = kind === 'max' && node.outputs[1];
  const idx = wantIdx ? ex.alloc('int64', [N, C, ...outSp]) : null;
  const xd = x.data, yd = y.data, id = idx ? idx.data : null;
  const inPlane = size(inSp);
  const outPlane = size(outSp);
  const inStr = inSp.map((_, i) => size(inSp.slice(i + 1)));
  const storage = at.storage_order ?? 0; // 1: indices in column-major order
  const win = new Array(sp).fill(0);
  const o = new Array(sp).fill(0);
  for (let p = 0; p < N * C; p++) {
    for (let q = 0; q < outPlane; q++) {
      let rem = q;
      for (let d = sp - 1; d >= 0; d--) { o[d] = rem % outSp[d]; rem = Math.floor(rem / outSp[d]); }
      let best = -Infinity;
      let bestAt = -1;
      let sum = 0;
      let count = 0;
      win.fill(0);
      for (;;) {
        let off = 0;
        let inside = true;
        let colMajor = 0;
        let mul = 1;
        for (let d = 0; d < sp; d++) {
          const pos = o[d] * strides[d] - pads[d] + win[d] * dil[d];
          if (pos < 0 || pos >= inSp[d]) inside = false;
          off += pos * inStr[d];
          colMajor += pos * mul;
          mul *= inSp[d];
        }
        if (inside) {
          const v = Number(xd[p * inPlane + off]);
          if (v > best || bestAt < 0) { best = v; bestAt = storage ? colMajor : off; }
          sum += v;
          count++;
        } else if (kind === 'avg' && at.count_include_pad) {
          // padded cells count only within the declared pads, not beyond them
          const inPads = win.every((w, d) => {
            const pos = o[d] * strides[d] - pads[d] + w * dil[d];
            return pos >= -pads[d] && pos < inSp[d] + pads[d + sp];
          });
          if (inPads) count++;
        }
        let d = sp - 1;
        while (d >= 0 && ++win[d] >= k[d]) win[d--] = 0;
        if (d < 0) break;
      }
      yd[p * outPlane + q] = kind === 'max' ? best : sum / count;
      if (id) id[p * outPlane + q] = BigInt(p * inPlane + bestAt);
    }
  }
  return idx ? [y, idx] : [y];
}

function pool(kind) {
  return (ex, node, [x]) => {
    if (x.dtype !== 'float32' || x.dims.length > 4 || (kind === 'max' && node.outputs[1])) return poolJs(ex, node, x, kind);
    const g = geometry(node, x.dims, node.attrs.kernel_shape);
    const [N, C] = x.dims;
    const y = ex.alloc('float32', [N, C, ...g.outSpatial]);
    const args = [x.ptr, y.ptr, N, C, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl];
    if (kind === 'max') ex.k.maxpool2d_f32(...args);
    else ex.k.avgpool2d_f32(...args, node.attrs.count_include_pad ?? 0);
    return [y];
  };
}

function globalPool(kind) {
  return (ex, node, [x]) => {
    const [N, C] = x.dims;
    const y = ex.alloc('float32', [N, C, ...x.dims.slice(2).map(() => 1)]);
    const fn = kind === 'max' ? ex.k.global_maxpool_f32 : ex.k.global_avgpool_f32;
    fn(x.ptr, y.ptr, N * C, size(x.dims.slice(2)));
    return [y];
  };
}

function softmax(log) {
  return (ex, node, [x]) => {
    const r = x.dims.length;
    const legacy = ex.plan.opset < 13;
    let axis = node.attrs.axis ?? (legacy ? 1 : -1);
    if (axis < 0) axis += r;
    const y = ex.alloc('float32', x.dims.slice());
    const outer = size(x.dims.slice(0, axis));
    // Before opset 13 the input is coerced to 2-D at `axis`: softmax over everything after it.
    const [len, inner] = legacy ? [size(x.dims.slice(axis)), 1] : [x.dims[axis], size(x.dims.slice(axis + 1))];
    ex.k.softmax_f32(x.ptr, y.ptr, outer, len, inner, log ? 1 : 0);
    return [y];
  };
}

function batchnorm(ex, node, [x, scale, bias, mean, variance]) {
  if (node.attrs.training_mode) return batchnormTraining(ex, node, [x, scale, bias, mean, variance]);
  const y = ex.alloc('float32', x.dims.slice());
  ex.k.batchnorm_f32(x.ptr, scale.ptr, bias.ptr, mean.ptr, variance.ptr, y.ptr, x.dims[0], x.dims[1],
    size(x.dims.slice(2)), node.attrs.epsilon ?? 1e-5);
  return [y];
}

// training_mode=1: normalise with the batch's own mean and (population) variance per channel;
// outputs 1 and 2 are the running mean and variance moved toward them by (1 - momentum).
function batchnormTraining(ex, node, [x, scale, bias, mean, variance]) {
  const [N, C] = x.dims;
  const S = size(x.dims.slice(2));
  const momentum = node.attrs.momentum ?? 0.9;
  const [y, bm, bv, runMean, runVar] = [x.dims.slice(), [C], [C], [C], [C]].map((d) => ex.alloc('float32', d));
  const xd = x.data;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    let sq = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sum += xd[(n * C + c) * S + s];
    const mu = sum / (N * S);
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sq += (xd[(n * C + c) * S + s] - mu) ** 2;
    bm.data[c] = mu;
    bv.data[c] = sq / (N * S);
    runMean.data[c] = mean.data[c] * momentum + mu * (1 - momentum);
    runVar.data[c] = variance.data[c] * momentum + bv.data[c] * (1 - momentum);
  }
  ex.k.batchnorm_f32(x.ptr, scale.ptr, bias.ptr, bm.ptr, bv.ptr, y.ptr, N, C, S, node.attrs.epsilon ?? 1e-5);
  ex.arena.dispose(bm.ptr);
  ex.arena.dispose(bv.ptr);
  return [y, runMean, runVar];
}

function layernorm(ex, node, [x, scale, bias]) {
  let axis = node.attrs.axis ?? -1;
  if (axis < 0) axis += x.dims.length;
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis));
  const eps = node.attrs.epsilon ?? 1e-5;
  const y = ex.alloc('float32', x.dims.slice());
  // Optional outputs Mean and InvStdDev: shape of x with the normalised axes set to 1.
  const stats = node.outputs.slice(1).map((name) => (name ? ex.alloc('float32', x.dims.map((d, i) => (i < axis ? d : 1))) : null));
  ex.k.layernorm_f32(x.ptr, scale.ptr, bias ? bias.ptr : 0, y.ptr, outer, inner, eps);
  if (stats.some(Boolean)) {
    const xd = x.data;
    const [meanOut, invOut] = [stats[0]?.data, stats[1]?.data];
    for (let o = 0; o < outer; o++) {
      let sum = 0;
      for (let i = 0; i < inner; i++) sum += xd[o * inner + i];
      const mean = sum / inner;
      let sq = 0;
      for (let i = 0; i < inner; i++) sq += (xd[o * inner + i] - mean) ** 2;
      if (meanOut) meanOut[o] = mean;
      if (invOut) invOut[o] = 1 / Math.sqrt(sq / inner + eps);
    }
  }
  return [y, ...stats];
}

function instancenorm(ex, node, [x, scale, bias]) {
  const y = ex.alloc('float32', x.dims.slice());
  ex.k.instancenorm_f32(x.ptr, scale.ptr, bias.ptr, y.ptr, x.dims[0], x.dims[1], size(x.dims.slice(2)),
    node.attrs.epsilon ?? 1e-5);
  return [y];
}

export const ops = {
  Conv: conv, Gemm: gemm, MatMul: matmul,
  MaxPool: pool('max'), AveragePool: pool('avg'), GlobalMaxPool: globalPool('max'), GlobalAveragePool: globalPool('avg'),
  Softmax: softmax(false), LogSoftmax: softmax(true),
  BatchNormalization: batchnorm, LayerNormalization: layernorm, InstanceNormalization: instancenorm,
};
