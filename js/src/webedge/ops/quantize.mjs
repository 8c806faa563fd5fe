// Quantization ops: (De)QuantizeLinear (per-tensor, per-axis, blocked), DynamicQuantizeLinear,
// MatMulInteger / ConvInteger (exact int32 accumulation), QLinearMatMul / QLinearConv (integer
// accumulation, then requantized with the float multiplier the ONNX spec defines). In JS.
import { size, DTYPE_OF, numberOf, storeOf } from '../tensor.mjs';
import { isLowpFloat, roundEven } from '../lowp.mjs';
import { ops as nn } from './nn.mjs';

const RANGE = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint4: [0, 15], int4: [-8, 7], uint2: [0, 3], int2: [-2, 1],
};

// Index of the scale/zero point that applies to each element of x (per-tensor, per-axis or blocked).
function paramIndex(x, param, axisAttr, block) {
  if (!param || param.size === 1) return () => 0;
  const r = x.dims.length;
  const axis = axisAttr < 0 ? axisAttr + r : axisAttr;
  const inner = size(x.dims.slice(axis + 1));
  const n = x.dims[axis];
  if (!block) return (i) => Math.floor(i / inner) % n;
  const blocks = param.dims[axis];
  return (i) => {
    const outer = Math.floor(i / (inner * n));
    const a = Math.floor(i / inner) % n;
    return (outer * blocks + Math.floor(a / block)) * inner + (i % inner);
  };
}

// v rounded to what a float of `dtype` holds (the reference computes in the input's precision).
function rounderTo(dtype) {
  if (dtype === 'float32') return Math.fround;
  if (dtype === 'float64') return (v) => v;
  const store = storeOf(dtype);
  const read = numberOf(dtype);
  return (v) => read(store(v));
}

// y = (x - zero point) * scale in float32, as the output dtype (the scale's, or output_dtype).
// float8 and float4 inputs have no zero point (it must be 0).
function dequantizeLinear(ex, node, [x, scale, zp]) {
  const to = node.attrs.output_dtype ? DTYPE_OF[node.attrs.output_dtype] : scale.dtype;
  const y = ex.alloc(to, x.dims.slice());
  const xd = x.data, yd = y.data;
  const xv = numberOf(x.dtype);
  const sd = Array.from(scale.data, numberOf(scale.dtype));
  const zd = zp && !isLowpFloat(x.dtype) ? Array.from(zp.data, numberOf(zp.dtype)) : null;
  const store = storeOf(to);
  const at = paramIndex(x, scale, node.attrs.axis ?? 1, node.attrs.block_size ?? 0);
  for (let i = 0; i < xd.length; i++) {
    const k = at(i);
    yd[i] = store(Math.fround(Math.fround(Math.fround(xv(xd[i])) - (zd ? zd[k] : 0)) * sd[k]));
  }
  return [y];
}

// y = saturate(round(x / scale) + zero point) for integer outputs; for float8, x / scale cast
// with `saturate`; for float4e2m1, x / scale + zero point cast (saturating). The division runs in
// the input's precision (or `precision`'s), as the reference does.
function quantizeLinear(ex, node, [x, scale, zp]) {
  const { output_dtype: outType, precision, saturate = 1 } = node.attrs;
  const dtype = zp ? zp.dtype : outType ? DTYPE_OF[outType] : 'uint8';
  const range = RANGE[dtype];
  if (!range && !isLowpFloat(dtype)) throw new Error(`QuantizeLinear to ${dtype} is not supported`);
  const y = ex.alloc(dtype, x.dims.slice());
  const xd = x.data, yd = y.data;
  const xv = numberOf(x.dtype);
  const sd = Array.from(scale.data, numberOf(scale.dtype));
  const zd = zp ? Array.from(zp.data, numberOf(zp.dtype)) : null;
  const narrow = rounderTo(precision ? DTYPE_OF[precision] : x.dtype);
  const store = storeOf(dtype, { saturate });
  const at = paramIndex(x, scale, node.attrs.axis ?? 1, node.attrs.block_size ?? 0);
  for (let i = 0; i < xd.length; i++) {
    const k = at(i);
    const q = narrow(xv(xd[i]) / sd[k]);
    if (range) yd[i] = Math.max(range[0], Math.min(range[1], roundEven(q) + (zd ? zd[k] : 0)));
    else yd[i] = store(dtype === 'float4e2m1' && zd ? q + zd[k] : q);
  }
  return [y];
}

function dynamicQuantizeLinear(ex, node, [x]) {
  const xd = x.data;
  let min = 0;
  let max = 0;
  for (let i = 0; i < xd.length; i++) {
    if (xd[i] < min) min = xd[i];
    if (xd[i] > max) max = xd[i];
  }
  // float32 arithmetic throughout, so the uint8 codes match other runtimes bit for bit
  const scale = Math.fround(Math.fround(max - min) / 255);
  const zp = scale === 0 ? 0 : Math.max(0, Math.min(255, roundEven(Math.fround(-min / scale))));
  const y = ex.alloc('uint8', x.dims.slice());
  const s = ex.alloc('float32', []);
  const z = ex.alloc('uint8', []);
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = scale === 0 ? zp : Math.max(0, Math.min(255, roundEven(Math.fround(xd[i] / scale)) + zp));
  s.data[0] = scale;
  z.data[0] = zp;
  return [y, s, z];
}

// Integer matmul with numpy broadcasting of batch dims; zero points per tensor, per row of A or per column of B.
function intMatmul(a, b, azp, bzp) {
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = ad.slice(-2);
  const N = bd[bd.length - 1];
  const batchA = size(ad.slice(0, -2));
  const batchB = size(bd.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const out = new Int32Array(batch * M * N);
  const A = a.data, B = b.data;
  const za = azp ? Array.from(azp.data, Number) : [0];
  const zb = bzp ? Array.from(bzp.data, Number) : [0];
  for (let t = 0; t < batch; t++) {
    const ao = (batchA === 1 ? 0 : t) * M * K;
    const bo = (batchB === 1 ? 0 : t) * K * N;
    for (let m = 0; m < M; m++) {
      const zam = za.length === 1 ? za[0] : za[m];
      for (let n = 0; n < N; n++) {
        const zbn = zb.length === 1 ? zb[0] : zb[n];
        let acc = 0;
        for (let k = 0; k < K; k++) acc += (A[ao + m * K + k] - zam) * (B[bo + k * N + n] - zbn);
        out[(t * M + m) * N + n] = acc;
      }
    }
  }
  let dims = [...(ad.length >= bd.length ? ad : bd).slice(0, -2), M, N];
  if (a.dims.length === 1) dims.splice(-2, 1);
  if (b.dims.length === 1) dims = dims.slice(0, -1);
  return { out, dims };
}

function matMulInteger(ex, node, [a, b, azp, bzp]) {
  const { out, dims } = intMatmul(a, b, azp, bzp);
  const y = ex.alloc('int32', dims);
  y.data.set(out);
  return [y];
}

function requantize(ex, acc, dims, multipliers, channelOf, yzp, dtype) {
  const [lo, hi] = RANGE[dtype];
  const y = ex.alloc(dtype, dims);
  const yd = y.data;
  const z = yzp ? Number(yzp.data[0]) : 0;
  for (let i = 0; i < acc.length; i++) yd[i] = Math.max(lo, Math.min(hi, roundEven(acc[i] * multipliers[channelOf(i)]) + z));
  return y;
}

function qlinearMatMul(ex, node, [a, as, azp, b, bs, bzp, ys, yzp]) {
  const { out, dims } = intMatmul(a, b, azp, bzp);
  const N = dims[dims.length - 1];
  const mult = Array.from(bs.data, (s) => (as.data[0] * s) / ys.data[0]);
  return [requantize(ex, out, dims, mult, mult.length === 1 ? () => 0 : (i) => i % N, yzp, yzp ? yzp.dtype : 'uint8')];
}

// Integer convolution: shift by the zero points, convolve exactly in float32 (the products of
// 8-bit values sum exactly while below 2^24), and round back to int32.
function convIntegerAcc(ex, node, x, w, xzp, wzp) {
  const shift = (t, zp, perChannel) => {
    const f = ex.alloc('float32', t.dims.slice());
    const td = t.data, fd = f.data;
    const z = zp ? Array.from(zp.data, Number) : [0];
    const inner = size(t.dims.slice(1));
    for (let i = 0; i < td.length; i++) fd[i] = Number(td[i]) - (perChannel && z.length > 1 ? z[Math.floor(i / inner)] : z[0]);
    return f;
  };
  const xf = shift(x, xzp, false);
  const wf = shift(w, wzp, true);
  const [yf] = nn.Conv(ex, { ...node, attrs: { ...node.attrs, _act: undefined } }, [xf, wf, null]);
  ex.arena.dispose(xf.ptr);
  ex.arena.dispose(wf.ptr);
  return yf;
}

function convInteger(ex, node, [x, w, xzp, wzp]) {
  const yf = convIntegerAcc(ex, node, x, w, xzp, wzp);
  const y = ex.alloc('int32', yf.dims);
  y.data.set(Array.from(yf.data, Math.round));
  ex.arena.dispose(yf.ptr);
  return [y];
}

function qlinearConv(ex, node, [x, xs, xzp, w, ws, wzp, ys, yzp, b]) {
  const yf = convIntegerAcc(ex, node, x, w, xzp, wzp);
  const acc = Float64Array.from(yf.data, Math.round);
  const M = yf.dims[1];
  const inner = size(yf.dims.slice(2));
  if (b) for (let i = 0; i < acc.length; i++) acc[i] += b.data[Math.floor(i / inner) % M];
  ex.arena.dispose(yf.ptr);
  const mult = Array.from(ws.data, (s) => (xs.data[0] * s) / ys.data[0]);
  const channelOf = mult.length === 1 ? () => 0 : (i) => Math.floor(i / inner) % M;
  return [requantize(ex, acc, yf.dims, mult, channelOf, yzp, yzp ? yzp.dtype : 'uint8')];
}

export const ops = {
  DequantizeLinear: dequantizeLinear, QuantizeLinear: quantizeLinear, DynamicQuantizeLinear: dynamicQuantizeLinear,
  MatMulInteger: matMulInteger, ConvInteger: convInteger, QLinearMatMul: qlinearMatMul, QLinearConv: qlinearConv,
};
