"""Diarization: the real offline pipeline on a real two-speaker recording, and what it refuses."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import pipeline  # noqa: F401
from pipeline.stages.diarize import DiarizeOptions, check_pipeline_config, diarize, load_local_pipeline, to_rttm
from pipeline.audio import load_audio
from pipeline.models import SEGMENTATION, ModelError, verify_member

pytestmark = pytest.mark.slow  # real models, real audio, real servers: `pytest -m "not slow"` skips them


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


@pytest.mark.parametrize("embedding", ["resemblyzer", "campplus"])
def test_long_recordings_are_diarized_in_windows_and_linked(tmp_path, embedding):
    """The CSH sample (208 s, 7 voices) in 60 s windows: each window diarized alone, speakers
    linked across windows by voice (GE2E or CAM++ centroids): the 7 voices come out as 7
    speakers, each truth speaker mapped to one of them for >= 90 % of its speech."""
    from pipeline.stages.diarize import EMBEDDINGS

    import json

    from conftest import SAMPLE

    from pipeline.text.cues import named_speakers
    from pipeline.stages.diarize import diarize_file
    from pipeline.text.roster import build_roster
    from pipeline.spec import load_spec

    wav = tmp_path / "csh.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(SAMPLE / "meeting.mp3"),
                    "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], check=True)
    truth = json.loads((SAMPLE / "truth.json").read_text())
    entries = build_roster(load_spec(SAMPLE / "meeting.yaml"))
    named = sorted((u["start"], label) for u in truth["utterances"] for label in named_speakers(u["text"], entries))
    result, centroids = diarize_file(wav, DiarizeOptions(window_seconds=60, max_speakers=12, named=named,
                                                         embedding=embedding))
    assert len(result.speakers) == 7 and centroids.shape == (7, EMBEDDINGS[embedding].dimension)
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


def _turns_of(rttm: Path) -> list[tuple[float, float, str]]:
    rows = [line.split() for line in rttm.read_text().splitlines()]
    return [(float(r[3]), float(r[3]) + float(r[4]), r[7]) for r in rows]


@pytest.fixture(scope="module")
def campplus():
    from pipeline.stages.diarize.campplus import CAMPPlusEmbedding
    from pipeline.models import CAMPPLUS

    return CAMPPlusEmbedding(verify_member(CAMPPLUS))


def test_campplus_filterbanks_are_kaldis(sample_wav):
    """Our batched filterbanks equal Kaldi's (torchaudio's port, dither off) on real speech."""
    import torch
    import torchaudio.compliance.kaldi as kaldi

    from pipeline.stages.diarize.campplus import fbank

    audio = torch.from_numpy(load_audio(sample_wav[0])[:16000 * 5])
    ours = fbank(torch.stack([audio, audio.flip(0)]))
    for row, wave in zip(ours, (audio, audio.flip(0))):
        theirs = kaldi.fbank(wave[None], num_mel_bins=80, sample_frequency=16000, dither=0.0)
        assert row.shape == theirs.shape
        assert (row - theirs).abs().max() < 1e-2


def test_campplus_embedding_of_a_fixed_clip_is_the_recorded_one(sample_wav, campplus):
    """A refactor of the network, the filterbanks or the loading cannot silently change it."""
    import json

    import numpy as np

    recorded = json.loads((Path(__file__).parents[1] / "data" / "campplus-sample-10.6-14.6s.json").read_text())
    audio = load_audio(sample_wav[0])
    vector = campplus.embed_waveforms([audio[int(10.6 * 16000):int(14.6 * 16000)]])[0]
    expected = np.array(recorded["embedding"], dtype=np.float32)
    assert vector.shape == (192,)
    assert np.abs(vector - expected).max() < 2e-3
    assert vector @ expected / np.linalg.norm(vector) / np.linalg.norm(expected) > 0.9999


def test_campplus_masks_select_frames_and_batch_mates_do_not_matter(sample_wav, campplus):
    """Called as pyannote calls it (chunks and frame masks), a pair's embedding is that of the
    frames its mask holds, whatever else is in the batch; a mask too short to embed is NaN."""
    import numpy as np
    import torch

    audio = load_audio(sample_wav[0])
    chunk = torch.from_numpy(audio[:16000 * 10])
    frames = 589  # segmentation-3.0 frames per 10 s chunk
    first = torch.zeros(frames)
    first[:int(frames * 0.4)] = 1  # 0-4 s
    brief = torch.zeros(frames)
    brief[:10] = 1  # 0.17 s: too short
    both = campplus(torch.stack([chunk, chunk, chunk])[:, None], torch.stack([first, torch.ones(frames), brief]))
    alone = campplus(chunk[None, None], first[None])
    assert np.allclose(both[0], alone[0], atol=1e-4)
    direct = campplus.embed_waveforms([audio[:int(16000 * 4.0)]])[0]
    assert direct @ both[0] / np.linalg.norm(direct) / np.linalg.norm(both[0]) > 0.98
    assert np.all(np.isnan(both[2])) and np.all(np.isfinite(both[1]))


def test_campplus_tells_the_two_sample_speakers_apart(sample_wav, campplus):
    """Every reference turn of 1.5 s or more: each is closer to every other turn of its own
    speaker than to any turn of the other speaker (AUC 1)."""
    import numpy as np

    audio = load_audio(sample_wav[0])
    turns = [t for t in _turns_of(sample_wav[1]) if t[1] - t[0] >= 1.5]
    vectors = campplus.embed_waveforms([audio[int(a * 16000):int(b * 16000)] for a, b, _ in turns])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = vectors @ vectors.T
    owners = np.array([who for _, _, who in turns])
    same = owners[:, None] == owners[None, :]
    np.fill_diagonal(same, False)
    different = owners[:, None] != owners[None, :]
    assert len(set(owners)) == 2 and same.any()
    assert similarity[same].min() > similarity[different].max()


@pytest.mark.parametrize("segmentation", ["2.x", "3.0"])
def test_campplus_pipeline_on_pyannote_sample(sample_wav, segmentation):
    """Each segmentation model with CAM++ embeddings, end to end on real speech."""
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    wav, rttm = sample_wav
    options = DiarizeOptions(segmentation=segmentation, embedding="campplus", clustering_threshold=0.8)
    result, centroids = diarize(load_audio(wav), options, uri="sample")
    reference, hypothesis = Annotation(uri="sample"), Annotation(uri="sample")
    for i, (start, end, who) in enumerate(_turns_of(rttm)):
        reference[Segment(start, end), i] = who
    for i, turn in enumerate(result.turns):
        hypothesis[Segment(turn.start, turn.end), i] = turn.speaker
    assert DiarizationErrorRate(collar=0.0, skip_overlap=False)(reference, hypothesis) <= 0.10
    assert len(result.speakers) == 2 and centroids.shape == (2, 192)


def test_unknown_diarization_models_are_named():
    import numpy as np

    with pytest.raises(ModelError, match="unknown diarization models '4.0'"):
        diarize(np.zeros(16000, dtype=np.float32), DiarizeOptions(segmentation="4.0"))
