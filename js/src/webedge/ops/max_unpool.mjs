// MaxUnpool: x [N, C, ...sp] with the flat indices MaxPool returned -> zeros except at those
// indices (of the inferred unpooled shape); with output_shape, that shape is padded at the end.
import { stridesOf } from '../tensor.mjs';

// The shape MaxPool's input had, inferred from kernel, strides and pads.
function unpooled(node, x) {
  const at = node.attrs;
  const sp = x.dims.slice(2);
  const R = sp.length;
  const strides = at.strides ?? new Array(R).fill(1);
  const pads = at.pads ?? new Array(2 * R).fill(0);
  return [x.dims[0], x.dims[1], ...sp.map((n, d) => (n - 1) * strides[d] - (pads[d] + pads[d + R]) + at.kernel_shape[d])];
}

// MaxUnpool: x [N, C, ...sp] with the flat indices MaxPool returned -> zeros except at those
// indices (of the inferred unpooled shape); with output_shape, that shape is padded at the end.
function run(js, node, [x, idx, outputShape], [y]) {
  const inferred = unpooled(node, x);
  const shape = y.dims;
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
}

export const units = [{
  op: 'MaxUnpool',
  shape: (node, [x, , outputShape]) => [{ dtype: x.dtype, dims: outputShape ? outputShape.numbers() : unpooled(node, x) }],
  shapeReads: [2],
  js: { run },
}];
