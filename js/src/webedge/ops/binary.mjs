// Binary arithmetic with numpy broadcasting: Add, Sub, Mul, Div, Pow, Mod (fmod).
//   wasm: binary_f32 (wasm/kernels/binary.c), Pow pow_f32 (pow.c), when both operands are float32
//         (not Mod).
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

/** y = a op b on the wasm device (all three float32 in the arena); op: Pow or a BINARY name. */
export function binaryWasm(wasm, op, a, b, y) {
  const dims = y.dims;
  const rank = dims.length || 1;
  const pd = wasm.ints(0, dims.length ? dims : [1]);
  const pa = wasm.ints(64, dims.length ? broadcastStrides(a.dims, dims) : [0]);
  const pb = wasm.ints(128, dims.length ? broadcastStrides(b.dims, dims) : [0]);
  if (op === 'Pow') wasm.call('pow_f32', { a: a.ptr, b: b.ptr, y: y.ptr, rank, dims: pd, astrides: pa, bstrides: pb });
  else wasm.call('binary_f32', { op: BINARY[op], a: a.ptr, b: b.ptr, y: y.ptr, rank, dims: pd, astrides: pa, bstrides: pb });
}

const unit = (op) => ({
  op,
  shape: binaryShape,
  wasm: op in BINARY || op === 'Pow' ? {
    kernels: [op === 'Pow' ? 'pow' : 'binary'],
    // binary_f32 and this op's row loop (its part; webedge/backends/wasm_strip.py strips the others)
    ...(op === 'Pow' ? {} : { calls: ['binary_f32', `binary_f32/${op}`] }),
    supports: (node, [a, b]) => a.dtype === 'float32' && b.dtype === 'float32',
    run: (wasm, node, [a, b], [y]) => binaryWasm(wasm, op, a, b, y),
  } : undefined,
  js: { run: (js, node, [a, b], [y]) => binaryJs(a, b, y, op === 'Mod' && node.attrs?.fmod ? fmod : arithmeticFor(op, a.dtype)) },
  ...(globalThis.WEBGPU && op in GPU_BINARY ? { webgpu: { kernels: ['binary'], supports: binaryGpuSupports,
    pipelines: () => [{ shader: 'binary', constants: { OP: GPU_BINARY[op] } }],
    run: (gpu, node, [a, b], [y]) => binaryGpu(gpu, op, a, b, y) } } : {}),
});

export const units = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod'].map(unit);
