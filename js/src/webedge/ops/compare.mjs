// Comparisons and logic with numpy broadcasting, bool outputs: Equal, Less, Greater, LessOrEqual,
// GreaterOrEqual, And, Or, Xor. In JS on any dtype. For plain numbers the comparison is written
// into the row loop: a call per element through a shared function costs ~10x more (Magika's one-hot
// Equal over 2048 x 257).
import { broadcastDims, broadcastStrides, forEachRow } from '../lib/broadcast.mjs';
import { isBig, numbersOf } from '../lib/values.mjs';

const TESTS = {
  Equal: (a, b) => a === b, Less: (a, b) => a < b, Greater: (a, b) => a > b,
  LessOrEqual: (a, b) => a <= b, GreaterOrEqual: (a, b) => a >= b,
  And: (a, b) => !!a && !!b, Or: (a, b) => !!a || !!b, Xor: (a, b) => !!a !== !!b,
};

const ROWS = {
  Equal: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] === bd[j] ? 1 : 0; },
  Less: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] < bd[j] ? 1 : 0; },
  Greater: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] > bd[j] ? 1 : 0; },
  LessOrEqual: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] <= bd[j] ? 1 : 0; },
  GreaterOrEqual: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] >= bd[j] ? 1 : 0; },
};

function run(js, node, [a, b], [y]) {
  const plain = !isBig(a.dtype) && !isBig(b.dtype) && a.dtype !== 'float16' && b.dtype !== 'float16';
  const strides = [broadcastStrides(a.dims, y.dims), broadcastStrides(b.dims, y.dims)];
  const yd = y.data;
  if (plain && node.op in ROWS) {
    const row = ROWS[node.op];
    const ad = a.data, bd = b.data;
    forEachRow(y.dims, strides, (o, [i, j], n, [si, sj]) => row(yd, ad, bd, o, i, j, n, si, sj));
    return;
  }
  // BigInt next to BigInt compares exactly; otherwise as numbers (float16 decoded)
  const big = isBig(a.dtype) && isBig(b.dtype);
  const read = (t) => (big || (!isBig(t.dtype) && t.dtype !== 'float16') ? t.data : numbersOf(t));
  const ad = read(a), bd = read(b);
  const test = TESTS[node.op];
  forEachRow(y.dims, strides, (o, [i, j], n, [si, sj]) => {
    for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = test(ad[i], bd[j]) ? 1 : 0;
  });
}

const shape = (node, [a, b]) => [{ dtype: 'bool', dims: broadcastDims(a.dims, b.dims) }];

export const units = Object.keys(TESTS).map((op) => ({ op, shape, js: { run } }));
