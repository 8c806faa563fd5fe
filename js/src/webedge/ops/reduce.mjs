// Reductions over axes: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare,
// ReduceL1, ReduceL2, ReduceLogSumExp (axes by attribute, or by input from opset 13/18;
// noop_with_empty_axes; keepdims). In JS, accumulating in double.
import { size, stridesOf } from '../tensor.mjs';
import { fitsF32, gridRows } from '../lib/gpu.mjs';

const REDUCERS = {
  ReduceSum: { init: 0, step: (a, v) => a + v },
  ReduceMean: { init: 0, step: (a, v) => a + v, end: (a, n) => a / n },
  ReduceMax: { init: -Infinity, step: (a, v) => (v > a || Number.isNaN(v) ? v : a) },
  ReduceMin: { init: Infinity, step: (a, v) => (v < a || Number.isNaN(v) ? v : a) },
  ReduceProd: { init: 1, step: (a, v) => a * v },
  ReduceSumSquare: { init: 0, step: (a, v) => a + v * v },
  ReduceL1: { init: 0, step: (a, v) => a + Math.abs(v) },
  ReduceL2: { init: 0, step: (a, v) => a + v * v, end: (a) => Math.sqrt(a) },
  ReduceLogSumExp: { init: 0, step: (a, v) => a + Math.exp(v), end: (a) => Math.log(a) },
};

// The common reducers over [outer, red, inner] with the step written out (no call per element):
// 5-20x faster than the generic loop in V8. Returns false for the others.
function accumulateFast(name, xd, acc, outer, red, inner) {
  const square = name === 'ReduceSumSquare' || name === 'ReduceL2';
  if (name !== 'ReduceSum' && name !== 'ReduceMean' && !square && name !== 'ReduceMax' && name !== 'ReduceMin') return false;
  const max = name === 'ReduceMax';
  for (let o = 0; o < outer; o++) {
    const a0 = o * inner;
    if (inner === 1) { // reducing the last axis: one running value per row
      let s = acc[a0];
      const base = o * red;
      if (name === 'ReduceSum' || name === 'ReduceMean') for (let r = 0; r < red; r++) s += xd[base + r];
      else if (square) for (let r = 0; r < red; r++) s += xd[base + r] * xd[base + r];
      else if (max) for (let r = 0; r < red; r++) { const v = xd[base + r]; if (v > s || v !== v) s = v; }
      else for (let r = 0; r < red; r++) { const v = xd[base + r]; if (v < s || v !== v) s = v; }
      acc[a0] = s;
      continue;
    }
    for (let r = 0; r < red; r++) {
      const base = (o * red + r) * inner;
      if (name === 'ReduceSum' || name === 'ReduceMean') for (let i = 0; i < inner; i++) acc[a0 + i] += xd[base + i];
      else if (square) for (let i = 0; i < inner; i++) acc[a0 + i] += xd[base + i] * xd[base + i];
      else if (max) for (let i = 0; i < inner; i++) { const v = xd[base + i]; if (v > acc[a0 + i] || v !== v) acc[a0 + i] = v; }
      else for (let i = 0; i < inner; i++) { const v = xd[base + i]; if (v < acc[a0 + i] || v !== v) acc[a0 + i] = v; }
    }
  }
  return true;
}

function finish(y, acc, R, n) {
  const yd = y.data;
  const big = typeof yd[0] === 'bigint';
  for (let o = 0; o < acc.length; o++) {
    const v = R.end ? R.end(acc[o], n) : acc[o];
    yd[o] = big ? BigInt(Math.trunc(v)) : v;
  }
  return y;
}

function reduceAxes(node, x, axesInput) {
  const r = x.dims.length;
  let axes = axesInput ? axesInput.numbers() : node.attrs.axes;
  if (!axes || axes.length === 0) axes = node.attrs.noop_with_empty_axes ? [] : x.dims.map((_, i) => i);
  return axes.map((a) => (a < 0 ? a + r : a));
}

function shape(node, [x, axesInput]) {
  const axes = reduceAxes(node, x, axesInput);
  const keep = node.attrs.keepdims ?? 1;
  const dims = keep ? x.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : x.dims.filter((_, i) => !axes.includes(i));
  return [{ dtype: x.dtype, dims }];
}

function run(js, node, [x, axesInput], [y]) {
  const R = REDUCERS[node.op];
  const axes = reduceAxes(node, x, axesInput);
  const outFull = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const xd = x.data;
  const acc = new Float64Array(size(outFull)).fill(R.init);
  const count = axes.reduce((p, a) => p * x.dims[a], 1);
  const sorted = [...axes].sort((p, q) => p - q);
  if (sorted.length && sorted.every((a, i) => a === sorted[0] + i) && typeof xd[0] !== 'bigint' && x.dtype !== 'float16') {
    // contiguous axes: [outer, reduced, inner], no per-element index arithmetic
    const outer = size(x.dims.slice(0, sorted[0]));
    const red = size(x.dims.slice(sorted[0], sorted[sorted.length - 1] + 1));
    const inner = size(x.dims.slice(sorted[sorted.length - 1] + 1));
    if (!accumulateFast(node.op, xd, acc, outer, red, inner)) {
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < red; r++) {
          const base = (o * red + r) * inner;
          for (let i = 0; i < inner; i++) acc[o * inner + i] = R.step(acc[o * inner + i], xd[base + i]);
        }
      }
    }
    finish(y, acc, R, count);
    return;
  }
  const os = stridesOf(outFull);
  const idx = new Array(x.dims.length).fill(0);
  for (let i = 0; i < xd.length; i++) {
    let o = 0;
    for (let d = 0; d < idx.length; d++) if (!axes.includes(d)) o += idx[d] * os[d];
    acc[o] = R.step(acc[o], Number(xd[i]));
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < x.dims[d]) break;
      idx[d] = 0;
    }
  }
  finish(y, acc, R, count);
}

// webgpu: reduce.wgsl when the reduced axes are contiguous ([outer, R, inner]), float32
const GPU_REDUCE = { ReduceSum: 0, ReduceMean: 1, ReduceMax: 2, ReduceMin: 3, ReduceProd: 4, ReduceSumSquare: 5,
  ReduceL1: 6, ReduceL2: 7, ReduceLogSum: 8, ReduceLogSumExp: 9 };

function gpuBlocks(node, x, axesInput) {
  const sorted = [...reduceAxes(node, x, axesInput)].sort((p, q) => p - q);
  if (!sorted.length || !sorted.every((a, i) => a === sorted[0] + i)) return null;
  return [size(x.dims.slice(0, sorted[0])), size(x.dims.slice(sorted[0], sorted[sorted.length - 1] + 1)),
    size(x.dims.slice(sorted[sorted.length - 1] + 1))];
}

const gpuPart = {
  kernels: ['reduce'],
  hostInputs: [1], // axes
  pipelines: (node) => [{ shader: 'reduce', constants: { OP: GPU_REDUCE[node.op] } }],
  supports: (node, [x, axes], gpu) => node.op in GPU_REDUCE && fitsF32(gpu, [x]) && gpuBlocks(node, x, axes) !== null
    && gpuBlocks(node, x, axes)[1] > 0,
  run(gpu, node, [x, axes], [y]) {
    const [outer, R, inner] = gpuBlocks(node, x, axes);
    if (outer * inner === 0) return undefined;
    const { workgroups, row_groups } = gridRows(outer * inner);
    return gpu.run('reduce', { constants: { OP: GPU_REDUCE[node.op] }, params: { outer, R, inner, row_groups },
      bindings: [x, y], workgroups });
  },
};

export const units = Object.keys(REDUCERS).map((op) => ({ op, shape, shapeReads: [1], js: { run },
  ...(globalThis.WEBGPU && op in GPU_REDUCE ? { webgpu: gpuPart } : {}) }));
