"""Render a synthesized meeting from its script with espeak-ng and sox.

Usage: python audio_samples/generate.py [--truth-only] audio_samples/cp-csh-1942

Reads ``script.yaml`` (voices and lines) and ``meeting.yaml`` (the spec) in that folder and writes
``meeting.mp3`` (the recording the spec names) and ``truth.json``: the ground truth, in the same
shape as a run's ``transcript.json`` (start/end of each line's speech, attribution, item, block,
and a line's ``kind`` where the script gives one: ``floor`` for procedure only, ``decision``).
Each line is synthesized, trimmed of its own leading and trailing silence, and separated from the
next by the script's pause (or the line's own ``pause``), so the truth boundaries are the
boundaries of audible speech.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
import yaml

SAMPLE_RATE = 16000
ESPEAK_LANGUAGE = {"en": "en-us", "es": "es-419", "pt": "pt-br", "fr": "fr-fr"}


def synthesize(text: str, voice: dict, workdir: Path, index: int) -> np.ndarray:
    """One line of speech as float32 mono at 16 kHz, silence trimmed at both ends."""
    raw = workdir / f"{index:03d}-raw.wav"
    out = workdir / f"{index:03d}.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice["voice"], "-p", str(voice.get("pitch", 50)),
         "-s", str(voice.get("speed", 160)), "-w", str(raw), "--", text],
        check=True,
    )
    subprocess.run(
        ["sox", "-G", "-V1", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out)], check=True
    )
    with wave.open(str(out), "rb") as handle:
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    audio = pcm.astype(np.float32) / 32768.0
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[loud[0]: loud[-1] + 1] if loud.size else audio


def render(folder: Path, truth_only: bool = False) -> dict:
    script = yaml.safe_load((folder / "script.yaml").read_text())
    spec = yaml.safe_load((folder / "meeting.yaml").read_text())
    pause = np.zeros(int(script.get("pause", 0.8) * SAMPLE_RATE), dtype=np.float32)
    speakers: dict[str, str] = {}
    pieces, utterances, cursor = [pause], [], len(pause)
    with tempfile.TemporaryDirectory() as tmp:
        for index, line in enumerate(script["lines"]):
            who = line["who"]
            speakers.setdefault(who, f"SPEAKER_{len(speakers):02d}")
            voice = dict(script["voices"][who])
            if "language" in line and not script.get("voices_speak_their_language"):
                # same voice variant, the line's own language's phonetics
                voice["voice"] = f"{ESPEAK_LANGUAGE[line['language']]}+{voice['voice'].partition('+')[2]}"
            audio = synthesize(" ".join(line["text"].split()), voice, Path(tmp), index)
            start = cursor / SAMPLE_RATE
            cursor += len(audio)
            utterances.append({
                "start": round(start, 3), "end": round(cursor / SAMPLE_RATE, 3),
                "speaker": speakers[who], "attribution": who, "confidence": 1.0,
                "item": line.get("item"), "block": line.get("block"),
                "language": line.get("language", "en"),
                "text": " ".join(line["text"].split()), "words": [],
                **({"kind": line["kind"]} if "kind" in line else {}),
            })
            gap = np.zeros(int(line["pause"] * SAMPLE_RATE), dtype=np.float32) if "pause" in line else pause
            pieces += [audio, gap]
            cursor += len(gap)
        signal = np.concatenate(pieces)
        wav = Path(tmp) / "meeting.wav"
        with wave.open(str(wav), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(SAMPLE_RATE)
            handle.writeframes((np.clip(signal, -1, 1) * 32767).astype(np.int16).tobytes())
        mp3 = folder / spec["meeting"]["recording"]
        if not truth_only:  # --truth-only: the recording stays as committed
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav),
                            "-codec:a", "libmp3lame", "-b:a", script.get("bitrate", "48k"), str(mp3)], check=True)
    truth = {"meeting_id": spec["meeting"]["id"], "duration": round(len(signal) / SAMPLE_RATE, 3),
             "utterances": utterances}
    (folder / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
    return truth


if __name__ == "__main__":
    truth_only = "--truth-only" in sys.argv
    for arg in [a for a in sys.argv[1:] if a != "--truth-only"]:
        result = render(Path(arg), truth_only)
        print(f"{arg}: {result['duration']:.1f} s, {len(result['utterances'])} lines")
