// Size: the number of elements of the input, as an int64 scalar.
export const units = [{
  op: 'Size',
  shape: () => [{ dtype: 'int64', dims: [] }],
  js: { run: (js, node, [x], [y]) => { y.data[0] = BigInt(x.size); } },
}];
