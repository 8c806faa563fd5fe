// Col2Im: x [N, C*prod(block), L] (L sliding blocks) -> [N, C, ...image], the inverse of patch
// extraction: overlapping taps add up. Any number of image dims.
import { kernelTaps } from '../lib/geometry.mjs';
import { size, stridesOf } from '../tensor.mjs';

// Col2Im: x [N, C*prod(block), L] (L sliding blocks) -> [N, C, ...image]; overlapping taps add up.
function run(js, node, [x, imageShape, blockShape], [y]) {
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
}

export const units = [{
  op: 'Col2Im',
  shape: (node, [x, imageShape, blockShape]) => [{ dtype: x.dtype,
    dims: [x.dims[0], x.dims[1] / size(blockShape.numbers()), ...imageShape.numbers()] }],
  shapeReads: [1, 2],
  js: { run },
}];
