"""The decoded recording on disk (16 kHz mono 16-bit WAV, written by ingest): read a window at a
time, so no stage's memory grows with the length of the meeting."""

from __future__ import annotations

import wave
from pathlib import Path

SAMPLE_RATE = 16000


def load_audio(path: Path):
    """The whole decoded WAV as float32 numpy in [-1, 1] (short recordings, tests)."""
    return read_window(path, 0.0, wav_duration(path))


def read_window(path: Path, start: float, end: float):
    """Samples [start, end) seconds of the decoded WAV, as float32: long recordings are read a
    window at a time, never whole."""
    import numpy as np

    with wave.open(str(path), "rb") as handle:
        first = max(0, int(start * SAMPLE_RATE))
        handle.setpos(min(first, handle.getnframes()))
        count = max(0, int(end * SAMPLE_RATE) - first)
        pcm = np.frombuffer(handle.readframes(count), dtype=np.int16)
    return pcm.astype(np.float32) / 32768.0


def windows(items: list, span, seconds: float):
    """Consecutive ``items`` (in time order) in groups whose audio, from the first's start
    (``span(item)`` is its (start, end)) to the last's end, is at most ``seconds``: what is read
    from disk at once, so memory does not grow with the recording."""
    group: list = []
    for item in items:
        if group and span(item)[1] - span(group[0])[0] > seconds:
            yield group
            group = []
        group.append(item)
    if group:
        yield group


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()
