"""The voice bank: voices a rapporteur has confirmed, kept so later sessions can recognise them.

When the review page confirms that a diarized voice is a delegation or official, the voice's
embedding centroid (what :mod:`pipeline.stages.diarize` stores in ``diarization.json``) and a short WAV
clip of it are filed under that label. The bank is a folder shared by all meetings
(``$RAPPORTEUR_VOICES``, default ``~/.local/share/rapporteur/voices``): ``bank.jsonl`` (one
sample per line, append-only) and ``clips/``. :func:`match` names the closest confirmed voice;
the embedding model is recorded with each sample so voices from another encoder are never compared.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from pipeline import artifacts as A
from pipeline.stages.diarize import EMBEDDINGS, DiarizeOptions
from pipeline.spec import slugify

ENCODER = EMBEDDINGS[DiarizeOptions.embedding].encoder  # the default embedding's; a run names its own
CLIP_SECONDS = 12.0
# Cosine similarity of two centroids above which they are one voice, per encoder
# (diarize.EMBEDDINGS): the lowest that accepted no different-voice pair across 34 voices of 9
# recordings (AMI excerpts, sample.wav, the four samples; benchmarks/voice_bank.py). Same voices
# measured 0.71-0.99 (GE2E) and 0.44-0.99 (CAM++), different ones up to 0.97 and 0.91 (espeak
# variants that sound alike): 13 of 20 same-voice pairs are recognised, and no different pair.
MATCH_THRESHOLDS = {model.encoder: model.match_threshold for model in EMBEDDINGS.values()}
MATCH_THRESHOLD = MATCH_THRESHOLDS[ENCODER]


@dataclass
class VoiceSample:
    label: str
    meeting_id: str
    speaker: str
    embedding: list[float]
    clip: str  # relative to the bank folder
    confirmed_by: str
    at: str
    encoder: str = ENCODER


def bank_dir() -> Path:
    default = Path.home() / ".local" / "share" / "rapporteur" / "voices"
    return Path(os.environ.get("RAPPORTEUR_VOICES") or default)


def _encoder_of(diarization: dict) -> str:
    """The encoder of a run's voice centroids (runs from before it was recorded: the default)."""
    return diarization.get("encoder", ENCODER)


def run_encoder(work: A.WorkDir) -> str:
    return _encoder_of(work.read_json(A.DIARIZATION)) if work.exists(A.DIARIZATION) else ENCODER


def load_bank(folder: Path | None = None, encoder: str = ENCODER) -> list[VoiceSample]:
    """The confirmed voices of ``encoder``: another encoder's centroids are not comparable."""
    path = (folder or bank_dir()) / "bank.jsonl"
    if not path.is_file():
        return []
    samples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            samples.append(VoiceSample(**json.loads(line)))
        except (ValueError, TypeError):
            continue  # a line cut by a crash is skipped, not fatal
    return [s for s in samples if s.encoder == encoder]


def _clip(work: A.WorkDir, speaker: str) -> bytes | None:
    """The speaker's longest turns, up to :data:`CLIP_SECONDS`, as 16 kHz mono WAV bytes."""
    from pipeline.audio import SAMPLE_RATE, read_window

    if not work.exists(A.DIARIZATION) or not work.exists(A.AUDIO):
        return None
    turns = [t for t in work.read_json(A.DIARIZATION)["exclusive"] if t["speaker"] == speaker]
    pieces, total = [], 0.0
    for turn in sorted(turns, key=lambda t: t["start"] - t["end"]):
        take = min(turn["end"] - turn["start"], CLIP_SECONDS - total)
        if take <= 0.5:
            break
        pieces.append(read_window(work.path(A.AUDIO), turn["start"], turn["start"] + take))
        total += take
    if not pieces:
        return None
    pcm = (np.clip(np.concatenate(pieces), -1, 1) * 32767).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
    return buffer.getvalue()


def confirm(work: A.WorkDir, meeting_id: str, speaker: str, label: str, author: str,
            folder: Path | None = None) -> Optional[VoiceSample]:
    """File ``speaker``'s voice under ``label``; None when the run has no centroid for it."""
    centroids = work.read_json(A.DIARIZATION).get("centroids", {}) if work.exists(A.DIARIZATION) else {}
    if speaker not in centroids:
        return None
    folder = folder or bank_dir()
    clip = _clip(work, speaker)
    relative = ""
    if clip:
        relative = f"clips/{slugify(label)}/{slugify(meeting_id)}-{slugify(speaker)}.wav"
        A.atomic_write_bytes(folder / relative, clip)
    sample = VoiceSample(label=label, meeting_id=meeting_id, speaker=speaker, embedding=centroids[speaker],
                         clip=relative, confirmed_by=author,
                         at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                         encoder=run_encoder(work))
    A.WorkDir(folder).append_line("bank.jsonl", json.dumps(asdict(sample), ensure_ascii=False))
    return sample


@dataclass(frozen=True)
class Recognised:
    """A voice of this run that is a confirmed voice of an earlier meeting."""

    label: str
    similarity: float
    meeting_id: str


def recognise(work: A.WorkDir, labels: list[str], meeting_id: str,
              folder: Path | None = None) -> dict[str, Recognised]:
    """Each diarized voice of a run whose centroid matches a confirmed voice of another meeting,
    among ``labels`` (the chair is found by what it does, never by voice: presiding officers
    change). Voices of the same meeting are left out: its own corrections already hold them."""
    if not work.exists(A.DIARIZATION):
        return {}
    diarization = work.read_json(A.DIARIZATION)
    encoder = _encoder_of(diarization)
    bank = [s for s in load_bank(folder, encoder) if s.label in labels and s.label != "Chair"
            and s.meeting_id != meeting_id]
    out = {}
    for speaker, centroid in diarization.get("centroids", {}).items():
        label, similarity = match(centroid, bank, MATCH_THRESHOLDS.get(encoder, 1.0))
        if label:
            source = max((s for s in bank if s.label == label), key=lambda s: s.at)
            out[speaker] = Recognised(label, round(similarity, 4), source.meeting_id)
    return out


def match(centroid, bank: list[VoiceSample], threshold: float = MATCH_THRESHOLD) -> tuple[Optional[str], float]:
    """The label of the confirmed voice most similar to ``centroid`` (cosine), if above threshold."""
    if not bank:
        return None, 0.0
    x = np.asarray(centroid, dtype=np.float64)
    x = x / (np.linalg.norm(x) or 1.0)
    best, similarity = None, -1.0
    for sample in bank:
        y = np.asarray(sample.embedding, dtype=np.float64)
        value = float(x @ (y / (np.linalg.norm(y) or 1.0)))
        if value > similarity:
            best, similarity = sample.label, value
    return (best, similarity) if similarity >= threshold else (None, similarity)
