// The on-device self-test of a WebGPU bundle (webedge/selftest.py writes the golden pair): run the
// recorded input once on the session and compare with onnxruntime's outputs under the bundle's
// tolerance. A GPU that computes wrongly without an error is caught here, before any output of
// the page's own reaches the user: the caller moves the model to wasm and says why.
import { ARRAYS } from '../lib/dtypes.mjs';

function decode(t) {
  const bytes = Uint8Array.from(atob(t.b64), (c) => c.charCodeAt(0));
  const Arr = t.dtype === 'bool' ? Uint8Array : ARRAYS[t.dtype];
  return { data: new Arr(bytes.buffer, 0, bytes.byteLength / Arr.BYTES_PER_ELEMENT), dims: t.dims, type: t.dtype };
}

/** null when `got` matches `want` ({data}) within tolerance, else a short reason. */
export function mismatch(name, got, want, { atol, rtol, min_cosine: minCosine }) {
  const a = got.data;
  const b = want.data;
  if (a.length !== b.length) return `output '${name}' has ${a.length} values, the golden one ${b.length}`;
  let bad = 0;
  let worst = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    const d = Math.abs(x - y);
    if (!(d <= atol + rtol * Math.abs(y)) && !(Number.isNaN(x) && Number.isNaN(y))) bad++;
    if (d > worst || Number.isNaN(d)) worst = d;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  const cos = na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
  if (bad === 0) return null;
  if (!(cos >= minCosine)) return `output '${name}': ${bad}/${a.length} values off (max |diff| ${worst.toPrecision(3)}, cosine ${cos.toFixed(4)})`;
  return `output '${name}': ${bad}/${a.length} values off (max |diff| ${worst.toPrecision(3)})`;
}

/** Run the golden input on `session` (its run() takes {name: {data, dims, type}}); null when
 * every output matches, else why not. `outputs`: only these (the ones load() fetched weights for). */
export async function selfTest(session, doc, outputs) {
  const feeds = Object.fromEntries(doc.inputs.map((t) => [t.name, decode(t)]));
  let out;
  try {
    out = await session.run(feeds, outputs);
  } catch (err) {
    return `the self-test input failed to run: ${err.message}`;
  }
  for (const t of doc.outputs.filter((o) => !outputs || outputs.includes(o.name))) {
    const why = out[t.name] ? mismatch(t.name, out[t.name], decode(t), doc.tolerance) : `output '${t.name}' missing`;
    if (why) return why;
  }
  return null;
}
