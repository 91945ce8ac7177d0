"""Relisten: an utterance heard in another language than its voice speaks, weighed again with the
real model on the Spanish-chaired sample."""

from __future__ import annotations

import json

import pytest

import pipeline  # noqa: F401
from pipeline.artifacts import Utterance, Word
from pipeline.stages.relisten import prior, relisten, voice_language, voice_languages
from pipeline.stages.transcribe import TranscribeOptions

from conftest import ROOT

SAMPLE = ROOT / "audio_samples" / "cp-cajp-spanish-chair"


def _heard(start: float, end: float, language: str, text: str, speaker: str = "SPEAKER_00") -> Utterance:
    """An utterance as merge gives it: its words spread over its time."""
    tokens = text.split()
    step = (end - start) / len(tokens)
    words = [Word(round(start + i * step, 3), round(start + (i + 1) * step, 3), f" {t}", 0.5, language)
             for i, t in enumerate(tokens)]
    return Utterance(start=start, end=end, speaker=speaker, text=text, language=language, words=words)


def test_the_prior_is_the_voices_other_speech():
    chair = [_heard(0, 10, "es", "uno dos"), _heard(10, 12, "en", "one two"), _heard(12, 14, "es", "tres cuatro")]
    spoken = voice_languages(chair)
    assert spoken == {"SPEAKER_00": {"es": 12.0, "en": 2.0}}
    assert voice_language(chair[1], spoken["SPEAKER_00"], ["es", "en"]) == "es"
    assert voice_language(chair[0], spoken["SPEAKER_00"], ["es", "en"]) is None  # its own language
    long = _heard(14, 30, "en", "a statement")  # 16 s of English against the voice's 12 s of Spanish
    assert voice_language(long, voice_languages(chair + [long])["SPEAKER_00"], ["es", "en"]) is None
    odds = prior(spoken["SPEAKER_00"], chair[1], ["es", "en"])
    assert odds == pytest.approx({"es": 13 / 14, "en": 1 / 14})  # its own 2 s left out, 1 s each credited
    alone = _heard(0, 5, "pt", "obrigado senhor", speaker="SPEAKER_01")
    assert voice_language(alone, voice_languages([alone])["SPEAKER_01"], ["es", "pt"]) is None


def test_a_one_language_meeting_loads_no_model():
    said = [_heard(0, 5, "en", "Thank you Chair"), _heard(5, 9, "en", "Canada welcomes")]
    out, done = relisten(SAMPLE / "absent.wav", said, TranscribeOptions(model="/absent/model", languages=["en"]))
    assert out == said and done.weighed == 0


@pytest.mark.slow  # the real Whisper model on the sample's recording
def test_a_chair_line_heard_in_english_is_heard_again_in_spanish(tmp_path):
    """cp-cajp-spanish-chair: after Uruguay, the chair's "Gracias, Uruguay. Cedo la palabra a la
    delegación de Canadá." came out "Thank you, old wife, for your good luck and your good
    luck." (English), losing the call of Canada. Her voice speaks Spanish everywhere else: the
    line is decoded again in Spanish. Canada's English statement, put in the same voice (as a
    diarization that merged them would), is decoded confidently in English and stays as it was."""
    from pipeline.spec import load_spec
    from pipeline.stages.ingest import decode
    from pipeline.stages.transcribe import spec_vocabulary

    wav = tmp_path / "meeting.wav"
    decode(SAMPLE / "meeting.mp3", wav, "sample")
    truth = {round(u["start"], 1): u for u in json.loads((SAMPLE / "truth.json").read_text())["utterances"]}
    chair = [_heard(u["start"], u["end"], "es", u["text"]) for t, u in truth.items()
             if u["attribution"] == "Chair" and t != 226.8]  # her other lines, heard in Spanish
    misheard = _heard(226.8, 231.0, "en", "Thank you, old wife, for your good luck and your good luck.")
    canada = _heard(truth[231.6]["start"], truth[231.6]["end"], "en", truth[231.6]["text"])
    said = sorted(chair + [misheard, canada], key=lambda u: u.start)
    spec = load_spec(SAMPLE / "meeting.yaml")
    options = TranscribeOptions(languages=spec.languages(), hotwords=spec_vocabulary(spec))
    out, done = relisten(wav, said, options)
    assert done.weighed == 2  # the misheard line and Canada's statement: English in a Spanish voice
    again = out[said.index(misheard)]
    assert again.language == "es" and {w.language for w in again.words} == {"es"}, again
    assert 226.8 <= again.words[0].start and again.words[-1].end <= 231.0, again
    # What this CPU's decode of the espeak voice gives varies; some of the line is heard in it
    assert {"gracias", "uruguay", "canadá"} & set(again.text.lower().replace(",", " ").replace(".", " ").split()), again
    assert [d["to"] for d in done.changed] == ["es"]
    assert all(o is s for o, s in zip(out, said) if s is not misheard)  # Canada's and the chair's lines as they were
