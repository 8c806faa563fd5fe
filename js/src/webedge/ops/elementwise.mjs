// Element-wise ops: binary arithmetic with broadcasting, comparisons and logic, unary math and
// activations. float32 runs in the wasm kernels (elementwise.c); other dtypes in JS.
import { broadcastDims, broadcastStrides, forEachBroadcast } from '../broadcast.mjs';


const BINARY_KERNEL = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Max: 5, Min: 6 };
const BINARY_JS = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b,
  Div: (a, b) => (typeof a === 'bigint' ? a / b : Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b),
  Pow: (a, b) => (typeof a === 'bigint' ? a ** b : a ** b), Max: (a, b) => (a > b ? a : b), Min: (a, b) => (a < b ? a : b),
  Mod: (a, b) => (typeof a === 'bigint' ? ((a % b) + b) % b : ((a % b) + b) % b),
};
const COMPARE = {
  Equal: (a, b) => a === b, Less: (a, b) => a < b, Greater: (a, b) => a > b,
  LessOrEqual: (a, b) => a <= b, GreaterOrEqual: (a, b) => a >= b,
  And: (a, b) => !!a && !!b, Or: (a, b) => !!a || !!b, Xor: (a, b) => !!a !== !!b,
};

function binaryJs(ex, a, b, fn, outDtype) {
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc(outDtype, dims);
  const ad = a.data, bd = b.data, yd = y.data;
  const intDiv = fn === BINARY_JS.Div && outDtype !== 'float32' && outDtype !== 'float64';
  forEachBroadcast(dims, [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims)], (o, [i, j]) => {
    const v = fn(ad[i], bd[j]);
    yd[o] = typeof v === 'boolean' ? (v ? 1 : 0) : intDiv && typeof v === 'number' ? Math.trunc(v) : v;
  });
  return y;
}

function binaryKernel(ex, code, a, b) {
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc('float32', dims);
  a = ex.place(a);
  b = ex.place(b);
  const rank = Math.max(dims.length, 1);
  const d = dims.length ? dims : [1];
  const as = dims.length ? broadcastStrides(a.dims, dims) : [0];
  const bs = dims.length ? broadcastStrides(b.dims, dims) : [0];
  ex.ints2(0, d);
  ex.ints2(64, as);
  ex.ints2(128, bs);
  ex.k.binary_f32(code, a.ptr, b.ptr, y.ptr, rank, ex.scratch, ex.scratch + 256, ex.scratch + 512);
  return y;
}

function binary(name) {
  return (ex, node, [a, b]) => {
    if (a.dtype === 'float32' && b.dtype === 'float32' && name in BINARY_KERNEL) return [binaryKernel(ex, BINARY_KERNEL[name], a, b)];
    return [binaryJs(ex, a, b, BINARY_JS[name], a.dtype)];
  };
}

// Max/Min/Sum/Mean take any number of inputs.
function variadic(name) {
  const pair = binary(name === 'Sum' || name === 'Mean' ? 'Add' : name);
  return (ex, node, inputs) => {
    let acc = inputs[0];
    let first = true;
    for (const t of inputs.slice(1)) {
      const [next] = pair(ex, node, [acc, t]);
      if (!first) ex.arena.dispose(acc.ptr);
      acc = next;
      first = false;
    }
    if (first) acc = binaryKernel(ex, 0, acc, ex.place(scalar(ex, 0)));
    if (name === 'Mean') {
      const [mean] = binary('Div')(ex, node, [acc, scalar(ex, inputs.length)]);
      ex.arena.dispose(acc.ptr);
      acc = mean;
    }
    return [acc];
  };
}

function scalar(ex, v) {
  const t = ex.alloc('float32', []);
  t.data[0] = v;
  return t;
}

function compare(name) {
  return (ex, node, [a, b]) => [binaryJs(ex, a, b, COMPARE[name], 'bool')];
}

const UNARY = {
  Identity: 0, Relu: 1, Clip: 2, HardSigmoid: 3, HardSwish: 4, LeakyRelu: 5, Sigmoid: 6, Tanh: 7, Exp: 8, Log: 9,
  Sqrt: 10, Abs: 11, Neg: 12, Reciprocal: 13, Erf: 14, Gelu: 15, Floor: 16, Ceil: 17, Softplus: 18, Elu: 19,
  Sin: 20, Cos: 21, Round: 22,
};
const UNARY_JS = {
  Identity: (x) => x, Neg: (x) => -x, Abs: (x) => (x < 0 ? -x : x), Not: (x) => (x ? 0 : 1),
  Sign: (x) => (typeof x === 'bigint' ? (x > 0n ? 1n : x < 0n ? -1n : 0n) : Math.sign(x)),
};

function unaryParams(op, node, inputs) {
  const at = node.attrs;
  switch (op) {
    case 'Clip': {
      if (inputs.length > 1) {
        const lo = inputs[1] ? Number(inputs[1].data[0]) : -Infinity;
        const hi = inputs[2] ? Number(inputs[2].data[0]) : Infinity;
        return [lo, hi];
      }
      return [at.min ?? -3.4028234663852886e38, at.max ?? 3.4028234663852886e38];
    }
    case 'HardSigmoid': return [at.alpha ?? 0.2, at.beta ?? 0.5];
    case 'LeakyRelu': return [at.alpha ?? 0.01, 0];
    case 'Elu': return [at.alpha ?? 1.0, 0];
    case 'Gelu': return [at.approximate === 'tanh' ? 1 : 0, 0];
    default: return [0, 0];
  }
}

function unary(name) {
  return (ex, node, inputs) => {
    const x = inputs[0];
    if (x.dtype !== 'float32' || !(name in UNARY)) {
      const fn = UNARY_JS[name];
      if (!fn) throw new Error(`${name} on ${x.dtype} is not supported`);
      const y = ex.alloc(x.dtype, x.dims.slice());
      const xd = x.data, yd = y.data;
      for (let i = 0; i < xd.length; i++) yd[i] = fn(xd[i]);
      return [y];
    }
    const y = ex.alloc('float32', x.dims.slice());
    const [a0, a1] = unaryParams(name, node, inputs);
    ex.k.unary_f32(UNARY[name], ex.place(x).ptr, y.ptr, x.size, a0, a1);
    return [y];
  };
}

function where(ex, node, [c, a, b]) {
  const dims = broadcastDims(c.dims, a.dims, b.dims);
  const y = ex.alloc(a.dtype, dims);
  const cd = c.data, ad = a.data, bd = b.data, yd = y.data;
  forEachBroadcast(dims, [c, a, b].map((t) => broadcastStrides(t.dims, dims)), (o, [i, j, k]) => {
    yd[o] = cd[i] ? ad[j] : bd[k];
  });
  return [y];
}

export const ops = { Where: where };
for (const name of Object.keys(BINARY_JS)) ops[name] = binary(name);
for (const name of ['Max', 'Min', 'Sum', 'Mean']) ops[name] = variadic(name);
for (const name of Object.keys(COMPARE)) ops[name] = compare(name);
for (const name of new Set([...Object.keys(UNARY), ...Object.keys(UNARY_JS)])) ops[name] = unary(name);
