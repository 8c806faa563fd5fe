// CumSum and CumProd along the axis input (exclusive, reverse); float16 accumulates in double,
// 64-bit integers as BigInt.
import { isBig, norm, valuesOf, scratchFor, store } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function run(js, node, [x, axisT], [y]) {
  const product = node.op === 'CumProd';
  const axis = norm(Number(axisT.data[0]), x.dims.length);
  const exclusive = node.attrs.exclusive ?? 0;
  const reverse = node.attrs.reverse ?? 0;
  const xv = valuesOf(x);
  const out = scratchFor(x.dtype, x.size);
  const big = isBig(x.dtype);
  const start = product ? (big ? 1n : 1) : big ? 0n : 0;
  const n = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  // x: [outer, n, inner], accumulated along n.
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = start;
      for (let s = 0; s < n; s++) {
        const at = (o * n + (reverse ? n - 1 - s : s)) * inner + i;
        if (exclusive) out[at] = acc;
        acc = product ? acc * xv[at] : acc + xv[at];
        if (!exclusive) out[at] = acc;
      }
    }
  }
  store(y, out);
}

const shape = (node, [x]) => [{ dtype: x.dtype, dims: x.dims.slice() }];
export const units = ['CumSum', 'CumProd'].map((op) => ({ op, shape, js: { run } }));
