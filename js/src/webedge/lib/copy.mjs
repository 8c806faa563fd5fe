// Copies that move elements without arithmetic, shared by the data-movement ops (Slice, Expand,
// Transpose, Split, Gather, Compress...). Values move as stored, so they work on every dtype.
import { forEachRow } from './broadcast.mjs';
import { size } from '../tensor.mjs';

/** y[...] = xd[base + strided index] for y of `dims`, a row at a time; contiguous rows are block copies. */
export function copyRows(dims, strides, xd, base, yd) {
  forEachRow(dims, [strides], (o, [i], n, [step]) => {
    i += base;
    if (step === 1 && n >= 32) yd.set(xd.subarray(i, i + n), o);
    else for (let k = 0; k < n; k++, i += step) yd[o + k] = xd[i];
  });
}

/** y = the slices of x at positions `ids` along `axis`, in that order (Gather, Compress). */
export function takeAlongAxis(x, axis, ids, y) {
  const n = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const xd = x.data, yd = y.data;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const i of ids) {
      yd.set(xd.subarray((a * n + i) * inner, (a * n + i + 1) * inner), o);
      o += inner;
    }
  }
}
