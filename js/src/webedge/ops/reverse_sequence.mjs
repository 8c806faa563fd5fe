// ReverseSequence: the first len[b] steps of batch entry b reversed along time_axis, the rest copied.
import { forEachIndex } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';

function run(js, node, [x, lens], [y]) {
  const ta = node.attrs.time_axis ?? 0;
  const ba = node.attrs.batch_axis ?? 1;
  const len = lens.numbers();
  const xs = stridesOf(x.dims);
  const xd = x.data, yd = y.data;
  forEachIndex(x.dims, (o, idx) => {
    const t = idx[ta];
    const l = len[idx[ba]];
    yd[o] = t < l ? xd[o + (l - 1 - 2 * t) * xs[ta]] : xd[o];
  });
}

export const units = [{ op: 'ReverseSequence', shape: (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }], js: { run } }];
