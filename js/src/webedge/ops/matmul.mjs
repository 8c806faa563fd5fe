// MatMul: numpy semantics (1-D operands promoted and the added dim dropped again, batch dims
// broadcast).
//   wasm: one gemm_f32 per batch entry on float32; the work splits over threads by batch entries,
//         or by rows of a single product.
//   js:   any dtype but bfloat16, summed in double (float16 decoded; integers as numbers).
import { broadcastDims } from '../lib/broadcast.mjs';
import { encoder, numbersOf } from '../lib/values.mjs';
import { size } from '../tensor.mjs';
import { fitsF32, none } from '../lib/gpu.mjs';

// [M, K] @ [K, N] with batch dims: the operands' dims as 2-D-or-more, and the output dims.
function dimsOf(a, b) {
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = ad.slice(-2);
  const N = bd[bd.length - 1];
  if (bd[bd.length - 2] !== K) throw new Error(`MatMul of [${a.dims}] and [${b.dims}]: inner dims differ`);
  const batch = broadcastDims(ad.slice(0, -2), bd.slice(0, -2));
  let out = [...batch, M, N];
  if (a.dims.length === 1) out.splice(-2, 1);
  if (b.dims.length === 1) out = out.slice(0, -1);
  return { ad, bd, M, K, N, batch, out };
}

function shape(node, [a, b]) {
  return [{ dtype: a.dtype, dims: dimsOf(a, b).out }];
}

// flat batch index of a (possibly broadcast) operand with batch dims `dims` for output batch entry i
function indexIn(batch, dims, i) {
  let off = 0;
  let mul = 1;
  let rem = i;
  for (let d = batch.length - 1; d >= 0; d--) {
    const coord = rem % batch[d];
    rem = Math.floor(rem / batch[d]);
    const j = d - (batch.length - dims.length);
    if (j >= 0) {
      off += (dims[j] === 1 ? 0 : coord) * mul;
      mul *= dims[j];
    }
  }
  return off;
}

function run(wasm, node, [a, b], [y]) {
  const { ad, bd, M, K, N, batch } = dimsOf(a, b);
  const count = size(batch);
  if (count === 0) return undefined;
  const aBatch = ad.slice(0, -2);
  const bBatch = bd.slice(0, -2);
  // batch entries [i0, i1), rows [m0, m1) of each
  const calls = (i0, i1, m0, m1) => {
    const out = [];
    for (let i = i0; i < i1; i++) {
      out.push({ a: a.ptr + (indexIn(batch, aBatch, i) * M + m0) * K * 4, b: b.ptr + indexIn(batch, bBatch, i) * K * N * 4, c: 0,
        y: y.ptr + (i * M + m0) * N * 4, M: m1 - m0, N, K, transA: 0, transB: 0, alpha: 1, beta: 0, c_kind: 0, act: 0, a0: 0, a1: 0 });
    }
    return out;
  };
  const byEntries = count > 1;
  return wasm.split('gemm_f32', { units: byEntries ? count : M, align: byEntries ? 1 : 4, flops: 2 * count * M * N * K },
    ([u0, u1]) => (byEntries ? calls(u0, u1, 0, M) : calls(0, 1, u0, u1)));
}

function runJs(js, node, [a, b], [y]) {
  const { ad, bd, M, K, N, batch } = dimsOf(a, b);
  const av = numbersOf(a), bv = numbersOf(b), yd = y.data;
  const put = encoder(y.dtype) ?? ((v) => v);
  const [aBatch, bBatch] = [ad.slice(0, -2), bd.slice(0, -2)];
  for (let i = 0; i < size(batch); i++) {
    const ao = indexIn(batch, aBatch, i) * M * K;
    const bo = indexIn(batch, bBatch, i) * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += av[ao + m * K + k] * bv[bo + k * N + n];
        yd[(i * M + m) * N + n] = put(s);
      }
    }
  }
}

// webgpu: matmul.wgsl over the broadcast batch (up to 4 batch dims): each operand gets its own
// batch strides, zero where it broadcasts.
function batchStrides(dims, matrix) {
  // dims: one operand's batch dims, right-aligned in the shader's 4 batch slots like the output's
  const out = [0, 0, 0, 0];
  let stride = matrix;
  for (let j = dims.length - 1; j >= 0; j--) {
    out[4 - dims.length + j] = dims[j] === 1 ? 0 : stride;
    stride *= dims[j];
  }
  return out;
}

function runGpu(gpu, node, [a, b], [y]) {
  const { ad, bd, M, K, N, batch } = dimsOf(a, b);
  const count = size(batch);
  const bdims = [1, 1, 1, 1];
  batch.forEach((n, i) => { bdims[4 - batch.length + i] = n; });
  return gpu.run('matmul', {
    params: { M, N, K, batch: count, a_rs: K, a_cs: 1, b_rs: N, b_cs: 1, c_rs: 0, c_cs: 0, alpha: 1, beta: 0,
      act_a: 0, act_b: 0, a_off: 0, b_off: 0, bdims, a_bs: batchStrides(ad.slice(0, -2), M * K),
      b_bs: batchStrides(bd.slice(0, -2), K * N), c_bs: [0, 0, 0, 0] },
    bindings: [a, b, none(gpu), y], workgroups: [Math.ceil(N / 32), Math.ceil(M / 32), count],
  });
}

export const units = [{
  op: 'MatMul',
  shape,
  wasm: { kernels: ['linalg'], calls: ['gemm_f32'], supports: (node, [a, b]) => a.dtype === 'float32' && b.dtype === 'float32', run },
  js: { supports: (node, [a]) => a.dtype !== 'bfloat16', run: runJs }, // bfloat16: no codec here
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['matmul'], run: runGpu, pipelines: () => [{ shader: 'matmul', constants: {} }], supports: (node, [a, b], gpu) =>
    fitsF32(gpu, [a, b]) && dimsOf(a, b).batch.length <= 4 && size(dimsOf(a, b).batch) <= 65535 } } : {}),
}];
