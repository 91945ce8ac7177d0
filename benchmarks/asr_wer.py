"""Benchmark: word error rate per language on FLEURS, jfk.flac, and language switching.

For each model (tiny.en: English only; base: all four languages) it transcribes the FLEURS files
of ../shared/testdata/asr/fleurs twice: with plain faster-whisper (beam 5, defaults) and with
rapporteur's transcription (VAD stretches, seeded, chunked), both normalised with Whisper's
BasicTextNormalizer (`pipeline.evaluate.normalise`) and scored with jiwer over all files of a
language together. Then the language timeline of asr/misc/multilingual.mp3 (English, then German), and batched
against one-by-one decoding of a whole sample meeting (speed, and whether the words differ).

    .venv/bin/python benchmarks/asr_wer.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402,F401
from pipeline.evaluate import normalise  # noqa: E402
from pipeline.models import resolve_whisper  # noqa: E402
from pipeline.stages.transcribe import TranscribeOptions, transcribe, wav_duration  # noqa: E402

ASR = ROOT.parent / "shared" / "testdata" / "asr"
JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


def to_wav(path: Path, tmp: Path) -> Path:
    out = tmp / f"{path.stem}.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(path), "-ac", "1",
                    "-ar", "16000", "-c:a", "pcm_s16le", str(out)], check=True)
    return out


def plain(model, wav: Path, language: str) -> str:
    segments, _ = model.transcribe(str(wav), language=language, beam_size=5)
    return " ".join(s.text for s in segments)


def ours(model_name: str, wav: Path, language: str) -> str:
    result = transcribe(wav, TranscribeOptions(model=model_name, languages=[language]))
    return " ".join(s.text for s in result.segments)


def main() -> None:
    import jiwer
    from faster_whisper import WhisperModel

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = {lang: sorted((ASR / "fleurs").glob(f"fleurs-{lang}-*.ogg")) for lang in ("en", "es", "pt", "fr")}
        wavs = {p: to_wav(p, tmp) for group in files.values() for p in group}
        jfk = to_wav(ASR / "misc" / "jfk.flac", tmp)
        for name, languages in (("tiny.en", ["en"]), ("base", ["en", "es", "pt", "fr"])):
            model = WhisperModel(str(resolve_whisper(name)), device="cpu", compute_type="int8")
            for lang in languages:
                refs = [normalise(p.with_suffix(".txt").read_text()) for p in files[lang]]
                audio_s = sum(wav_duration(wavs[p]) for p in files[lang])
                clock = time.perf_counter()
                base_hyp = [normalise(plain(model, wavs[p], lang)) for p in files[lang]]
                plain_s = time.perf_counter() - clock
                clock = time.perf_counter()
                our_hyp = [normalise(ours(name, wavs[p], lang)) for p in files[lang]]
                our_s = time.perf_counter() - clock
                rows.append((name, f"fleurs-{lang}", jiwer.wer(refs, base_hyp), jiwer.wer(refs, our_hyp),
                             plain_s / audio_s, our_s / audio_s))
            rows.append((name, "jfk", jiwer.wer(normalise(JFK), normalise(plain(model, jfk, "en"))),
                         jiwer.wer(normalise(JFK), normalise(ours(name, jfk, "en"))), 0, 0))
        print("| model | set | WER plain faster-whisper | WER rapporteur | RTF plain | RTF rapporteur |")
        print("|---|---|---|---|---|---|")
        for name, label, a, b, ra, rb in rows:
            print(f"| {name} | {label} | {100 * a:.1f} % | {100 * b:.1f} % | {ra:.3f} | {rb:.3f} |")
        wav = to_wav(ASR / "misc" / "multilingual.mp3", tmp)
        result = transcribe(wav, TranscribeOptions(model="base", languages=["en", "de"]))
        print("\nmultilingual.mp3 (English, then German), languages en+de:")
        for segment in result.segments:
            print(f"  {segment.start:6.1f}-{segment.end:6.1f} {segment.language} {segment.text[:70]}")
        meeting = to_wav(ROOT / "audio_samples" / "cp-csh-corrections" / "meeting.mp3", tmp)
        duration = wav_duration(meeting)
        print("\nbatched vs one by one, cp-csh-corrections (122 s), no vocabulary:")
        print("| model | RTF one by one | RTF batched (8) | speed-up | WER between the two |")
        print("|---|---|---|---|---|")
        for name in ("tiny.en", "base"):
            texts, seconds = [], []
            for batch in (1, 8):
                clock = time.perf_counter()
                result = transcribe(meeting, TranscribeOptions(model=name, languages=["en"], batch_size=batch))
                seconds.append(time.perf_counter() - clock)
                texts.append(normalise(" ".join(s.text for s in result.segments)))
            print(f"| {name} | {seconds[0] / duration:.3f} | {seconds[1] / duration:.3f} | "
                  f"{seconds[0] / seconds[1]:.2f} | {100 * jiwer.wer(texts[0], texts[1]):.1f} % |")


if __name__ == "__main__":
    main()
