// ConstantOfShape: a tensor of the input's shape filled with `value` (default float32 0).
const valueOf = (node) => node.attrs.value ?? { dtype: 'float32', data: [0] };

export const units = [{
  op: 'ConstantOfShape',
  shape: (node, [s]) => [{ dtype: valueOf(node).dtype, dims: s.numbers() }],
  shapeReads: [0],
  js: {
    run(js, node, inputs, [y]) {
      const v = valueOf(node);
      y.data.fill(v.dtype === 'int64' ? BigInt(v.data[0]) : v.data[0]);
    },
  },
}];
