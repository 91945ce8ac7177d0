"""Voiceprints: the real encoder on a real two-speaker recording tells its turns apart."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import pipeline  # noqa: F401
from pipeline.artifacts import Utterance, Word
from pipeline.stages.voiceprint import turn_prints, voiceprints

pytestmark = pytest.mark.slow  # a real speaker encoder on real audio


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, list[tuple[float, float, str]]]:
    """pyannote.audio's sample.wav (two speakers, 30 s) decoded, with its reference turns."""
    import pyannote.audio

    folder = Path(pyannote.audio.__file__).parent / "sample"
    wav = tmp_path_factory.mktemp("voiceprint") / "sample.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(folder / "sample.wav"),
                    "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], check=True)
    turns = []
    for line in (folder / "sample.rttm").read_text().splitlines():
        parts = line.split()
        turns.append((float(parts[3]), float(parts[3]) + float(parts[4]), parts[7]))
    return wav, turns


def _utterance(start: float, end: float) -> Utterance:
    """One sentence spanning the turn (the words' times are what the stage embeds)."""
    words = [Word(start, (start + end) / 2, " Something", 0.9), Word((start + end) / 2, end, " said.", 0.9)]
    return Utterance(start=start, end=end, speaker="S", text="Something said.", language="en", words=words)


def test_each_turns_voiceprint_is_nearest_its_own_speakers_other_turns(sample):
    wav, reference = sample
    turns = [_utterance(a, b) for a, b, _ in reference if b - a >= 1.5]
    labels = np.array([label for a, b, label in reference if b - a >= 1.5])
    prints = voiceprints(wav, turns, "resemblyzer")
    assert prints.encoder == "resemblyzer-ge2e-256" and len(prints.prints) == len(turns)
    vectors = turn_prints(turns, prints)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    right = 0
    for i in range(len(turns)):
        centroids = {}
        for label in set(labels):
            mask = labels == label
            mask[i] = False
            if mask.any():
                centroids[label] = vectors[mask].mean(axis=0)
        nearest = max(centroids, key=lambda k: vectors[i] @ centroids[k] / np.linalg.norm(centroids[k]))
        right += nearest == labels[i]
    assert len(set(labels)) == 2 and right == len(turns), (right, len(turns))


def test_a_sentence_too_short_to_embed_has_no_voiceprint(sample):
    wav, _ = sample
    prints = voiceprints(wav, [_utterance(6.0, 6.2), _utterance(7.0, 10.0)], "resemblyzer")
    assert [(p.start, p.end) for p in prints.prints] == [(7.0, 10.0)]


@pytest.mark.parametrize("embedding", ["resemblyzer", "campplus"])
def test_a_sentence_in_digital_silence_has_no_voiceprint(sample, tmp_path, embedding):
    """A word decoded inside a pause rendered as zeros (held-out meeting w9153: "Lapointe." put
    in the 0.8 s between two speakers) is no voice: no voiceprint, and the stage goes on."""
    import wave

    wav, _ = sample
    with wave.open(str(wav), "rb") as handle:
        params, frames = handle.getparams(), bytearray(handle.readframes(handle.getnframes()))
    frames[6 * 16000 * 2:8 * 16000 * 2] = bytes(2 * 16000 * 2)  # 6-8 s: zeros
    quiet = tmp_path / "quiet.wav"
    with wave.open(str(quiet), "wb") as handle:
        handle.setparams(params)
        handle.writeframes(bytes(frames))
    prints = voiceprints(quiet, [_utterance(6.2, 7.8), _utterance(9.0, 12.0)], embedding)
    assert [(p.start, p.end) for p in prints.prints] == [(9.0, 12.0)]
