// OneHot: indices -> a new `axis` of length depth holding values[1] at the index and values[0]
// elsewhere; indices outside [-depth, depth) stay all off.
import { norm } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

const depthOf = (depthT) => Math.trunc(Number(depthT.data[0]));

function shape(node, [idx, depthT, values]) {
  const axis = norm(node.attrs.axis ?? -1, idx.dims.length + 1);
  return [{ dtype: values.dtype, dims: [...idx.dims.slice(0, axis), depthOf(depthT), ...idx.dims.slice(axis)] }];
}

function run(js, node, [idx, depthT, values], [y]) {
  const depth = depthOf(depthT);
  const axis = norm(node.attrs.axis ?? -1, idx.dims.length + 1);
  const [off, on] = values.data;
  const outer = size(idx.dims.slice(0, axis));
  const inner = size(idx.dims.slice(axis));
  const ids = idx.numbers();
  const yd = y.data;
  yd.fill(off);
  // y: [outer, depth, inner]
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let v = Math.trunc(ids[o * inner + i]);
      if (v < 0) v += depth;
      if (v >= 0 && v < depth) yd[(o * depth + v) * inner + i] = on;
    }
  }
}

export const units = [{ op: 'OneHot', shape, shapeReads: [1], js: { run } }];
