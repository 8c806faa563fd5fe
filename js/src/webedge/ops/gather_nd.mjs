// GatherND: slices of x named by index tuples (the last dim of idx), after batch_dims shared dims.
import { tupleOffsets } from '../lib/indices.mjs';
import { size, stridesOf } from '../tensor.mjs';

function shape(node, [x, idx]) {
  const b = node.attrs.batch_dims ?? 0;
  const k = idx.dims[idx.dims.length - 1];
  return [{ dtype: x.dtype, dims: [...idx.dims.slice(0, -1), ...x.dims.slice(b + k)] }];
}

function run(js, node, [x, idx], [y]) {
  const b = node.attrs.batch_dims ?? 0;
  const k = idx.dims[idx.dims.length - 1];
  const batch = size(x.dims.slice(0, b));
  const perBatch = size(idx.dims.slice(b, -1)); // index tuples per batch entry
  const inner = size(x.dims.slice(b + k)); // elements copied per tuple
  const xBatch = size(x.dims.slice(b));
  const sub = x.dims.slice(b);
  const xs = stridesOf(sub);
  const ids = idx.numbers();
  const xd = x.data, yd = y.data;
  for (let bi = 0; bi < batch; bi++) {
    const offs = tupleOffsets(ids, k, sub, xs, bi * perBatch, perBatch);
    offs.forEach((off, j) => {
      const src = bi * xBatch + off;
      yd.set(xd.subarray(src, src + inner), (bi * perBatch + j) * inner);
    });
  }
}

export const units = [{ op: 'GatherND', shape, js: { run } }];
