// ConvTranspose (1-D and 2-D): per group, cols = W_g^T @ X_g with the gemm kernel
// ([M/g*KH*KW, C/g] @ [C/g, H*W]), then col2im scatter-adds the columns into the output.
// 3-D and up run in plain JS (conv_nd.mjs).
import { convTransposeNd } from './conv_nd.mjs';

function geometry(node, x, w) {
  const at = node.attrs;
  const oneD = x.dims.length === 3;
  const two = (v, fill) => (v ? (oneD ? [fill, v[0]] : v) : [fill, fill]);
  const [H, W] = oneD ? [1, x.dims[2]] : x.dims.slice(2);
  const [KH, KW] = oneD ? [1, w.dims[2]] : w.dims.slice(2);
  const [sh, sw] = two(at.strides, 1);
  const [dh, dw] = two(at.dilations, 1);
  const [oph, opw] = two(at.output_padding, 0);
  let pads = at.pads ? (oneD ? [0, at.pads[0], 0, at.pads[1]] : at.pads) : [0, 0, 0, 0];
  const full = (n, s, k, d, op) => s * (n - 1) + op + (k - 1) * d + 1;
  let OH;
  let OW;
  const given = at.output_shape ? (oneD ? [1, ...at.output_shape.slice(-1)] : at.output_shape.slice(-2)) : null;
  const autoPad = at.auto_pad ?? 'NOTSET';
  if (given || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    [OH, OW] = given ?? [H * sh, W * sw];
    const th = Math.max(0, full(H, sh, KH, dh, oph) - OH);
    const tw = Math.max(0, full(W, sw, KW, dw, opw) - OW);
    // SAME_UPPER puts the odd padding at the end (ONNX spec), SAME_LOWER and a given output_shape
    // at the start (onnxruntime does the same)
    const lowH = autoPad === 'SAME_UPPER' ? Math.floor(th / 2) : Math.ceil(th / 2);
    const lowW = autoPad === 'SAME_UPPER' ? Math.floor(tw / 2) : Math.ceil(tw / 2);
    pads = [lowH, lowW, th - lowH, tw - lowW];
  } else {
    if (autoPad === 'VALID') pads = [0, 0, 0, 0];
    OH = full(H, sh, KH, dh, oph) - pads[0] - pads[2];
    OW = full(W, sw, KW, dw, opw) - pads[1] - pads[3];
  }
  return { oneD, H, W, KH, KW, sh, sw, dh, dw, pt: pads[0], pl: pads[1], OH, OW };
}

function convTranspose(ex, node, [x, w, b]) {
  if (x.dims.length > 4) return convTransposeNd(ex, node, [x, w, b]);
  const g = geometry(node, x, w);
  const group = node.attrs.group ?? 1;
  const [N, C] = x.dims;
  const Mg = w.dims[1];
  const M = Mg * group;
  const Cg = C / group;
  const rows = Mg * g.KH * g.KW;
  const HW = g.H * g.W;
  const y = ex.alloc('float32', g.oneD ? [N, M, g.OW] : [N, M, g.OH, g.OW]);
  const cols = ex.alloc('float32', [rows, HW]);
  try {
    const yd = y.data;
    if (b) {
      const bd = b.data;
      for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) yd.fill(bd[m], (n * M + m) * g.OH * g.OW, (n * M + m + 1) * g.OH * g.OW);
    } else yd.fill(0);
    for (let n = 0; n < N; n++) {
      for (let gi = 0; gi < group; gi++) {
        // cols[rows, HW] = W_g^T [rows, Cg] @ X_g [Cg, HW]; W_g is [Cg, rows] (transA)
        ex.k.gemm_f32(w.ptr + gi * Cg * rows * 4, x.ptr + (n * C + gi * Cg) * HW * 4, 0, cols.ptr,
          rows, HW, Cg, 1, 0, 1, 0, 0, 0, 0, 0);
        const cd = cols.data;
        const out = y.data;
        for (let m = 0; m < Mg; m++) {
          const obase = (n * M + gi * Mg + m) * g.OH * g.OW;
          for (let kh = 0; kh < g.KH; kh++) {
            for (let kw = 0; kw < g.KW; kw++) {
              const row = ((m * g.KH + kh) * g.KW + kw) * HW;
              for (let h = 0; h < g.H; h++) {
                const oh = h * g.sh - g.pt + kh * g.dh;
                if (oh < 0 || oh >= g.OH) continue;
                for (let ww = 0; ww < g.W; ww++) {
                  const ow = ww * g.sw - g.pl + kw * g.dw;
                  if (ow >= 0 && ow < g.OW) out[obase + oh * g.OW + ow] += cd[row + h * g.W + ww];
                }
              }
            }
          }
        }
      }
    }
  } finally {
    ex.arena.dispose(cols.ptr);
  }
  return [y];
}

export const ops = { ConvTranspose: convTranspose };
