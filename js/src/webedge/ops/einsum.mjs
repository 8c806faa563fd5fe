// Einsum: general equations by one loop over every index. Labels are letters, and '.k' for the
// k-th of the E dims an ellipsis stands for (numpy aligns ellipsis dims to the right, so a term's
// ellipsis of e dims takes the last e of them). Repeated labels in a term take diagonals; a dim of
// 1 broadcasts. Sums in double (BigInt for 64-bit integers).
import { forEachBroadcast } from '../lib/broadcast.mjs';
import { isBig, numbersOf, store } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';

// The equation resolved against the input dims: every label, the output's labels and dims.
function parse(node, inputs) {
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
  return { labels, dimOf, out, outDims: out.map((l) => dimOf.get(l)) };
}

function run(js, node, inputs, [y]) {
  const { labels, dimOf, out, outDims } = parse(node, inputs);
  const summed = [...dimOf.keys()].filter((l) => !out.includes(l));
  const all = [...out, ...summed];
  const allDims = all.map((l) => dimOf.get(l));
  // Strides of every operand over all labels: 0 where broadcast, summed where a label repeats (diagonals).
  const os = stridesOf(outDims);
  const strides = [all.map((l, i) => (i < out.length ? os[i] : 0))];
  inputs.forEach((t, k) => {
    const ts = stridesOf(t.dims);
    strides.push(all.map((l) => labels[k].reduce((s, m, p) => (m === l && t.dims[p] !== 1 ? s + ts[p] : s), 0)));
  });
  const big = isBig(y.dtype);
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
}

export const units = [{
  op: 'Einsum',
  shape: (node, inputs) => [{ dtype: inputs[0].dtype, dims: parse(node, inputs).outDims }],
  js: { run },
}];
