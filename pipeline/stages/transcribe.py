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
from pipeline.errors import UserError
from pipeline.audio import read_window, wav_duration, windows
from pipeline.models import ModelError, resolve_whisper

log = logging.getLogger("rapporteur.transcribe")
SAMPLE_RATE = 16000
ALL_LANGUAGES = ("en", "es", "pt", "fr")


class NoSpeechError(UserError, RuntimeError):
    """The recording holds nothing to transcribe (silence, music, noise)."""


@dataclass
class TranscribeOptions:
    """Decoding options.

    Parameters
    ----------
    model : str or None
        A name from :mod:`pipeline.models` (``tiny.en``, ``base``), a local CTranslate2
        directory, or None for the default (base: see :func:`pipeline.models.default_whisper`).
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
        Text given to the decoder as if it had been said before each chunk. Priming with the
        roster this way was measured to hurt (see the README), so nothing sets it by default.
    hotwords : dict
        Per language, the names and terms the decoder is biased towards (faster-whisper's
        ``hotwords``): the roster as spoken in that language and the spec's vocabulary, built by
        :func:`spec_vocabulary`. A chunk in a language without an entry is decoded unbiased.
    batch_size : int
        Chunks of one language decoded together (faster-whisper's batched pipeline: 1.3-1.6 times
        faster on 2 CPU cores, see the README); 1 decodes them one by one.
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
    hotwords: dict[str, str] = field(default_factory=dict)
    batch_size: int = 8
    cpu_threads: int = 0
    device: str = "cpu"
    seed: int = 0

    def hotwords_for(self, language: str) -> Optional[str]:
        return self.hotwords.get(language) or None

    def cache_key(self) -> dict:
        """What changes the output, for the manifest (the model by its resolved directory)."""
        data = {k: v for k, v in asdict(self).items() if k != "cpu_threads"}
        data["model"] = str(resolve_whisper(self.model))
        return data


@dataclass
class Chunk:
    start: float
    end: float


def threads(requested: int) -> int:
    """CPU threads for CTranslate2: ``requested``, or every core this process may use when 0."""
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def speech_spans(path: Path, options: TranscribeOptions) -> list[Chunk]:
    """Stretches of speech found by Silero VAD, reading the WAV window by window.

    None is longer than a chunk: a speaker who goes on for minutes without a half-second pause
    is cut where VAD finds the best short silence (a batched decode sees 30 s of each chunk
    only). A window boundary does not cut speech otherwise: segments touching it are joined.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    duration = wav_duration(path)
    vad = VadOptions(min_silence_duration_ms=500, speech_pad_ms=200,
                     max_speech_duration_s=options.chunk_seconds - 1.0)
    spans: list[Chunk] = []
    start = 0.0
    while start < duration:
        end = min(duration, start + options.vad_window_seconds)
        audio = read_window(path, start, end)
        for stamp in get_speech_timestamps(audio, vad):
            s, e = start + stamp["start"] / SAMPLE_RATE, start + stamp["end"] / SAMPLE_RATE
            if spans and s - spans[-1].end < 0.3 and e - spans[-1].start <= options.chunk_seconds:
                spans[-1].end = round(max(spans[-1].end, e), 3)
            else:
                spans.append(Chunk(round(s, 3), round(e, 3)))
        start = end
    return spans


def load_whisper(options: TranscribeOptions):
    """The options' Whisper model (offline, from its package or path) and its folder, the
    decoder's random seed set (temperature fallback samples)."""
    import ctranslate2
    from faster_whisper import WhisperModel

    ctranslate2.set_random_seed(options.seed)
    model_dir = resolve_whisper(options.model)
    return WhisperModel(str(model_dir), device=options.device, compute_type=options.compute_type,
                        cpu_threads=threads(options.cpu_threads)), model_dir


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


# The confidence a stretch of speech needs to switch language, by its length: the lowest that
# was right at least 98 % of the time on FLEURS stretches (benchmarks/language_id.py: at 1.5 s,
# >= 0.95 was right 96.2 % and >= 0.99 100 %; at 2 s, >= 0.95 98.6 %; from 3 s on, >= 0.6 100 %).
TRUSTED_CONFIDENCE = ((3.0, 0.0), (2.0, 0.95), (0.0, 0.99))


def trusted_confidence(seconds: float, floor: float) -> float:
    """What a stretch this long must reach to switch language: ``floor`` from 3 s on, more below."""
    return next(max(floor, needed) for length, needed in TRUSTED_CONFIDENCE if seconds >= length)


class Checkpoint:
    """Finished chunks as JSON lines, each flushed to disk before the next chunk starts."""

    def __init__(self, path: Path | None, key: str):
        """``path`` None keeps the records in memory only."""
        self.path, self.key = path, key
        self.done: dict[tuple[float, float], dict] = {}
        self.languages: dict[tuple[float, float], dict] = {}
        if path is not None and path.is_file():
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
        if self.path is not None:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        target = self.languages if record.get("kind") == "language" else self.done
        target[(record["start"], record["end"])] = record


def _progress(done_s: float, total_s: float, started: float, resumed_s: float) -> str:
    elapsed = time.perf_counter() - started
    fresh = max(done_s - resumed_s, 1e-6)
    eta = max(0.0, elapsed / fresh * (total_s - done_s))
    return f"transcribed {done_s / 60:.1f}/{total_s / 60:.1f} min of speech, ETA {eta / 60:.1f} min"


def transcribe(audio_path: Path, options: TranscribeOptions, checkpoint_path: Path | None = None,
               on_progress: Callable[[str], None] | None = None, stats: dict | None = None) -> Transcription:
    """Transcribe a 16 kHz WAV chunk by chunk; resume from ``checkpoint_path`` if present.

    First the plan (speech stretches, their languages, chunks), then the decoding, several chunks
    of one language at a time (faster-whisper's batched pipeline), each window of the recording
    read from disk once. ``stats``, when given, receives how many chunks were taken from the
    checkpoint (``resumed_chunks``) and how many were decoded now (``decoded_chunks``).
    """
    model, model_dir = load_whisper(options)
    languages = list(options.languages) or list(ALL_LANGUAGES)
    if not model.model.is_multilingual:
        if set(languages) - {"en"}:
            raise ModelError(f"model {options.model or model_dir.name} is English-only and cannot "
                             f"transcribe {', '.join(sorted(set(languages) - {'en'}))}; use --model base")
        languages = ["en"]
    spans = speech_spans(audio_path, options)
    key = sha256_json(options.cache_key())
    checkpoint = Checkpoint(checkpoint_path, key)
    plan = _plan(model, audio_path, spans, languages, options, checkpoint)
    out = Transcription(language=languages[0], language_probability=1.0,
                        duration=round(wav_duration(audio_path), 3), model=str(options.model or model_dir.name))
    total = sum(c.end - c.start for c in spans)
    resumed = sum(r["end"] - r["start"] for r in checkpoint.done.values())
    resumed_chunks, decoded_chunks = len(checkpoint.done), 0
    done_s, started, last_report = resumed, time.perf_counter(), 0.0
    # Windows and batches are laid out over the whole plan, not what is left of it, so a resumed
    # run decodes each chunk in the same company and gets the same words as an uninterrupted one.
    for group in windows(plan, lambda p: (p.chunk.start, p.chunk.end), options.vad_window_seconds):
        if all((p.chunk.start, p.chunk.end) in checkpoint.done for p in group):
            continue
        audio = read_window(audio_path, group[0].chunk.start, group[-1].chunk.end)
        offset = group[0].chunk.start
        for record, planned in _decode_group(model, audio, offset, group, options, checkpoint.done):
            if record["looped"]:
                record = _decode_chunk(model, audio_path, planned.chunk, planned.language, options)
            elif len(languages) > 1 and not planned.unsure and _doubtful(record, planned.chunk):
                likeliest = _likeliest_language(model, audio_path, planned.chunk, languages)
                if likeliest != planned.language:
                    record = _decode_chunk(model, audio_path, planned.chunk, likeliest, options)
            record = _fill_gaps(model, audio_path, record, planned, options, languages)
            if len(languages) > 1 and not planned.unsure and _mostly_unheard(record, planned):
                likeliest = _likeliest_language(model, audio_path, planned.chunk, languages)
                if likeliest != record["language"]:
                    record = _decode_chunk(model, audio_path, planned.chunk, likeliest, options)
                    record = _fill_gaps(model, audio_path, record, planned, options, languages)
            checkpoint.add(record)
            decoded_chunks += 1
            done_s += planned.chunk.end - planned.chunk.start
            if on_progress and time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                on_progress(_progress(done_s, total, started, resumed))
    if stats is not None:
        stats.update(resumed_chunks=resumed_chunks, decoded_chunks=decoded_chunks)
    for planned in plan:
        record = checkpoint.done[(planned.chunk.start, planned.chunk.end)]
        out.segments.extend(Segment(s["start"], s["end"], s["text"], s["language"],
                                    [Word(**w) for w in s["words"]]) for s in record["segments"])
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


@dataclass
class Planned:
    """A chunk to decode and its language; ``unsure`` when probes chose the language because the
    detector was unsure (no vocabulary bias then: names in a wrong language mislead)."""

    chunk: Chunk
    language: str
    unsure: bool = False
    spans: list[tuple[float, float]] = field(default_factory=list)  # the speech inside the chunk


def _plan(model, audio_path: Path, spans: list[Chunk], languages: list[str], options: TranscribeOptions,
          checkpoint: "Checkpoint") -> list[Planned]:
    """Consecutive spans in one language packed into chunks of at most ``chunk_seconds``. A long
    span whose language the detector is unsure of is a chunk of its own, in the language greedy
    probes find likeliest (packed with a neighbour, it would be decoded in the neighbour's
    language and could vanish). A span whose first or last phrase is in another language (the
    chair's Spanish "A continuación, Canadá." run into Canada's English with no pause between)
    is cut there (:func:`_language_pieces`)."""
    plan: list[Planned] = []
    current: Planned | None = None
    previous = languages[0]
    for span in spans:
        language, confidence = previous, 1.0
        if len(languages) > 1:
            language, confidence = _span_language(model, audio_path, span, languages, previous, options, checkpoint)
        if confidence < options.language_floor and span.end - span.start >= DOUBTFUL_SECONDS:
            if current:
                plan.append(current)
                current = None
            chunk = Chunk(span.start, span.end)
            record = checkpoint.done.get((chunk.start, chunk.end))
            likeliest = record["language"] if record else _likeliest_language(model, audio_path, chunk, languages)
            plan.append(Planned(chunk, likeliest, unsure=True, spans=[(span.start, span.end)]))
            continue
        pieces = [(span, language)]
        if len(languages) > 1:
            pieces = _language_pieces(model, audio_path, span, language, languages, options, checkpoint)
        for piece, language in pieces:
            previous = language
            if current and language == current.language and piece.end - current.chunk.start <= options.chunk_seconds:
                current.chunk.end = piece.end
                current.spans.append((piece.start, piece.end))
                continue
            if current:
                plan.append(current)
            current = Planned(Chunk(piece.start, piece.end), language, spans=[(piece.start, piece.end)])
    if current:
        plan.append(current)
    return plan


# Silence that separates two phrases inside one VAD span (the span itself needs 0.5 s, padded):
# turns often follow each other faster than that in a meeting.
PHRASE_PAUSE_MS = 250


def phrases(audio_path: Path, span: Chunk) -> list[Chunk]:
    """The phrases of ``span``: its speech cut at every pause of ``PHRASE_PAUSE_MS``, the cuts
    half-way through the pauses, so the phrases tile the span."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = read_window(audio_path, span.start, span.end)
    stamps = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=PHRASE_PAUSE_MS, speech_pad_ms=0))
    cuts = [round(span.start + (a["end"] + b["start"]) / 2 / SAMPLE_RATE, 3) for a, b in zip(stamps, stamps[1:])]
    edges = [span.start, *cuts, span.end]
    return [Chunk(a, b) for a, b in zip(edges, edges[1:]) if b > a]


# How far into a span, from either end, its phrases are tested for a language of their own: a
# chair's line between two turns ("Gracias, Uruguay. Cedo la palabra a la delegación de Canadá.")
# lasts two to six seconds.
EDGE_SECONDS = 6.0
# An edge's language overrides the one detected on the whole span (up to 30 s) only when the
# detector is this sure of it, whatever the edge's length: on FLEURS, >= 0.95 was right 98.6 %
# of the time at 2 s and 100 % from 3 s; at 0.85 a 3-second phrase of an espeak French voice
# was called English (cp-cidi-four-languages).
EDGE_CONFIDENCE = 0.95


def _language_pieces(model, audio_path: Path, span: Chunk, language: str, languages: list[str],
                     options: TranscribeOptions, checkpoint: "Checkpoint") -> list[tuple[Chunk, str]]:
    """``span`` in pieces of one language each. The phrases within ``EDGE_SECONDS`` of either end
    are tested (each long enough to detect, and shorter than half the span, which is what the
    span's own language was detected on); an edge takes another language up to the innermost
    phrase the detector is sure of (``EDGE_CONFIDENCE``, more for short phrases: see
    :func:`trusted_confidence`), the unsure
    phrases between going with it, unless a phrase there is sure of a third language. The
    middle keeps the span's language: there a turn meets its neighbour without a pause only at
    the edges, and a test per phrase would multiply the detector's time."""
    parts = phrases(audio_path, span) if span.end - span.start >= 2 * MIN_DETECT_SECONDS else [span]
    if len(parts) < 2:
        return [(span, language)]

    def sure(part: Chunk) -> str | None:
        length = part.end - part.start
        if not MIN_DETECT_SECONDS <= length <= (span.end - span.start) / 2:
            return None
        found, confidence = _span_language(model, audio_path, part, languages, language, options, checkpoint)
        needed = max(EDGE_CONFIDENCE, trusted_confidence(length, options.language_floor))
        return found if confidence >= needed else None

    labels = [language] * len(parts)
    head = [i for i, part in enumerate(parts) if part.start < span.start + EDGE_SECONDS]
    tail = [i for i, part in enumerate(parts) if part.end > span.end - EDGE_SECONDS and i not in head][::-1]
    for edge in (head, tail):
        found = {i: sure(parts[i]) for i in edge}
        other = [i for i in edge if found[i] not in (None, language)]
        if not other or len({found[i] for i in other}) > 1:
            continue
        reach = edge.index(other[-1]) + 1
        if any(found[i] == language for i in edge[:reach]):
            continue
        for i in edge[:reach]:
            labels[i] = found[other[-1]]
    pieces: list[tuple[Chunk, str]] = []
    for part, label in zip(parts, labels):
        if pieces and pieces[-1][1] == label:
            pieces[-1][0].end = part.end
        else:
            pieces.append((Chunk(part.start, part.end), label))
    return pieces


def _decode_group(model, audio, offset: float, group: list[Planned], options: TranscribeOptions,
                  done: dict):
    """(record, planned) for each chunk of ``group`` not in ``done``, decoded ``batch_size`` at a
    time per language (a batch is decoded again whole if any of it is missing)."""
    if options.batch_size <= 1:
        for planned in group:
            if (planned.chunk.start, planned.chunk.end) in done:
                continue
            start, end = (int((t - offset) * SAMPLE_RATE) for t in (planned.chunk.start, planned.chunk.end))
            yield _decode_audio(model, audio[start:end], planned, options), planned
        return
    from faster_whisper import BatchedInferencePipeline

    batched = BatchedInferencePipeline(model)
    records = {}
    for language in dict.fromkeys(p.language for p in group):
        for hot in (True, False):
            members = [p for p in group if p.language == language and (not p.unsure) == hot]
            for i in range(0, len(members), options.batch_size):
                batch = members[i:i + options.batch_size]
                if all((p.chunk.start, p.chunk.end) in done for p in batch):
                    continue
                batched.last_speech_timestamp = 0.0  # word timing carries over inside a call only
                clips = [{"start": p.chunk.start - offset, "end": p.chunk.end - offset} for p in batch]
                segments, _ = batched.transcribe(
                    audio, language=language, clip_timestamps=clips, batch_size=options.batch_size,
                    beam_size=options.beam_size, word_timestamps=True, without_timestamps=False,
                    initial_prompt=options.initial_prompt, hotwords=options.hotwords_for(language) if hot else None,
                    log_progress=False)
                found: dict[int, list] = {id(p): [] for p in batch}
                for seg in segments:
                    found[id(owner_of(seg.start + offset, seg.end + offset, batch))].append(seg)
                for p in batch:
                    records[id(p)] = _record(p, found[id(p)], offset)
    for planned in group:
        if id(planned) in records and (planned.chunk.start, planned.chunk.end) not in done:
            yield records[id(planned)], planned


def owner_of(start: float, end: float, batch: list[Planned]) -> Planned:
    """The chunk of a batch a decoded segment (``start``-``end``, seconds in the recording)
    belongs to: the one it overlaps most, else the nearest. Whisper may start a segment a little
    before its clip (263.47 s in a clip from 263.67 s): filed by its start alone, it went to the
    batch's chunk before (from 215.9 s), and the transcript ran backwards there."""
    def closeness(p: Planned) -> tuple[float, float]:
        overlap = min(end, p.chunk.end) - max(start, p.chunk.start)
        return overlap, -min(abs(start - p.chunk.start), abs(start - p.chunk.end))
    return max(batch, key=closeness)


def _decode_audio(model, audio, planned: Planned, options: TranscribeOptions) -> dict:
    """One chunk decoded alone, with Whisper's temperature fallback."""
    segments, _ = model.transcribe(
        audio, language=planned.language, beam_size=options.beam_size, word_timestamps=True,
        vad_filter=False, initial_prompt=options.initial_prompt,
        hotwords=None if planned.unsure else options.hotwords_for(planned.language),
        condition_on_previous_text=False)
    return _record(planned, list(segments), planned.chunk.start)


def _record(planned: Planned, segments: list, offset: float) -> dict:
    """The checkpoint record of one decoded chunk: its segments and words in recording time,
    the mean token log-probability, and whether the decode looped (Whisper's compression test)."""
    chunk, language = planned.chunk, planned.language
    out = []
    logprob, tokens, looped = 0.0, 0, False
    for seg in segments:
        logprob += seg.avg_logprob * len(seg.tokens)
        tokens += len(seg.tokens)
        looped = looped or seg.compression_ratio > LOOP_COMPRESSION
        words = [{"start": round(offset + w.start, 3), "end": round(offset + w.end, 3),
                  "word": w.word, "probability": round(w.probability, 4), "language": language}
                 for w in (seg.words or [])]
        if not words or not NON_SPEECH.sub("", seg.text).strip(" .,!?-"):
            continue  # nothing said, or Whisper's annotation of music/noise ("♪", "[Music]")
        out.append({"start": round(offset + seg.start, 3), "end": round(offset + seg.end, 3),
                    "text": seg.text.strip(), "language": language, "words": words})
    return {"start": chunk.start, "end": chunk.end, "language": language, "segments": out,
            "avg_logprob": round(logprob / tokens, 4) if tokens else -10.0, "looped": looped}


# Speech (by VAD) this long that no decoded word covers is decoded again on its own: a decoder
# that stops early (seen in batched decoding: the last 8 s of a 14 s turn) loses no one's words.
GAP_SECONDS = 2.0
WORD_MARGIN = 0.5
# ... and from this long at a chunk's first or last edge, where Whisper's decoder starts late or
# stops early (the chair's call after her thanks, "Muchas gracias, Uruguay. Le doy la palabra a
# Brasil.", lost from its second sentence: 1.99 s without words; a Spanish call opening an English
# chunk: 1.84 s). One short phrase; a cough inside a turn stays below GAP_SECONDS.
EDGE_GAP_SECONDS = 1.0


# A phrase (speech between two pauses, as VAD cut it) this long that no word touches at all is
# decoded again on its own, however short: the decoder skipped a whole sentence between two others
# (the committee sample's "It is so decided.", 1.65 s between "Thank you, Dr. Umarov." and "Item 3",
# left without words; decoded alone it is "It is so desolated."). Shorter than one word's worth of
# speech it is a click or a breath.
SILENT_PHRASE_SECONDS = 1.0


# The longest a word covers: beyond it, Whisper's timing held speech it did not hear (held-out
# w9082: "Gracias, M-S-A-F-U-L-I-M-N-A-O", its last letter timed over 25 s of Peru's statement,
# the chair's call and Argentina's statement). A word that long is a gap's worth of speech.
LONGEST_WORD = GAP_SECONDS


def uncovered(spans: list[tuple[float, float]], words: list[dict], minimum: float = GAP_SECONDS) -> list[tuple[float, float]]:
    """Stretches of ``spans`` at least ``minimum`` long that no word (widened by WORD_MARGIN
    on each side, and covering :data:`LONGEST_WORD` at most) touches."""
    covered = sorted((w["start"] - WORD_MARGIN, min(w["end"], w["start"] + LONGEST_WORD) + WORD_MARGIN) for w in words)
    gaps = []
    for start, end in spans:
        cursor = start
        for a, b in covered:
            if b <= cursor or a >= end:
                continue
            if a - cursor >= minimum:
                gaps.append((round(cursor, 3), round(a, 3)))
            cursor = max(cursor, b)
        if end - cursor >= minimum:
            gaps.append((round(cursor, 3), round(end, 3)))
    return gaps


def silent_phrases(spans: list[tuple[float, float]], words: list[dict],
                   minimum: float = SILENT_PHRASE_SECONDS) -> list[tuple[float, float]]:
    """The ``spans`` at least ``minimum`` long that no word overlaps."""
    return [(round(start, 3), round(end, 3)) for start, end in spans
            if end - start >= minimum and not any(w["start"] < end and w["end"] > start for w in words)]


def _fill_gaps(model, audio_path: Path, record: dict, planned: Planned, options: TranscribeOptions,
               languages: list[str]) -> dict:
    """Decode alone each stretch of speech the chunk's decode left without words, and add what
    is found there (nothing, when the stretch was a cough or noise). A stretch long enough to
    tell its language is decoded in the declared language the detector finds likeliest on it,
    with no bar to clear: the chunk's language has no claim on what its decode did not hear,
    which is often another language (the chair's "Le ofrezco la palabra a Canadá" opening a
    chunk of Canada's English, decoded in English as nothing)."""
    words = [w for s in record["segments"] for w in s["words"]]
    gaps = uncovered(planned.spans, words)
    if planned.spans:
        first, last = round(planned.spans[0][0], 3), round(planned.spans[-1][1], 3)
        edge_spans = planned.spans[:1] + planned.spans[1:][-1:]  # the first span and the last, each once
        gaps += [gap for gap in uncovered(edge_spans, words, EDGE_GAP_SECONDS)
                 if (gap[0] == first or gap[1] == last) and gap not in gaps]
    gaps += [phrase for phrase in silent_phrases(planned.spans, words)
             if not any(a < phrase[1] and b > phrase[0] for a, b in gaps)]
    if not gaps or not words:
        return record  # nothing decoded at all is for the doubtful-language path, not this one
    added = []
    for start, end in gaps:
        language = record["language"]
        if len(languages) > 1 and end - start >= MIN_DETECT_SECONDS:
            _, _, probabilities = model.detect_language(read_window(audio_path, start, end))
            language, _ = choose_language(probabilities, languages, language, floor=0.0)
        added += _decode_chunk(model, audio_path, Chunk(start, end), language, options)["segments"]
    if added:
        starts = sorted(w["start"] for s in added for w in s["words"])
        record = {**record, "segments": sorted([_clipped(s, starts) for s in record["segments"]] + added,
                                               key=lambda s: s["start"])}
    return record


def _clipped(segment: dict, starts: list[float]) -> dict:
    """``segment`` with each word longer than :data:`LONGEST_WORD` ending where the first word
    decoded again inside it starts (the speech it held was heard there), if one does."""
    words = []
    for w in segment["words"]:
        inside = [t for t in starts if w["start"] < t < w["end"]] if w["end"] - w["start"] > LONGEST_WORD else []
        words.append({**w, "end": round(max(inside[0], w["start"] + 0.1), 3)} if inside else w)
    if words == segment["words"]:
        return segment
    return {**segment, "words": words, "end": max(w["end"] for w in words)}


# A chunk whose speech is still mostly without words once its gaps were decoded again was decoded
# in the wrong language: a 23 s Portuguese statement detected as English (0.85) came out as "And"
# and nothing else, and decoded alone from its second second, in either language, as nothing. On
# the 15 meetings of the attribution benchmark it is the one span over 34 % without words (96 %).
UNHEARD_SHARE = 0.5


def _mostly_unheard(record: dict, planned: Planned) -> bool:
    """Whether more than :data:`UNHEARD_SHARE` of the chunk's speech (at least
    ``DOUBTFUL_SECONDS`` of it) has no word."""
    speech = sum(end - start for start, end in planned.spans)
    if speech < DOUBTFUL_SECONDS:
        return False
    words = [w for s in record["segments"] for w in s["words"]]
    missing = sum(end - start for start, end in uncovered(planned.spans, words, minimum=0.0))
    return missing > UNHEARD_SHARE * speech


# Whisper's own threshold: text that compresses this well repeats itself (a decoding loop).
LOOP_COMPRESSION = 2.4


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
    floor = trusted_confidence(span.end - span.start, options.language_floor)
    language, confidence = choose_language(probabilities, languages, previous, floor)
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
    scores = language_scores(model, read_window(audio_path, chunk.start, chunk.end), chunk.end - chunk.start,
                             languages)
    return max(scores, key=lambda language: scores[language][0])


def language_scores(model, audio, seconds: float, languages: list[str]) -> dict[str, tuple[float, int]]:
    """Per language, how likely the model finds ``audio`` (``seconds`` long) in it: a greedy
    decode (no temperature fallback, tokens bounded by its length: a wrong language otherwise
    loops), its mean token log-probability less a penalty for text that repeats itself; and its
    tokens."""
    limit = int(seconds * 8) + 16
    scores = {}
    for language in languages:
        segments, _ = model.transcribe(audio, language=language, beam_size=1, temperature=0.0,
                                       without_timestamps=True, vad_filter=False, max_new_tokens=limit,
                                       condition_on_previous_text=False)
        segments = list(segments)
        tokens = sum(len(seg.tokens) for seg in segments)
        logprob = sum(seg.avg_logprob * len(seg.tokens) for seg in segments) / tokens if tokens else -10.0
        # A wrong language often "decodes" confidently into a loop ("Ola biw, Ola biw, ..."
        # scored -0.79 against Portuguese's -0.99): text that repeats itself pays for it.
        repeats = max(0.0, compression_ratio(" ".join(seg.text for seg in segments)) - REPEAT_FREE_RATIO)
        scores[language] = (logprob - repeats, tokens)
    return scores


# Compression ratio (zlib) of ordinary short text is 1.0-1.4; looping text climbs towards 2.4,
# where Whisper itself gives a decode up.
REPEAT_FREE_RATIO = 1.5


def compression_ratio(text: str) -> float:
    """Whisper's repetition measure: the text's length over its zlib-compressed length."""
    import zlib

    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def decode_in(model, audio_path: Path, chunk: Chunk, language: str, options: TranscribeOptions) -> dict:
    """Decode one stretch alone in ``language``, known to be its language: with the meeting's
    vocabulary for it and Whisper's temperature fallback."""
    return _decode_audio(model, read_window(audio_path, chunk.start, chunk.end), Planned(chunk, language), options)


def _decode_chunk(model, audio_path: Path, chunk: Chunk, language: str, options: TranscribeOptions) -> dict:
    """Decode one chunk alone in ``language``, unbiased (doubtful or looping in its batch, or
    speech its batch left without words)."""
    record = _decode_audio(model, read_window(audio_path, chunk.start, chunk.end),
                           Planned(chunk, language, unsure=True), options)
    record["looped"] = False  # the fallback decode is final
    return record


# Whisper's prompt holds at most 223 tokens; names past this many characters would be cut there.
VOCABULARY_CHARS = 600


def spec_vocabulary(spec) -> dict[str, str]:
    """Per language the meeting declares, the names its recording is likely to contain, for
    biasing decoding: the delegations present as that language names them ("Estados Unidos" in
    Spanish, "United States" in English), observers, the presiding officer, officials, moderators
    and presenters, the body, the order of business's symbol, and the spec's own ``vocabulary``
    (acronyms, document symbols). Only that language's names: a list mixing languages was
    measured to make Whisper write lists of names instead of what was said."""
    from pipeline.text.roster import name_in

    out = {}
    for language in spec.languages():
        names = [spec.meeting.body, spec.order_of_business.document, *spec.vocabulary, spec.presiding.name,
                 *(p.name for p in spec.people()), *spec.participants.observers,
                 *(name_in(d, language) for d in spec.participants.delegations)]
        text = ""
        for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
            if len(text) + len(name) + 3 > VOCABULARY_CHARS:
                break
            text = f"{text}, {name}" if text else name
        out[language] = f"{text}." if text else ""
    return out
