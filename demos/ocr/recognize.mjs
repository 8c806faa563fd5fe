// Text recognition with PP-OCRv4's recognizer (an SVTR-LCNet with a CTC head): what does a line say?
//
// Pre-processing: the line's box is cut from the image and scaled to 48 px high keeping its aspect
// ratio, into a canvas at least 320 px wide (the model's training width; the rest is padding, which
// normalises to 0), as RGB floats (x / 255 - 0.5) / 0.5, NCHW [1, 3, 48, W].
// Decoding (greedy CTC): the best class at each of the T time steps, repeats collapsed, the blank
// (class 0) dropped, each class named by the bundle's labels — which `webedge bundle` read from the
// model's own `character` metadata as [blank, its 6623 characters, " "]. The line's confidence is
// the mean probability of the characters kept.
export const HEIGHT = 48;
const MIN_WIDTH = 320, MAX_WIDTH = 2400;

export function recInput(source, box) {
  const w = box.x1 - box.x0, h = box.y1 - box.y0;
  const width = Math.min(MAX_WIDTH, Math.ceil((HEIGHT * w) / h));
  const W = Math.max(MIN_WIDTH, width);
  const canvas = new OffscreenCanvas(W, HEIGHT);
  const g = canvas.getContext('2d');
  g.drawImage(source, box.x0, box.y0, w, h, 0, 0, width, HEIGHT);
  const rgba = g.getImageData(0, 0, W, HEIGHT).data;
  const data = new Float32Array(3 * W * HEIGHT);
  for (let i = 0; i < W * HEIGHT; i++) {
    if (i % W >= width) continue; // padding: 0 after normalisation
    for (let c = 0; c < 3; c++) data[c * W * HEIGHT + i] = (rgba[4 * i + c] / 255 - 0.5) / 0.5;
  }
  return { data, dims: [1, 3, HEIGHT, W] };
}

/** {text, score} from the recognizer's output [1, T, classes] and the class labels. */
export function ctcDecode(probs, labels) {
  const [, T, C] = probs.dims;
  if (labels.length !== C) throw new Error(`the recognizer has ${C} classes but the bundle ${labels.length} labels`);
  if (!probs.data.every(Number.isFinite)) throw new Error('the recognizer returned non-finite values; not a result');
  let text = '', total = 0, kept = 0, prev = -1;
  for (let t = 0; t < T; t++) {
    let best = 0, bestP = -Infinity;
    for (let c = 0; c < C; c++) {
      const v = probs.data[t * C + c];
      if (v > bestP) { bestP = v; best = c; }
    }
    if (best !== 0 && best !== prev) {
      text += labels[best];
      total += bestP;
      kept++;
    }
    prev = best;
  }
  return { text: text.trim(), score: kept ? total / kept : 0 };
}
