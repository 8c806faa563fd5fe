// The speech/no-speech timeline: the waveform (min/max per pixel column), detected speech shaded
// behind it, the per-chunk speech probability as a line over it (0 at the bottom, 1 at the top,
// the 0.5 threshold dashed) and a time axis. Redrawn at the canvas's own width, so it fits a phone.
import { CHUNK, RATE } from './vad.mjs';

export function drawTimeline(canvas, { samples, probs, segments, seconds }) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 600;
  const cssH = canvas.clientHeight || 170;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  const axis = 18;
  const h = cssH - axis;
  const span = Math.max(seconds, 1e-3);
  const x = (s) => (s / span) * cssW;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, cssW, cssH);
  g.fillStyle = 'rgba(44, 160, 44, 0.18)';
  for (const s of segments) g.fillRect(x(s.start_s), 0, Math.max(1, x(s.end_s) - x(s.start_s)), h);
  g.fillStyle = '#8a8a8a';
  const perPx = Math.max(1, Math.floor(samples.length / cssW));
  for (let px = 0; px < cssW; px++) {
    const from = Math.floor((px / cssW) * samples.length);
    let lo = 0, hi = 0;
    for (let i = from; i < Math.min(samples.length, from + perPx); i++) { lo = Math.min(lo, samples[i]); hi = Math.max(hi, samples[i]); }
    const y0 = h / 2 - hi * (h / 2), y1 = h / 2 - lo * (h / 2);
    g.fillRect(px, y0, 1, Math.max(1, y1 - y0));
  }
  g.strokeStyle = '#b0b0b0';
  g.setLineDash([4, 3]);
  g.beginPath();
  g.moveTo(0, h * 0.5);
  g.lineTo(cssW, h * 0.5);
  g.stroke();
  g.setLineDash([]);
  g.strokeStyle = '#1f6feb';
  g.lineWidth = 1.5;
  g.beginPath();
  probs.forEach((p, i) => {
    const px = x(((i + 0.5) * CHUNK) / RATE), py = h - p * h;
    if (i) g.lineTo(px, py); else g.moveTo(px, py);
  });
  g.stroke();
  g.fillStyle = '#555';
  g.font = '11px system-ui, sans-serif';
  const step = span > 30 ? 5 : span > 12 ? 2 : 1;
  for (let s = 0; s <= span; s += step) {
    g.fillRect(x(s), h, 1, 4);
    g.fillText(`${s} s`, Math.min(x(s) + 2, cssW - 24), cssH - 3);
  }
}
