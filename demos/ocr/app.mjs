// Read the text in an image: PP-OCRv4's detector finds the lines (detect.mjs), its recognizer reads
// each one (recognize.mjs), both in Web Workers so the page stays responsive. The boxes are drawn
// over the image, numbered in reading order, and the lines listed with their confidence.
import { load } from './det/webedge.mjs';
import { progressView, report, sampleFile, selftest, showError, showThreads } from './shared/loading.mjs';
import { boxesFrom, detInput } from './detect.mjs';
import { ctcDecode, recInput } from './recognize.mjs';

const $ = (id) => document.getElementById(id);

function draw(bitmap, boxes) {
  const canvas = $('image');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const g = canvas.getContext('2d');
  g.drawImage(bitmap, 0, 0);
  const line = Math.max(2, Math.round(bitmap.width / 300));
  g.lineWidth = line;
  g.font = `${Math.max(12, 6 * line)}px system-ui, sans-serif`;
  boxes.forEach((b, i) => {
    g.strokeStyle = '#d62728';
    g.strokeRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
    g.fillStyle = '#d62728';
    g.fillText(String(i + 1), b.x0 + line, Math.max(12, b.y0 - line));
  });
}

async function read(det, rec, file) {
  const bitmap = await createImageBitmap(file).catch(() => { throw new Error(`${file.name}: the browser could not decode it as an image`); });
  $('status').textContent = `${file.name}: ${bitmap.width}×${bitmap.height}, finding text…`;
  const t0 = performance.now();
  const { tensor, sx, sy } = detInput(bitmap, bitmap.width, bitmap.height);
  const prob = (await det.run({ x: tensor }))['sigmoid_0.tmp_0'];
  if (!prob.data.every(Number.isFinite)) throw new Error('the detector returned non-finite values; not a result');
  const boxes = boxesFrom(prob, sx, sy, bitmap.width, bitmap.height);
  const t1 = performance.now();
  draw(bitmap, boxes);
  const lines = [];
  const list = $('lines');
  list.replaceChildren();
  for (const [i, box] of boxes.entries()) {
    $('status').textContent = `${file.name}: reading line ${i + 1} of ${boxes.length}…`;
    const out = await rec.run({ x: recInput(bitmap, box) });
    const { text, score } = ctcDecode(out['softmax_11.tmp_0'], rec.labels['softmax_11.tmp_0']);
    lines.push({ text, score, box: [box.x0, box.y0, box.x1, box.y1] });
    const li = document.createElement('li');
    const t = document.createElement('span');
    t.className = 'text';
    t.textContent = text || '(nothing read)';
    const s = document.createElement('span');
    s.className = 'score';
    s.textContent = ` ${(100 * score).toFixed(1)}%`;
    li.append(t, s);
    list.append(li);
  }
  const t2 = performance.now();
  $('status').textContent = `${file.name}: ${boxes.length} line(s) — detection ${(t1 - t0).toFixed(0)} ms, recognition ${(t2 - t1).toFixed(0)} ms`;
  return lines;
}

try {
  const [det, rec] = await Promise.all([
    load('det/model.json', { worker: true, onProgress: progressView($('loading'), 'text detector (PP-OCRv4 det)') }),
    load('rec/model.json', { worker: true, onProgress: progressView($('loading'), 'text recognizer (PP-OCRv4 rec)') }),
  ]);
  if (!rec.labels['softmax_11.tmp_0']) throw new Error('the recognizer bundle has no labels; re-bundle it (its metadata holds the characters)');
  showThreads($('threads'), det);
  $('status').textContent = 'Ready: pick or drop an image, or try the sample.';
  const run = async (file) => {
    try {
      $('error').hidden = true;
      return await read(det, rec, file);
    } catch (err) {
      showError($('error'), err);
      throw err;
    }
  };
  $('pick').disabled = false;
  $('sample').disabled = false;
  $('pick').onchange = (ev) => ev.target.files[0] && run(ev.target.files[0]);
  $('sample').onclick = async () => run(await sampleFile('samples/text.png', 'image/png'));
  const drop = $('drop');
  drop.ondragover = (ev) => { ev.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (ev) => { ev.preventDefault(); drop.classList.remove('over'); if (ev.dataTransfer.files[0]) run(ev.dataTransfer.files[0]); };
  if (selftest) {
    const lines = await run(await sampleFile('samples/text.png', 'image/png'));
    report({ lines, threads: det.threads, threadsWhy: det.threadsWhy, backend: det.backend, worker: det.worker });
  }
} catch (err) {
  showError($('error'), err);
  $('status').textContent = 'failed';
  report({ error: err.message });
}
