// Bitwise ops on integer tensors: BitShift, BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot, with
// numpy broadcasting. 8 to 32-bit values compute as JS int32 and the typed array store wraps them
// to the width of the dtype; int64/uint64 compute as BigInt (stores wrap modulo 2^64 the same way).
import { broadcastDims, broadcastStrides, forEachBroadcast } from '../broadcast.mjs';

const BITS = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int64: 64, uint64: 64 };

function binary(ex, a, b, fn) {
  if (!(a.dtype in BITS)) throw new Error(`bitwise op on ${a.dtype} is not supported`);
  const dims = broadcastDims(a.dims, b.dims);
  const y = ex.alloc(a.dtype, dims);
  const ad = a.data, bd = b.data, yd = y.data;
  forEachBroadcast(dims, [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims)], (o, [i, j]) => {
    yd[o] = fn(ad[i], bd[j]);
  });
  return y;
}

// `&`, `|`, `^` and `~` are defined on both numbers and BigInts.
const bitwise = (fn) => (ex, node, [a, b]) => [binary(ex, a, b, fn)];

function bitwiseNot(ex, node, [x]) {
  if (!(x.dtype in BITS)) throw new Error(`BitwiseNot on ${x.dtype} is not supported`);
  const y = ex.alloc(x.dtype, x.dims.slice());
  const xd = x.data, yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = ~xd[i];
  return [y];
}

// A shift by a negative amount or by the width of the type or more leaves only the sign fill:
// -1 for a right shift of a negative value, 0 otherwise. Right shifts of signed types are
// arithmetic; unsigned values read as non-negative numbers, so `>>` on them is logical.
function bitShift(ex, node, [x, s]) {
  const left = node.attrs.direction === 'LEFT';
  if (!left && node.attrs.direction !== 'RIGHT') throw new Error(`BitShift direction '${node.attrs.direction}'`);
  const bits = BITS[x.dtype];
  if (bits === 64) {
    const w = 64n;
    const fn = left
      ? (v, k) => (k < 0n || k >= w ? 0n : v << k)
      : (v, k) => (k < 0n || k >= w ? (v < 0n ? -1n : 0n) : v >> k);
    return [binary(ex, x, s, fn)];
  }
  const fn = left
    ? (v, k) => (k < 0 || k >= bits ? 0 : v << k)
    : (v, k) => (k < 0 || k >= bits ? (v < 0 ? -1 : 0) : x.dtype === 'uint32' ? v >>> k : v >> k);
  return [binary(ex, x, s, fn)];
}

export const ops = {
  BitShift: bitShift, BitwiseAnd: bitwise((a, b) => a & b), BitwiseOr: bitwise((a, b) => a | b),
  BitwiseXor: bitwise((a, b) => a ^ b), BitwiseNot: bitwiseNot,
};
