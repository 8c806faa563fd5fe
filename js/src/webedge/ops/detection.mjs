// Object-detection ops: NonMaxSuppression (per batch and class, greedy by score, int64 [K, 3]
// output of (batch, class, box)) and RoiAlign (avg/max pooling of bilinear samples per region).
// Both follow onnx's reference (op_non_max_suppression.py, op_roi_align.py) step for step.

// Box i of `boxes` (a batch's [B, 4] values) as [yMin, xMin, yMax, xMax].
function corners(b, i, centerPoint) {
  const o = i * 4;
  if (centerPoint) {
    // [x_center, y_center, width, height]
    const f = Math.fround;
    const [x, y, w, h] = [b[o], b[o + 1], b[o + 2], b[o + 3]];
    return [f(y - h / 2), f(x - w / 2), f(y + h / 2), f(x + w / 2)];
  }
  // [y1, x1, y2, x2], either corner first
  return [Math.min(b[o], b[o + 2]), Math.min(b[o + 1], b[o + 3]), Math.max(b[o], b[o + 2]), Math.max(b[o + 1], b[o + 3])];
}

// IoU(a, b) > threshold, in float32 arithmetic like onnxruntime and the reference (the boundary
// case compares an IoU equal to the threshold).
function overlaps(a, b, threshold) {
  const f = Math.fround;
  const ix = f(Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const iy = f(Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  if (ix <= 0 || iy <= 0) return false;
  const inter = f(ix * iy);
  const areaA = f(f(a[2] - a[0]) * f(a[3] - a[1]));
  const areaB = f(f(b[2] - b[0]) * f(b[3] - b[1]));
  const union = f(f(areaA + areaB) - inter);
  if (areaA <= 0 || areaB <= 0 || union <= 0) return false;
  return f(inter / union) > threshold;
}

// boxes [N, B, 4], scores [N, C, B]; the three optional scalars default to 0, 0 and "no threshold".
function nonMaxSuppression(ex, node, [boxes, scores, maxOut, iouT, scoreT]) {
  const [N, B] = boxes.dims;
  const C = scores.dims[1];
  const limit = maxOut && maxOut.size ? Math.max(Number(maxOut.data[0]), 0) : 0;
  const iou = iouT && iouT.size ? iouT.data[0] : 0;
  const minScore = scoreT && scoreT.size ? scoreT.data[0] : null;
  const centerPoint = node.attrs.center_point_box ?? 0;
  const bd = boxes.data;
  const sd = scores.data;
  const picked = [];
  for (let n = 0; n < N; n++) {
    const boxAt = (i) => corners(bd.subarray(n * B * 4, (n + 1) * B * 4), i, centerPoint);
    for (let c = 0; c < C; c++) {
      const s = sd.subarray((n * C + c) * B, (n * C + c + 1) * B);
      const order = [];
      for (let i = 0; i < B; i++) if (minScore === null || s[i] > minScore) order.push(i);
      order.sort((i, j) => s[j] - s[i] || i - j); // best first, ties by lower index
      const kept = [];
      for (const i of order) {
        if (kept.length >= limit) break;
        const box = boxAt(i);
        if (kept.some((k) => overlaps(box, k, iou))) continue;
        kept.push(box);
        picked.push(n, c, i);
      }
    }
  }
  const y = ex.alloc('int64', [picked.length / 3, 3]);
  y.data.set(picked.map(BigInt));
  return [y];
}

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
function roiAlign(ex, node, [x, rois, batchIdx]) {
  const at = node.attrs;
  const [, C, H, W] = x.dims;
  const R = rois.dims[0];
  const [OH, OW] = [at.output_height ?? 1, at.output_width ?? 1];
  const scale = at.spatial_scale ?? 1;
  const ratio = at.sampling_ratio ?? 0;
  const halfPixel = (at.coordinate_transformation_mode ?? 'half_pixel') === 'half_pixel';
  const isMax = (at.mode ?? 'avg') === 'max';
  const y = ex.alloc(x.dtype, [R, C, OH, OW]);
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
  return [y];
}

export const ops = { NonMaxSuppression: nonMaxSuppression, RoiAlign: roiAlign };
