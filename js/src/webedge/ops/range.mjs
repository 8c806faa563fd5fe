// Range: start, start + delta, ... up to (not including) limit; its length reads the scalars.
function params([start, limit, delta]) {
  const [s, l, d] = [start, limit, delta].map((t) => t.data[0]);
  return { s, d, n: Math.max(0, Math.ceil(Number(l - s) / Number(d))) };
}

export const units = [{
  op: 'Range',
  shape: (node, inputs) => [{ dtype: inputs[0].dtype, dims: [params(inputs).n] }],
  shapeReads: [0, 1, 2],
  js: {
    run(js, node, inputs, [y]) {
      const { s, d, n } = params(inputs);
      const yd = y.data;
      for (let i = 0; i < n; i++) yd[i] = typeof s === 'bigint' ? s + BigInt(i) * d : s + i * d;
    },
  },
}];
