// Pooling over sliding windows (lib/geometry.mjs): MaxPool (with its optional Indices output) and
// AveragePool (count_include_pad); LpPool is ops/lp_pool.mjs (JS only, and rare: a model with a
// MaxPool does not carry it).
//   wasm: maxpool2d_f32 / avgpool2d_f32 (wasm/kernels/pool.c): 1-D and 2-D float32, no Indices; split
//         over threads by (image, channel) planes.
//   js:   any number of spatial dims and dtype, MaxPool's Indices (storage_order).
import { windowGeometry, as2d } from '../lib/geometry.mjs';
import { size, stridesOf } from '../tensor.mjs';
import { elementwise, fitsF32 } from '../lib/gpu.mjs';

function shape(node, [x]) {
  const { out } = windowGeometry(node.attrs, x.dims.slice(2), node.attrs.kernel_shape);
  const dims = [x.dims[0], x.dims[1], ...out];
  return [{ dtype: x.dtype, dims }, { dtype: 'int64', dims: dims.slice() }];
}

function runWasm(wasm, node, [x], [y]) {
  const spatial = x.dims.slice(2);
  const kernel = node.attrs.kernel_shape;
  const g = as2d(windowGeometry(node.attrs, spatial, kernel), spatial, kernel);
  const planes = x.dims[0] * x.dims[1];
  const [inPlane, outPlane] = [g.H * g.W, g.OH * g.OW];
  const cip = node.attrs.count_include_pad ?? 0;
  // split over threads by (image, channel) planes; maxpool takes no count_include_pad (ignored)
  return wasm.split(node.op === 'MaxPool' ? 'maxpool2d_f32' : 'avgpool2d_f32',
    { units: planes, elements: planes * outPlane * g.KH * g.KW }, ([p0, p1]) => [{
      x: x.ptr + p0 * inPlane * 4, y: y.ptr + p0 * outPlane * 4, N: 1, C: p1 - p0, H: g.H, W: g.W, OH: g.OH, OW: g.OW,
      KH: g.KH, KW: g.KW, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, pad_top: g.pt, pad_left: g.pl, count_include_pad: cip }]);
}

// Max and average pooling, any rank and dtype; MaxPool's indices are flat offsets into x (row-major,
// or column-major per plane with storage_order 1).
function runJs(js, node, [x], [y, idx]) {
  const at = node.attrs;
  const sp = x.dims.length - 2;
  const k = at.kernel_shape;
  const inSp = x.dims.slice(2);
  const { out: outSp, pads, strides, dil } = windowGeometry(at, inSp, k);
  const max = node.op === 'MaxPool';
  const [N, C] = x.dims;
  const xd = x.data, yd = y.data, id = idx ? idx.data : null;
  const inPlane = size(inSp);
  const outPlane = size(outSp);
  const inStr = stridesOf(inSp);
  const storage = at.storage_order ?? 0; // 1: indices in column-major order
  const win = new Array(sp).fill(0);
  const o = new Array(sp).fill(0);
  for (let p = 0; p < N * C; p++) {
    for (let q = 0; q < outPlane; q++) {
      let rem = q;
      for (let d = sp - 1; d >= 0; d--) { o[d] = rem % outSp[d]; rem = Math.floor(rem / outSp[d]); }
      let best = -Infinity;
      let bestAt = -1;
      let sum = 0;
      let count = 0;
      win.fill(0);
      for (;;) {
        let off = 0;
        let inside = true;
        let colMajor = 0;
        let mul = 1;
        for (let d = 0; d < sp; d++) {
          const pos = o[d] * strides[d] - pads[d] + win[d] * dil[d];
          if (pos < 0 || pos >= inSp[d]) inside = false;
          off += pos * inStr[d];
          colMajor += pos * mul;
          mul *= inSp[d];
        }
        if (inside) {
          const v = Number(xd[p * inPlane + off]);
          if (v > best || bestAt < 0) { best = v; bestAt = storage ? colMajor : off; }
          sum += v;
          count++;
        } else if (!max && at.count_include_pad) {
          // padded cells count only within the declared pads, not beyond them
          const inPads = win.every((w, d) => {
            const pos = o[d] * strides[d] - pads[d] + w * dil[d];
            return pos >= -pads[d] && pos < inSp[d] + pads[d + sp];
          });
          if (inPads) count++;
        }
        let d = sp - 1;
        while (d >= 0 && ++win[d] >= k[d]) win[d--] = 0;
        if (d < 0) break;
      }
      yd[p * outPlane + q] = max ? best : sum / count;
      if (id) id[p * outPlane + q] = BigInt(p * inPlane + bestAt);
    }
  }
  return undefined;
}

// webgpu: pool2d.wgsl, 1-D and 2-D float32, no Indices. The end padding bounds what
// count_include_pad counts (a ceil_mode window may pass it).
function runGpu(gpu, node, [x], [y]) {
  const spatial = x.dims.slice(2);
  const kernel = node.attrs.kernel_shape;
  const geo = windowGeometry(node.attrs, spatial, kernel);
  const g = as2d(geo, spatial, kernel);
  const ends = geo.pads.slice(spatial.length);
  const [pad_end_h, pad_end_w] = spatial.length === 1 ? [0, ends[0]] : [ends[0], ends[1]];
  return elementwise(gpu, 'pool2d', { MAX: node.op === 'MaxPool' }, {
    H: g.H, W: g.W, Ho: g.OH, Wo: g.OW, kh: g.KH, kw: g.KW, sh: g.sh, sw: g.sw, ph: g.pt, pw: g.pl, dh: g.dh, dw: g.dw,
    include_pad: node.attrs.count_include_pad ?? 0, pad_end_h, pad_end_w }, [x], y);
}

const gpuPart = {
  kernels: ['pool2d'],
  pipelines: (node) => [{ shader: 'pool2d', constants: { MAX: node.op === 'MaxPool' } }],
  supports: (node, [x], gpu) => x.dims.length >= 3 && x.dims.length <= 4 && !node.outputs[1] && fitsF32(gpu, [x]),
  run: runGpu,
};

const wasmPart = (kernel) => ({
  kernels: ['pool'],
  calls: [kernel],
  supports: (node, [x]) => x.dtype === 'float32' && x.dims.length <= 4 && !node.outputs[1],
  run: runWasm,
});
export const units = [
  { op: 'MaxPool', shape, wasm: wasmPart('maxpool2d_f32'), js: { run: runJs }, ...(globalThis.WEBGPU ? { webgpu: gpuPart } : {}) },
  { op: 'AveragePool', shape: (node, inputs) => shape(node, inputs).slice(0, 1), wasm: wasmPart('avgpool2d_f32'), js: { run: runJs },
    ...(globalThis.WEBGPU ? { webgpu: gpuPart } : {}) },
];
