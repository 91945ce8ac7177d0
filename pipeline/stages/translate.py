"""Stage 7, translate: an English rendering of each sentence said in Spanish, Portuguese or French.

The minutes are written in English, and a statement made in Spanish is one of their points. Each
sentence is rendered by Whisper's own ``translate`` task from its audio, not from the ASR's text
(whose mishearings a text translator would carry over), one clip per sentence, so a rendering
belongs to exactly one sentence of the transcript and is found again by its time
(:func:`pipeline.text.report.sentence_span`). It reads the merged utterances, not the attributed
ones: relabelling a speaker in the review page re-drafts without translating again.
The draft prints the rendering and keeps the original beside it, flagged as a translation.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from pipeline.artifacts import Rendering, Translation, Utterance
from pipeline.audio import SAMPLE_RATE, read_window, windows
from pipeline.models import resolve_whisper
from pipeline.stages.transcribe import threads
from pipeline.text.report import sentence_span, sentences

log = logging.getLogger("rapporteur.translate")
TARGET = "en"  # Whisper translates into English only, the language of the minutes


@dataclass
class TranslateOptions:
    """What changes the renderings.

    Parameters
    ----------
    enabled : bool
        False renders nothing (``--no-translate``): non-English points are quoted as said.
    model : str or None
        The Whisper model, as for transcription (its multilingual default when None).
    min_words : int
        Shorter sentences are never a point of the minutes (:func:`pipeline.text.report.key_sentences`
        needs five words), so they are not rendered.
    pad : float
        Seconds of audio kept around a sentence's words (Whisper hears a word cut at its edge).
    batch_size : int
        Sentences of one language rendered together (faster-whisper's batched pipeline).
    """

    enabled: bool = True
    model: Optional[str] = None
    beam_size: int = 5
    min_words: int = 5
    pad: float = 0.15
    batch_size: int = 8
    window_seconds: float = 600.0
    compute_type: str = "int8"
    cpu_threads: int = 0
    seed: int = 0

    def cache_key(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "cpu_threads"}
        data["model"] = str(resolve_whisper(self.model)) if self.enabled else None
        return data


def to_render(utterances: list[Utterance], options: TranslateOptions) -> list[Rendering]:
    """The sentences to render: each one of ``min_words`` or more said in another language than
    English, with its time (sentences whose words cannot be found again are left as said)."""
    todo: list[Rendering] = []
    for u in utterances:
        if u.language == TARGET:
            continue
        for text in sentences(u.text):
            span = sentence_span(u, text) if len(text.split()) >= options.min_words else None
            if span is not None:
                todo.append(Rendering(span[0], span[1], u.language, text, ""))
    return todo


def translate(audio_path: Path, utterances: list[Utterance], options: TranslateOptions) -> Translation:
    """Render every non-English sentence of ``utterances`` in English from its audio. Loads no
    model when there is nothing to render (an English meeting) or rendering is off."""
    todo = to_render(utterances, options) if options.enabled else []
    if not todo:
        return Translation()
    import ctranslate2
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    ctranslate2.set_random_seed(options.seed)
    model_dir = resolve_whisper(options.model)
    model = WhisperModel(str(model_dir), device="cpu", compute_type=options.compute_type,
                         cpu_threads=threads(options.cpu_threads))
    if not model.model.is_multilingual:
        log.warning("model %s is English-only: %d sentences left untranslated", model_dir.name, len(todo))
        return Translation()
    batched = BatchedInferencePipeline(model)
    for window in windows(sorted(todo, key=lambda r: r.start), lambda r: (r.start, r.end), options.window_seconds):
        offset = max(0.0, window[0].start - options.pad)
        audio = read_window(audio_path, offset, window[-1].end + options.pad)
        for language in dict.fromkeys(r.language for r in window):
            members = [r for r in window if r.language == language]
            for i in range(0, len(members), options.batch_size):
                _render_batch(batched, audio, offset, members[i:i + options.batch_size], language, options)
    log.info("rendered %d sentences in English", len(todo))
    return Translation(model=model_dir.name, sentences=todo)


def _render_batch(batched, audio, offset: float, batch: list[Rendering], language: str,
                  options: TranslateOptions) -> None:
    """One batch of sentences, each its own clip; every output segment goes to the clip it
    starts in."""
    duration = len(audio) / SAMPLE_RATE
    clips = [{"start": max(0.0, r.start - options.pad - offset), "end": min(duration, r.end + options.pad - offset)}
             for r in batch]
    segments, _ = batched.transcribe(audio, language=language, task="translate", clip_timestamps=clips,
                                     batch_size=options.batch_size, beam_size=options.beam_size,
                                     without_timestamps=True, log_progress=False)
    found: dict[int, list] = {i: [] for i in range(len(batch))}
    for segment in segments:
        owner = max((i for i, clip in enumerate(clips) if clip["start"] <= segment.start + 0.02), default=0)
        found[owner].append(segment)
    for i, rendering in enumerate(batch):
        rendering.english = " ".join(s.text.strip() for s in found[i] if s.text.strip())
        tokens = sum(len(s.tokens) for s in found[i])
        rendering.logprob = round(sum(s.avg_logprob * len(s.tokens) for s in found[i]) / tokens, 4) if tokens else -10.0
        rendering.doubt = doubt(rendering)


# A rendering the decoder itself doubts this much is not used. Whisper base's renderings of real
# read speech (FLEURS es/pt/fr) scored -0.45 to -0.69, and its one mistranslation -1.11; of the
# samples' espeak voices, those above -0.8 kept the meaning and most below it invented one
# ("La comisión toma nota del informe" as "The commission does not have the information", -0.82).
TRUSTED_LOGPROB = -0.8
# A loop ("I am not afraid, I am not afraid, ..."): a run of three words said three times, or
# text that compresses as well as Whisper's own give-up threshold.
LOOP_NGRAM, LOOP_COUNT = 3, 3
UNTRANSLATED = 0.5  # this share of the rendering's words found in the original: left as said


def doubt(rendering: Rendering) -> str:
    """Why a rendering should not stand for what was said ("" when it may)."""
    from collections import Counter

    from pipeline.text.roster import fold
    from pipeline.stages.transcribe import LOOP_COMPRESSION, compression_ratio

    english = fold(rendering.english).split()
    if len(english) < 3:
        return "empty"
    grams = Counter(tuple(english[i:i + LOOP_NGRAM]) for i in range(len(english) - LOOP_NGRAM + 1))
    if max(grams.values()) >= LOOP_COUNT or compression_ratio(rendering.english) > LOOP_COMPRESSION:
        return "loops"
    said = set(fold(rendering.text).split())
    if sum(word in said for word in english) >= UNTRANSLATED * len(english):
        return "not English"
    if rendering.logprob < TRUSTED_LOGPROB:
        return f"doubtful ({rendering.logprob:.2f})"
    return ""
