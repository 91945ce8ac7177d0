"""Benchmark: how far Whisper's language detection can be trusted on short stretches of speech.

A chair's "A continuación, Ecuador." lasts two seconds; the detector's answer on it decides the
language it is decoded in, and a wrong one loses the floor cue with the words. This crops the
FLEURS read speech of ../shared/testdata/asr/fleurs (real voices, en/es/pt/fr) into stretches of
1.5 to 8 seconds, detects each one's language among the four OAS languages (renormalised, as
:func:`pipeline.stages.transcribe.choose_language` does), and prints, per length, how often the
detector is right, and how often it is right when its confidence reaches each threshold (with
the share of stretches that reach it). ``pipeline.stages.transcribe.trusted_confidence`` is read off
this table: the confidence, per length, at which a stretch may switch the language.

    .venv/bin/python benchmarks/language_id.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402,F401
from benchmarks.asr_wer import ASR, to_wav  # noqa: E402
from pipeline.audio import SAMPLE_RATE, read_window, wav_duration  # noqa: E402
from pipeline.models import resolve_whisper  # noqa: E402

LANGUAGES = ("en", "es", "pt", "fr")
LENGTHS = (1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
THRESHOLDS = (0.6, 0.8, 0.9, 0.95, 0.99)


def stretches(duration: float, length: float, skip: float = 0.3):
    """Non-overlapping crops of ``length`` seconds (the first ``skip`` s is FLEURS' lead-in)."""
    start = skip
    while start + length <= duration:
        yield start, start + length
        start += length


def main() -> None:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(resolve_whisper("base")), device="cpu", compute_type="int8")
    results: dict[float, list[tuple[bool, float]]] = {length: [] for length in LENGTHS}
    with tempfile.TemporaryDirectory() as tmp:
        for language in LANGUAGES:
            for path in sorted((ASR / "fleurs").glob(f"fleurs-{language}-*.ogg")):
                wav = to_wav(path, Path(tmp))
                for length in LENGTHS:
                    for start, end in stretches(wav_duration(wav), length):
                        _, _, probabilities = model.detect_language(read_window(wav, start, end))
                        scores = {lang: p for lang, p in probabilities if lang in LANGUAGES}
                        best = max(scores, key=scores.get)
                        results[length].append((best == language, scores[best] / sum(scores.values())))
    print(f"Language detection on FLEURS stretches (Whisper base, among {', '.join(LANGUAGES)}; "
          f"{SAMPLE_RATE // 1000} kHz)\n")
    print("| length | stretches | right | " + " | ".join(f"right at ≥ {t} (share)" for t in THRESHOLDS) + " |")
    print("|---|---|---|" + "---|" * len(THRESHOLDS))
    for length, rows in results.items():
        cells = []
        for threshold in THRESHOLDS:
            kept = [right for right, confidence in rows if confidence >= threshold]
            cells.append(f"{100 * sum(kept) / len(kept):.1f} % ({100 * len(kept) / len(rows):.0f} %)" if kept else "-")
        right = 100 * sum(r for r, _ in rows) / len(rows)
        print(f"| {length:.1f} s | {len(rows)} | {right:.1f} % | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
