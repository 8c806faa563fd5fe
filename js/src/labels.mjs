// Decode a classifier's output with the bundle's labels (manifest `labels`, `model.labels`):
// topK(tensor, k, labels) -> one list per row of the last axis, best first.

/**
 * @param {{data: ArrayLike<number>, dims: number[]}} tensor  scores along the last axis
 * @param {number} k  how many classes per row
 * @param {string[]} [labels]  names of the classes (index i -> labels[i])
 * @returns {{index: number, label: string|undefined, score: number}[][]}
 */
export function topK(tensor, k = 5, labels = undefined) {
  const dims = tensor.dims;
  const classes = dims.length ? dims[dims.length - 1] : 1;
  if (!(Number.isInteger(k) && k >= 1)) throw new TypeError(`topK: k must be a positive integer, got ${k}`);
  if (typeof tensor.data[0] === 'string') throw new TypeError('topK: a string tensor has no scores');
  if (labels && labels.length !== classes) {
    throw new TypeError(`topK: ${labels.length} labels for ${classes} classes`);
  }
  const rows = classes ? tensor.data.length / classes : 0;
  const out = [];
  for (let r = 0; r < rows; r++) {
    const best = [];
    for (let i = 0; i < classes; i++) {
      const score = Number(tensor.data[r * classes + i]);
      if (best.length < k || score > best[best.length - 1].score) {
        const at = best.findIndex((b) => score > b.score);
        best.splice(at < 0 ? best.length : at, 0, { index: i, label: labels?.[i], score });
        if (best.length > k) best.pop();
      }
    }
    out.push(best);
  }
  return out;
}
