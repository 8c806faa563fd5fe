// Silero VAD over a stream of 16 kHz samples, and speech segments from its probabilities.
//
// The model (silero_vad_16k_op15.onnx) takes 512 new samples at a time with the 64 samples before
// them as context (input [1, 576]), the recurrent state its previous run returned (state [2, 1, 128])
// and the rate (sr = 16000); it returns the chunk's speech probability and the next state. So the
// stream is cut into 32 ms chunks that are run strictly in order, each carrying state forward.
//
// Segments: a chunk at or above `threshold` starts (or continues) speech; speech ends once the
// probability has stayed below `negThreshold` for `minSilenceMs`; segments shorter than
// `minSpeechMs` are dropped, and each is padded by `padMs` — the rules Silero's own
// get_speech_timestamps applies, with its defaults (0.5, 0.35, 250 ms, 100 ms, 30 ms).
export const RATE = 16000;
export const CHUNK = 512;
export const CONTEXT = 64;

export class SpeechDetector {
  constructor(model) {
    this.model = model;
    this.state = new Float32Array(2 * 128);
    this.context = new Float32Array(CONTEXT);
    this.pending = new Float32Array(0);
    this.probs = [];
    this.sr = { data: BigInt64Array.of(BigInt(RATE)), dims: [], type: 'int64' };
  }

  /** Append samples; run every complete chunk; resolve with the new chunks' probabilities. */
  async push(samples) {
    const all = new Float32Array(this.pending.length + samples.length);
    all.set(this.pending);
    all.set(samples, this.pending.length);
    const fresh = [];
    let at = 0;
    for (; at + CHUNK <= all.length; at += CHUNK) {
      const input = new Float32Array(CONTEXT + CHUNK);
      input.set(this.context);
      input.set(all.subarray(at, at + CHUNK), CONTEXT);
      const out = await this.model.run({
        input: { data: input, dims: [1, CONTEXT + CHUNK] },
        state: { data: this.state, dims: [2, 1, 128] },
        sr: this.sr,
      });
      const p = out.output.data[0];
      if (!Number.isFinite(p)) throw new Error(`chunk ${this.probs.length}: the model returned ${p}, not a probability`);
      this.state = out.stateN.data;
      this.context = input.slice(CHUNK);
      this.probs.push(p);
      fresh.push(p);
    }
    this.pending = all.slice(at);
    return fresh;
  }
}

/** [{start_s, end_s}] from per-chunk probabilities over `totalSamples` samples. */
export function speechSegments(probs, totalSamples, { threshold = 0.5, negThreshold = threshold - 0.15,
  minSpeechMs = 250, minSilenceMs = 100, padMs = 30 } = {}) {
  const ms = (m) => (RATE * m) / 1000;
  const found = [];
  let start = null;
  let quietSince = null;
  probs.forEach((p, i) => {
    const at = i * CHUNK;
    if (p >= threshold) {
      quietSince = null;
      if (start === null) start = at;
    } else if (start !== null && p < negThreshold) {
      if (quietSince === null) quietSince = at;
      if (at + CHUNK - quietSince >= ms(minSilenceMs)) {
        if (quietSince - start >= ms(minSpeechMs)) found.push([start, quietSince]);
        start = null;
        quietSince = null;
      }
    }
  });
  if (start !== null && totalSamples - start >= ms(minSpeechMs)) found.push([start, totalSamples]);
  const padded = [];
  for (const [s, e] of found) {
    const a = Math.max(0, s - ms(padMs));
    const b = Math.min(totalSamples, e + ms(padMs));
    if (padded.length && a <= padded[padded.length - 1][1]) padded[padded.length - 1][1] = b;
    else padded.push([a, b]);
  }
  return padded.map(([s, e]) => ({ start_s: +(s / RATE).toFixed(3), end_s: +(e / RATE).toFixed(3) }));
}
