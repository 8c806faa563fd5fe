// RoiAlign: X [N, C, H, W], rois [R, 4] (x1, y1, x2, y2), batch_indices [R] -> [R, C, oh, ow]:
// avg or max pooling of bilinear samples per region, following onnx's reference (op_roi_align.py).

// Bilinear sample of one [H, W] plane at (y, x) as the four (index, weight) pairs RoiAlign uses;
// a point more than one pixel outside the plane contributes nothing.
function bilinear(H, W, y, x) {
  if (y < -1 || y > H || x < -1 || x > W) return null;
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let y0 = Math.trunc(y);
  let x0 = Math.trunc(x);
  let y1 = y0 + 1;
  let x1 = x0 + 1;
  if (y0 >= H - 1) {
    y0 = y1 = H - 1;
    y = y0;
  }
  if (x0 >= W - 1) {
    x0 = x1 = W - 1;
    x = x0;
  }
  const ly = y - y0;
  const lx = x - x0;
  const [hy, hx] = [1 - ly, 1 - lx];
  return [[y0 * W + x0, hy * hx], [y0 * W + x1, hy * lx], [y1 * W + x0, ly * hx], [y1 * W + x1, ly * lx]];
}

// X [N, C, H, W], rois [R, 4] (x1, y1, x2, y2), batch_indices [R] -> [R, C, oh, ow].
function run(js, node, [x, rois, batchIdx], [y]) {
  const at = node.attrs;
  const [, C, H, W] = x.dims;
  const R = rois.dims[0];
  const [OH, OW] = [at.output_height ?? 1, at.output_width ?? 1];
  const scale = at.spatial_scale ?? 1;
  const ratio = at.sampling_ratio ?? 0;
  const halfPixel = (at.coordinate_transformation_mode ?? 'half_pixel') === 'half_pixel';
  const isMax = (at.mode ?? 'avg') === 'max';
  const xd = x.data;
  const rd = rois.data;
  const yd = y.data;
  const batches = batchIdx.numbers();
  const shift = halfPixel ? 0.5 : 0;
  for (let r = 0; r < R; r++) {
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => rd[r * 4 + k] * scale - shift);
    const rw = halfPixel ? x2 - x1 : Math.max(x2 - x1, 1);
    const rh = halfPixel ? y2 - y1 : Math.max(y2 - y1, 1);
    const [bh, bw] = [rh / OH, rw / OW];
    const gh = ratio > 0 ? ratio : Math.ceil(rh / OH);
    const gw = ratio > 0 ? ratio : Math.ceil(rw / OW);
    const count = Math.max(gh * gw, 1);
    // the sample points of each output cell, shared by all channels
    const samples = [];
    for (let ph = 0; ph < OH; ph++) {
      for (let pw = 0; pw < OW; pw++) {
        const cell = [];
        for (let iy = 0; iy < gh; iy++) {
          const yy = y1 + ph * bh + ((iy + 0.5) * bh) / gh;
          for (let ix = 0; ix < gw; ix++) cell.push(bilinear(H, W, yy, x1 + pw * bw + ((ix + 0.5) * bw) / gw));
        }
        samples.push(cell);
      }
    }
    for (let c = 0; c < C; c++) {
      const base = (batches[r] * C + c) * H * W;
      samples.forEach((cell, q) => {
        let acc = isMax ? null : 0;
        for (const pts of cell) {
          if (isMax) {
            const v = pts ? Math.max(...pts.map(([i, w]) => w * xd[base + i])) : 0;
            acc = acc === null ? v : Math.max(acc, v);
          } else if (pts) {
            for (const [i, w] of pts) acc += w * xd[base + i];
          }
        }
        yd[(r * C + c) * OH * OW + q] = isMax ? (acc ?? 0) : acc / count;
      });
    }
  }
}

export const units = [{
  op: 'RoiAlign',
  shape: (node, [x, rois]) => [{ dtype: x.dtype, dims: [rois.dims[0], x.dims[1], node.attrs.output_height ?? 1, node.attrs.output_width ?? 1] }],
  js: { run },
}];
