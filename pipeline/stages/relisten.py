"""Stage 5, relisten: an utterance heard in another language than its voice speaks is weighed
again, with that voice's languages as the prior.

Transcription tells a stretch's language from its sound alone, before anyone knows whose voice
it is, and a stretch too short to tell keeps the language before it: the previous speaker's. In
meetings chaired in Spanish the chair's short lines after a Portuguese or English statement came
out in that language ("Gracias. Gracias." as Portuguese, "Le doy la palabra a Paraguay." as
"Lemoida paga-vara-vara-…"), and those are the floor calls attribution reads. Once diarization has
said whose voice each utterance is, the languages that voice speaks in its other utterances are
evidence: an utterance in another language than its voice mostly speaks (for longer than the
utterance lasts) is decoded greedily in both, and the one with the best total log-probability
plus log prior (the voice's other speech, by seconds) wins; if that is not the one it was heard
in, it is decoded again in that one, with the meeting's vocabulary. A confident decode outweighs
the prior, so a delegate answering once in another language keeps it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.artifacts import Utterance, Word
from pipeline.audio import read_window
from pipeline.stages.merge import HALLUCINATIONS
from pipeline.stages.transcribe import (ALL_LANGUAGES, Chunk, TranscribeOptions, decode_in, language_scores,
                                        load_whisper)
from pipeline.text.utterances import text_of

log = logging.getLogger("rapporteur.relisten")

# Seconds of each declared language a voice is credited with before its utterances count (a
# voice heard for a few seconds only gives a nearly even prior).
PRIOR_SECONDS = 1.0


@dataclass
class Relistened:
    """What the stage did: the utterances weighed again and those decoded in another language."""

    weighed: int = 0
    changed: list[dict] = field(default_factory=list)


def voice_languages(utterances: list[Utterance]) -> dict[str, dict[str, float]]:
    """Per speaker label, the seconds of its utterances in each language."""
    spoken: dict[str, dict[str, float]] = {}
    for u in utterances:
        by_language = spoken.setdefault(u.speaker, {})
        by_language[u.language] = by_language.get(u.language, 0.0) + u.end - u.start
    return spoken


def prior(spoken: dict[str, float], utterance: Utterance, languages: list[str]) -> dict[str, float]:
    """P(language | voice) from the voice's other utterances (``utterance`` itself left out), each
    declared language credited :data:`PRIOR_SECONDS`."""
    seconds = {lang: spoken.get(lang, 0.0) + PRIOR_SECONDS for lang in languages}
    seconds[utterance.language] = max(PRIOR_SECONDS, seconds.get(utterance.language, PRIOR_SECONDS)
                                      - (utterance.end - utterance.start))
    total = sum(seconds.values())
    return {lang: s / total for lang, s in seconds.items()}


def voice_language(utterance: Utterance, spoken: dict[str, float], languages: list[str]) -> str | None:
    """The declared language the voice's other utterances are mostly in, if it is another than
    the utterance's and the voice spoke it for longer than the utterance lasts: a voice heard
    less than the utterance itself says less about its language than the utterance's own sound
    (held-out w9131: Brazil's two statements, 18.6 s heard in Portuguese and 11.7 s in Spanish,
    would each have taken the other's language)."""
    seconds = utterance.end - utterance.start
    others = dict(spoken)
    others[utterance.language] = others.get(utterance.language, 0.0) - seconds
    others = {lang: s for lang, s in others.items() if lang in languages and s > 1e-6}
    usual = max(others, key=others.get) if others else None
    return usual if usual and usual != utterance.language and others[usual] > seconds else None


def choose(scores: dict[str, tuple[float, int]], prior_of: dict[str, float]) -> str:
    """Of the languages scored, the one with the best total log-probability plus log prior. Each
    decode's mean token log-probability is counted over the same number of tokens (the mean of
    the decodes'), since a wrong language's decode is often shorter, and a shorter text would win
    on its total alone."""
    tokens = sum(count for _, count in scores.values()) / len(scores)
    return max(scores, key=lambda lang: scores[lang][0] * tokens + math.log(prior_of[lang]))


def relisten(audio_path: Path, utterances: list[Utterance], options: TranscribeOptions,
             ) -> tuple[list[Utterance], Relistened]:
    """``utterances`` with each one its voice's languages say was misheard decoded again in the
    likelier language; a one-language meeting's, or one where every voice keeps to its
    language, unchanged (no model loaded)."""
    languages = list(options.languages) or list(ALL_LANGUAGES)
    done = Relistened()
    if len(languages) < 2:
        return utterances, done
    spoken = voice_languages(utterances)
    todo = {i: usual for i, u in enumerate(utterances) if (usual := voice_language(u, spoken[u.speaker], languages))}
    if not todo:
        return utterances, done
    model, _ = load_whisper(options)
    out = list(utterances)
    for i, usual in todo.items():
        u = utterances[i]
        done.weighed += 1
        # Between the language it was heard in and its voice's: a third one, never chosen by
        # transcription nor spoken by the voice, is not in question.
        candidates = [u.language, usual] if u.language in languages else [usual]
        scores = language_scores(model, read_window(audio_path, u.start, u.end), u.end - u.start, candidates)
        best = choose(scores, prior(spoken[u.speaker], u, languages))
        if best == u.language:
            continue
        record = decode_in(model, audio_path, Chunk(u.start, u.end), best, options)
        words = [Word(**w) for segment in record["segments"] for w in segment["words"]]
        if not words or HALLUCINATIONS.search(text_of(words)):
            # heard as nothing, or as Whisper's stock phrases ("I'll see you in the next video"),
            # in the likelier language: what was heard stays
            continue
        out[i] = replace(u, words=words, text=text_of(words), language=best)
        done.changed.append({"start": u.start, "end": u.end, "speaker": u.speaker, "from": u.language,
                             "to": best, "was": u.text, "now": out[i].text})
        log.info("%.1f-%.1f %s: %s -> %s: %r", u.start, u.end, u.speaker, u.language, best, out[i].text)
    return out, done
