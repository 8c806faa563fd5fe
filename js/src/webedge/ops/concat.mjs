// Concat along `axis`; empty inputs contribute nothing.
import { norm } from '../lib/values.mjs';
import { size } from '../tensor.mjs';

function shape(node, inputs) {
  const parts = inputs.filter((t) => t && t.size > 0);
  const first = parts[0] ?? inputs[0];
  const axis = norm(node.attrs.axis, first.dims.length);
  const dims = first.dims.slice();
  dims[axis] = parts.reduce((s, t) => s + t.dims[axis], 0);
  return [{ dtype: first.dtype, dims }];
}

function run(js, node, inputs, [y]) {
  const parts = inputs.filter((t) => t && t.size > 0);
  const axis = norm(node.attrs.axis, y.dims.length);
  const outer = size(y.dims.slice(0, axis));
  const inner = size(y.dims.slice(axis + 1));
  const yd = y.data;
  let offset = 0;
  for (const t of parts) {
    const td = t.data;
    const chunk = t.dims[axis] * inner;
    for (let o = 0; o < outer; o++) yd.set(td.subarray(o * chunk, (o + 1) * chunk), o * y.dims[axis] * inner + offset);
    offset += chunk;
  }
}

export const units = [{ op: 'Concat', shape, js: { run } }];
