// Max, Min, Sum and Mean of any number of inputs with numpy broadcasting: ((x0 op x1) op x2) ...,
// each step one binary op into a temporary (the last one into y); Mean then divides by the count.
// wasm: binary_f32 when every input is float32; js: binary.mjs's loops on any dtype.
import { broadcastDims } from '../lib/broadcast.mjs';
import { ARITHMETIC, arithmeticFor, binaryJs, binaryWasm } from './binary.mjs';

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
    supports: (node, inputs) => inputs.every((t) => t.dtype === 'float32'),
    run: runWasm,
  },
  js: { run: runJs },
}));
