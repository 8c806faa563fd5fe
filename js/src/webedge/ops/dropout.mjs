// Dropout. Inference: the output is a copy and the mask all true. With training_mode set,
// elements are dropped with probability `ratio` and the rest scaled by 1 / (1 - ratio).
// The mask is bool, or (`_mask_as_input`, written by webedge/plan/compile.py for opsets before
// 10) of the input's dtype.
import { numbersOf, encoder, oneOf } from '../lib/values.mjs';

function shape(node, [x]) {
  return [{ dtype: x.dtype, dims: x.dims.slice() }, { dtype: node.attrs._mask_as_input ? x.dtype : 'bool', dims: x.dims.slice() }];
}

function run(js, node, [x, ratioT, trainT], [y, mask]) {
  const training = trainT ? !!trainT.data[0] : false;
  const ratio = ratioT ? Number(numbersOf(ratioT)[0]) : node.attrs.ratio ?? 0.5;
  const keep = training && ratio > 0 ? Array.from({ length: x.size }, () => Math.random() >= ratio) : null;
  if (keep) {
    const xv = numbersOf(x), yd = y.data;
    const enc = encoder(x.dtype);
    const scale = 1 / (1 - ratio);
    for (let i = 0; i < yd.length; i++) {
      const v = keep[i] ? xv[i] * scale : 0;
      yd[i] = enc ? enc(v) : v;
    }
  } else {
    y.data.set(x.data);
  }
  if (!mask) return;
  const md = mask.data;
  const one = oneOf(mask.dtype);
  for (let i = 0; i < md.length; i++) md[i] = !keep || keep[i] ? one : 0 * one;
}

export const units = [{ op: 'Dropout', shape, js: { run } }];
