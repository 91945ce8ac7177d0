"""Benchmark: diarization error rate on real meetings, and speed.

Recordings: the four AMI excerpts of ../shared/testdata/diarization (RTTM + UEM references) and
pyannote.audio's own sample.wav (sample.rttm). DER from pyannote.metrics, overlap scored, with no
collar (pyannote's published convention) and with a ±0.25 s collar (pyannote ``collar=0.5``),
split into missed speech, false alarm and confusion; RTF = diarization seconds / audio seconds.
No speaker count is given (as for a meeting with no roster).

    .venv/bin/python benchmarks/diarization_der.py [--threshold T] [--step S] [--grid]
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402,F401
from pipeline.diarize import DiarizeOptions, diarize  # noqa: E402
from pipeline.ingest import load_audio  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata" / "diarization"


def recordings() -> list[tuple[str, Path, Path, Path | None]]:
    """(uri, wav, rttm, uem) for each benchmark recording."""
    import pyannote.audio

    out = []
    for uri in ("dev00", "dev01"):
        out.append((uri, TESTDATA / f"{uri}.wav", TESTDATA / "debug.development.rttm",
                    TESTDATA / "debug.development.uem"))
    for uri in ("tst00", "tst01"):
        out.append((uri, TESTDATA / f"{uri}.wav", TESTDATA / "debug.test.rttm", TESTDATA / "debug.test.uem"))
    sample = Path(pyannote.audio.__file__).parent / "sample"
    out.append(("sample", sample / "sample.wav", sample / "sample.rttm", None))
    return out


def annotation(turns, uri: str):
    from pyannote.core import Annotation, Segment

    ann = Annotation(uri=uri)
    for i, t in enumerate(turns):
        ann[Segment(t.start, t.end), i] = t.speaker
    return ann


def reference(rttm: Path, uri: str):
    from pyannote.core import Annotation, Segment

    ann = Annotation(uri=uri)
    for i, line in enumerate(rttm.read_text().splitlines()):
        parts = line.split()
        if len(parts) >= 8 and parts[1] == uri:
            start, duration = float(parts[3]), float(parts[4])
            ann[Segment(start, start + duration), i] = parts[7]
    return ann


def uem_of(uem: Path | None, uri: str, duration: float):
    from pyannote.core import Segment, Timeline

    if uem is None:
        return Timeline([Segment(0, duration)], uri=uri)
    for line in uem.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == uri:
            return Timeline([Segment(float(parts[2]), float(parts[3]))], uri=uri)
    raise KeyError(uri)


def decode(path: Path, tmp: Path):
    out = tmp / f"{path.stem}.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(path), "-ac", "1",
                    "-ar", "16000", "-c:a", "pcm_s16le", str(out)], check=True)
    return load_audio(out)


def evaluate(options: DiarizeOptions, audio_cache: dict) -> list[dict]:
    from pyannote.metrics.diarization import DiarizationErrorRate

    rows = []
    for uri, wav, rttm, uem in recordings():
        audio = audio_cache[uri]
        duration = len(audio) / 16000
        clock = time.perf_counter()
        result, _ = diarize(audio, options, uri=uri)
        seconds = time.perf_counter() - clock
        ref, hyp = reference(rttm, uri), annotation(result.turns, uri)
        row = {"uri": uri, "rtf": seconds / duration, "speakers": len(result.speakers),
               "ref_speakers": len(ref.labels())}
        for collar, name in ((0.0, "none"), (0.5, "0.25")):
            metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
            detail = metric(ref, hyp, uem=uem_of(uem, uri, duration), detailed=True)
            total = detail["total"]
            row[name] = {k: detail[k] / total for k in ("missed detection", "false alarm", "confusion")}
            row[name]["diarization error rate"] = detail["diarization error rate"]  # already a rate
        rows.append(row)
    return rows


def print_table(rows: list[dict], options: DiarizeOptions) -> None:
    print(f"threshold {options.clustering_threshold}, step {options.segmentation_step}, "
          f"min_duration_off {options.min_duration_off}")
    print("| recording | speakers (ref) | DER | missed | false alarm | confusion | DER ±0.25 s | RTF |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        n, c = r["none"], r["0.25"]
        print(f"| {r['uri']} | {r['speakers']} ({r['ref_speakers']}) | {100 * n['diarization error rate']:.1f} % "
              f"| {100 * n['missed detection']:.1f} % | {100 * n['false alarm']:.1f} % "
              f"| {100 * n['confusion']:.1f} % | {100 * c['diarization error rate']:.1f} % | {r['rtf']:.3f} |")
    ami = [r for r in rows if r["uri"] != "sample"]
    mean = sum(r["none"]["diarization error rate"] for r in ami) / len(ami)
    mean_c = sum(r["0.25"]["diarization error rate"] for r in ami) / len(ami)
    rtf = sum(r["rtf"] for r in rows) / len(rows)
    print(f"| **AMI mean** | | **{100 * mean:.1f} %** | | | | {100 * mean_c:.1f} % | {rtf:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--step", type=float)
    parser.add_argument("--min-duration-off", type=float)
    parser.add_argument("--grid", action="store_true", help="sweep thresholds and steps")
    args = parser.parse_args()
    base = DiarizeOptions()
    if args.threshold is not None:
        base.clustering_threshold = args.threshold
    if args.step is not None:
        base.segmentation_step = args.step
    if args.min_duration_off is not None:
        base.min_duration_off = args.min_duration_off
    with tempfile.TemporaryDirectory() as tmp:
        cache = {uri: decode(wav, Path(tmp)) for uri, wav, _, _ in recordings()}
        grid = [base]
        if args.grid:
            grid = [dataclasses.replace(base, clustering_threshold=t, segmentation_step=s)
                    for s in (0.1, 0.2) for t in (0.2, 0.3, 0.4, 0.5, 0.6)]
        for options in grid:
            print_table(evaluate(options, cache), options)
            print()


if __name__ == "__main__":
    main()
