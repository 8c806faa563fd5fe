// Shared by the demo pages: load progress by phase (one bar per phase, with bytes), the threads
// note ("2 threads (cross-origin isolated)", or why it is 1), errors as text, and the self-test
// flag (?selftest: run the shipped sample at once and leave the result in window.demoResult, which
// `webedge demo NAME` checks against the known answer).
const PHASES = ['runtime', 'weights', 'compile', 'ready'];
const kB = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} kB`);

export const selftest = new URLSearchParams(location.search).has('selftest');

/** Bars for one model's load phases inside `container`; returns the onProgress callback. */
export function progressView(container, title) {
  const grid = document.createElement('div');
  grid.className = 'phases';
  if (title) {
    const h = document.createElement('h3');
    h.textContent = title;
    grid.append(h);
  }
  const rows = {};
  for (const phase of PHASES) {
    const name = document.createElement('span');
    name.textContent = phase;
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    const bytes = document.createElement('span');
    bytes.className = 'bytes';
    bytes.textContent = 'waiting';
    grid.append(name, bar, bytes);
    rows[phase] = { bar, bytes };
  }
  container.append(grid);
  return (e) => {
    const row = rows[e.phase];
    if (!row) return;
    if (e.total > 0) {
      row.bar.value = e.loaded / e.total;
      row.bytes.textContent = `${kB(e.loaded)} / ${kB(e.total)}`;
    } else {
      row.bar.value = 1;
      row.bytes.textContent = 'done';
    }
    if (e.phase === 'ready') for (const r of Object.values(rows)) { r.bar.value = 1; if (r.bytes.textContent === 'waiting') r.bytes.textContent = 'done'; }
  };
}

/** Say how many threads the model runs on and, when it is one, why. */
export function showThreads(el, model) {
  el.textContent = `${model.backend}, ${model.threadsWhy}${model.worker ? ', in a Web Worker' : ''}`;
  el.classList.toggle('single', model.threads < 2);
}

export function showError(el, err) {
  el.textContent = `${err.name ?? 'Error'}: ${err.message ?? err}`;
  el.hidden = false;
}

/** Load a sample shipped beside the page as a File. */
export async function sampleFile(path, type = '') {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return new File([await res.blob()], path.split('/').pop(), { type });
}

/** Hand the self-test result to whoever drives the page (webedge demo NAME). */
export function report(result) {
  window.demoResult = result;
}
