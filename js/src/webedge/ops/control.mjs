// Control flow over nested plans (webedge/plan/compile.py CONTROL_FLOW): If runs the branch its
// scalar condition picks; Loop and Scan run their body once per iteration with loop-carried values
// and stack the per-iteration scan outputs. A body sees the caller's scope (outer values it reads)
// plus its own inputs, bound by name; the tensors this file allocates for those inputs are freed
// after each iteration.
import { size } from '../tensor.mjs';

function ifOp(ex, node, [cond], scope) {
  const branch = cond.data[0] ? node.attrs.then_branch : node.attrs.else_branch;
  return ex.runSubplan(branch, scope);
}

const release = (ex, t) => {
  if (t && t.ptr !== null && !ex.fixedTensors.has(t)) ex.arena.dispose(t.ptr);
};

// One run of `body` with its inputs bound to `args`; the args in `mine` are freed afterwards.
async function runBody(ex, body, scope, args, mine) {
  const values = new Map(scope);
  body.inputs.forEach((name, i) => values.set(name, args[i]));
  try {
    return await ex.runSubplan(body, values);
  } finally {
    for (const t of args) if (mine.has(t)) release(ex, t);
  }
}

function scalar(ex, dtype, value) {
  const t = ex.alloc(dtype, []);
  t.data[0] = value;
  return t;
}

function copyOf(ex, x) {
  const y = ex.alloc(x.dtype, x.dims.slice());
  y.data.set(x.data);
  return y;
}

// x with `axis` removed, at position `index` along it.
function take(ex, x, axis, index) {
  const d = x.dims;
  const y = ex.alloc(x.dtype, [...d.slice(0, axis), ...d.slice(axis + 1)]);
  const [outer, n, inner] = [size(d.slice(0, axis)), d[axis], size(d.slice(axis + 1))];
  const xd = x.data, yd = y.data;
  for (let o = 0; o < outer; o++) yd.set(xd.subarray((o * n + index) * inner, (o * n + index + 1) * inner), o * inner);
  return y;
}

// Equal-shaped parts stacked along a new `axis` (parts[t] at position t); `empty` when there are none.
function stack(ex, parts, axis, empty = [0]) {
  if (!parts.length) return ex.alloc('float32', empty);
  const e = parts[0].dims;
  const T = parts.length;
  const y = ex.alloc(parts[0].dtype, [...e.slice(0, axis), T, ...e.slice(axis)]);
  const [outer, inner] = [size(e.slice(0, axis)), size(e.slice(axis))];
  const yd = y.data;
  parts.forEach((p, t) => {
    if (size(p.dims) !== outer * inner) throw new Error(`scan output ${t} has shape [${p.dims}], expected [${e}]`);
    const pd = p.data;
    for (let o = 0; o < outer; o++) yd.set(pd.subarray(o * inner, (o + 1) * inner), (o * T + t) * inner);
  });
  return y;
}

// Loop(M?, cond?, v_initial...): body(iter, cond, v...) -> (cond, v..., scan outputs...).
async function loop(ex, node, [tripCount, cond, ...initial], scope) {
  const body = node.attrs.body;
  const trips = tripCount ? Number(tripCount.data[0]) : Infinity;
  let going = cond ? !!cond.data[0] : true;
  if (!tripCount && !cond) throw new Error('a Loop with neither a trip count nor a condition never ends');
  const K = initial.length;
  let carried = initial;
  let mine = new Set();
  const scans = [];
  try {
    for (let i = 0; i < trips && going; i++) {
      const args = [scalar(ex, 'int64', BigInt(i)), scalar(ex, 'bool', going ? 1 : 0), ...carried];
      const outs = await runBody(ex, body, scope, args, new Set([args[0], args[1], ...mine]));
      going = !!outs[0].data[0];
      release(ex, outs[0]);
      carried = outs.slice(1, 1 + K);
      mine = new Set(carried);
      outs.slice(1 + K).forEach((t, j) => (scans[j] ??= []).push(t));
    }
    const finals = carried.map((t) => (mine.has(t) ? t : copyOf(ex, t)));
    mine = new Set();
    const stacked = node.outputs.slice(K).map((_, j) => stack(ex, scans[j] ?? [], 0));
    return [...finals, ...stacked];
  } finally {
    for (const t of mine) release(ex, t);
    for (const list of scans) for (const t of list) release(ex, t);
  }
}

const norm = (axis, rank) => (axis < 0 ? axis + rank : axis);

// Scan (opset 9+): Scan(states..., scan inputs...); body(states..., slices...) -> (states..., elements...).
async function scan(ex, node, inputs, scope) {
  const at = node.attrs;
  const M = at.num_scan_inputs;
  const N = inputs.length - M;
  const xs = inputs.slice(N);
  const inAxes = xs.map((x, j) => norm(at.scan_input_axes?.[j] ?? 0, x.dims.length));
  const inDirs = at.scan_input_directions ?? [];
  const T = xs.length ? xs[0].dims[inAxes[0]] : 0;
  const { states, scans } = await iterate(ex, node.attrs.body, scope, inputs.slice(0, N), T,
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
    for (const list of scans) for (const t of list) release(ex, t);
  }
}

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
    for (const list of scans) for (const t of list) release(ex, t);
    throw err;
  } finally {
    for (const t of mine) release(ex, t);
  }
}

// Scan-8: Scan(sequence_lens?, states..., scan inputs...) with a batch axis 0 and the sequence on
// axis 1: each batch entry runs on its own; scan outputs past a shorter sequence stay zero.
async function scan8(ex, node, [lens, ...inputs], scope) {
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
        for (const t of [...initial, ...rows]) release(ex, t);
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
        release(ex, padded);
        return full;
      });
      const y = stack(ex, rows, 0);
      rows.forEach((r) => release(ex, r));
      return y;
    });
    return [...states, ...outputs];
  } finally {
    for (const r of perBatch) {
      for (const t of r.states) release(ex, t);
      for (const list of r.scans) for (const t of list) release(ex, t);
    }
  }
}

export const ops = {
  If: ifOp,
  Loop: loop,
  Scan: (ex, node, inputs, scope) => (ex.plan.opset < 9 ? scan8 : scan)(ex, node, inputs, scope),
};
