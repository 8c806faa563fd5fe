// Bitwise ops on integer tensors: BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot, with
// numpy broadcasting. 8 to 32-bit values compute as JS int32 and the typed array store wraps them
// to the width of the dtype; int64/uint64 compute as BigInt (stores wrap modulo 2^64 the same way).
import { broadcastDims, broadcastStrides, forEachBroadcast } from '../lib/broadcast.mjs';

export const BITS = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int64: 64, uint64: 64 };

/** y = fn(a, b) with broadcasting, on integer tensors. */
export function bitwiseBinary(a, b, y, fn) {
  if (!(a.dtype in BITS)) throw new Error(`bitwise op on ${a.dtype} is not supported`);
  const ad = a.data, bd = b.data, yd = y.data;
  forEachBroadcast(y.dims, [broadcastStrides(a.dims, y.dims), broadcastStrides(b.dims, y.dims)], (o, [i, j]) => {
    yd[o] = fn(ad[i], bd[j]);
  });
}

export const bitwiseShape = (node, [a, b]) => [{ dtype: a.dtype, dims: b ? broadcastDims(a.dims, b.dims) : a.dims.slice() }];

// `&`, `|`, `^` and `~` are defined on both numbers and BigInts.
const FUNCTIONS = { BitwiseAnd: (a, b) => a & b, BitwiseOr: (a, b) => a | b, BitwiseXor: (a, b) => a ^ b };

function bitwiseNot(js, node, [x], [y]) {
  if (!(x.dtype in BITS)) throw new Error(`BitwiseNot on ${x.dtype} is not supported`);
  const xd = x.data, yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = ~xd[i];
}

export const units = [
  ...Object.entries(FUNCTIONS).map(([op, fn]) => ({
    op, shape: bitwiseShape, js: { run: (js, node, [a, b], [y]) => bitwiseBinary(a, b, y, fn) },
  })),
  { op: 'BitwiseNot', shape: bitwiseShape, js: { run: bitwiseNot } },
];

