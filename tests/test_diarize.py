"""Diarization: the real offline pipeline on a real two-speaker recording, and what it refuses."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import pipeline  # noqa: F401
from pipeline.diarize import DiarizeOptions, check_pipeline_config, diarize, load_local_pipeline, to_rttm
from pipeline.ingest import load_audio
from pipeline.models import SEGMENTATION, ModelError, verify_member


@pytest.fixture(scope="module")
def sample_wav(tmp_path_factory) -> tuple[Path, Path]:
    """pyannote.audio's own sample.wav (30 s, two speakers) with its reference RTTM."""
    import pyannote.audio

    folder = Path(pyannote.audio.__file__).parent / "sample"
    out = tmp_path_factory.mktemp("pyannote-sample") / "sample.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(folder / "sample.wav"),
                    "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(out)], check=True)
    return out, folder / "sample.rttm"


def test_der_on_pyannote_sample(sample_wav):
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    wav, rttm = sample_wav
    result, centroids = diarize(load_audio(wav), DiarizeOptions(), uri="sample")
    reference = Annotation(uri="sample")
    for i, line in enumerate(rttm.read_text().splitlines()):
        parts = line.split()
        reference[Segment(float(parts[3]), float(parts[3]) + float(parts[4])), i] = parts[7]
    hypothesis = Annotation(uri="sample")
    for i, turn in enumerate(result.turns):
        hypothesis[Segment(turn.start, turn.end), i] = turn.speaker
    der = DiarizationErrorRate(collar=0.0, skip_overlap=False)(reference, hypothesis)
    assert der <= 0.10, der
    assert len(result.speakers) == 2 and centroids.shape == (2, 256)
    # The exclusive view never has two speakers at once.
    for a, b in zip(result.exclusive, result.exclusive[1:]):
        assert a.end <= b.start + 1e-6
    assert to_rttm(result, "sample").startswith("SPEAKER sample 1 ")


@pytest.mark.parametrize("config, message", [
    ("pipeline:\n  name: os.system\n  params: {command: 'true'}\n", "is not a pyannote.audio pipeline"),
    ("pipeline:\n  name: pyannote.audio.pipelines.SpeakerDiarization\n  params:\n"
     "    segmentation: {name: builtins.eval}\n", "'builtins.eval' is not a pyannote class"),
    ("pipeline:\n  name: pyannote.audio.pipelines.SpeakerDiarization\n"
     "preprocessors:\n  audio: {name: subprocess.Popen, params: {args: ['true']}}\n", "not a pyannote class"),
    ("just: text\n", "no pipeline section"),
    ("pipeline:\n  name: pyannote.audio.pipelines.NoSuchPipeline\n", "not a class of the installed"),
])
def test_hostile_pipeline_configs_are_refused(tmp_path, config, message):
    (tmp_path / "config.yaml").write_text(config)
    with pytest.raises(ModelError, match=message):
        check_pipeline_config(tmp_path)


def test_local_pyannote_pipeline_loads_offline(tmp_path):
    checkpoint = verify_member(SEGMENTATION)
    (tmp_path / "config.yaml").write_text(
        "pipeline:\n  name: pyannote.audio.pipelines.VoiceActivityDetection\n"
        f"  params:\n    segmentation: {checkpoint}\n"
        "params: {onset: 0.5, offset: 0.5, min_duration_on: 0.0, min_duration_off: 0.0}\n")
    loaded = load_local_pipeline(str(tmp_path), diarization_only=False)
    assert type(loaded).__name__ == "VoiceActivityDetection"
    # ... but diarizing with it is refused up front, with the reason
    with pytest.raises(ModelError, match="is not a speaker diarization pipeline"):
        load_local_pipeline(str(tmp_path))


@pytest.mark.parametrize("name, message", [
    ("os.system", "is not a pyannote.audio pipeline"),
    ("pyannote.audio.pipelines.VoiceActivityDetection", "is not a speaker diarization pipeline"),
])
def test_cli_refuses_a_hostile_or_wrong_pipeline_before_running(tmp_path, name, message):
    from conftest import SAMPLE, run_cli

    (tmp_path / "config.yaml").write_text(f"pipeline:\n  name: {name}\n")
    done = run_cli("run", str(SAMPLE / "meeting.yaml"), "--out", str(tmp_path / "out"),
                   "--diarization", str(tmp_path))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_long_recordings_are_diarized_in_windows_and_linked(tmp_path):
    """The CSH sample (208 s, 7 voices) in 60 s windows: each window diarized alone, speakers
    linked across windows by voice: the 7 voices come out as 7 speakers, each truth speaker
    mapped to one of them for >= 90 % of its speech."""
    import json

    from conftest import SAMPLE

    from pipeline.cues import named_speakers
    from pipeline.diarize import diarize_file
    from pipeline.roster import build_roster
    from pipeline.spec import load_spec

    wav = tmp_path / "csh.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(SAMPLE / "meeting.mp3"),
                    "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], check=True)
    truth = json.loads((SAMPLE / "truth.json").read_text())
    entries = build_roster(load_spec(SAMPLE / "meeting.yaml"))
    named = sorted((u["start"], label) for u in truth["utterances"] for label in named_speakers(u["text"], entries))
    result, centroids = diarize_file(wav, DiarizeOptions(window_seconds=60, max_speakers=12, named=named))
    assert len(result.speakers) == 7 and centroids.shape == (7, 256)
    voice_of = {}
    for u in truth["utterances"]:
        overlap = {}
        for t in result.exclusive:
            seconds = min(t.end, u["end"]) - max(t.start, u["start"])
            if seconds > 0:
                overlap[t.speaker] = overlap.get(t.speaker, 0.0) + seconds
        voice_of.setdefault(u["attribution"], {})
        for speaker, seconds in overlap.items():
            voice_of[u["attribution"]][speaker] = voice_of[u["attribution"]].get(speaker, 0.0) + seconds
    best = {who: max(spk, key=spk.get) for who, spk in voice_of.items()}
    assert len(set(best.values())) == 7, best
    for who, spk in voice_of.items():
        assert spk[best[who]] / sum(spk.values()) >= 0.9, (who, spk)
