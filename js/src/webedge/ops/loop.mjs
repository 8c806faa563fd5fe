// Loop(M?, cond?, v_initial...): body(iter, cond, v...) -> (cond, v..., scan outputs...), run
// while the trip count and the condition allow; the scan outputs of every iteration are stacked.
import { runBody, scalar, copyOf, stack } from '../lib/subgraph.mjs';

async function run(ex, node, [tripCount, cond, ...initial], scope) {
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
      ex.release(outs[0]);
      carried = outs.slice(1, 1 + K);
      mine = new Set(carried);
      outs.slice(1 + K).forEach((t, j) => (scans[j] ??= []).push(t));
    }
    const finals = carried.map((t) => (mine.has(t) ? t : copyOf(ex, t)));
    mine = new Set();
    const stacked = node.outputs.slice(K).map((_, j) => stack(ex, scans[j] ?? [], 0));
    return [...finals, ...stacked];
  } finally {
    for (const t of mine) ex.release(t);
    for (const list of scans) for (const t of list) ex.release(t);
  }
}

export const units = [{ op: 'Loop', control: true, run }];
