// Element-wise ops: binary arithmetic with broadcasting, comparisons and logic, unary math and
// activations. float32 runs in the wasm kernels (elementwise.c); other dtypes in JS.
import { broadcastDims, broadcastStrides, forEachBroadcast, forEachRow } from '../broadcast.mjs';
import { readNumbers, numberToHalf } from '../tensor.mjs';


const BINARY_KERNEL = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Max: 5, Min: 6 };
const BINARY_JS = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b,
  Div: (a, b) => (typeof a === 'bigint' ? a / b : Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b),
  Pow: (a, b) => (typeof a === 'bigint' ? a ** b : a ** b), Max: (a, b) => (a > b ? a : b), Min: (a, b) => (a < b ? a : b),
  // fmod=0: the result takes the divisor's sign (numpy's mod, also for inf and nan on floats)
  Mod: (a, b) => {
    if (typeof a === 'number' && Number.isFinite(a) && !Number.isFinite(b) && !Number.isNaN(b)) return a === 0 || (a < 0) === (b < 0) ? a : b;
    let r = a % b;
    if (r != 0 && (r < 0) !== (b < 0)) r += b; // eslint-disable-line eqeqeq -- r may be a BigInt
    return r;
  },
};
const fmod = (a, b) => a % b; // Mod with fmod=1: C fmod, the result takes the dividend's sign
const COMPARE = {
  Equal: (a, b) => a === b, Less: (a, b) => a < b, Greater: (a, b) => a > b,
  LessOrEqual: (a, b) => a <= b, GreaterOrEqual: (a, b) => a >= b,
  And: (a, b) => !!a && !!b, Or: (a, b) => !!a || !!b, Xor: (a, b) => !!a !== !!b,
};

const isBig = (dtype) => dtype === 'int64' || dtype === 'uint64';
const isFloat = (dtype) => dtype === 'float32' || dtype === 'float64' || dtype === 'float16';

// Operand values in one arithmetic: BigInt when both are 64-bit integers, else JS numbers
// (float16 decoded; a 64-bit integer next to a float, e.g. Pow's exponent, becomes a number).
function operands(a, b) {
  const big = isBig(a.dtype) && isBig(b.dtype);
  const read = (t) => (big || (!isBig(t.dtype) && t.dtype !== 'float16') ? t.data : readNumbers(t));
  return [read(a), read(b)];
}

function encoder(dtype) {
  if (dtype === 'float16') return numberToHalf;
  if (isBig(dtype)) return (v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
  if (!isFloat(dtype) && dtype !== 'bool') return (v) => (typeof v === 'bigint' ? Number(v) : Math.trunc(v));
  return (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
}

function binaryJs(ex, a, b, fn, outDtype) {
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc(outDtype, dims);
  const [ad, bd] = operands(a, b);
  const yd = y.data;
  const put = encoder(outDtype);
  const bool = outDtype === 'bool';
  forEachRow(dims, [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims)], (o, [i, j], n, [si, sj]) => {
    if (bool) {
      for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = fn(ad[i], bd[j]) ? 1 : 0;
    } else {
      for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = put(fn(ad[i], bd[j]));
    }
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
    const fn = name === 'Mod' && node.attrs?.fmod ? fmod : BINARY_JS[name];
    return [binaryJs(ex, a, b, fn, a.dtype)];
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
  return (ex, node, [a, b]) => {
    if (name in COMPARE_ROW && !isBig(a.dtype) && !isBig(b.dtype) && a.dtype !== 'float16' && b.dtype !== 'float16') {
      return [compareRows(ex, a, b, COMPARE_ROW[name])];
    }
    return [binaryJs(ex, a, b, COMPARE[name], 'bool')];
  };
}

// Comparisons of plain numbers with the test written into the loop: a call per element through
// binaryJs's shared `fn` costs ~10x more (e.g. Magika's one-hot Equal over 2048 x 257).
const COMPARE_ROW = {
  Equal: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] === bd[j] ? 1 : 0; },
  Less: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] < bd[j] ? 1 : 0; },
  Greater: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] > bd[j] ? 1 : 0; },
  LessOrEqual: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] <= bd[j] ? 1 : 0; },
  GreaterOrEqual: (yd, ad, bd, o, i, j, n, si, sj) => { for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = ad[i] >= bd[j] ? 1 : 0; },
};

function compareRows(ex, a, b, rowFn) {
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc('bool', dims);
  const ad = a.data, bd = b.data, yd = y.data;
  forEachRow(dims, [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims)], (o, [i, j], n, [si, sj]) => {
    rowFn(yd, ad, bd, o, i, j, n, si, sj);
  });
  return y;
}

const UNARY = {
  Identity: 0, Relu: 1, Clip: 2, HardSigmoid: 3, HardSwish: 4, LeakyRelu: 5, Sigmoid: 6, Tanh: 7, Exp: 8, Log: 9,
  Sqrt: 10, Abs: 11, Neg: 12, Reciprocal: 13, Erf: 14, Gelu: 15, Floor: 16, Ceil: 17, Softplus: 18, Elu: 19,
  Sin: 20, Cos: 21, Round: 22,
};
// The same ops in JS, for float64, float16 and integer tensors: (a0, a1) -> (x -> y) on numbers.
const erf = (x) => {
  // Abramowitz & Stegun 7.1.26 refined by one Newton step on erf' = 2/sqrt(pi) exp(-x^2)
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  let y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  y = x < 0 ? -y : y;
  return y;
};
const roundEven = (v) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
const UNARY_JS = {
  Identity: () => (x) => x, Neg: () => (x) => -x, Abs: () => Math.abs, Not: () => (x) => (x ? 0 : 1), Sign: () => Math.sign,
  Relu: () => (x) => (x < 0 ? 0 : x), Clip: (lo, hi) => (x) => (x < lo ? lo : x > hi ? hi : x),
  HardSigmoid: (a, b) => (x) => Math.max(0, Math.min(1, a * x + b)), HardSwish: () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  LeakyRelu: (a) => (x) => (x < 0 ? a * x : x), Sigmoid: () => (x) => 1 / (1 + Math.exp(-x)), Tanh: () => Math.tanh,
  Exp: () => Math.exp, Log: () => Math.log, Sqrt: () => Math.sqrt, Reciprocal: () => (x) => 1 / x, Erf: () => erf,
  Gelu: (approx) => (approx ? (x) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3))) : (x) => 0.5 * x * (1 + erf(x / Math.SQRT2))),
  Floor: () => Math.floor, Ceil: () => Math.ceil, Softplus: () => (x) => (x > 20 ? x : Math.log1p(Math.exp(x))),
  Elu: (a) => (x) => (x < 0 ? a * (Math.exp(x) - 1) : x), Sin: () => Math.sin, Cos: () => Math.cos, Round: () => roundEven,
};

function unaryParams(op, node, inputs) {
  const at = node.attrs;
  switch (op) {
    case 'Clip': {
      if (inputs.length > 1) {
        const lo = inputs[1] ? readNumbers(inputs[1])[0] : -Infinity;
        const hi = inputs[2] ? readNumbers(inputs[2])[0] : Infinity;
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
    const tanhGelu = name === 'Gelu' && node.attrs.approximate === 'tanh'; // the kernel has the exact form only
    if (x.dtype !== 'float32' || !(name in UNARY) || tanhGelu) {
      const make = UNARY_JS[name];
      if (!make) throw new Error(`${name} on ${x.dtype} is not supported`);
      const fn = make(...unaryParams(name, node, inputs));
      const y = ex.alloc(x.dtype, x.dims.slice());
      const xd = readNumbers(x);
      const yd = y.data;
      const put = encoder(x.dtype);
      for (let i = 0; i < xd.length; i++) yd[i] = put(fn(xd[i]));
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
