// Element-wise math computed in JS (double precision, rounded once on store), on any float dtype:
// Celu, Selu, ThresholdedRelu, PRelu (broadcast slope), Mish, Softsign, Shrink (any numeric dtype),
// Acos, Asin, Atan, Acosh, Asinh, Atanh, Cosh, Sinh, Tan, IsInf, IsNaN, Dropout (inference copy;
// random only with training_mode), and Einsum (general equations, by one loop over every index).
import { broadcastDims, broadcastStrides, forEachBroadcast } from '../broadcast.mjs';
import { stridesOf } from '../tensor.mjs';
import { isBig, numbersOf, encoder, oneOf, store } from './values.mjs';

// y = fn(x) element by element; x is read as numbers, the result stored as `outDtype` wants it.
function map(ex, x, fn, outDtype = x.dtype) {
  const y = ex.alloc(outDtype, x.dims.slice());
  const xv = numbersOf(x), yd = y.data;
  const enc = encoder(outDtype);
  for (let i = 0; i < yd.length; i++) yd[i] = enc ? enc(fn(xv[i])) : fn(xv[i]);
  return y;
}

const unary = (fn) => (ex, node, [x]) => [map(ex, x, fn)];

// Attributes resolved once per call; `make(attrs)` returns the element function.
const withAttrs = (make) => (ex, node, [x]) => [map(ex, x, make(node.attrs))];

const celu = withAttrs(({ alpha = 1.0 }) => (v) => Math.max(0, v) + Math.min(0, alpha * Math.expm1(v / alpha)));
const selu = withAttrs(({ alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875 }) =>
  (v) => gamma * (v > 0 ? v : alpha * Math.expm1(v)));
const thresholdedRelu = withAttrs(({ alpha = 1.0 }) => (v) => (v > alpha ? v : 0));
const shrink = withAttrs(({ lambd = 0.5, bias = 0 }) => (v) => (v < -lambd ? v + bias : v > lambd ? v - bias : 0));
const softplus = (v) => (v > 30 ? v : Math.log1p(Math.exp(v)));

function prelu(ex, node, [x, slope]) {
  const dims = broadcastDims(x.dims, slope.dims);
  const y = ex.alloc(x.dtype, dims);
  const xv = numbersOf(x), sv = numbersOf(slope), yd = y.data;
  const enc = encoder(x.dtype);
  forEachBroadcast(dims, [broadcastStrides(x.dims, dims), broadcastStrides(slope.dims, dims)], (o, [i, j]) => {
    const v = xv[i] < 0 ? xv[i] * sv[j] : xv[i];
    yd[o] = enc ? enc(v) : v;
  });
  return [y];
}

function isInf(ex, node, [x]) {
  const neg = node.attrs.detect_negative ?? 1;
  const pos = node.attrs.detect_positive ?? 1;
  return [map(ex, x, (v) => (v === Infinity && pos) || (v === -Infinity && neg), 'bool')];
}

// Inference: the output is a copy and the mask all true. With training_mode set, elements are
// dropped with probability `ratio` and the rest scaled by 1 / (1 - ratio).
function dropout(ex, node, [x, ratioT, trainT]) {
  const training = trainT ? !!trainT.data[0] : false;
  const ratio = ratioT ? Number(numbersOf(ratioT)[0]) : node.attrs.ratio ?? 0.5;
  const maskType = ex.plan.opset >= 10 ? 'bool' : x.dtype;
  const y = ex.alloc(x.dtype, x.dims.slice());
  const mask = node.outputs.length > 1 && node.outputs[1] ? ex.alloc(maskType, x.dims.slice()) : null;
  const keep = training && ratio > 0 ? Array.from({ length: x.size }, () => Math.random() >= ratio) : null;
  if (keep) {
    const xv = numbersOf(x), yd = y.data;
    const enc = encoder(x.dtype);
    const scale = 1 / (1 - ratio);
    for (let i = 0; i < yd.length; i++) {
      const v = keep[i] ? xv[i] * scale : 0;
      yd[i] = enc ? enc(v) : v;
    }
  } else {
    y.data.set(x.data);
  }
  if (!mask) return [y];
  const md = mask.data;
  const one = oneOf(maskType);
  for (let i = 0; i < md.length; i++) md[i] = !keep || keep[i] ? one : 0 * one;
  return [y, mask];
}

// Einsum: labels are letters, and '.k' for the k-th of the E dims an ellipsis stands for (numpy
// aligns ellipsis dims to the right, so a term's ellipsis of e dims takes the last e of them).
function einsum(ex, node, inputs) {
  const eq = node.attrs.equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length !== inputs.length) throw new Error(`equation '${eq}' has ${terms.length} terms for ${inputs.length} inputs`);
  const letters = (s) => s.split('').filter((c) => /[A-Za-z]/.test(c));
  const ellRank = terms.map((t, k) => (t.includes('...') ? inputs[k].dims.length - letters(t).length : 0));
  const E = Math.max(0, ...ellRank);
  const ell = (e) => Array.from({ length: e }, (_, j) => `.${E - e + j}`);
  const expand = (t, e) => {
    const at = t.indexOf('...');
    if (at < 0) return letters(t);
    return [...letters(t.slice(0, at)), ...ell(e), ...letters(t.slice(at + 3))];
  };
  const labels = terms.map((t, k) => expand(t, ellRank[k]));
  // Size of each label; a dim of 1 broadcasts against any size.
  const dimOf = new Map();
  labels.forEach((ls, k) => {
    if (ls.length !== inputs[k].dims.length) throw new Error(`term '${terms[k]}' does not match rank ${inputs[k].dims.length}`);
    ls.forEach((l, p) => {
      const d = inputs[k].dims[p];
      const had = dimOf.get(l);
      if (had === undefined || had === 1) dimOf.set(l, d);
      else if (d !== had && d !== 1) throw new Error(`label '${l}' has sizes ${had} and ${d}`);
    });
  });
  let out;
  if (rhs !== undefined) {
    out = expand(rhs, E);
  } else {
    // Implicit output: the ellipsis dims, then the letters used exactly once, in ASCII order.
    const count = new Map();
    for (const ls of labels) for (const l of ls) if (!l.startsWith('.')) count.set(l, (count.get(l) ?? 0) + 1);
    out = [...ell(E), ...[...count].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  }
  const summed = [...dimOf.keys()].filter((l) => !out.includes(l));
  const all = [...out, ...summed];
  const allDims = all.map((l) => dimOf.get(l));
  const outDims = out.map((l) => dimOf.get(l));
  // Strides of every operand over all labels: 0 where broadcast, summed where a label repeats (diagonals).
  const os = stridesOf(outDims);
  const strides = [all.map((l, i) => (i < out.length ? os[i] : 0))];
  inputs.forEach((t, k) => {
    const ts = stridesOf(t.dims);
    strides.push(all.map((l) => labels[k].reduce((s, m, p) => (m === l && t.dims[p] !== 1 ? s + ts[p] : s), 0)));
  });
  const dtype = inputs[0].dtype;
  const big = isBig(dtype);
  const y = ex.alloc(dtype, outDims);
  const vals = inputs.map((t) => (big ? t.data : numbersOf(t)));
  const acc = big ? new BigInt64Array(y.size) : new Float64Array(y.size);
  const one = big ? 1n : 1;
  // outDims x summed dims: O(product of all label sizes).
  forEachBroadcast(allDims, strides, (o, offs) => {
    let p = one;
    for (let k = 0; k < vals.length; k++) p *= vals[k][offs[k + 1]];
    acc[offs[0]] += p;
  });
  store(y, acc); // typed-array set converts (and for integer dtypes wraps) each value
  return [y];
}

export const ops = {
  Celu: celu, Selu: selu, ThresholdedRelu: thresholdedRelu, PRelu: prelu, Shrink: shrink,
  Mish: unary((v) => v * Math.tanh(softplus(v))), Softsign: unary((v) => v / (1 + Math.abs(v))),
  Acos: unary(Math.acos), Asin: unary(Math.asin), Atan: unary(Math.atan), Acosh: unary(Math.acosh),
  Asinh: unary(Math.asinh), Atanh: unary(Math.atanh), Cosh: unary(Math.cosh), Sinh: unary(Math.sinh),
  Tan: unary(Math.tan), IsInf: isInf, IsNaN: (ex, node, [x]) => [map(ex, x, (v) => v !== v, 'bool')],
  Dropout: dropout, Einsum: einsum,
};
