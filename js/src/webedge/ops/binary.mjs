// Binary arithmetic with numpy broadcasting: Add, Sub, Mul, Div, Pow, Mod (fmod).
//   wasm: binary_f32 (wasm/kernels/binary.c), Pow pow_f32 (pow.c), when both operands are float32
//         (not Mod); split over threads by the outermost coalesced axis.
//   webgpu: binary.wgsl on float32 (not Mod), any rank up to 8.
//   js:   every dtype: BigInt when both are 64-bit integers, else JS numbers (float16 decoded;
//         a 64-bit integer next to a float, e.g. Pow's exponent, becomes a number); integer
//         division truncates.
import { broadcastDims, broadcastStrides, forEachRow } from '../lib/broadcast.mjs';
import { BINARY } from '../wasm/abi.mjs';
import { isBig, numbersOf, numberToHalf } from '../lib/values.mjs';
import { GPU_BINARY, binaryGpu, binaryGpuSupports } from '../lib/gpu.mjs';

export const ARITHMETIC = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b,
  Div: (a, b) => a / b, // BigInt division truncates; integer dtypes use `truncatingDiv`
  Pow: (a, b) => a ** b, Max: (a, b) => (a > b ? a : b), Min: (a, b) => (a < b ? a : b),
  // fmod=0: the result takes the divisor's sign (numpy's mod, also for inf and nan on floats)
  Mod: (a, b) => {
    if (typeof a === 'number' && Number.isFinite(a) && !Number.isFinite(b) && !Number.isNaN(b)) return a === 0 || (a < 0) === (b < 0) ? a : b;
    let r = a % b;
    if (r != 0 && (r < 0) !== (b < 0)) r += b; // eslint-disable-line eqeqeq -- r may be a BigInt
    return r;
  },
};
const fmod = (a, b) => a % b; // Mod with fmod=1: C fmod, the result takes the dividend's sign

const isFloat = (dtype) => dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
const truncatingDiv = (a, b) => (typeof a === 'bigint' ? a / b : Math.trunc(a / b));

/** The element function of arithmetic op `op` on operands of dtype `dtype`. */
export const arithmeticFor = (op, dtype) => (op === 'Div' && !isFloat(dtype) ? truncatingDiv : ARITHMETIC[op]);

// A computed value -> what a tensor of `dtype` stores (BigInts and numbers may meet here).
function storeAs(dtype) {
  if (dtype === 'float16') return numberToHalf;
  if (isBig(dtype)) return (v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
  if (!isFloat(dtype) && dtype !== 'bool') return (v) => (typeof v === 'bigint' ? Number(v) : Math.trunc(v));
  return (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
}

export const binaryShape = (node, [a, b]) => [{ dtype: a.dtype, dims: broadcastDims(a.dims, b.dims) }];

/** y = fn(a, b) elementwise with broadcasting, in JS (y preallocated with the broadcast dims). */
export function binaryJs(a, b, y, fn) {
  const big = isBig(a.dtype) && isBig(b.dtype);
  const read = (t) => (big || (!isBig(t.dtype) && t.dtype !== 'float16') ? t.data : numbersOf(t));
  const ad = read(a), bd = read(b), yd = y.data;
  const put = storeAs(y.dtype);
  forEachRow(y.dims, [broadcastStrides(a.dims, y.dims), broadcastStrides(b.dims, y.dims)], (o, [i, j], n, [si, sj]) => {
    for (let k = 0; k < n; k++, i += si, j += sj) yd[o + k] = put(fn(ad[i], bd[j]));
  });
}

/** y = a op b on the wasm device (all three float32 in the arena); op: Pow or a BINARY name. With
 * `split`, the work may be cut over the worker pool (a promise then): by the outermost axis left
 * once the axes are coalesced (every element, or every channel of a per-channel operand). */
export function binaryWasm(wasm, op, a, b, y, split = false) {
  const [dims, as, bs] = coalesce(y.dims, broadcastStrides(a.dims, y.dims), broadcastStrides(b.dims, y.dims));
  const rank = dims.length;
  const pa = wasm.ints(64, as);
  const pb = wasm.ints(128, bs);
  const [kernel, code] = op === 'Pow' ? ['pow_f32', null] : ['binary_f32', BINARY[op]];
  const inner = dims.slice(1).reduce((p, d) => p * d, 1);
  let share = 0; // each share's dims in a scratch block of its own (they differ in the outer axis)
  const callsFor = ([u0, u1]) => {
    const args = { a: a.ptr + u0 * as[0] * 4, b: b.ptr + u0 * bs[0] * 4, y: y.ptr + u0 * inner * 4, rank,
      dims: wasm.ints(192 + 16 * share++, [u1 - u0, ...dims.slice(1)]), astrides: pa, bstrides: pb };
    return [code === null ? args : { op: code, ...args }];
  };
  if (!split || rank > 16) return wasm.call(kernel, callsFor([0, dims[0]])[0]);
  return wasm.split(kernel, { units: dims[0], align: rank === 1 ? 4 : 1, elements: y.size }, callsFor);
}

// dims and strides with size-1 axes dropped and neighbours merged where both operands step across
// them as one axis (binary_f32 does the same; here so the outermost axis is worth splitting).
function coalesce(dims, as, bs) {
  const d = [], sa = [], sb = [];
  for (let i = dims.length - 1; i >= 0; i--) {
    if (dims[i] === 1) continue;
    const r = d.length - 1;
    if (r >= 0 && as[i] === sa[r] * d[r] && bs[i] === sb[r] * d[r]) {
      d[r] *= dims[i];
      continue;
    }
    d.push(dims[i]);
    sa.push(as[i]);
    sb.push(bs[i]);
  }
  if (!d.length) return [[1], [0], [0]];
  return [d.reverse(), sa.reverse(), sb.reverse()];
}

const unit = (op) => ({
  op,
  shape: binaryShape,
  wasm: op in BINARY || op === 'Pow' ? {
    kernels: [op === 'Pow' ? 'pow' : 'binary'],
    // binary_f32 and this op's row loop (its part; webedge/backends/wasm_strip.py strips the others)
    ...(op === 'Pow' ? {} : { calls: ['binary_f32', `binary_f32/${op}`] }),
    supports: (node, [a, b]) => a.dtype === 'float32' && b.dtype === 'float32',
    run: (wasm, node, [a, b], [y]) => binaryWasm(wasm, op, a, b, y, true),
  } : undefined,
  js: { run: (js, node, [a, b], [y]) => binaryJs(a, b, y, op === 'Mod' && node.attrs?.fmod ? fmod : arithmeticFor(op, a.dtype)) },
  ...(globalThis.WEBGPU && op in GPU_BINARY ? { webgpu: { kernels: ['binary'], supports: binaryGpuSupports,
    pipelines: () => [{ shader: 'binary', constants: { OP: GPU_BINARY[op] } }],
    run: (gpu, node, [a, b], [y]) => binaryGpu(gpu, op, a, b, y) } } : {}),
});

export const units = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod'].map(unit);
