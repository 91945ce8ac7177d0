"""The records passed between stages and the files they live in: one place for both.

Every stage reads its inputs and writes its outputs through :class:`WorkDir`, so a file name is
spelled once, every write is atomic (temp file + rename: a killed run never leaves a half-written
artifact that looks finished), and no path can leave the work folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from pipeline.errors import UserError

# Artifact file names, relative to the work folder.
AUDIO = "audio.wav"
INGEST = "ingest.json"
ASR = "asr.json"
ASR_CHECKPOINT = "asr.partial.jsonl"  # finished chunks of an interrupted transcription
RTTM = "diarization.rttm"
DIARIZATION = "diarization.json"
MERGED = "merged.json"  # words grouped into per-speaker utterances, as transcribed
UTTERANCES = "utterances.json"  # the same, each in the language its voice's evidence favours
ATTRIBUTED = "attributed.json"
TRANSCRIPT = "transcript.json"
TRANSLATION = "translation.json"  # English renderings of what was said in other languages
VOICEPRINTS = "voiceprints.json"  # a speaker embedding per sentence
MINUTES = "minutes.md"
MINUTES_HTML = "minutes.html"
MINUTES_JSON = "minutes.json"
MINUTES_DOCX = "minutes.docx"
SRT = "transcript.srt"
VTT = "transcript.vtt"
MANIFEST = "manifest.json"
# The rapporteur's layer: written only by the review page (never by a stage), so no re-run
# can overwrite it. Corrections feed the attribute stage; edits are applied over the draft.
CORRECTIONS = "review/corrections.json"
EDITS = "review/edits.json"
JOURNAL = "review/journal.jsonl"  # who changed what, when: one JSON object per line, append-only
REVIEWED_MD = "minutes.reviewed.md"
REVIEWED_DOCX = "minutes.reviewed.docx"
DOWNLOAD_DIR = "download"


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float
    language: Optional[str] = None


@dataclass
class Segment:
    """A Whisper segment: the unit of decoding, not of speakers."""

    start: float
    end: float
    text: str
    language: str
    words: list[Word] = field(default_factory=list)


@dataclass
class Transcription:
    language: str
    language_probability: float
    duration: float
    model: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Turn:
    start: float
    end: float
    speaker: str


@dataclass
class Diarization:
    """Who spoke when: overlapping turns (as in the RTTM) and an exclusive one-at-a-time view."""

    turns: list[Turn]
    exclusive: list[Turn]
    speakers: list[str]


@dataclass
class Evidence:
    """Why an utterance got its label: the phrase that decided it and where it was said."""

    kind: str
    phrase: str
    time: float
    weight: float


@dataclass
class Utterance:
    start: float
    end: float
    speaker: str
    text: str
    language: str
    words: list[Word] = field(default_factory=list)
    attribution: Optional[str] = None
    confidence: float = 0.0
    review: bool = False  # flagged for the rapporteur: attribution unsure or unknown
    evidence: list[Evidence] = field(default_factory=list)
    item: Optional[int] = None
    block: Optional[int] = None


def utterance_key(start: float) -> str:
    """An utterance's name in the rapporteur's corrections: its start, stable while the
    transcription and diarization it came from are not redone."""
    return f"{start:.2f}"


@dataclass
class Corrections:
    """The rapporteur's attributions, which the attribute stage takes over its own.

    ``speakers``: diarized voice -> label (every turn of that voice); ``utterances``:
    :func:`utterance_key` -> label (one turn), which wins over its voice's.
    """

    speakers: dict[str, str] = field(default_factory=dict)
    utterances: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> "Corrections":
        """From ``review/corrections.json``; ValueError if it is not two maps of names to labels."""
        parts = {name: data.get(name, {}) for name in ("speakers", "utterances")}
        for name, part in parts.items():
            if not isinstance(part, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in part.items()):
                raise ValueError(f"{name!r} is not a map of names to labels")
        return cls(**parts)

    def label_for(self, utterance: "Utterance") -> Optional[str]:
        return self.utterances.get(utterance_key(utterance.start)) or self.speakers.get(utterance.speaker)


@dataclass
class Transcript:
    meeting_id: str
    duration: float
    utterances: list[Utterance]


@dataclass
class Rendering:
    """One sentence said in another language than English and its English rendering (Whisper's
    ``translate`` task on its audio); ``start``/``end`` are its words' times."""

    start: float
    end: float
    language: str
    text: str
    english: str
    logprob: float = 0.0  # the decoder's mean token log-probability
    doubt: str = ""  # why the rendering is not used ("loops", "not English", ...); empty: it is


@dataclass
class Translation:
    """Every rendered sentence of a meeting, in the order said; ``model`` None when none was."""

    model: Optional[str] = None
    sentences: list[Rendering] = field(default_factory=list)

    def lookup(self) -> dict[tuple[float, float], Rendering]:
        """Renderings by their (start, end), rounded as :func:`span_key` rounds them."""
        return {span_key(r.start, r.end): r for r in self.sentences if not r.doubt}


@dataclass
class Voiceprint:
    """One sentence's speaker embedding (unit length), by its words' times."""

    start: float
    end: float
    embedding: list[float]


@dataclass
class Voiceprints:
    """Every embedded sentence of a meeting, in time order, and the encoder that embedded them
    (a name of :data:`pipeline.stages.diarize.EMBEDDINGS`: prints of two encoders never compare)."""

    encoder: str = ""
    prints: list[Voiceprint] = field(default_factory=list)


def span_key(start: float, end: float) -> tuple[float, float]:
    """A sentence's name among the renderings: its time, to the hundredth of a second."""
    return round(start, 2), round(end, 2)


_NESTED = {"words": Word, "segments": Segment, "turns": Turn, "exclusive": Turn,
           "evidence": Evidence, "utterances": Utterance, "sentences": Rendering, "prints": Voiceprint}


def from_dict(cls, data: dict):
    """Rebuild ``cls`` from JSON data, recursing into the known list fields."""
    kwargs = {}
    names = {f.name for f in dataclasses.fields(cls)}
    for name, value in data.items():
        if name not in names:
            continue
        if name in _NESTED and isinstance(value, list):
            value = [from_dict(_NESTED[name], v) if isinstance(v, dict) else v for v in value]
        kwargs[name] = value
    return cls(**kwargs)


class LayerUnreadable(UserError):
    """A file of the rapporteur's layer (``review/``) cannot be read: nothing is reset."""


def load_layer(work: "WorkDir", name: str, build: Callable[[dict], Any], empty: Callable[[], Any]):
    """A file of the rapporteur's layer, built by ``build`` from its JSON (``empty()`` when there
    is none). One unreadable is a one-line error naming it and the way out, never an empty layer
    in its place: that would drop the rapporteur's work at the next save."""
    if not work.exists(name):
        return empty()
    try:
        data = work.read_json(name)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return build(data)
    except (ValueError, UnicodeDecodeError, TypeError, KeyError, AttributeError) as exc:
        raise LayerUnreadable(
            f"{work.path(name)}: unreadable ({str(exc)[:100] or type(exc).__name__}); nothing was changed. "
            f"`rapporteur review {work.root} --recover` keeps it aside and rebuilds it from "
            f"{JOURNAL}, which records every change") from None


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide results from the rest of a team
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class WorkDir:
    """A meeting's work folder. All artifact paths go through :meth:`path`."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def path(self, name: str) -> Path:
        candidate = (self.root / name).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            raise ValueError(f"{name!r} is outside the work folder {self.root}")
        return candidate

    def temp_path(self, name: str) -> Path:
        """A sibling path for a tool (ffmpeg, a download) to write before :meth:`commit`."""
        final = self.path(name)
        final.parent.mkdir(parents=True, exist_ok=True)
        return final.with_name(f".{final.name}.partial")

    def commit(self, temp: Path, name: str) -> Path:
        final = self.path(name)
        os.replace(temp, final)
        return final

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def write_json(self, name: str, data: Any) -> Path:
        if dataclasses.is_dataclass(data):
            data = asdict(data)
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        atomic_write_bytes(self.path(name), text.encode("utf-8"))
        return self.path(name)

    def read_json(self, name: str) -> Any:
        return json.loads(self.path(name).read_text(encoding="utf-8"))

    def write_bytes(self, name: str, data: bytes) -> Path:
        atomic_write_bytes(self.path(name), data)
        return self.path(name)

    def write_text(self, name: str, text: str) -> Path:
        atomic_write_bytes(self.path(name), text.encode("utf-8"))
        return self.path(name)

    def append_line(self, name: str, line: str) -> None:
        """Append one line, flushed to disk (a journal: earlier lines are never rewritten)."""
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line.rstrip("\n") + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def read_text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def load(self, name: str, cls):
        return from_dict(cls, self.read_json(name))

    def hash(self, name: str) -> str:
        return sha256_file(self.path(name))
