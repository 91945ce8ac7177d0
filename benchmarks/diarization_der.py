"""Benchmark: diarization error rate on real meetings, and speed.

Recordings: the four AMI excerpts of ../shared/testdata/diarization (RTTM + UEM references) and
pyannote.audio's own sample.wav (sample.rttm). DER from pyannote.metrics, overlap scored, with no
collar (pyannote's published convention) and with a ±0.25 s collar (pyannote ``collar=0.5``),
split into missed speech, false alarm and confusion; RTF = diarization seconds / audio seconds.
No speaker count is given (as for a meeting with no roster).

``--floor`` also scores the same segmentation with pyannote's ``OracleClustering`` (each local
speaker of each 5 s window given the reference speaker it overlaps most): the DER that perfect
speaker embeddings and clustering would leave, i.e. what the segmentation model alone costs.

``--separability`` measures the speaker embeddings themselves: over the (window, local speaker)
pairs the pipeline embeds, the AUC with which cosine similarity tells two of one reference speaker
from two of different ones, for all of them and for the pure (>= 90 % one reference speaker) ones
with at least 2 s of speech heard alone.

``--bounds MIN MAX`` gives the speaker count bounds a meeting run would have (MAX from the roster,
MIN from who the transcript shows being given the floor, plus the chair): the AMI meetings have
four participants, and every excerpt has at least two voices.

``--models SEG/EMB`` (repeatable) scores the built-in pipeline with each pair of segmentation
(``2.x``, ``3.0``) and embedding (``resemblyzer``, ``campplus``) models, side by side in one run,
optionally with its own clustering threshold (``2.x/campplus/0.8``); the default is the shipped
pair alone.

``--pipeline DIR`` scores a local pyannote pipeline folder instead (what ``run --diarization DIR``
uses, e.g. a clone of ``speaker-diarization-community-1``), loaded offline.

    .venv/bin/python benchmarks/diarization_der.py [--threshold T] [--step S] [--grid] [--floor]
                                                   [--separability] [--pipeline DIR] [--bounds MIN MAX]
                                                   [--models SEG/EMB ...]
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
from pipeline.stages.diarize import DiarizeOptions, diarize  # noqa: E402
from pipeline.audio import load_audio  # noqa: E402

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


def der(ref, hyp, uem, collar: float = 0.0) -> dict:
    """DER and its missed / false alarm / confusion parts, each a share of the reference speech."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    detail = DiarizationErrorRate(collar=collar, skip_overlap=False)(ref, hyp, uem=uem, detailed=True)
    parts = {k: detail[k] / detail["total"] for k in ("missed detection", "false alarm", "confusion")}
    return {**parts, "diarization error rate": detail["diarization error rate"]}  # already a rate


def as_file(audio, uri: str, **extra) -> dict:
    """A pyannote file dict for 16 kHz mono float32 audio."""
    import torch

    return {"waveform": torch.from_numpy(audio)[None], "sample_rate": 16000, "uri": uri, **extra}


def evaluate(options: DiarizeOptions, audio_cache: dict) -> list[dict]:
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
            row[name] = der(ref, hyp, uem_of(uem, uri, duration), collar)
        rows.append(row)
    return rows


def floor_rows(options: DiarizeOptions, audio_cache: dict) -> list[dict]:
    """DER with the reference speakers handed to the segmentation's local speakers."""
    from pyannote.audio.pipelines.clustering import OracleClustering

    from pipeline.stages.diarize import build_pipeline

    pipeline = build_pipeline(options)
    pipeline.clustering = OracleClustering()
    rows = []
    for uri, wav, rttm, uem in recordings():
        audio = audio_cache[uri]
        ref = reference(rttm, uri)
        hyp = pipeline(as_file(audio, uri, annotation=ref)).speaker_diarization
        rows.append({"uri": uri, **der(ref, hyp, uem_of(uem, uri, len(audio) / 16000))})
    return rows


def auc(similarities, same) -> float:
    """Probability that a same-speaker pair is more similar than a different-speaker pair."""
    from scipy.stats import rankdata

    ranks = rankdata(similarities)
    positives, negatives = same.sum(), (~same).sum()
    if not positives or not negatives:
        return float("nan")
    return float((ranks[same].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def separability(options: DiarizeOptions, audio_cache: dict) -> list[dict]:
    """Embedding AUC per recording over the pipeline's (window, local speaker) embeddings."""
    import numpy as np
    from pyannote.audio.utils.signal import binarize

    from pipeline.stages.diarize import build_pipeline

    pipeline = build_pipeline(options)
    frames = pipeline._segmentation.model.receptive_field
    rows = []
    for uri, wav, rttm, uem in recordings():
        ref = reference(rttm, uri)
        file = as_file(audio_cache[uri], uri)
        segmentations = pipeline.get_segmentations(file)
        binary = binarize(segmentations, onset=options.segmentation_threshold, initial_state=False)
        embeddings = pipeline.get_embeddings(file, binary, exclude_overlap=True)
        labels = ref.labels()
        owners, purity, alone, vectors = [], [], [], []
        for c, (window, masks) in enumerate(binary):
            times = window.start + np.arange(masks.shape[0]) * frames.step + frames.duration / 2
            truth = np.zeros((len(times), len(labels)))
            for segment, _, label in ref.itertracks(yield_label=True):
                truth[(times >= segment.start) & (times < segment.end), labels.index(label)] = 1
            solo = masks * (masks.sum(axis=1, keepdims=True) < 2)
            for k in range(masks.shape[1]):
                vector = embeddings[c, k]
                if solo[:, k].sum() == 0 or not np.all(np.isfinite(vector)):
                    continue
                heard = solo[:, k] @ truth
                owners.append(int(np.argmax(heard)))
                purity.append(heard.max() / solo[:, k].sum())
                alone.append(solo[:, k].sum() * frames.step)
                vectors.append(vector / np.linalg.norm(vector))
        owners, purity, alone = np.array(owners), np.array(purity), np.array(alone)
        vectors = np.array(vectors)
        row = {"uri": uri}
        for name, keep in (("all", np.ones(len(owners), bool)), ("pure", (purity >= 0.9) & (alone >= 2.0))):
            x, o = vectors[keep], owners[keep]
            upper = np.triu_indices(len(o), 1)
            row[name] = (auc((x @ x.T)[upper], (o[:, None] == o[None, :])[upper]), int(keep.sum()))
        rows.append(row)
    return rows


def print_floor(floor: list[dict], shipped: list[dict]) -> None:
    print("| recording | DER | DER with reference speakers (floor) | missed | false alarm | confusion |")
    print("|---|---|---|---|---|---|")
    for f, r in zip(floor, shipped):
        print(f"| {f['uri']} | {100 * r['none']['diarization error rate']:.1f} % | {100 * f['diarization error rate']:.1f} % "
              f"| {100 * f['missed detection']:.1f} % | {100 * f['false alarm']:.1f} % "
              f"| {100 * f['confusion']:.1f} % |")
    ami = [f["diarization error rate"] for f in floor if f["uri"] != "sample"]
    shipped_ami = [r["none"]["diarization error rate"] for r in shipped if r["uri"] != "sample"]
    print(f"| **AMI mean** | {100 * sum(shipped_ami) / len(shipped_ami):.1f} % "
          f"| **{100 * sum(ami) / len(ami):.1f} %** | | | |")


def print_table(rows: list[dict], options: DiarizeOptions) -> None:
    if options.pipeline:
        print(f"pipeline {options.pipeline}")
    else:
        print(f"segmentation {options.segmentation}, embedding {options.embedding}: threshold "
              f"{options.threshold()}, step {options.segmentation_step}, "
              f"min_duration_off {options.min_duration_off}")
    if options.min_speakers > 1 or options.max_speakers:
        print(f"speakers between {options.min_speakers} and {options.max_speakers}")
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
    parser.add_argument("--bounds", nargs=2, type=int, metavar=("MIN", "MAX"),
                        help="speaker count bounds, as a meeting's roster and transcript give them")
    parser.add_argument("--pipeline", metavar="DIR", help="a local pyannote pipeline folder to score instead")
    parser.add_argument("--separability", action="store_true",
                        help="also measure how well the embeddings tell the reference speakers apart")
    parser.add_argument("--models", action="append", metavar="SEG/EMB",
                        help="segmentation/embedding[/threshold] to score, e.g. 3.0/campplus/0.9 (repeatable)")
    parser.add_argument("--floor", action="store_true",
                        help="also score the segmentation with the reference speakers (oracle clustering)")
    args = parser.parse_args()
    base = DiarizeOptions()
    if args.threshold is not None:
        base.clustering_threshold = args.threshold
    if args.step is not None:
        base.segmentation_step = args.step
    if args.min_duration_off is not None:
        base.min_duration_off = args.min_duration_off
    if args.pipeline and (args.grid or args.floor or args.separability):
        parser.error("--grid, --floor and --separability measure the built-in pipeline, not --pipeline")
    base.pipeline = args.pipeline
    if args.bounds:
        base.min_speakers, base.max_speakers = args.bounds
    with tempfile.TemporaryDirectory() as tmp:
        cache = {uri: decode(wav, Path(tmp)) for uri, wav, _, _ in recordings()}
        bases = [base]
        if args.models:  # SEG/EMB[/THRESHOLD]: each embedding has its own distance scale
            bases = []
            for spec in args.models:
                seg, emb, *threshold = spec.split("/")
                bases.append(dataclasses.replace(base, segmentation=seg, embedding=emb, **(
                    {"clustering_threshold": float(threshold[0])} if threshold else {})))
        grid = bases
        if args.grid:
            grid = [dataclasses.replace(b, clustering_threshold=t, segmentation_step=s) for b in bases
                    for s in (0.1, 0.2) for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)]
        for options in grid:
            rows = evaluate(options, cache)
            print_table(rows, options)
            print()
            if args.floor:
                print_floor(floor_rows(options, cache), rows)
                print()
            if args.separability:
                print("| recording | embedding AUC, all (n) | pure, >= 2 s alone (n) |")
                print("|---|---|---|")
                shown = lambda value: "—" if value != value else f"{value:.2f}"  # NaN: one speaker only
                for r in separability(options, cache):
                    print(f"| {r['uri']} | {shown(r['all'][0])} ({r['all'][1]}) "
                          f"| {shown(r['pure'][0])} ({r['pure'][1]}) |")
                print()


if __name__ == "__main__":
    main()
