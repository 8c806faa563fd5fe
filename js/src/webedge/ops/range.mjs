// Range: start, start + delta, ... up to (not including) limit; its length reads the scalars.
// 64-bit integers count in BigInt; float16/bfloat16 are decoded, counted in double, encoded.
import { numberOf, storeOf } from '../lib/numbers.mjs';

function params(inputs) {
  const big = typeof inputs[0].data[0] === 'bigint';
  const [s, l, d] = inputs.map((t) => (big ? t.data[0] : numberOf(t.dtype)(t.data[0])));
  return { s, d, big, n: Math.max(0, Math.ceil(Number(l - s) / Number(d))) };
}

export const units = [{
  op: 'Range',
  shape: (node, inputs) => [{ dtype: inputs[0].dtype, dims: [params(inputs).n] }],
  shapeReads: [0, 1, 2],
  js: {
    run(js, node, inputs, [y]) {
      const { s, d, big, n } = params(inputs);
      const yd = y.data;
      const put = storeOf(y.dtype);
      for (let i = 0; i < n; i++) yd[i] = big ? s + BigInt(i) * d : put(s + i * d);
    },
  },
}];
