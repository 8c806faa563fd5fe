// SpaceToDepth and DepthToSpace (DCR or CRD): a reshape to 6-D, a transpose, a reshape back.
import { forEachBroadcast } from '../lib/broadcast.mjs';
import { stridesOf } from '../tensor.mjs';

// The 6-D view of x, the permutation, and the output dims.
function layout(node, [N, C, H, W]) {
  const bs = node.attrs.blocksize;
  if (node.op === 'SpaceToDepth') {
    const perm = node.attrs.mode === 'CRD' ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4];
    return { tmp: [N, C, H / bs, bs, W / bs, bs], perm, dims: [N, C * bs * bs, H / bs, W / bs] };
  }
  const c = C / (bs * bs);
  const crd = node.attrs.mode === 'CRD';
  return { tmp: crd ? [N, c, bs, bs, H, W] : [N, bs, bs, c, H, W], perm: crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2],
    dims: [N, c, H * bs, W * bs] };
}

function run(js, node, [x], [y]) {
  const { tmp, perm } = layout(node, x.dims);
  const ts = stridesOf(tmp);
  const xd = x.data, yd = y.data;
  forEachBroadcast(perm.map((p) => tmp[p]), [perm.map((p) => ts[p])], (o, [i]) => { yd[o] = xd[i]; });
}

const shape = (node, [x]) => [{ dtype: x.dtype, dims: layout(node, x.dims).dims }];
export const units = ['SpaceToDepth', 'DepthToSpace'].map((op) => ({ op, shape, js: { run } }));
