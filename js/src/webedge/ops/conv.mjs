// Conv: x [N, C, ...spatial], w [M, C/group, ...kernel], b [M] -> y [N, M, ...out], with groups,
// strides, dilations, pads / auto_pad (lib/geometry.mjs) and the activation webedge/plan/fuse.py
// folds in (`_act`, `_act_params`: the kernel's epilogue).
//   wasm: conv2d_f32 (wasm/kernels/conv.c, module linalg) for 1-D and 2-D float32. Its work splits by
//         images, else (one image) by bands of output rows, or, for a conv with few rows, by groups
//         (a depthwise channel is a group) or output channels in 4s (group 1: the GEMM's row block).
//   js:   direct loops over output points and kernel taps, any number of spatial dims, in double
//         precision (3-D convolutions, and the reference for the wasm part).
//   webgpu: conv2d.wgsl (an implicit GEMM per group, 32x32 tiles) for 1-D and 2-D float32, or
//         depthwise_conv2d.wgsl when every group has one input and one output channel.
import { windowGeometry, as2d, kernelTaps } from '../lib/geometry.mjs';
import { activation } from '../lib/activations.mjs';
import { ACT } from '../wasm/abi.mjs';
import { size, stridesOf } from '../tensor.mjs';
import { fitsF32, grid1d, none } from '../lib/gpu.mjs';

export function convShape(node, [x, w]) {
  const g = windowGeometry(node.attrs, x.dims.slice(2), w.dims.slice(2));
  return [{ dtype: x.dtype, dims: [x.dims[0], w.dims[0], ...g.out] }];
}

export function convWasm(wasm, node, [x, w, b], [y]) {
  const at = node.attrs;
  const spatial = x.dims.slice(2);
  const kernel = w.dims.slice(2);
  const { H, W, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl } = as2d(windowGeometry(at, spatial, kernel), spatial, kernel);
  const [N, C] = x.dims;
  const M = w.dims[0];
  const group = at.group ?? 1;
  const [a0, a1] = at._act_params ?? [0, 0];
  const act = ACT[at._act ?? 'none'];
  const [Cg, Mg, P, HW] = [C / group, M / group, OH * OW, H * W];
  const Kg = Cg * KH * KW;
  const bias = (m0) => (b ? b.ptr + m0 * 4 : 0);
  const call = (xp, wp, bp, yp, n, c, m, g, oh0, oh1) => ({ x: xp, w: wp, bias: bp, y: yp, N: n, C: c, H, W, M: m, KH, KW, OH,
    OW, oh0, oh1, sh, sw, dh, dw, pad_top: pt, pad_left: pl, group: g, act, a0, a1 });
  const flops = 2 * N * M * P * Kg;
  const how = splitBy(N, OH, group, M);
  if (how === 'rows') { // every share: all images and channels, a band of output rows
    return wasm.split('conv2d_f32', { units: OH, flops }, ([r0, r1]) => [call(x.ptr, w.ptr, bias(0), y.ptr, N, C, M, group, r0, r1)]);
  }
  const [units, align] = how === 'images' ? [N, 1] : how === 'channels' ? [M, 4] : [group, 1];
  return wasm.split('conv2d_f32', { units, align, flops }, ([u0, u1]) => {
    if (how === 'images') return [call(x.ptr + u0 * C * HW * 4, w.ptr, bias(0), y.ptr + u0 * M * P * 4, u1 - u0, C, M, group, 0, OH)];
    const [m0, m, c0, c, gs] = how === 'channels' ? [u0, u1 - u0, 0, C, 1] : [u0 * Mg, (u1 - u0) * Mg, u0 * Cg, (u1 - u0) * Cg, u1 - u0];
    return [call(x.ptr + c0 * HW * 4, w.ptr + m0 * Kg * 4, bias(m0), y.ptr + m0 * P * 4, 1, c, m, gs, 0, OH)];
  });
}

// How a conv's work splits over threads: by images when there are several; else by bands of
// output rows, which share nothing but the weights (split by output channels, every thread would
// gather the same im2col blocks of the whole input); by groups when a grouped conv has few rows;
// by output channels (the GEMM's 4-row blocks) only for a conv with fewer than ROW_SPLIT rows.
const ROW_SPLIT = 8;
function splitBy(N, OH, group, M) {
  if (N > 1) return 'images';
  if (OH >= ROW_SPLIT) return 'rows';
  if (group > 1) return 'groups';
  return M >= 8 ? 'channels' : 'rows';
}

export function convJs(js, node, [x, w, b], [y]) {
  const at = node.attrs;
  const [N, C, ...sp] = x.dims;
  const [M, Cg, ...kernel] = w.dims;
  const group = at.group ?? 1;
  const Mg = M / group;
  const { out, begin, strides, dil } = windowGeometry(at, sp, kernel);
  const act = activation(at._act, ...(at._act_params ?? []));
  const xd = x.data, wd = w.data, yd = y.data, bd = b ? b.data : null;
  const inStr = stridesOf(sp);
  const inPlane = size(sp);
  const outPlane = size(out);
  const K = size(kernel);
  const taps = kernelTaps(kernel, dil, inStr);
  const R = sp.length;
  const o = new Array(R).fill(0);
  for (let q = 0; q < outPlane; q++) {
    const start = o.map((v, d) => v * strides[d] - begin[d]);
    const startOff = start.reduce((a, v, d) => a + v * inStr[d], 0);
    // taps that land inside the input for this output point
    const inside = [];
    taps.forEach((t, ti) => {
      if (t.pos.every((p, d) => start[d] + p >= 0 && start[d] + p < sp[d])) inside.push(ti);
    });
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / Mg);
        let sum = bd ? bd[m] : 0;
        for (let c = 0; c < Cg; c++) {
          const xBase = (n * C + g * Cg + c) * inPlane + startOff;
          const wBase = (m * Cg + c) * K;
          for (const ti of inside) sum += xd[xBase + taps[ti].off] * wd[wBase + ti];
        }
        yd[(n * M + m) * outPlane + q] = act(sum);
      }
    }
    for (let d = R - 1; d >= 0; d--) {
      if (++o[d] < out[d]) break;
      o[d] = 0;
    }
  }
}

/** The window of a 1-D or 2-D conv as the shaders' Params (1-D as H = 1). */
function gpuWindow(at, x, w) {
  const spatial = x.dims.slice(2);
  const kernel = w.dims.slice(2);
  const { H, W, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl } = as2d(windowGeometry(at, spatial, kernel), spatial, kernel);
  return { H, W, kh: KH, kw: KW, Ho: OH, Wo: OW, sh, sw, dh, dw, ph: pt, pw: pl };
}

function convGpu(gpu, node, [x, w, b], [y]) {
  const at = node.attrs;
  const win = gpuWindow(at, x, w);
  const [N, C] = x.dims;
  const M = w.dims[0];
  const groups = at.group ?? 1;
  const [act_a, act_b] = at._act_params ?? [0, 0];
  const constants = { ACT: ACT[at._act ?? 'none'], HAS_BIAS: !!b };
  const bindings = [x, w, b ?? none(gpu)];
  if (groups === C && groups === M) {
    const n = size(y.dims);
    const { workgroups, row } = grid1d(n);
    return gpu.run('depthwise_conv2d', { constants, bindings: [...bindings, y], workgroups,
      params: { N, C, ...win, act_a, act_b, total: n, row } });
  }
  const cols = N * win.Ho * win.Wo;
  return gpu.run('conv2d', { constants, bindings: [...bindings, y],
    workgroups: [Math.ceil(cols / 32), Math.ceil(M / groups / 32), groups],
    params: { N, Ci: C, Co: M, groups, ...win, act_a, act_b } });
}

const gpuPart = {
  kernels: ['conv2d', 'depthwise_conv2d'],
  pipelines: (node) => ['conv2d', 'depthwise_conv2d'].map((shader) => ({ shader,
    constants: { ACT: ACT[node.attrs._act ?? 'none'], HAS_BIAS: !!node.inputs[2] } })),
  supports: (node, [x, w, b], gpu) => x.dims.length >= 3 && x.dims.length <= 4 && fitsF32(gpu, [x, w, b])
    && Math.ceil(x.dims[0] * w.dims[0]) < 2 ** 31,
  run: convGpu,
};

export const units = [{
  op: 'Conv',
  shape: convShape,
  wasm: { kernels: ['linalg'], calls: ['conv2d_f32', 'conv2d_f32/depthwise', 'conv2d_f32/dw5', 'act/Sigmoid', 'act/Tanh'], supports: (node, [x]) => x.dtype === 'float32' && x.dims.length <= 4, run: convWasm },
  js: { run: convJs },
  ...(globalThis.WEBGPU ? { webgpu: gpuPart } : {}),
}];
