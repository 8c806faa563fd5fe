// The microphone as a stream of 16 kHz mono samples: getUserMedia, an AudioWorklet that hands each
// 128-sample block to the page, and a linear resampler from the device's rate (often 48 kHz) down to
// the 16 kHz the model takes. The worklet's source is a Blob, so the demo needs no extra file.
// (Linear interpolation has no anti-aliasing filter; speech detection tolerates that, a recording app
// would not.)
const TAP = `class Tap extends AudioWorkletProcessor {
  process(inputs) { const ch = inputs[0] && inputs[0][0]; if (ch) this.port.postMessage(ch.slice(0)); return true; }
}
registerProcessor('webedge-tap', Tap);`;

function resampler(from, to) {
  const step = from / to;
  let pos = 0; // where the next output sample falls, in samples of the current block (-1: the previous block's last)
  let last = 0;
  return (block) => {
    const out = [];
    while (pos < block.length - 1) {
      const i = Math.floor(pos), f = pos - i;
      const a = i < 0 ? last : block[i], b = block[i + 1];
      out.push(a + (b - a) * f);
      pos += step;
    }
    pos -= block.length;
    last = block[block.length - 1];
    return Float32Array.from(out);
  };
}

/** Start the microphone; `onSamples(Float32Array)` gets 16 kHz samples. Resolves with {stop, rate}. */
export async function startMicrophone(onSamples, rate = 16000) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives no microphone to this page (it needs https or localhost)');
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false } });
  const ctx = new AudioContext();
  const url = URL.createObjectURL(new Blob([TAP], { type: 'text/javascript' }));
  await ctx.audioWorklet.addModule(url);
  URL.revokeObjectURL(url);
  const node = new AudioWorkletNode(ctx, 'webedge-tap');
  ctx.createMediaStreamSource(stream).connect(node);
  const resample = resampler(ctx.sampleRate, rate);
  node.port.onmessage = (e) => onSamples(resample(e.data));
  return {
    deviceRate: ctx.sampleRate,
    stop() {
      for (const t of stream.getTracks()) t.stop();
      node.disconnect();
      return ctx.close();
    },
  };
}
