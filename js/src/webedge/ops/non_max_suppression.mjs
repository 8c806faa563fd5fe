// NonMaxSuppression: per batch and class, boxes greedily by score, dropping those that overlap a
// kept one by more than iou_threshold; int64 [K, 3] of (batch, class, box). Follows onnx's
// reference (op_non_max_suppression.py) step for step. How many boxes survive is known only once
// computed: no shape rule, the part allocates its output.

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
function run(js, node, [boxes, scores, maxOut, iouT, scoreT]) {
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
  const y = js.alloc('int64', [picked.length / 3, 3]);
  y.data.set(picked.map(BigInt));
  return [y];
}

export const units = [{ op: 'NonMaxSuppression', js: { run } }];
