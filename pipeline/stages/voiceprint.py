"""Stage 6, voiceprint: a speaker embedding of every sentence, for attribution to compare voices.

Diarization decides voices on short windows and merges those that sound alike (25 members heard
as 22 voices, a delegate run into the chair's voice); attribution then needs a finer measure of
who is speaking than the cluster's name. A whole sentence is long enough to tell voices apart: on
the samples' reference turns, each turn's nearest per-label centroid (GE2E) is its own label's in
99.4 % of them on the 25-member committee and all of them on the Spanish-chaired session
(``benchmarks/voice_evidence.py``). Sentences, not utterances, are embedded because attribution
cuts its turns at sentence starts (:func:`pipeline.stages.attribute.split_turns`): a turn's voiceprint is
the time-weighted mean of its sentences' (:func:`turn_prints`).

The encoder is the run's diarization embedding (:data:`pipeline.stages.diarize.EMBEDDINGS`), so one
choice of model covers both. Sentences shorter than the encoder can embed, or silent (a word the
decoder placed in a pause), get none.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from pipeline.artifacts import Utterance, Voiceprint, Voiceprints
from pipeline.audio import SAMPLE_RATE, read_window, windows
from pipeline.text.utterances import sentence_bounds

log = logging.getLogger("rapporteur.voiceprint")
WINDOW_SECONDS = 600.0  # audio read from disk at once
BATCH = 64  # sentences embedded per call


def sentence_spans(utterances: list[Utterance]) -> list[tuple[float, float]]:
    """(start, end) of every sentence, from its first word's start to its last word's end."""
    spans = []
    for u in utterances:
        for a, b in sentence_bounds(u):
            if b > a:
                spans.append((u.words[a].start, u.words[b - 1].end))
    return spans


def voiceprints(audio_path: Path, utterances: list[Utterance], embedding: str) -> Voiceprints:
    """One unit-length embedding per sentence long enough to embed, in time order."""
    from pipeline.stages.diarize import EMBEDDINGS, load_embedding, silent

    spans = sorted(sentence_spans(utterances))
    prints = Voiceprints(encoder=EMBEDDINGS[embedding].encoder)
    if not spans:
        return prints
    encoder = load_embedding(embedding)
    for window in windows(spans, lambda s: s, WINDOW_SECONDS):
        offset = window[0][0]
        audio = read_window(audio_path, offset, window[-1][1])
        for i in range(0, len(window), BATCH):
            batch = window[i:i + BATCH]
            waves = [audio[int((a - offset) * SAMPLE_RATE):int((b - offset) * SAMPLE_RATE)] for a, b in batch]
            vectors = encoder.embed_waveforms(waves)
            for (a, b), wave, vector in zip(batch, waves, vectors):
                if np.all(np.isfinite(vector)) and not silent(wave):
                    unit = vector / np.linalg.norm(vector)
                    prints.prints.append(Voiceprint(round(a, 3), round(b, 3), [round(float(x), 4) for x in unit]))
    log.info("embedded %d of %d sentences", len(prints.prints), len(spans))
    return prints


def turn_prints(turns: list[Utterance], prints: Voiceprints | None, min_seconds: float = 0.0) -> np.ndarray:
    """turns x dimension: each turn's voiceprint, the mean of its sentences' of ``min_seconds`` or
    more weighted by their length, unit length; a row of NaN for a turn with no such sentence."""
    kept = [p for p in prints.prints if p.end - p.start >= min_seconds] if prints else []
    if not kept:
        return np.full((len(turns), 1), np.nan)
    vectors = np.array([p.embedding for p in kept], dtype=np.float64)
    starts = np.array([p.start for p in kept])
    middles = (starts + np.array([p.end for p in kept])) / 2
    lengths = np.array([p.end - p.start for p in kept])
    out = np.full((len(turns), vectors.shape[1]), np.nan)
    for t, turn in enumerate(turns):
        inside = (middles >= turn.start) & (middles <= turn.end)
        if turn.words:  # the sentences of this turn's words, not of a turn it was cut from
            inside &= (starts >= turn.words[0].start - 0.01) & (starts <= turn.words[-1].end)
        if inside.any():
            mean = lengths[inside] @ vectors[inside]
            out[t] = mean / np.linalg.norm(mean)
    return out
