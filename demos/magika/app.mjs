// File types with Magika, in the browser: pick or drop files (any number), read the two ends of
// each (features.mjs), run them as one batch, and name each file's type from the model's label
// list (the bundle's labels, from Magika's own config), with its confidence. Magika's per-type
// thresholds (from the same config) mark a guess as low confidence, as Magika itself does.
import { load, topK } from './model/webedge.mjs';
import { progressView, report, sampleFile, selftest, showError, showThreads } from './shared/loading.mjs';
import { featuresOf } from './features.mjs';

const $ = (id) => document.getElementById(id);
const fmtSize = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

function render(results) {
  const list = $('results');
  list.replaceChildren();
  for (const r of results) {
    const item = document.createElement('li');
    item.className = 'file';
    const name = document.createElement('div');
    name.className = 'name';
    name.textContent = `${r.name} (${fmtSize(r.size)})`;
    const verdict = document.createElement('div');
    verdict.className = 'label';
    if (r.label) {
      verdict.textContent = r.label;
      const score = document.createElement('span');
      score.className = r.confident ? 'score' : 'score low';
      score.textContent = `${(100 * r.score).toFixed(1)}%${r.confident ? '' : ' (low confidence)'}`;
      verdict.append(' ', score);
    } else {
      verdict.textContent = r.why;
      verdict.classList.add('none');
    }
    item.append(name, verdict);
    if (r.others?.length) {
      const others = document.createElement('div');
      others.className = 'others';
      others.textContent = 'next: ' + r.others.map((o) => `${o.label} ${(100 * o.score).toFixed(1)}%`).join(', ');
      item.append(others);
    }
    list.append(item);
  }
}

async function classify(model, cfg, files) {
  const results = files.map((f) => ({ name: f.name, size: f.size }));
  const usable = files.map((f, i) => [f, i]).filter(([f]) => f.size >= cfg.min_file_size_for_dl);
  for (const r of results) {
    if (r.size < cfg.min_file_size_for_dl) r.why = r.size ? `too small for the model (under ${cfg.min_file_size_for_dl} bytes)` : 'empty file';
  }
  if (usable.length) {
    const rows = await Promise.all(usable.map(([f]) => featuresOf(f, cfg)));
    const bytes = new Int32Array(rows.length * rows[0].length);
    rows.forEach((row, i) => bytes.set(row, i * row.length));
    const t0 = performance.now();
    const out = await model.run({ bytes });
    const ms = performance.now() - t0;
    const scores = out.target_label;
    if (!Array.from(scores.data).every(Number.isFinite)) throw new Error('the model returned non-finite scores; not a result');
    const ranked = topK(scores, 3, model.labels.target_label);
    usable.forEach(([, i], k) => {
      const [best, ...others] = ranked[k];
      const label = cfg.overwrite_map[best.label] ?? best.label;
      const threshold = cfg.thresholds[best.label] ?? cfg.medium_confidence_threshold;
      Object.assign(results[i], { label, score: best.score, confident: best.score >= threshold, others });
    });
    $('timing').textContent = `${usable.length} file(s) in one batch: ${ms.toFixed(1)} ms`;
  }
  render(results);
  return results;
}

const status = $('status');
try {
  const [cfg, model] = await Promise.all([
    fetch('magika-config.json').then((r) => r.json()),
    load('model/model.json', { worker: true, onProgress: progressView($('loading')) }),
  ]);
  showThreads($('threads'), model);
  status.textContent = 'Ready: pick or drop files. Nothing leaves your browser.';
  const samples = await (await fetch('samples/expected.json')).json();
  const run = async (files) => {
    status.textContent = `classifying ${files.length} file(s)…`;
    try {
      const results = await classify(model, cfg, files);
      status.textContent = 'Done. Pick or drop more files.';
      return results;
    } catch (err) {
      showError($('error'), err);
      throw err;
    }
  };
  $('pick').disabled = false;
  $('sample').disabled = false;
  $('pick').onchange = (ev) => run([...ev.target.files]);
  $('sample').onclick = async () => run(await Promise.all(Object.keys(samples.labels).map((f) => sampleFile(`samples/${f}`))));
  const drop = $('drop');
  drop.ondragover = (ev) => { ev.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (ev) => { ev.preventDefault(); drop.classList.remove('over'); run([...ev.dataTransfer.files]); };
  if (selftest) {
    const files = await Promise.all(Object.keys(samples.labels).map((f) => sampleFile(`samples/${f}`)));
    const results = await run(files);
    report({ files: results.map(({ name, label, score }) => ({ name, label, score })), threads: model.threads,
      threadsWhy: model.threadsWhy, backend: model.backend, worker: model.worker });
  }
} catch (err) {
  showError($('error'), err);
  status.textContent = 'failed';
  report({ error: err.message });
}
