// Max, Min, Sum and Mean of any number of inputs with numpy broadcasting: ((x0 op x1) op x2) ...,
// each step one binary op into a temporary (the last one into y); Mean then divides by the count.
// wasm: binary_f32 when every input is float32; js: binary.mjs's loops on any dtype.
import { broadcastDims } from '../lib/broadcast.mjs';
import { ARITHMETIC, arithmeticFor, binaryJs, binaryWasm } from './binary.mjs';
import { binaryGpu, binaryGpuSupports, copyRegion } from '../lib/gpu.mjs';

const PAIR = { Max: 'Max', Min: 'Min', Sum: 'Add', Mean: 'Add' };

const shape = (node, inputs) => [{ dtype: inputs[0].dtype, dims: broadcastDims(...inputs.map((t) => t.dims)) }];

// Fold `inputs` into y with pair(a, b, out) on `device`.
function fold(device, inputs, y, pair) {
  if (inputs.length === 1) {
    y.data.set(inputs[0].data);
    return;
  }
  let acc = inputs[0];
  for (let i = 1; i < inputs.length; i++) {
    const t = inputs[i];
    const out = i === inputs.length - 1 ? y : device.alloc(y.dtype, broadcastDims(acc.dims, t.dims));
    pair(acc, t, out);
    if (i > 1) acc.release();
    acc = out;
  }
}

function runWasm(wasm, node, inputs, [y]) {
  fold(wasm, inputs, y, (a, b, out) => binaryWasm(wasm, PAIR[node.op], a, b, out));
  if (node.op === 'Mean') {
    const n = wasm.alloc('float32', []);
    n.data[0] = inputs.length;
    binaryWasm(wasm, 'Div', y, n, y);
    n.release();
  }
}

// webgpu: the same fold with binary.wgsl; Mean's last step divides a temporary into y (a GPU
// dispatch may not read and write one buffer).
async function runGpu(gpu, node, inputs, [y]) {
  const mean = node.op === 'Mean';
  if (inputs.length === 1 && !mean) return copyRegion(gpu, inputs[0], y, { dims: y.dims });
  let acc = inputs[0];
  for (let i = 1; i < inputs.length; i++) {
    const out = i === inputs.length - 1 && !mean ? y : gpu.alloc('float32', broadcastDims(acc.dims, inputs[i].dims));
    await binaryGpu(gpu, PAIR[node.op], acc, inputs[i], out);
    if (acc !== inputs[0]) acc.release();
    acc = out;
  }
  if (mean) {
    const n = gpu.upload({ dtype: 'float32', dims: [], data: Float32Array.of(inputs.length) });
    await binaryGpu(gpu, 'Div', acc, n, y);
    n.release();
    if (acc !== inputs[0]) acc.release();
  }
  return undefined;
}

function runJs(js, node, inputs, [y]) {
  const fn = arithmeticFor(PAIR[node.op], y.dtype);
  fold(js, inputs, y, (a, b, out) => binaryJs(a, b, out, fn));
  if (node.op === 'Mean') {
    const n = { dtype: 'float64', dims: [], data: Float64Array.of(inputs.length) };
    binaryJs(y, n, y, ARITHMETIC.Div);
  }
}

export const units = ['Max', 'Min', 'Sum', 'Mean'].map((op) => ({
  op,
  shape,
  wasm: {
    kernels: ['binary'],
    calls: ['binary_f32', `binary_f32/${PAIR[op]}`, ...(op === 'Mean' ? ['binary_f32/Div'] : [])],
    supports: (node, inputs) => inputs.every((t) => t.dtype === 'float32'),
    run: runWasm,
  },
  js: { run: runJs },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['binary', 'copy'], supports: binaryGpuSupports, run: runGpu } } : {}),
}));
