// ConvInteger: Conv of (x - x_zero_point) and (w - w_zero_point, per output channel) in exact
// int32. The shifted operands are convolved in float32 by Conv's own parts (conv.mjs): products
// of 8-bit values sum exactly while below 2^24, and are rounded back to integers.
import { convShape, convWasm, convJs } from './conv.mjs';
import { size } from '../tensor.mjs';

// A float32 copy of integer tensor t minus its zero point (per channel along dim 0 when given so).
function shifted(device, t, zp, perChannel) {
  const f = device.alloc('float32', t.dims.slice());
  const td = t.data, fd = f.data;
  const z = zp ? Array.from(zp.data, Number) : [0];
  const inner = size(t.dims.slice(1));
  for (let i = 0; i < td.length; i++) fd[i] = Number(td[i]) - (perChannel && z.length > 1 ? z[Math.floor(i / inner)] : z[0]);
  return f;
}

/** The float32 convolution sums of the shifted operands, on `device` with Conv's part `conv`
 * (a temporary: the caller releases it). */
export function integerConvSums(device, conv, node, x, w, xzp, wzp) {
  const plain = { ...node, attrs: { ...node.attrs, _act: undefined } };
  const [{ dims }] = convShape(plain, [x, w]);
  const xf = shifted(device, x, xzp, false);
  const wf = shifted(device, w, wzp, true);
  const yf = device.alloc('float32', dims);
  try {
    conv(device, plain, [xf, wf, null], [yf]);
  } finally {
    xf.release();
    wf.release();
  }
  return yf;
}

/** ConvInteger's and QLinearConv's two parts, made from the function that finishes the sums. */
export function integerConvParts(finish) {
  const part = (conv) => (device, node, inputs, outputs) => {
    const [x, w, xzp, wzp] = node.op === 'QLinearConv' ? [inputs[0], inputs[3], inputs[2], inputs[5]] : inputs;
    const yf = integerConvSums(device, conv, node, x, w, xzp, wzp);
    try {
      finish(node, inputs, yf, outputs[0]);
    } finally {
      yf.release();
    }
  };
  return {
    wasm: { kernels: ['linalg'], calls: ['conv2d_f32', 'conv2d_f32/depthwise', 'conv2d_f32/dw5', 'act/Sigmoid', 'act/Tanh'], supports: (node, [x]) => x.dims.length <= 4, run: part(convWasm) },
    js: { run: part(convJs) },
  };
}

export const units = [{
  op: 'ConvInteger',
  shape: (node, [x, w]) => [{ dtype: 'int32', dims: convShape(node, [x, w])[0].dims }],
  ...integerConvParts((node, inputs, yf, y) => y.data.set(Array.from(yf.data, Math.round))),
}];
