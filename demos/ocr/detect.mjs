// Text detection with PP-OCRv4's detector (a DB network): where in an image is there text?
//
// Pre-processing: the image is scaled so that its longer side is at most MAX_SIDE and both sides
// are multiples of 32 (the network downsamples by 32), and fed as RGB floats (x / 255 - 0.5) / 0.5,
// NCHW — the normalisation rapidocr's config gives this model.
// Post-processing (the DB recipe, with rapidocr's settings): pixels whose text probability is over
// 0.3 are dilated by a 2x2 square, split into 8-connected regions, each region's box is kept when
// its mean probability is at least 0.5 and its short side at least 3 px, then grown by
// area * 1.6 / perimeter on every side (DB shrinks text regions by that much in training) and
// mapped back to the image. Boxes are axis-aligned: this demo reads level text, not rotated text.
export const MAX_SIDE = 960;
const THRESH = 0.3, BOX_THRESH = 0.5, UNCLIP = 1.6, MIN_SIDE = 3;

/** The model input for `source` (an ImageBitmap, image or canvas of width w and height h). */
export function detInput(source, w, h) {
  const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
  const W = Math.max(32, Math.round((w * scale) / 32) * 32), H = Math.max(32, Math.round((h * scale) / 32) * 32);
  const canvas = new OffscreenCanvas(W, H);
  const g = canvas.getContext('2d');
  g.drawImage(source, 0, 0, W, H);
  const rgba = g.getImageData(0, 0, W, H).data;
  const data = new Float32Array(3 * W * H);
  for (let i = 0; i < W * H; i++) {
    for (let c = 0; c < 3; c++) data[c * W * H + i] = (rgba[4 * i + c] / 255 - 0.5) / 0.5;
  }
  return { tensor: { data, dims: [1, 3, H, W] }, sx: w / W, sy: h / H };
}

/** Boxes [{x0, y0, x1, y1, score}] in image pixels from the probability map [1, 1, H, W]. */
export function boxesFrom(prob, sx, sy, imageW, imageH) {
  const [, , H, W] = prob.dims;
  const p = prob.data;
  const bin = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // dilation by a 2x2 square anchored at its centre: this pixel or its left/upper neighbours
      const on = (yy, xx) => yy >= 0 && xx >= 0 && p[yy * W + xx] > THRESH;
      bin[y * W + x] = on(y, x) || on(y, x - 1) || on(y - 1, x) || on(y - 1, x - 1) ? 1 : 0;
    }
  }
  const seen = new Uint8Array(W * H);
  const stack = new Int32Array(W * H);
  const boxes = [];
  for (let start = 0; start < W * H; start++) {
    if (!bin[start] || seen[start]) continue;
    let top = 0, x0 = W, y0 = H, x1 = -1, y1 = -1, sum = 0, n = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top) {
      const i = stack[--top];
      const x = i % W, y = (i - x) / W;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      sum += p[i];
      n++;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy, j = yy * W + xx;
          if (xx >= 0 && yy >= 0 && xx < W && yy < H && bin[j] && !seen[j]) { seen[j] = 1; stack[top++] = j; }
        }
      }
    }
    const w = x1 - x0 + 1, h = y1 - y0 + 1;
    if (Math.min(w, h) < MIN_SIDE || sum / n < BOX_THRESH) continue;
    const d = (w * h * UNCLIP) / (2 * (w + h));
    boxes.push({
      x0: Math.max(0, Math.round((x0 - d) * sx)), y0: Math.max(0, Math.round((y0 - d) * sy)),
      x1: Math.min(imageW, Math.round((x1 + 1 + d) * sx)), y1: Math.min(imageH, Math.round((y1 + 1 + d) * sy)),
      score: sum / n,
    });
  }
  // reading order: top to bottom, then left to right within a line
  return boxes.sort((a, b) => (Math.abs(a.y0 - b.y0) < (a.y1 - a.y0) / 2 ? a.x0 - b.x0 : a.y0 - b.y0));
}
