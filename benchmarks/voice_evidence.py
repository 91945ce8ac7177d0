"""Benchmark: how well a turn's voiceprint names its speaker, and the two constants it fits.

For every recording with reference speaker turns (the samples' truth, the AMI excerpts and
pyannote's sample.wav), each reference turn of ``--min-seconds`` or more is embedded whole with the
encoder (GE2E by default) and compared with the centroid of every label's *other* turns. Printed
per recording: the AUC of turn-to-turn cosine similarity (same speaker against different), how
often the nearest centroid is the turn's own label, and the similarity to its own label's centroid
against the best other one.

Then attribution's voice evidence (:func:`pipeline.stages.attribute.voice_likeness`) is fitted on all
recordings together, never one: a softmax over the labels' similarities with a temperature, plus
"a voice not named yet" at a fixed similarity. The grid keeps the pair that maximises the mean
log-probability of the right answer (each recording weighing the same), over two cases per turn: its label's centroid present (the
right answer is its label) and its label left out (the right answer is "not named yet").

    .venv/bin/python benchmarks/voice_evidence.py [--encoder resemblyzer|campplus] [--min-seconds S]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pipeline  # noqa: E402,F401
from diarization_der import auc, decode, recordings, reference  # noqa: E402


def sample_turns(tmp: Path):
    """(name, audio, [(start, end, label)]) for each sample with a truth file."""
    for truth_path in sorted((ROOT / "audio_samples").glob("*/truth.json")):
        truth = json.loads(truth_path.read_text())
        audio = decode(truth_path.parent / "meeting.mp3", tmp)
        yield truth_path.parent.name, audio, [(u["start"], u["end"], u["attribution"]) for u in truth["utterances"]]


def ami_turns(tmp: Path):
    for uri, wav, rttm, _ in recordings():
        ref = reference(rttm, uri)
        yield uri, decode(wav, tmp), [(s.start, s.end, label) for s, _, label in ref.itertracks(yield_label=True)]


def loo_similarities(vectors: np.ndarray, labels: np.ndarray) -> list[tuple[float | None, dict[str, float]]]:
    """For each turn: the similarity to its own label's centroid of other turns (None if it has
    no other turn), and to every other label's centroid."""
    out = []
    for i in range(len(vectors)):
        sims = {}
        for label in np.unique(labels):
            mask = labels == label
            mask[i] = False
            if mask.any():
                centroid = vectors[mask].mean(axis=0)
                sims[str(label)] = float(vectors[i] @ centroid / np.linalg.norm(centroid))
        own = sims.pop(str(labels[i]), None)
        out.append((own, sims))
    return out


def log_likelihood(cases, temperature: float, new_voice: float) -> float:
    """Mean log-probability of the right answer under the softmax voice evidence."""
    total = 0.0
    for own, others in cases:
        scores = np.array(([own] if own is not None else []) + list(others.values()) + [new_voice]) / temperature
        scores -= scores.max()
        log_p = scores - np.log(np.exp(scores).sum())
        total += log_p[0] if own is not None else log_p[-1]
    return total / len(cases)


def main(argv: list[str]) -> None:
    from pipeline.stages.diarize import load_embedding

    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", default="resemblyzer")
    parser.add_argument("--min-seconds", type=float, default=1.0)
    args = parser.parse_args(argv)
    encoder = load_embedding(args.encoder)
    cases = []
    print("| recording | turns | labels | AUC turn-to-turn | nearest centroid right | own centroid, median | best other, median | best other, max |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, audio, turns in [*sample_turns(Path(tmp)), *ami_turns(Path(tmp))]:
            turns = [t for t in turns if t[1] - t[0] >= args.min_seconds]
            vectors = encoder.embed_waveforms([audio[int(a * 16000):int(b * 16000)] for a, b, _ in turns])
            keep = np.all(np.isfinite(vectors), axis=1)
            vectors = vectors[keep] / np.linalg.norm(vectors[keep], axis=1, keepdims=True)
            labels = np.array([t[2] for t, k in zip(turns, keep) if k])
            if len(set(labels)) < 2:
                print(f"| {name} | {len(labels)} | {len(set(labels))} | (one speaker with turns this long) | | | | |")
                continue
            upper = np.triu_indices(len(labels), 1)
            same = (labels[:, None] == labels[None, :])[upper]
            rows = loo_similarities(vectors, labels)
            right = [own is not None and (not others or own > max(others.values())) for own, others in rows]
            owns = [own for own, _ in rows if own is not None]
            best = [max(o.values()) for _, o in rows if o]
            mine = []
            for own, others in rows:
                if own is not None:
                    mine.append((own, others))  # its label named already
                if others:
                    mine.append((None, others))  # its label not named yet
            cases.append(mine)
            print(f"| {name} | {len(labels)} | {len(set(labels))} | "
                  f"{auc((vectors @ vectors.T)[upper], same) if same.any() and (~same).any() else float('nan'):.3f} | "
                  f"{100 * np.mean([r for r, (own, _) in zip(right, rows) if own is not None]):.1f} % | "
                  f"{np.median(owns):.3f} | {np.median(best):.3f} | {max(best):.3f} |")
    # Each recording weighs the same (the samples' many espeak turns would otherwise outvote the
    # real meetings', whose similarities run lower).
    grid = [(t, v, np.mean([log_likelihood(c, t, v) for c in cases]))
            for t in (0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12, 0.15, 0.2)
            for v in np.arange(0.30, 0.96, 0.01)]
    t, v, ll = max(grid, key=lambda g: g[2])
    print(f"\nfitted on {sum(map(len, cases))} cases of {len(cases)} recordings, each weighing the same: "
          f"temperature {t}, not-named-yet similarity {v:.2f} (mean log-probability of the right answer {ll:.3f})")


if __name__ == "__main__":
    main(sys.argv[1:])
