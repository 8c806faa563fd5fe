// Shape: the input's dims [start, end) as int64 (start/end clamped to the rank, negative from the end).
import { norm } from '../lib/values.mjs';

function range(node, x) {
  const r = x.dims.length;
  const start = norm(Math.max(-r, Math.min(r, node.attrs.start ?? 0)), r);
  const end = norm(Math.max(-r, Math.min(r, node.attrs.end ?? r)), r);
  return [start, Math.max(start, end)];
}

export const units = [{
  op: 'Shape',
  shape: (node, [x]) => {
    const [start, end] = range(node, x);
    return [{ dtype: 'int64', dims: [end - start] }];
  },
  js: {
    run(js, node, [x], [y]) {
      const [start, end] = range(node, x);
      y.data.set(x.dims.slice(start, end).map(BigInt));
    },
  },
}];
