"""Stage 2, transcribe: faster-whisper with word timestamps and VAD, on the CPU by default.

Word timestamps are what later stages need: speakers are assigned word by word (merge), so one
long Whisper segment cannot swallow two speakers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from pipeline.artifacts import Segment, Transcription, Word
from pipeline.models import ModelError, resolve_whisper


@dataclass
class TranscribeOptions:
    """Decoding options.

    Parameters
    ----------
    model : str or None
        A name from :mod:`pipeline.models` (``tiny.en``, ``base``), a local CTranslate2
        directory, or None for the default for ``language`` (tiny.en for English, else base).
    language : str or None
        ISO code; None lets Whisper detect it.
    compute_type : str
        CTranslate2 compute type; int8 is the fast choice on CPU.
    beam_size : int
        Beam width; 5 is Whisper's own default for accuracy.
    vad_filter : bool
        Skip non-speech with Silero VAD, which also stops hallucinations in long silences.
    initial_prompt : str or None
        Text that primes spelling (the roster's names); built from the spec by the caller.
    cpu_threads : int
        0 means every core the process may use.
    """

    model: Optional[str] = None
    language: Optional[str] = "en"
    compute_type: str = "int8"
    beam_size: int = 5
    vad_filter: bool = True
    initial_prompt: Optional[str] = None
    cpu_threads: int = 0
    device: str = "cpu"
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def cache_key(self) -> dict:
        """What changes the output, for the manifest (the model by its resolved directory)."""
        data = {k: v for k, v in self.__dict__.items() if k != "cpu_threads"}
        data["model"] = str(resolve_whisper(self.model, self.language))
        return data


def _threads(requested: int) -> int:
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def transcribe(audio_path: Path, options: TranscribeOptions) -> Transcription:
    """Transcribe a 16 kHz WAV; return segments with words, in order."""
    from faster_whisper import WhisperModel

    import ctranslate2

    # Whisper falls back to sampling (temperature > 0) on windows that decode badly; a fixed
    # seed makes that reproducible, so a re-run of the same audio gives the same words.
    ctranslate2.set_random_seed(options.seed)
    model_dir = resolve_whisper(options.model, options.language)
    model = WhisperModel(str(model_dir), device=options.device, compute_type=options.compute_type,
                         cpu_threads=_threads(options.cpu_threads))
    language = None if options.language in (None, "auto") else options.language
    if not model.model.is_multilingual:
        if language not in (None, "en"):
            raise ModelError(f"model {options.model} is English-only and cannot transcribe "
                             f"language {language!r}; pass a multilingual model with --model")
        language = "en"
    segments, info = model.transcribe(
        str(audio_path),
        language=language,
        beam_size=options.beam_size,
        word_timestamps=True,
        vad_filter=options.vad_filter,
        initial_prompt=options.initial_prompt,
        condition_on_previous_text=False,
        **options.extra,
    )
    out = Transcription(language=info.language, language_probability=round(info.language_probability, 4),
                        duration=round(info.duration, 3), model=str(options.model))
    for seg in segments:
        words = [Word(start=round(w.start, 3), end=round(w.end, 3), word=w.word,
                      probability=round(w.probability, 4)) for w in (seg.words or [])]
        out.segments.append(Segment(start=round(seg.start, 3), end=round(seg.end, 3),
                                    text=seg.text.strip(), language=info.language, words=words))
    return out


def roster_prompt(spec) -> str:
    """A priming prompt naming the meeting, its body and the people and delegations present."""
    names = [spec.meeting.body, *spec.participants.delegations,
             *(p.name for p in spec.people()), spec.presiding.name]
    return "Minutes of the " + ", ".join(n for n in names if n) + "."
