// Scan (opset 9+): Scan(states..., scan inputs...); body(states..., slices...) -> (states...,
// elements...), scan inputs sliced along their axes (and directions), elements stacked along the
// output axes. `_batch_major` (written by webedge/plan/compile.py for opset 8) is Scan-8:
// Scan(sequence_lens?, states..., scan inputs...) with a batch axis 0 and the sequence on axis 1,
// each batch entry run on its own; scan outputs past a shorter sequence stay zero.
import { runBody, copyOf, take, stack } from '../lib/subgraph.mjs';
import { norm } from '../lib/values.mjs';

// Runs body T times from `initial` states; slicesAt(t) makes the scan slices of step t.
async function iterate(ex, body, scope, initial, T, slicesAt) {
  let states = initial;
  let mine = new Set();
  const scans = [];
  try {
    for (let t = 0; t < T; t++) {
      const slices = slicesAt(t);
      const outs = await runBody(ex, body, scope, [...states, ...slices], new Set([...slices, ...mine]));
      states = outs.slice(0, initial.length);
      mine = new Set(states);
      outs.slice(initial.length).forEach((o, k) => (scans[k] ??= []).push(o));
    }
    const finals = states.map((s) => (mine.has(s) ? s : copyOf(ex, s)));
    mine = new Set();
    return { states: finals, scans };
  } catch (err) {
    for (const list of scans) for (const t of list) ex.release(t);
    throw err;
  } finally {
    for (const t of mine) ex.release(t);
  }
}

async function scan(ex, node, inputs, scope) {
  const at = node.attrs;
  const M = at.num_scan_inputs;
  const N = inputs.length - M;
  const xs = inputs.slice(N);
  const inAxes = xs.map((x, j) => norm(at.scan_input_axes?.[j] ?? 0, x.dims.length));
  const inDirs = at.scan_input_directions ?? [];
  const T = xs.length ? xs[0].dims[inAxes[0]] : 0;
  const { states, scans } = await iterate(ex, at.body, scope, inputs.slice(0, N), T,
    (t) => xs.map((x, j) => take(ex, x, inAxes[j], inDirs[j] ? T - 1 - t : t)));
  try {
    const outDirs = at.scan_output_directions ?? [];
    const stacked = node.outputs.slice(N).map((_, k) => {
      const parts = scans[k] ?? [];
      if (outDirs[k]) parts.reverse();
      const rank = parts.length ? parts[0].dims.length + 1 : 1;
      return stack(ex, parts, norm(at.scan_output_axes?.[k] ?? 0, rank));
    });
    return [...states, ...stacked];
  } finally {
    for (const list of scans) for (const t of list) ex.release(t);
  }
}

async function scanBatchMajor(ex, node, [lens, ...inputs], scope) {
  const at = node.attrs;
  const M = at.num_scan_inputs;
  const N = inputs.length - M;
  const xs = inputs.slice(N);
  const B = inputs[0].dims[0];
  const maxT = xs.length ? xs[0].dims[1] : 0;
  const dirs = at.directions ?? [];
  const perBatch = [];
  try {
    for (let b = 0; b < B; b++) {
      const T = lens ? Number(lens.data[b]) : maxT;
      const initial = inputs.slice(0, N).map((s) => take(ex, s, 0, b));
      const rows = xs.map((x) => take(ex, x, 0, b));
      try {
        const slicesAt = (t) => rows.map((r, j) => take(ex, r, 0, dirs[j] ? T - 1 - t : t));
        perBatch.push(await iterate(ex, at.body, scope, initial, T, slicesAt));
      } finally {
        for (const t of [...initial, ...rows]) ex.release(t);
      }
    }
    const states = perBatch.length ? perBatch[0].states.map((_, i) => stack(ex, perBatch.map((r) => r.states[i]), 0)) : [];
    const outputs = node.outputs.slice(N).map((_, k) => {
      const rows = perBatch.map((r) => {
        const parts = r.scans[k] ?? [];
        const padded = stack(ex, parts, 0);
        if (parts.length === maxT) return padded;
        const full = ex.alloc(padded.dtype, [maxT, ...padded.dims.slice(1)]);
        full.data.fill(padded.dtype === 'int64' || padded.dtype === 'uint64' ? 0n : 0);
        full.data.set(padded.data);
        ex.release(padded);
        return full;
      });
      const y = stack(ex, rows, 0);
      rows.forEach((r) => ex.release(r));
      return y;
    });
    return [...states, ...outputs];
  } finally {
    for (const r of perBatch) {
      for (const t of r.states) ex.release(t);
      for (const list of r.scans) for (const t of list) ex.release(t);
    }
  }
}

export const units = [{
  op: 'Scan',
  control: true,
  run: (ex, node, inputs, scope) => (node.attrs._batch_major ? scanBatchMajor : scan)(ex, node, inputs, scope),
}];
