// Helpers of the quantization ops: integer ranges, which scale/zero point applies to an element
// (per tensor, per axis, blocked), the exact integer matmul, and requantizing int32 sums.
import { numberOf, storeOf } from './numbers.mjs';
import { roundEven } from './lowp.mjs';
import { size } from '../tensor.mjs';

export const RANGE = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint4: [0, 15], int4: [-8, 7], uint2: [0, 3], int2: [-2, 1],
};

// Index of the scale/zero point that applies to each element of x (per-tensor, per-axis or blocked).
export function paramIndex(x, param, axisAttr, block) {
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
export function rounderTo(dtype) {
  if (dtype === 'float32') return Math.fround;
  if (dtype === 'float64') return (v) => v;
  const store = storeOf(dtype);
  const read = numberOf(dtype);
  return (v) => read(store(v));
}

/** Output dims of an integer matmul (numpy rules: 1-D promotion, broadcast batch dims). */
export function intMatmulDims(a, b) {
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  let dims = [...(ad.length >= bd.length ? ad : bd).slice(0, -2), ad[ad.length - 2], bd[bd.length - 1]];
  if (a.dims.length === 1) dims.splice(-2, 1);
  if (b.dims.length === 1) dims = dims.slice(0, -1);
  return dims;
}

// Integer matmul with broadcast batch dims, exact int32 sums; zero points per tensor, per row of A
// or per column of B.
export function intMatmul(a, b, azp, bzp) {
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
  return out;
}

// y = saturate(round(acc * multiplier) + zero point), the multiplier per element's channel.
export function requantize(acc, y, multipliers, channelOf, yzp) {
  const [lo, hi] = RANGE[y.dtype];
  const yd = y.data;
  const z = yzp ? Number(yzp.data[0]) : 0;
  for (let i = 0; i < acc.length; i++) yd[i] = Math.max(lo, Math.min(hi, roundEven(acc[i] * multipliers[channelOf(i)]) + z));
}
