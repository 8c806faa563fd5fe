// Helpers of the control-flow ops (If, Loop, Scan): running a body with its inputs bound by name,
// and slicing and stacking the tensors that go into and come out of the iterations. A body sees
// the caller's scope (the outer values it reads) plus its own inputs; the tensors made here for
// those inputs are freed after each iteration. `ex` is the Executor.
import { size } from '../tensor.mjs';

// One run of `body` with its inputs bound to `args`; the args in `mine` are freed afterwards.
export async function runBody(ex, body, scope, args, mine) {
  const values = new Map(scope);
  body.inputs.forEach((name, i) => values.set(name, args[i]));
  try {
    // Loop and Scan slice, stack and test their body's outputs on the host: GPU ones come back
    const outs = await ex.runSubplan(body, values);
    if (!globalThis.WEBGPU) return outs;
    return await Promise.all(outs.map(async (t) => {
      if (t.location !== 'webgpu') return t;
      const host = await ex.devices.js.upload(t);
      t.release();
      return host;
    }));
  } finally {
    for (const t of args) if (mine.has(t)) ex.release(t);
  }
}

export function scalar(ex, dtype, value) {
  const t = ex.alloc(dtype, []);
  t.data[0] = value;
  return t;
}

export function copyOf(ex, x) {
  const y = ex.alloc(x.dtype, x.dims.slice());
  y.data.set(x.data);
  return y;
}

// x with `axis` removed, at position `index` along it.
export function take(ex, x, axis, index) {
  const d = x.dims;
  const y = ex.alloc(x.dtype, [...d.slice(0, axis), ...d.slice(axis + 1)]);
  const [outer, n, inner] = [size(d.slice(0, axis)), d[axis], size(d.slice(axis + 1))];
  const xd = x.data, yd = y.data;
  for (let o = 0; o < outer; o++) yd.set(xd.subarray((o * n + index) * inner, (o * n + index + 1) * inner), o * inner);
  return y;
}

// Equal-shaped parts stacked along a new `axis` (parts[t] at position t); float32 [0] when there are none.
export function stack(ex, parts, axis) {
  if (!parts.length) return ex.alloc('float32', [0]);
  const e = parts[0].dims;
  const T = parts.length;
  const y = ex.alloc(parts[0].dtype, [...e.slice(0, axis), T, ...e.slice(axis)]);
  const [outer, inner] = [size(e.slice(0, axis)), size(e.slice(axis))];
  const yd = y.data;
  parts.forEach((p, t) => {
    if (size(p.dims) !== outer * inner) throw new Error(`scan output ${t} has shape [${p.dims}], expected [${e}]`);
    const pd = p.data;
    for (let o = 0; o < outer; o++) yd.set(pd.subarray(o * inner, (o + 1) * inner), (o * T + t) * inner);
  });
  return y;
}
