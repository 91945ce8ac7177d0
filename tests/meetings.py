"""Hand-made meetings for the text-logic tests: the CSH sample's spec and roster, words and
utterances built from text with even timing."""

from __future__ import annotations

from conftest import SAMPLE

from pipeline.artifacts import Utterance, Word
from pipeline.spec import load_spec
from pipeline.text.roster import build_roster

SPEC = load_spec(SAMPLE / "meeting.yaml")
ENTRIES = build_roster(SPEC)


def words(text: str, start: float, step: float = 0.4) -> list[Word]:
    return [Word(start + i * step, start + i * step + 0.3, " " + w, 0.9) for i, w in enumerate(text.split())]


def utterance(speaker: str, text: str, start: float) -> Utterance:
    w = words(text, start)
    return Utterance(start=w[0].start, end=w[-1].end, speaker=speaker, text=text, language="en", words=w)


def voiceprints_for(meeting: list[Utterance], voices: list[int]):
    """Voiceprints (on GE2E's scale) for each utterance's sentences: voice ``voices[i]`` is a unit
    vector of its own (a little noise apart), so two labels in one diarized voice still differ."""
    import numpy as np

    from pipeline.artifacts import Voiceprint, Voiceprints
    from pipeline.stages.voiceprint import sentence_spans

    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(16, 16)))[0]
    prints = Voiceprints(encoder="resemblyzer-ge2e-256")
    for utterance, voice in zip(meeting, voices):
        for a, b in sentence_spans([utterance]):
            vector = basis[voice] + 0.05 * rng.normal(size=16)
            prints.prints.append(Voiceprint(a, b, list(vector / np.linalg.norm(vector))))
    return prints
