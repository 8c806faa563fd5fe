// Numpy-style broadcasting shared by the element-wise and data-movement ops.
import { WebedgeError } from '../../errors.mjs';
import { stridesOf } from '../tensor.mjs';

// (Dims arrays stay packed — no `new Array(n)` holes — so that code reading dims sees one
// array kind: Chromium's Maglev tier deoptimized broadcastDims again and again on the mix.)
export function broadcastDims(...shapes) {
  let rank = 0;
  for (const s of shapes) if (s.length > rank) rank = s.length;
  const out = [];
  for (let j = 0; j < rank; j++) out.push(1);
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

// Like forEachBroadcast, one call per run along the last axis: row(outOffset, offsets, n, steps)
// where steps are each input's stride along that axis. Inner loops stay tight in the caller.
export function forEachRow(dims, strides, row) {
  const [outDims, stridesList] = simplify(dims, strides);
  const rank = outDims.length;
  if (rank === 0) {
    row(0, stridesList.map(() => 0), 1, stridesList.map(() => 0));
    return;
  }
  const n = outDims[rank - 1];
  const steps = stridesList.map((s) => s[rank - 1]);
  const rows = n === 0 ? 0 : outDims.reduce((a, b) => a * b, 1) / n;
  const idx = new Array(rank - 1).fill(0);
  const offs = new Array(stridesList.length).fill(0);
  for (let r = 0; r < rows; r++) {
    row(r * n, offs.slice(), n, steps);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offs.length; k++) offs[k] += stridesList[k][d];
      if (idx[d] < outDims[d]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= stridesList[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}

// Drop size-1 axes and merge neighbours that are contiguous in every operand, so that iteration
// runs over as few, as long rows as possible (e.g. [8, 512, 508, 1] sliced -> 2 axes).
export function simplify(dims, stridesList) {
  const keep = dims.map((d, i) => i).filter((i) => dims[i] !== 1);
  let outDims = keep.map((i) => dims[i]);
  let strides = stridesList.map((s) => keep.map((i) => s[i]));
  for (let d = outDims.length - 2; d >= 0; d--) {
    if (strides.every((s) => s[d] === s[d + 1] * outDims[d + 1])) {
      outDims = [...outDims.slice(0, d), outDims[d] * outDims[d + 1], ...outDims.slice(d + 2)];
      strides = strides.map((s) => [...s.slice(0, d), s[d + 1], ...s.slice(d + 2)]);
    }
  }
  return [outDims, strides];
}
