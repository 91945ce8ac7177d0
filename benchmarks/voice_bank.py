"""Benchmark: how close one person's voice centroids are across recordings, for the voice bank.

The voice bank (:mod:`pipeline.voices`) names a diarized voice after a confirmed voice of an
earlier meeting when their centroids are close enough. This measures "close enough" on real
recordings nobody here made: the AMI excerpts of ../shared/testdata/diarization, where dev00 and
dev01 hold the same two people and tst00 and tst01 the same four, and pyannote's sample.wav (two
other people), and the four samples of audio_samples/, whose roles share espeak voices across
meetings (a voice is its espeak name, speed and pitch; espeak ignores some variants, so two
"different" voices may sound alike: that only makes the different-voice side harder). Each
voice of each recording gets one centroid (the mean embedding of its turns of 1.5 s or more);
pairs from *different* recordings are same-voice or different-voice pairs, and their cosine
similarities are printed per embedding, with the lowest threshold that accepts no
different-voice pair.

    .venv/bin/python benchmarks/voice_bank.py [--embedding resemblyzer|campplus ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import diarization_der as B  # noqa: E402


def _centroid(embed, audio, turns) -> np.ndarray | None:
    """The mean of the unit embeddings of ``turns`` (start, end) of 1.5 s or more, as the voice
    bank files a voice: one centroid per voice per meeting."""
    waves = [audio[int(a * 16000):int(b * 16000)] for a, b in turns if b - a >= 1.5]
    if not waves:
        return None
    vectors = embed.embed_waveforms(waves)
    vectors = vectors[np.all(np.isfinite(vectors), axis=1)]
    if not len(vectors):
        return None
    mean = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).mean(axis=0)
    return mean / np.linalg.norm(mean)


def recordings_with_voices(tmp: Path) -> list[tuple[str, np.ndarray, dict[str, list[tuple[float, float]]]]]:
    """(recording, audio, {voice: turns}): the real recordings by reference speaker, the samples
    by the espeak voice (with speed and pitch) that rendered each role."""
    import yaml

    from pipeline.audio import load_audio

    out = []
    for uri, wav, rttm, _ in B.recordings():
        turns: dict[str, list] = {}
        for segment, _, label in B.reference(rttm, uri).itertracks(yield_label=True):
            turns.setdefault(label, []).append((segment.start, segment.end))
        out.append((uri, B.decode(wav, tmp), turns))
    for folder in sorted((ROOT / "audio_samples").glob("*/truth.json")):
        folder = folder.parent
        script = yaml.safe_load((folder / "script.yaml").read_text())["voices"]
        truth = json.loads((folder / "truth.json").read_text())
        turns = {}
        for u in truth["utterances"]:
            voice = script.get(u["attribution"])
            if voice:
                key = f"{voice['voice']}@{voice.get('speed', 175)}/{voice.get('pitch', 50)}"
                turns.setdefault(key, []).append((u["start"], u["end"]))
        out.append((folder.name, B.decode(folder / "meeting.mp3", tmp), turns))
    return out


def voices(embedding: str, data) -> list[tuple[str, str, np.ndarray]]:
    """(recording, voice, centroid) for every voice of every recording."""
    from pipeline.stages.diarize.campplus import CAMPPlusEmbedding
    from pipeline.stages.diarize import ResemblyzerEmbedding
    from pipeline.models import CAMPPLUS, verify_member

    embed = CAMPPlusEmbedding(verify_member(CAMPPLUS)) if embedding == "campplus" else ResemblyzerEmbedding()
    out = []
    for uri, audio, turns in data:
        for voice, spans in turns.items():
            centroid = _centroid(embed, audio, spans)
            if centroid is not None:
                out.append((uri, voice, centroid))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedding", action="append", choices=["resemblyzer", "campplus"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = recordings_with_voices(Path(tmp))
        print("| embedding | voices | same-voice pairs | their similarity (min–max) | different-voice pairs "
              "| their similarity (min–max, 99th percentile) | AUC | threshold accepting no different pair "
              "| same pairs it accepts |")
        print("|---|---|---|---|---|---|---|---|---|")
        for embedding in args.embedding or ["resemblyzer", "campplus"]:
            found = voices(embedding, data)
            same, different = [], []
            for i, (uri_a, who_a, a) in enumerate(found):
                for uri_b, who_b, b in found[i + 1:]:
                    if uri_a != uri_b:
                        (same if who_a == who_b else different).append(float(a @ b))
            same, different = np.array(same), np.array(different)
            auc = B.auc(np.concatenate([same, different]),
                        np.concatenate([np.ones(len(same), bool), np.zeros(len(different), bool)]))
            cut = float(different.max()) + 0.01
            print(f"| {embedding} | {len(found)} | {len(same)} | {same.min():.2f}–{same.max():.2f} | {len(different)} "
                  f"| {different.min():.2f}–{different.max():.2f}, {np.percentile(different, 99):.2f} | {auc:.3f} "
                  f"| {cut:.2f} | {int((same >= cut).sum())} of {len(same)} |")


if __name__ == "__main__":
    main()
