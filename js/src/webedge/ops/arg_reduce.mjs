// ArgMax and ArgMin along `axis` (keepdims, select_last_index), int64 indices.
import { norm } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function shape(node, [x]) {
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const keep = node.attrs.keepdims ?? 1;
  return [{ dtype: 'int64', dims: keep ? x.dims.map((d, i) => (i === axis ? 1 : d)) : x.dims.filter((_, i) => i !== axis) }];
}

function run(js, node, [x], [y]) {
  const max = node.op === 'ArgMax';
  const axis = norm(node.attrs.axis ?? 0, x.dims.length);
  const last = node.attrs.select_last_index ?? 0;
  const outer = size(x.dims.slice(0, axis));
  const n = x.dims[axis];
  const inner = size(x.dims.slice(axis + 1));
  const xd = x.data, yd = y.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let k = 1; k < n; k++) {
        const v = xd[(o * n + k) * inner + i];
        const b = xd[(o * n + best) * inner + i];
        if (max ? v > b || (last && v === b) : v < b || (last && v === b)) best = k;
      }
      yd[o * inner + i] = BigInt(best);
    }
  }
}

export const units = ['ArgMax', 'ArgMin'].map((op) => ({ op, shape, js: { run } }));
