// Byte-level progress by phase ('runtime', 'weights', 'compile', 'ready') through one callback.
export class Progress {
  constructor(callback) {
    this.callback = callback;
    this.phases = {};
  }
  setTotal(phase, total) {
    this.phases[phase] = { loaded: 0, total };
  }
  add(phase, n, file) {
    const p = this.phases[phase];
    p.loaded += n;
    this.emit(phase, { file });
  }
  emit(phase, extra = {}) {
    if (!this.callback) return;
    const p = this.phases[phase] ?? { loaded: 0, total: 0 };
    const all = Object.values(this.phases);
    try {
      this.callback({
        phase, loaded: p.loaded, total: p.total,
        allLoaded: all.reduce((s, q) => s + q.loaded, 0), allTotal: all.reduce((s, q) => s + q.total, 0),
        ...extra,
      });
    } catch (err) {
      console.error('webedge: onProgress callback threw', err);
    }
  }
}
