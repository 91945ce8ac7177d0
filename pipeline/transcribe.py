"""Stage 2, transcribe: faster-whisper with word timestamps, chunk by chunk, resumable.

The recording is read from the WAV a window at a time (never the whole file as float32): Silero
VAD finds stretches of speech; in a multilingual meeting each stretch's language is detected among
the languages the spec declares, with a confidence floor below which the previous language is
kept (Whisper's own per-window detection has no floor and no restriction); consecutive stretches
in one language are packed into chunks of at most ~30 s (one Whisper window) and each chunk is
decoded with word timestamps in its language.
Every finished chunk is appended to a checkpoint, so a run killed after two hours resumes there.
Word timestamps are what later stages need: speakers are assigned word by word (merge).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional


from pipeline.artifacts import Segment, Transcription, Word, sha256_json
from pipeline.ingest import read_window, wav_duration
from pipeline.models import ModelError, resolve_whisper

log = logging.getLogger("rapporteur.transcribe")
SAMPLE_RATE = 16000
ALL_LANGUAGES = ("en", "es", "pt", "fr")


class NoSpeechError(RuntimeError):
    """The recording holds nothing to transcribe (silence, music, noise)."""


@dataclass
class TranscribeOptions:
    """Decoding options.

    Parameters
    ----------
    model : str or None
        A name from :mod:`pipeline.models` (``tiny.en``, ``base``), a local CTranslate2
        directory, or None for the default for ``languages`` (tiny.en for English, else base).
    languages : list of str
        Languages the meeting may use. One: every chunk is decoded in it. Several: each chunk's
        language is detected among them.
    language_floor : float
        Minimum probability (renormalised over ``languages``) for a chunk to switch language.
    compute_type : str
        CTranslate2 compute type; int8 is the fast choice on CPU.
    beam_size : int
        Beam width; 5 is Whisper's own default for accuracy.
    chunk_seconds : float
        Speech is packed into chunks of at most this length (Whisper's window is 30 s).
    vad_window_seconds : float
        Audio read and searched for speech per step (bounds memory on long recordings).
    initial_prompt : str or None
        Text that primes spelling (the roster's names); built from the spec by the caller.
    cpu_threads : int
        0 means every core the process may use.
    seed : int
        Whisper falls back to sampling on windows that decode badly; a fixed seed makes a
        re-run of the same audio give the same words.
    """

    model: Optional[str] = None
    languages: list[str] = field(default_factory=lambda: ["en"])
    language_floor: float = 0.6
    compute_type: str = "int8"
    beam_size: int = 5
    chunk_seconds: float = 30.0
    vad_window_seconds: float = 600.0
    initial_prompt: Optional[str] = None
    cpu_threads: int = 0
    device: str = "cpu"
    seed: int = 0

    @property
    def default_language(self) -> Optional[str]:
        return self.languages[0] if len(self.languages) == 1 else None

    def cache_key(self) -> dict:
        """What changes the output, for the manifest (the model by its resolved directory)."""
        data = {k: v for k, v in asdict(self).items() if k != "cpu_threads"}
        data["model"] = str(resolve_whisper(self.model, self.default_language))
        return data


@dataclass
class Chunk:
    start: float
    end: float


def _threads(requested: int) -> int:
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def speech_spans(path: Path, options: TranscribeOptions) -> list[Chunk]:
    """Stretches of speech found by Silero VAD, reading the WAV window by window.

    A window boundary never cuts speech: VAD segments touching the boundary are joined.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    duration = wav_duration(path)
    vad = VadOptions(min_silence_duration_ms=500, speech_pad_ms=200)
    spans: list[Chunk] = []
    start = 0.0
    while start < duration:
        end = min(duration, start + options.vad_window_seconds)
        audio = read_window(path, start, end)
        for stamp in get_speech_timestamps(audio, vad):
            s, e = start + stamp["start"] / SAMPLE_RATE, start + stamp["end"] / SAMPLE_RATE
            if spans and s - spans[-1].end < 0.3:
                spans[-1].end = round(max(spans[-1].end, e), 3)
            else:
                spans.append(Chunk(round(s, 3), round(e, 3)))
        start = end
    return spans


def choose_language(probabilities: list[tuple[str, float]], allowed: list[str], previous: str,
                    floor: float) -> tuple[str, float]:
    """The likeliest allowed language, renormalised over the allowed ones; below ``floor`` the
    previous chunk's language stands (a short or noisy chunk does not flip the language)."""
    scores = {lang: p for lang, p in probabilities if lang in allowed}
    total = sum(scores.values())
    if not total:
        return previous, 0.0
    best = max(scores, key=scores.get)
    confidence = scores[best] / total
    return (best if confidence >= floor else previous), round(confidence, 4)


class Checkpoint:
    """Finished chunks as JSON lines, each flushed to disk before the next chunk starts."""

    def __init__(self, path: Path, key: str):
        self.path, self.key = path, key
        self.done: dict[tuple[float, float], dict] = {}
        self.languages: dict[tuple[float, float], dict] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    break  # a line cut by a kill: everything before it is good
                if record.get("key") != key:
                    continue
                if record.get("kind") == "language":
                    self.languages[(record["start"], record["end"])] = record
                else:
                    self.done[(record["start"], record["end"])] = record

    def add(self, record: dict) -> None:
        record = {"key": self.key, **record}
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        target = self.languages if record.get("kind") == "language" else self.done
        target[(record["start"], record["end"])] = record

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _progress(done_s: float, total_s: float, started: float, resumed_s: float) -> str:
    elapsed = time.perf_counter() - started
    fresh = max(done_s - resumed_s, 1e-6)
    eta = max(0.0, elapsed / fresh * (total_s - done_s))
    return f"transcribed {done_s / 60:.1f}/{total_s / 60:.1f} min of speech, ETA {eta / 60:.1f} min"


def transcribe(audio_path: Path, options: TranscribeOptions, checkpoint_path: Path | None = None,
               on_progress: Callable[[str], None] | None = None) -> Transcription:
    """Transcribe a 16 kHz WAV chunk by chunk; resume from ``checkpoint_path`` if present."""
    import ctranslate2
    from faster_whisper import WhisperModel

    ctranslate2.set_random_seed(options.seed)
    model_dir = resolve_whisper(options.model, options.default_language)
    model = WhisperModel(str(model_dir), device=options.device, compute_type=options.compute_type,
                         cpu_threads=_threads(options.cpu_threads))
    languages = list(options.languages) or list(ALL_LANGUAGES)
    if not model.model.is_multilingual:
        if set(languages) - {"en"}:
            raise ModelError(f"model {options.model or model_dir.name} is English-only and cannot "
                             f"transcribe {', '.join(sorted(set(languages) - {'en'}))}; use --model base")
        languages = ["en"]
    spans = speech_spans(audio_path, options)
    key = sha256_json(options.cache_key())
    checkpoint = Checkpoint(checkpoint_path, key) if checkpoint_path else None
    total = sum(c.end - c.start for c in spans)
    resumed = sum(r["end"] - r["start"] for r in checkpoint.done.values()) if checkpoint else 0.0
    done_s, started, last_report = resumed, time.perf_counter(), 0.0
    out = Transcription(language=languages[0], language_probability=1.0,
                        duration=round(wav_duration(audio_path), 3), model=str(options.model or model_dir.name))

    def finish(chunk: Chunk, language: str, unsure: bool = False) -> None:
        nonlocal done_s, last_report
        record = checkpoint.done.get((chunk.start, chunk.end)) if checkpoint else None
        if record is None:
            if unsure:
                language = _likeliest_language(model, audio_path, chunk, languages)
            record = _decode_chunk(model, audio_path, chunk, language, options)
            if len(languages) > 1 and not unsure and _doubtful(record, chunk):
                likeliest = _likeliest_language(model, audio_path, chunk, languages)
                if likeliest != language:
                    record = _decode_chunk(model, audio_path, chunk, likeliest, options)
            if checkpoint:
                checkpoint.add(record)
            done_s += chunk.end - chunk.start
        out.segments.extend(Segment(s["start"], s["end"], s["text"], s["language"],
                                    [Word(**w) for w in s["words"]]) for s in record["segments"])
        if on_progress and time.perf_counter() - last_report > 10:
            last_report = time.perf_counter()
            on_progress(_progress(done_s, total, started, resumed))

    # Consecutive spans in one language are packed into one chunk of at most chunk_seconds.
    # A long span whose language the detector is unsure of is decoded on its own, in each declared
    # language, and the likeliest decode kept (packed with a neighbour, it would be decoded in the
    # neighbour's language and could vanish).
    current: Chunk | None = None
    current_language = previous = languages[0]
    for span in spans:
        language, confidence = previous, 1.0
        if len(languages) > 1:
            language, confidence = _span_language(model, audio_path, span, languages, previous, options, checkpoint)
        if confidence < options.language_floor and span.end - span.start >= DOUBTFUL_SECONDS:
            if current:
                finish(current, current_language)
                current = None
            finish(Chunk(span.start, span.end), language, unsure=True)
            continue
        previous = language
        if current and language == current_language and span.end - current.start <= options.chunk_seconds:
            current.end = span.end
            continue
        if current:
            finish(current, current_language)
        current, current_language = Chunk(span.start, span.end), language
    if current:
        finish(current, current_language)
    if not any(segment.words for segment in out.segments):
        found = f"{total:.0f} s that sounded like speech" if spans else "no speech at all"
        raise NoSpeechError(f"no words could be transcribed from the recording ({out.duration / 60:.1f} min "
                            f"of audio, {found}): is it silence, music or noise?")
    spoken = {}
    for segment in out.segments:
        spoken[segment.language] = spoken.get(segment.language, 0.0) + segment.end - segment.start
    if spoken:
        out.language = max(spoken, key=spoken.get)
        out.language_probability = round(spoken[out.language] / sum(spoken.values()), 4)
    return out


NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)|[♪♫♬*]+")
MIN_DETECT_SECONDS = 1.5  # shorter spans keep the language before them


def _span_language(model, audio_path: Path, span: Chunk, languages: list[str], previous: str,
                   options: TranscribeOptions, checkpoint: "Checkpoint | None") -> tuple[str, float]:
    """The span's language among ``languages`` (see :func:`choose_language`) and the detector's
    confidence in it, checkpointed."""
    if span.end - span.start < MIN_DETECT_SECONDS:
        return previous, 1.0
    known = checkpoint.languages.get((span.start, span.end)) if checkpoint else None
    if known:
        return known["language"], known["confidence"]
    audio = read_window(audio_path, span.start, min(span.end, span.start + options.chunk_seconds))
    _, _, probabilities = model.detect_language(audio)
    language, confidence = choose_language(probabilities, languages, previous, options.language_floor)
    if checkpoint:
        checkpoint.add({"kind": "language", "start": span.start, "end": span.end,
                        "language": language, "confidence": confidence})
    return language, confidence


# Mean token log-probability below which a decode is doubted (measured on the four-language sample:
# -1.5 to -2.8 for Portuguese decoded as English or French; -0.2 to -0.9 in the right language).
DOUBTFUL_LOGPROB = -1.3
DOUBTFUL_SECONDS = 2.0


def _doubtful(record: dict, chunk: Chunk) -> bool:
    """A stretch of speech that decoded to nothing, or to text the model itself doubts: the
    language chosen for it was probably wrong."""
    if chunk.end - chunk.start < DOUBTFUL_SECONDS:
        return False
    return not record["segments"] or record.get("avg_logprob", 0.0) < DOUBTFUL_LOGPROB


def _likeliest_language(model, audio_path: Path, chunk: Chunk, languages: list[str]) -> str:
    """Which declared language a doubtful chunk is in: a quick greedy decode in each (no
    temperature fallback, tokens bounded by its length: a wrong language otherwise loops), the
    one the model finds likeliest. No one's intervention vanishes from the transcript because
    its language was misjudged."""
    audio = read_window(audio_path, chunk.start, chunk.end)
    limit = int((chunk.end - chunk.start) * 8) + 16
    scores = {}
    for language in languages:
        segments, _ = model.transcribe(audio, language=language, beam_size=1, temperature=0.0,
                                       without_timestamps=True, vad_filter=False, max_new_tokens=limit,
                                       condition_on_previous_text=False)
        segments = list(segments)
        tokens = sum(len(seg.tokens) for seg in segments)
        scores[language] = sum(seg.avg_logprob * len(seg.tokens) for seg in segments) / tokens if tokens else -10.0
    return max(scores, key=scores.get)


def _decode_chunk(model, audio_path: Path, chunk: Chunk, language: str, options: TranscribeOptions) -> dict:
    audio = read_window(audio_path, chunk.start, chunk.end)
    segments, _ = model.transcribe(
        audio, language=language, beam_size=options.beam_size, word_timestamps=True,
        vad_filter=False, initial_prompt=options.initial_prompt, condition_on_previous_text=False)
    out = []
    logprob, tokens = 0.0, 0
    for seg in segments:
        logprob += seg.avg_logprob * len(seg.tokens)
        tokens += len(seg.tokens)
        words = [{"start": round(chunk.start + w.start, 3), "end": round(chunk.start + w.end, 3),
                  "word": w.word, "probability": round(w.probability, 4), "language": language}
                 for w in (seg.words or [])]
        if not words or not NON_SPEECH.sub("", seg.text).strip(" .,!?-"):
            continue  # nothing said, or Whisper's annotation of music/noise ("♪", "[Music]")
        out.append({"start": round(chunk.start + seg.start, 3), "end": round(chunk.start + seg.end, 3),
                    "text": seg.text.strip(), "language": language, "words": words})
    return {"start": chunk.start, "end": chunk.end, "language": language, "segments": out,
            "avg_logprob": round(logprob / tokens, 4) if tokens else -10.0}


def roster_prompt(spec) -> str:
    """A priming prompt naming the meeting, its body and the people and delegations present."""
    names = [spec.meeting.body, *spec.participants.delegations,
             *(p.name for p in spec.people()), spec.presiding.name]
    return "Minutes of the " + ", ".join(n for n in names if n) + "."
