// Numpy-style broadcasting shared by the element-wise ops.
import { WebedgeError } from '../errors.mjs';
import { stridesOf } from './tensor.mjs';

export function broadcastDims(...shapes) {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      if (s[i] === out[j] || s[i] === 1) continue;
      if (out[j] !== 1) throw new WebedgeError(`cannot broadcast shapes ${shapes.map((x) => `[${x}]`).join(' and ')}`);
      out[j] = s[i];
    }
  }
  return out;
}

// Strides (in elements) for reading a tensor of `dims` as if it had `outDims`: 0 on broadcast axes.
export function broadcastStrides(dims, outDims) {
  const own = stridesOf(dims);
  const pad = outDims.length - dims.length;
  return outDims.map((_, j) => (j < pad || dims[j - pad] === 1 ? 0 : own[j - pad]));
}

// Visit every output index, calling fn(outIndex, offsets...) with each input's flat offset.
export function forEachBroadcast(outDims, stridesList, fn) {
  const rank = outDims.length;
  const total = outDims.reduce((a, b) => a * b, 1);
  const idx = new Array(rank).fill(0);
  const offs = new Array(stridesList.length).fill(0);
  for (let o = 0; o < total; o++) {
    fn(o, offs);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offs.length; k++) offs[k] += stridesList[k][d];
      if (idx[d] < outDims[d]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= stridesList[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}
