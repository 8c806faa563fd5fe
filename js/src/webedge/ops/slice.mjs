// Slice: starts/ends/axes/steps from inputs (attributes before opset 10), ONNX's clamping rules
// for each sign of step; a strided copy.
import { copyRows } from '../lib/copy.mjs';
import { norm } from '../lib/values.mjs';
import { stridesOf } from '../tensor.mjs';
import { copyRegion, fitsF32, MAX_RANK } from '../lib/gpu.mjs';

// Output dims, and the first element and step along each axis.
function params(node, [x, s, e, a, st]) {
  const r = x.dims.length;
  const starts = s ? s.numbers() : node.attrs.starts;
  const ends = e ? e.numbers() : node.attrs.ends;
  const axes = (a ? a.numbers() : node.attrs.axes ?? starts.map((_, i) => i)).map((v) => norm(v, r));
  const steps = st ? st.numbers() : starts.map(() => 1);
  const begin = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = x.dims.slice();
  const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
  axes.forEach((ax, i) => {
    const n = x.dims[ax];
    const k = steps[i];
    let b = starts[i] < 0 ? starts[i] + n : starts[i];
    let en = ends[i] < 0 ? ends[i] + n : ends[i];
    [b, en] = k > 0 ? [clamp(b, 0, n), clamp(en, 0, n)] : [clamp(b, -1, n - 1), clamp(en, -1, n - 1)];
    dims[ax] = Math.max(0, Math.ceil((en - b) / k));
    begin[ax] = b;
    step[ax] = k;
  });
  return { dims, begin, step };
}

function run(js, node, inputs, [y]) {
  const x = inputs[0];
  const { begin, step } = params(node, inputs);
  const xs = stridesOf(x.dims);
  const base = begin.reduce((acc, b, i) => acc + b * xs[i], 0);
  copyRows(y.dims, xs.map((v, i) => v * step[i]), x.data, base, y.data);
}

export const units = [{
  op: 'Slice',
  shape: (node, inputs) => [{ dtype: inputs[0].dtype, dims: params(node, inputs).dims }],
  shapeReads: [1, 2, 3, 4],
  js: { run },
  ...(globalThis.WEBGPU ? { webgpu: { // copy.wgsl from the first element, with the steps as strides
    kernels: ['copy'], pipelines: () => [{ shader: 'copy', constants: {} }],
    hostInputs: [1, 2, 3, 4],
    supports: (node, [x], gpu) => fitsF32(gpu, [x]) && x.dims.length <= MAX_RANK,
    run(gpu, node, inputs, [y]) {
      const x = inputs[0];
      const { begin, step } = params(node, inputs);
      const xs = stridesOf(x.dims);
      return copyRegion(gpu, x, y, { dims: y.dims, xOff: begin.reduce((acc, b, i) => acc + b * xs[i], 0),
        xStr: xs.map((v, i) => v * step[i]) });
    },
  } } : {}),
}];
