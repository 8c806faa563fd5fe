// Sliding-window geometry for Conv, the pooling ops, Col2Im and MaxUnpool, for any number of
// spatial dims: output sizes and leading pads from strides, dilations, pads, ceil_mode and
// auto_pad, with ONE rule for SAME_UPPER / SAME_LOWER (`samePadBefore`). The wasm kernels take
// 2-D problems; `as2d` states a 1-D or 2-D geometry as their arguments (1-D is H = 1).
// ConvTranspose's geometry is built from these pieces in ops/conv_transpose.mjs, its only user,
// so the bundles of models without one do not carry it.

export const filled = (n, v) => new Array(n).fill(v);

// auto_pad SAME_*: `total` padding cells split so that SAME_UPPER puts the odd one at the end and
// SAME_LOWER at the start (the ONNX spec; onnxruntime does the same for ConvTranspose).
export const samePadBefore = (total, autoPad) => (autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2));
export const isSame = (autoPad) => autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';

// The last geometry computed for a node's attributes, by input and kernel sizes: a model runs the
// same node on the same sizes call after call, and shape rule and part both ask (measured: without
// this the geometry took 10% of PP-OCR cls's inference in V8).
const memo = new WeakMap();
function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
/** compute(at, spatial, kernel), or what it gave last time for these attributes (`at`), `kind` and
 * sizes (ConvTranspose's geometry is in ops/conv_transpose.mjs, its only user). */
export function remembered(kind, at, spatial, kernel, compute) {
  const hit = memo.get(at);
  if (hit && hit.kind === kind && same(hit.spatial, spatial) && same(hit.kernel, kernel)) return hit.g;
  const g = compute(at, spatial, kernel);
  memo.set(at, { kind, spatial: spatial.slice(), kernel: kernel.slice(), g });
  return g;
}

/** Conv and pooling windows over `spatial` (input sizes) with `kernel` sizes: the output sizes
 * `out`, the leading pads `begin`, and the strides and dilations in effect. The result is shared:
 * do not change it. */
export const windowGeometry = (at, spatial, kernel) => remembered('w', at, spatial, kernel, computeWindow);

function computeWindow(at, spatial, kernel) {
  const n = spatial.length;
  const strides = at.strides ?? filled(n, 1);
  const dil = at.dilations ?? filled(n, 1);
  const autoPad = at.auto_pad ?? 'NOTSET';
  let pads = autoPad === 'VALID' ? filled(2 * n, 0) : at.pads ?? filled(2 * n, 0);
  const out = new Array(n);
  if (isSame(autoPad)) {
    pads = new Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[i] = Math.ceil(spatial[i] / strides[i]);
      const total = Math.max(0, (out[i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - spatial[i]);
      pads[i] = samePadBefore(total, autoPad);
      pads[i + n] = total - pads[i];
    }
  } else {
    // onnxruntime divides in C++ integers, which truncate toward zero: a window larger than the
    // padded input still gives one output (floor, the spec's formula, would give none). Seen on
    // PP-OCR's classifier at 32 px high: MaxPool 2x2/2 over a 1-row map must give 1 row.
    const round = at.ceil_mode ? Math.ceil : Math.trunc;
    for (let i = 0; i < n; i++) {
      out[i] = round((spatial[i] + pads[i] + pads[i + n] - ((kernel[i] - 1) * dil[i] + 1)) / strides[i]) + 1;
      // ONNX: with ceil_mode the last window must start inside the input or its leading padding.
      if (at.ceil_mode && (out[i] - 1) * strides[i] >= spatial[i] + pads[i]) out[i]--;
    }
  }
  return { out, begin: pads.slice(0, n), pads, strides, dil };
}

/** A 1-D or 2-D geometry as the 2-D arguments of the wasm kernels (a 1-D op is a 2-D op with H = 1);
 * kept with the geometry it came from. */
export function as2d(g, spatial, kernel) {
  g.as2d ??= toTwo(g, spatial, kernel);
  return g.as2d;
}

function toTwo(g, spatial, kernel) {
  const two = (v, fill) => (v.length === 1 ? [fill, v[0]] : v);
  const [H, W] = two(spatial, 1);
  const [KH, KW] = two(kernel, 1);
  const [OH, OW] = two(g.out, 1);
  const [sh, sw] = two(g.strides, 1);
  const [dh, dw] = two(g.dil, 1);
  const [pt, pl] = two(g.begin, 0);
  return { H, W, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl };
}

/** Every tap of a (dilated) kernel: its offset along each dim (`pos`) and its flat offset in a
 * tensor with element strides `str` (`off`), in row-major kernel order. */
export function kernelTaps(kernel, dil, str) {
  const taps = [];
  const total = kernel.reduce((a, b) => a * b, 1);
  const k = filled(kernel.length, 0);
  for (let t = 0; t < total; t++) {
    taps.push({ pos: k.map((v, d) => v * dil[d]), off: k.reduce((a, v, d) => a + v * dil[d] * str[d], 0) });
    for (let d = kernel.length - 1; d >= 0; d--) {
      if (++k[d] < kernel[d]) break;
      k[d] = 0;
    }
  }
  return taps;
}
