// TensorScatter (opset 24): writes `update` into a copy of the cache `past` along `axis` (default
// -2, the sequence axis of a KV cache), at write_indices[b] for batch entry b (0 when absent);
// mode 'circular' wraps positions past the end of the cache.
import { size } from '../tensor.mjs';
import { norm } from '../lib/values.mjs';

function run(js, node, [past, update, writeIdx], [y]) {
  const axis = norm(node.attrs.axis ?? -2, past.dims.length);
  const circular = (node.attrs.mode ?? 'linear') === 'circular';
  if (!circular && node.attrs.mode && node.attrs.mode !== 'linear') throw new Error(`mode ${node.attrs.mode} is not supported`);
  if (axis === 0) throw new Error('axis 0 is the batch axis; the update goes along a later one');
  y.data.set(past.data);
  const B = past.dims[0];
  const starts = writeIdx ? writeIdx.numbers() : new Array(B).fill(0);
  const maxLen = past.dims[axis];
  const len = update.dims[axis];
  const inner = size(past.dims.slice(axis + 1));
  const outer = size(past.dims.slice(0, axis));
  const perBatch = outer / B; // prefix entries per batch index (axis 0 is the batch unless axis is 0)
  const yd = y.data, ud = update.data;
  for (let o = 0; o < outer; o++) {
    const start = starts[Math.floor(o / perBatch)];
    for (let s = 0; s < len; s++) {
      let at = start + s;
      if (circular) at %= maxLen;
      if (at < 0 || at >= maxLen) throw new Error(`write position ${at} lies outside the cache (length ${maxLen})`);
      yd.set(ud.subarray((o * len + s) * inner, (o * len + s + 1) * inner), (o * maxLen + at) * inner);
    }
  }
}

export const units = [{ op: 'TensorScatter', shape: (node, [past]) => [{ dtype: past.dtype, dims: past.dims.slice() }], js: { run } }];
