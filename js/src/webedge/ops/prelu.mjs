// PRelu: y = x < 0 ? x * slope : x, the slope broadcast to x (numpy rules), in double.
import { broadcastDims, broadcastStrides, forEachBroadcast } from '../lib/broadcast.mjs';
import { numbersOf, encoder } from '../lib/values.mjs';
import { binaryGpu, binaryGpuSupports } from '../lib/gpu.mjs';

function run(js, node, [x, slope], [y]) {
  const xv = numbersOf(x), sv = numbersOf(slope), yd = y.data;
  const enc = encoder(x.dtype);
  forEachBroadcast(y.dims, [broadcastStrides(x.dims, y.dims), broadcastStrides(slope.dims, y.dims)], (o, [i, j]) => {
    const v = xv[i] < 0 ? xv[i] * sv[j] : xv[i];
    yd[o] = enc ? enc(v) : v;
  });
}

export const units = [{
  op: 'PRelu',
  shape: (node, [x, slope]) => [{ dtype: x.dtype, dims: broadcastDims(x.dims, slope.dims) }],
  js: { run },
  ...(globalThis.WEBGPU ? { webgpu: { kernels: ['binary'], supports: binaryGpuSupports,
    run: (gpu, node, [x, slope], [y]) => binaryGpu(gpu, 'PRelu', x, slope, y) } } : {}),
}];
