"""How speech.wav and speech.expected.json were made (run once; both files are committed).

    python demos/vad/samples/make_speech_clip.py      # needs Debian's espeak-ng and numpy

Two sentences spoken by espeak-ng (voice en-us, 150 words per minute), resampled to 16 kHz mono
16-bit, laid out as: 0.8 s room noise, sentence one, 1.2 s room noise, sentence two, 0.8 s room
noise. "Room noise" is seeded Gaussian noise at -50 dBFS, so the silences are not digital zeros.
Each sentence is cut to 100 ms around its loud part (espeak-ng pads with silence). The expected
speech intervals are where each sentence's own samples are louder than -40 dBFS (its first and
last such 10 ms frame): the known answer the VAD demo is checked against.
"""

from __future__ import annotations

import io
import json
import subprocess
import wave
from pathlib import Path

import numpy as np

RATE = 16000
HERE = Path(__file__).resolve().parent
SENTENCES = ["The quick brown fox jumps over the dog", "Speech detection runs in the browser"]
GAPS_S = (0.8, 1.2, 0.8)


def speak(text: str) -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "--stdout", text], check=True,
                         capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate, data = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    x = data.astype(np.float64) / 32768
    t = np.arange(int(len(x) * RATE / rate)) / RATE  # linear resampling to 16 kHz
    return np.interp(t, np.arange(len(x)) / rate, x)


def loud_extent(x: np.ndarray, db: float = -40) -> tuple[int, int]:
    frame = RATE // 100
    rms = np.sqrt(np.mean(x[: len(x) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    loud = np.flatnonzero(20 * np.log10(rms + 1e-12) > db)
    return int(loud[0] * frame), int((loud[-1] + 1) * frame)


def main() -> None:
    rng = np.random.default_rng(11)
    noise = lambda seconds: rng.normal(0, 10 ** (-50 / 20), int(seconds * RATE))  # noqa: E731
    parts, expected, at = [noise(GAPS_S[0])], [], int(GAPS_S[0] * RATE)
    for i, sentence in enumerate(SENTENCES):
        voice = speak(sentence)
        start, end = loud_extent(voice)
        margin = RATE // 10  # keep 100 ms around the loud part: espeak-ng pads each sentence with silence
        voice = voice[max(0, start - margin): end + margin]
        start, end = loud_extent(voice)
        expected.append({"start_s": round((at + start) / RATE, 3), "end_s": round((at + end) / RATE, 3),
                         "text": sentence})
        parts.append(voice + noise(len(voice) / RATE)[: len(voice)])
        at += len(voice)
        parts.append(noise(GAPS_S[i + 1]))
        at += int(GAPS_S[i + 1] * RATE)
    clip = np.clip(np.concatenate(parts), -1, 1)
    with wave.open(str(HERE / "speech.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((clip * 32767).astype("<i2").tobytes())
    made = {"file": "speech.wav", "sample_rate": RATE, "seconds": round(len(clip) / RATE, 3), "speech": expected,
            "how": "demos/vad/samples/make_speech_clip.py (espeak-ng, voice en-us, 150 wpm)"}
    (HERE / "speech.expected.json").write_text(json.dumps(made, indent=1) + "\n")


if __name__ == "__main__":
    main()
