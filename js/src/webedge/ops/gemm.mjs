// Gemm: y = act(alpha * op(A) @ op(B) + beta * C), A [M, K] (or [K, M] with transA), B [K, N]
// (or [N, K] with transB), C broadcast to [M, N]; the activation is webedge/plan/fuse.py's `_act`.
//   wasm: gemm_f32 (wasm/kernels/gemm.c, module linalg). Its work splits over threads by rows of A (not
//         transposed), or by columns of a transposed B when there is one row.
import { ACT } from '../wasm/abi.mjs';
import { size } from '../tensor.mjs';
import { fitsF32, none } from '../lib/gpu.mjs';

function shape(node, [a, b]) {
  const M = node.attrs.transA ? a.dims[1] : a.dims[0];
  const N = node.attrs.transB ? b.dims[0] : b.dims[1];
  return [{ dtype: a.dtype, dims: [M, N] }];
}

function run(wasm, node, [a, b, c], [y]) {
  const at = node.attrs;
  const tA = at.transA ?? 0;
  const tB = at.transB ?? 0;
  const [M, K] = tA ? [a.dims[1], a.dims[0]] : a.dims;
  const N = y.dims[1];
  // how C broadcasts: 0 none, 1 scalar, 2 row vector [N], 3 column vector [M], 4 full [M, N]
  let cKind = 0;
  if (c) {
    const cd = c.dims.length === 2 ? c.dims : c.dims.length === 1 ? [1, c.dims[0]] : [1, 1];
    cKind = size(cd) === 1 ? 1 : cd[0] === 1 ? 2 : cd[1] === 1 ? 3 : 4;
  }
  const [a0, a1] = at._act_params ?? [0, 0];
  const [alpha, beta, act] = [at.alpha ?? 1, at.beta ?? 1, ACT[at._act ?? 'none']];
  // (object literals, not spreads of a shared one: V8 spends microseconds on each spread here)
  const args = (pa, pb, pc, py, m, n) => ({ a: pa, b: pb, c: pc, y: py, M: m, N: n, K, transA: tA, transB: tB, alpha, beta,
    c_kind: cKind, act, a0, a1 });
  const cAt = (m0, n0) => (!c ? 0 : c.ptr + 4 * (cKind === 3 ? m0 : cKind === 4 ? m0 * N + n0 : cKind === 2 ? n0 : 0));
  if (!tA && M > 1) {
    return wasm.split('gemm_f32', { units: M, align: 4, flops: 2 * M * N * K }, ([m0, m1]) => [
      args(a.ptr + m0 * K * 4, b.ptr, cAt(m0, 0), y.ptr + m0 * N * 4, m1 - m0, N)]);
  }
  if (M === 1 && tB) {
    return wasm.split('gemm_f32', { units: N, align: 4, flops: 2 * N * K }, ([n0, n1]) => [
      args(a.ptr, b.ptr + n0 * K * 4, cAt(0, n0), y.ptr + n0 * 4, 1, n1 - n0)]);
  }
  return wasm.call('gemm_f32', args(a.ptr, b.ptr, cAt(0, 0), y.ptr, M, N));
}

// webgpu: matmul.wgsl with A and B addressed through strides (a transpose is other strides) and
// C broadcast by zero strides; the activation in the epilogue.
function runGpu(gpu, node, [a, b, c], [y]) {
  const at = node.attrs;
  const [M, N] = y.dims;
  const K = at.transA ? a.dims[0] : a.dims[1];
  const [a_rs, a_cs] = at.transA ? [1, M] : [K, 1];
  const [b_rs, b_cs] = at.transB ? [1, K] : [N, 1];
  let c_rs = 0, c_cs = 0;
  if (c) {
    const cd = c.dims.length === 2 ? c.dims : c.dims.length === 1 ? [1, c.dims[0]] : [1, 1];
    [c_rs, c_cs] = [cd[0] === 1 ? 0 : cd[1], cd[1] === 1 ? 0 : 1];
  }
  const [act_a, act_b] = at._act_params ?? [0, 0];
  return gpu.run('matmul', {
    constants: { ACT: ACT[at._act ?? 'none'], HAS_C: !!c && (at.beta ?? 1) !== 0 },
    params: { M, N, K, batch: 1, a_rs, a_cs, b_rs, b_cs, c_rs, c_cs, alpha: at.alpha ?? 1, beta: at.beta ?? 1,
      act_a, act_b, a_off: 0, b_off: 0, bdims: [1, 1, 1, 1], a_bs: [0, 0, 0, 0], b_bs: [0, 0, 0, 0], c_bs: [0, 0, 0, 0] },
    bindings: [a, b, c ?? none(gpu), y], workgroups: [Math.ceil(N / 32), Math.ceil(M / 32), 1],
  });
}

export const units = [{
  op: 'Gemm',
  shape,
  wasm: { kernels: ['linalg'], calls: ['gemm_f32', 'act/Sigmoid', 'act/Tanh'], supports: (node, [a]) => a.dtype === 'float32', run },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['matmul'], supports: (node, inputs, gpu) => fitsF32(gpu, inputs), run: runGpu,
    pipelines: (node) => [{ shader: 'matmul', constants: { ACT: ACT[node.attrs._act ?? 'none'],
      HAS_C: !!node.inputs[2] && (node.attrs.beta ?? 1) !== 0 } }] } } : {}),
}];
