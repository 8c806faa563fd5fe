// Speech or not, over time: Silero VAD on a sound file or the microphone. A file is decoded and
// resampled to 16 kHz by the browser (OfflineAudioContext), mixed to mono, and fed to the detector
// in 32 ms chunks (vad.mjs); the microphone streams into the same detector (microphone.mjs). The
// timeline (timeline.mjs) is redrawn as chunks come in.
import { load } from './model/webedge.mjs';
import { progressView, report, selftest, showError, showThreads } from './shared/loading.mjs';
import { RATE, SpeechDetector, speechSegments } from './vad.mjs';
import { drawTimeline } from './timeline.mjs';
import { startMicrophone } from './microphone.mjs';

const $ = (id) => document.getElementById(id);
const MIC_WINDOW_S = 12;
// Silero's defaults, except that a pause must last 300 ms (not 100) to end a segment: the timeline is
// about who speaks when, and the gaps between words of one sentence run to ~150 ms.
const SEGMENTS = { minSilenceMs: 300 };

async function decode(arrayBuffer) {
  let audio;
  try {
    audio = await new OfflineAudioContext(1, 1, RATE).decodeAudioData(arrayBuffer);
  } catch (err) {
    throw new Error(`the browser could not decode this file as audio (${err.message || err.name})`);
  }
  const mono = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const ch = audio.getChannelData(c);
    for (let i = 0; i < ch.length; i++) mono[i] += ch[i] / audio.numberOfChannels;
  }
  return mono;
}

function showSegments(segments, seconds) {
  const list = $('segments');
  list.replaceChildren();
  for (const s of segments) {
    const li = document.createElement('li');
    li.textContent = `speech ${s.start_s.toFixed(2)} s – ${s.end_s.toFixed(2)} s (${(s.end_s - s.start_s).toFixed(2)} s)`;
    list.append(li);
  }
  const speech = segments.reduce((t, s) => t + s.end_s - s.start_s, 0);
  $('summary').textContent = segments.length
    ? `${segments.length} speech segment(s), ${speech.toFixed(1)} of ${seconds.toFixed(1)} s`
    : `no speech found in ${seconds.toFixed(1)} s`;
}

async function analyse(model, samples, name) {
  const seconds = samples.length / RATE;
  $('status').textContent = `${name}: ${seconds.toFixed(1)} s at 16 kHz, detecting…`;
  const detector = new SpeechDetector(model);
  const t0 = performance.now();
  const step = RATE * 0.5;
  for (let at = 0; at < samples.length; at += step) {
    await detector.push(samples.subarray(at, at + step));
    drawTimeline($('timeline'), { samples, probs: detector.probs, segments: [], seconds });
  }
  const segments = speechSegments(detector.probs, samples.length, SEGMENTS);
  drawTimeline($('timeline'), { samples, probs: detector.probs, segments, seconds });
  showSegments(segments, seconds);
  const ms = performance.now() - t0;
  $('status').textContent = `${name}: ${detector.probs.length} chunks in ${ms.toFixed(0)} ms (${(ms / detector.probs.length).toFixed(2)} ms per 32 ms chunk)`;
  return { segments, probs: detector.probs };
}

try {
  const model = await load('model/model.json', { worker: true, onProgress: progressView($('loading')) });
  showThreads($('threads'), model);
  $('status').textContent = 'Ready: pick a sound file, try the sample, or use the microphone.';
  const fromFile = async (file) => {
    try {
      $('error').hidden = true;
      return await analyse(model, await decode(await file.arrayBuffer()), file.name);
    } catch (err) {
      showError($('error'), err);
      throw err;
    }
  };
  const sample = async () => {
    const res = await fetch('samples/speech.wav');
    return fromFile(new File([await res.blob()], 'speech.wav', { type: 'audio/wav' }));
  };
  for (const id of ['pick', 'sample', 'mic']) $(id).disabled = false;
  $('pick').onchange = (ev) => ev.target.files[0] && fromFile(ev.target.files[0]);
  $('sample').onclick = sample;
  let mic = null;
  $('mic').onclick = async () => {
    if (mic) {
      await mic.stop();
      mic = null;
      $('mic').textContent = 'use the microphone';
      return;
    }
    try {
      const detector = new SpeechDetector(model);
      let buffered = new Float32Array(0);
      let busy = Promise.resolve();
      mic = await startMicrophone((samples) => {
        const joined = new Float32Array(buffered.length + samples.length);
        joined.set(buffered);
        joined.set(samples, buffered.length);
        buffered = joined.slice(-MIC_WINDOW_S * RATE);
        busy = busy.then(() => detector.push(samples)).then(() => {
          const keep = Math.floor((MIC_WINDOW_S * RATE) / 512);
          const probs = detector.probs.slice(-keep);
          const seconds = buffered.length / RATE;
          const segments = speechSegments(probs, probs.length * 512, SEGMENTS);
          drawTimeline($('timeline'), { samples: buffered.subarray(buffered.length - probs.length * 512), probs, segments, seconds: probs.length * 512 / RATE });
          $('status').textContent = `microphone (${mic?.deviceRate ?? '?'} Hz → 16 kHz): last ${seconds.toFixed(1)} s, ` +
            `speech probability now ${(probs[probs.length - 1] ?? 0).toFixed(2)}`;
          window.demoMic = { chunks: detector.probs.length, finite: detector.probs.every(Number.isFinite) };
        }, (err) => showError($('error'), err));
      });
      $('mic').textContent = 'stop the microphone';
    } catch (err) {
      showError($('error'), new Error(`microphone: ${err.message || err.name}`));
      mic = null;
    }
  };
  if (selftest) {
    const { segments, probs } = await sample();
    report({ segments, chunks: probs.length, maxProb: Math.max(...probs), finite: probs.every(Number.isFinite),
      threads: model.threads, threadsWhy: model.threadsWhy, backend: model.backend, worker: model.worker });
  }
} catch (err) {
  showError($('error'), err);
  $('status').textContent = 'failed';
  report({ error: err.message });
}
