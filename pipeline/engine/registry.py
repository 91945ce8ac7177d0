"""The stage list: what each stage reads, writes and depends on. The one place that says so.

Each stage is a thin adapter from work-folder artifacts to a plain function of its module
(``pipeline.stages.ingest.ingest``, ``pipeline.stages.transcribe.transcribe``, ...). Its cache key is the hash
of its input artifacts, its parameters and its version, so a re-run redoes exactly the stages
whose inputs changed (see :mod:`pipeline.engine.runner`).
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

from pipeline import artifacts as A
from pipeline.artifacts import Diarization, Transcription, Utterance, WorkDir
from pipeline.stages.diarize import DiarizeOptions
from pipeline.spec import MeetingSpec
from pipeline.stages.transcribe import TranscribeOptions


@dataclass
class RunOptions:
    """What the user chose on the command line; everything else comes from the spec."""

    model: Optional[str] = None
    diarize: DiarizeOptions = field(default_factory=DiarizeOptions)
    vocabulary: bool = True  # bias decoding towards the spec's names (transcribe.spec_vocabulary)
    translate: bool = True  # render what was said in other languages in English (pipeline.stages.translate)
    llm_url: Optional[str] = None  # an OpenAI-compatible endpoint to word the points (pipeline.minutes.llm)
    llm_model: Optional[str] = None

    def llm(self):
        from pipeline.minutes.llm import options_from

        return options_from(self.llm_url, self.llm_model)


@dataclass
class Context:
    spec: MeetingSpec
    spec_path: Path
    work: WorkDir
    options: RunOptions

    def transcribe_options(self) -> TranscribeOptions:
        from pipeline.stages.transcribe import spec_vocabulary

        return TranscribeOptions(
            model=self.options.model,
            languages=self.spec.languages(),
            hotwords=spec_vocabulary(self.spec) if self.options.vocabulary else {},
        )

    def translate_options(self):
        from pipeline.stages.translate import TranslateOptions

        return TranslateOptions(enabled=self.options.translate, model=self.options.model)

    def known_voices(self) -> dict:
        """This run's voices recognised in the voice bank (confirmed in earlier meetings)."""
        from pipeline.voices import recognise

        return recognise(self.work, self.spec.roster_labels(), self.spec.meeting.id)

    def corrections(self) -> A.Corrections:
        """The rapporteur's corrected attributions (review page), if any."""
        return A.load_layer(self.work, A.CORRECTIONS, A.Corrections.from_json, A.Corrections)

    def diarize_options(self) -> DiarizeOptions:
        """The user's options, with speaker bounds from the meeting when not given.

        At most everyone on the roster; at least one voice per distinct label the floor is
        given to in the transcript, plus the chair's (automatic counting alone is unreliable
        with these embeddings, and the agenda of who was given the floor is not).
        """
        from pipeline.text.cues import named_speakers
        from pipeline.text.roster import build_roster

        options = DiarizeOptions(**asdict(self.options.diarize))
        if options.max_speakers is None:
            options.max_speakers = max(2, len(self.spec.roster_labels()))
        if options.min_speakers <= 1 and self.work.exists(A.ASR):
            entries = build_roster(self.spec)
            options.named = sorted((segment["start"], label) for segment in self.work.read_json(A.ASR)["segments"]
                                   for label in named_speakers(segment["text"], entries))
            named = {label for _, label in options.named}
            options.min_speakers = min(options.max_speakers, len(named | {"Chair"}))
        return options


PACKAGE = Path(__file__).resolve().parents[1]  # pipeline/


def _module_file(name: str) -> Path | None:
    """The source file of project module ``name`` ("pipeline.text.cues"), or None if it is not one."""
    parts = name.split(".")
    if parts[0] != PACKAGE.name:
        return None
    path = PACKAGE.joinpath(*parts[1:])
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imported(tree: ast.AST) -> set[str]:
    """The project modules an AST imports, at top level or inside functions, with the packages
    they sit in (importing ``pipeline.text.cues`` runs ``pipeline/__init__.py`` too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # submodules
    found = set()
    for name in names:
        parts = name.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {name for name in found if _module_file(name)}


# Context/RunOptions methods whose whole result is in the parameters of every stage that calls them
# (``diarize_options`` is in diarization's, ``transcribe_options`` in transcription's ...): what
# they import reaches the stage's output only through that result, so it is keyed there, not by its
# code. ``diarize_options`` reads the floor cues for the speakers called; keyed by its code, any
# change to attribution's cues re-diarized every meeting reprocessed.
IN_PARAMS = frozenset({"diarize_options", "transcribe_options", "translate_options", "known_voices", "corrections",
                       "llm"})


def _code_of(function: Callable) -> tuple[list[str], set[str]]:
    """The source of ``function`` and of the Context/RunOptions methods it calls (those in turn
    too), and the project modules all of them import (but those that only :data:`IN_PARAMS`
    methods import)."""
    sources, modules, todo, seen = [], set(), [function], set()
    methods = {name: member for owner in (Context, RunOptions) for name, member in vars(owner).items()
               if inspect.isfunction(member)}
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = textwrap.dedent(inspect.getsource(current))
        tree = ast.parse(source)
        sources.append(source)
        if current.__name__ not in IN_PARAMS:
            modules |= _imported(tree)
        todo += [methods[node.attr] for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and node.attr in methods]
    return sources, modules


def code_modules(run: Callable) -> list[str]:
    """Every project module a stage's code can execute: what its adapter imports, and what those
    modules import in turn, transitively. Derived from the source, so no hand list can drift."""
    todo, seen = sorted(_code_of(run)[1]), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += _imported(ast.parse(_module_file(name).read_bytes()))
    return sorted(seen)


@dataclass(frozen=True)
class Stage:
    name: str
    version: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    run: Callable[[Context], dict]
    params: Callable[[Context], object]
    libraries: tuple[str, ...] = ()
    heavy: bool = False  # all cores and gigabytes: one at a time per machine (runner.heavy_slot)

    def code_hash(self) -> str:
        """Hash of the code that computes this stage (its adapter, the context methods it calls,
        and every project module they reach by import): any change to them reruns it."""
        digest = hashlib.sha256(self.version.encode())
        for source in sorted(_code_of(self.run)[0]):
            digest.update(source.encode())
        for name in code_modules(self.run):
            digest.update(name.encode() + b"\0" + _module_file(name).read_bytes())
        return digest.hexdigest()


def _ingest(ctx: Context) -> dict:
    from pipeline.stages.ingest import ingest

    result = ingest(ctx.spec.meeting.recording, ctx.spec_path.parent, ctx.work)
    ctx.work.write_json(A.INGEST, result)
    return {"sha256": result.sha256, "duration": result.duration}


def _ingest_params(ctx: Context) -> object:
    """The recording as named, plus the local file's content hash (a URL is fetched once)."""
    from pipeline.stages.ingest import is_url, resolve_local

    recording = ctx.spec.meeting.recording
    if is_url(recording):
        return {"recording": recording}
    path = resolve_local(recording, ctx.spec_path.parent)
    stat = path.stat()
    return {"recording": recording, "size": stat.st_size, "sha256": A.sha256_file(path)}


def _transcribe(ctx: Context) -> dict:
    from pipeline.stages.transcribe import transcribe

    import logging

    log = logging.getLogger("rapporteur.transcribe")
    stats: dict = {}
    result = transcribe(ctx.work.path(A.AUDIO), ctx.transcribe_options(),
                        checkpoint_path=ctx.work.path(A.ASR_CHECKPOINT), on_progress=log.info, stats=stats)
    ctx.work.write_json(A.ASR, result)
    ctx.work.path(A.ASR_CHECKPOINT).unlink(missing_ok=True)
    return {"segments": len(result.segments), "language": result.language, **stats}


def _diarize(ctx: Context) -> dict:
    import numpy as np

    from pipeline.stages.diarize import EMBEDDINGS, diarize_file, to_rttm

    options = ctx.diarize_options()
    result, centroids = diarize_file(ctx.work.path(A.AUDIO), options, uri=ctx.spec.slug)
    ctx.work.write_text(A.RTTM, to_rttm(result, ctx.spec.slug))
    data = asdict(result)
    if not options.pipeline:  # the voice bank compares centroids of one encoder only
        data["encoder"] = EMBEDDINGS[options.embedding].encoder
    data["centroids"] = {s: [round(float(x), 5) for x in c] for s, c in zip(result.speakers, centroids)
                         if np.all(np.isfinite(c))}
    ctx.work.write_json(A.DIARIZATION, data)
    return {"speakers": len(result.speakers)}


def _diarize_params(ctx: Context) -> object:
    options = ctx.diarize_options()
    params = asdict(options)
    if options.pipeline:
        from pipeline.stages.diarize import check_pipeline_config

        params["pipeline_config"] = A.sha256_file(check_pipeline_config(Path(options.pipeline)))
    return params


def _merge(ctx: Context) -> dict:
    from pipeline.stages.merge import merge

    utterances = merge(ctx.work.load(A.ASR, Transcription), ctx.work.load(A.DIARIZATION, Diarization))
    ctx.work.write_json(A.MERGED, {"utterances": [asdict(u) for u in utterances]})
    return {"utterances": len(utterances)}


def _relisten(ctx: Context) -> dict:
    from pipeline.stages.relisten import relisten
    from pipeline.text.roster import build_roster

    utterances, done = relisten(ctx.work.path(A.AUDIO), _utterances(ctx, A.MERGED), ctx.transcribe_options(),
                                build_roster(ctx.spec))
    ctx.work.write_json(A.UTTERANCES, {"utterances": [asdict(u) for u in utterances], "names": done.named,
                                       "decisions": done.decided})
    return {"weighed": done.weighed, "changed": done.changed, "calls": done.calls, "named": len(done.named),
            "weighed_decisions": done.weighed_decisions, "decided": len(done.decided)}


def _voiceprint(ctx: Context) -> dict:
    from pipeline.stages.voiceprint import voiceprints

    result = voiceprints(ctx.work.path(A.AUDIO), _utterances(ctx, A.UTTERANCES), ctx.options.diarize.embedding)
    ctx.work.write_json(A.VOICEPRINTS, result)
    return {"sentences": len(result.prints), "encoder": result.encoder}


def _translate(ctx: Context) -> dict:
    from pipeline.stages.translate import translate

    result = translate(ctx.work.path(A.AUDIO), _utterances(ctx, A.UTTERANCES), ctx.translate_options())
    ctx.work.write_json(A.TRANSLATION, result)
    return {"sentences": len(result.sentences)}


def _utterances(ctx: Context, name: str) -> list[Utterance]:
    return [A.from_dict(Utterance, u) for u in ctx.work.read_json(name)["utterances"]]


def _attribute(ctx: Context) -> dict:
    from pipeline.stages.attribute import attribute

    utterances = attribute(_utterances(ctx, A.UTTERANCES), ctx.spec, corrections=ctx.corrections(),
                           voices=ctx.known_voices(), prints=ctx.work.load(A.VOICEPRINTS, A.Voiceprints),
                           heard=ctx.work.read_json(A.UTTERANCES).get("names", []))
    ctx.work.write_json(A.ATTRIBUTED, {"utterances": [asdict(u) for u in utterances]})
    return {"attributed": sum(u.attribution is not None for u in utterances)}


def _align(ctx: Context) -> dict:
    from pipeline.stages.align import align

    utterances = align(_utterances(ctx, A.ATTRIBUTED), ctx.spec,
                       decided=ctx.work.read_json(A.UTTERANCES).get("decisions", []))
    duration = ctx.work.read_json(A.INGEST)["duration"]
    transcript = A.Transcript(meeting_id=ctx.spec.meeting.id, duration=duration, utterances=utterances)
    ctx.work.write_json(A.TRANSCRIPT, transcript)
    return {"items": len({u.item for u in utterances if u.item})}


def _draft(ctx: Context) -> dict:
    from pipeline.minutes import render
    from pipeline.stages.draft import draft

    utterances = _utterances(ctx, A.TRANSCRIPT)
    minutes = draft(utterances, ctx.spec, ctx.spec.meeting.link or ctx.spec.meeting.recording, llm=ctx.options.llm(),
                    translation=ctx.work.load(A.TRANSLATION, A.Translation),
                    decided=ctx.work.read_json(A.UTTERANCES).get("decisions", []))
    ctx.work.write_text(A.MINUTES, render.markdown(minutes))
    ctx.work.write_text(A.MINUTES_HTML, render.html(minutes, A.AUDIO))
    ctx.work.write_text(A.MINUTES_JSON, render.as_json(minutes))
    ctx.work.write_bytes(A.MINUTES_DOCX, render.docx_bytes(minutes))
    ctx.work.write_text(A.SRT, render.srt(utterances))
    ctx.work.write_text(A.VTT, render.vtt(utterances))
    return {"items": len(minutes.items), **minutes.drafting}


def _template_hash() -> str:
    from pipeline.minutes.render import PROMPTS

    digest = hashlib.sha256()
    for path in sorted(PROMPTS.glob("*.j2")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _spec_part(*keys: str) -> Callable[[Context], object]:
    return lambda ctx: {k: ctx.spec.model_dump(mode="json")[k] for k in keys}


STAGES: tuple[Stage, ...] = (
    Stage("ingest", "1", (), (A.AUDIO, A.INGEST), _ingest, _ingest_params, ("ffmpeg-python",)),
    Stage("transcribe", "1", (A.AUDIO,), (A.ASR,), _transcribe,
          lambda ctx: ctx.transcribe_options().cache_key(), ("faster-whisper", "ctranslate2"), heavy=True),
    Stage("diarize", "1", (A.AUDIO, A.ASR), (A.RTTM, A.DIARIZATION), _diarize,
          _diarize_params, ("pyannote.audio", "torch", "Resemblyzer"), heavy=True),
    Stage("merge", "1", (A.ASR, A.DIARIZATION), (A.MERGED,), _merge, lambda ctx: {}),
    Stage("relisten", "1", (A.AUDIO, A.MERGED), (A.UTTERANCES,), _relisten,
          lambda ctx: {"transcribe": ctx.transcribe_options().cache_key(),
                       **_spec_part("presiding", "participants", "order_of_business")(ctx)},
          ("faster-whisper", "ctranslate2"), heavy=True),
    Stage("voiceprint", "1", (A.AUDIO, A.UTTERANCES), (A.VOICEPRINTS,), _voiceprint,
          lambda ctx: {"embedding": ctx.options.diarize.embedding}, ("torch", "Resemblyzer"), heavy=True),
    Stage("translate", "1", (A.AUDIO, A.UTTERANCES), (A.TRANSLATION,), _translate,
          lambda ctx: ctx.translate_options().cache_key(), ("faster-whisper", "ctranslate2"), heavy=True),
    Stage("attribute", "1", (A.UTTERANCES, A.DIARIZATION, A.VOICEPRINTS), (A.ATTRIBUTED,), _attribute,
          lambda ctx: {**_spec_part("presiding", "participants", "order_of_business")(ctx),
                       "corrections": asdict(ctx.corrections()),
                       "voices": {s: asdict(v) for s, v in ctx.known_voices().items()}}, ("rapidfuzz",)),
    Stage("align", "1", (A.ATTRIBUTED, A.INGEST, A.UTTERANCES), (A.TRANSCRIPT,), _align,
          _spec_part("meeting", "presiding", "order_of_business"), ("rapidfuzz",)),
    Stage("draft", "1", (A.TRANSCRIPT, A.TRANSLATION, A.UTTERANCES),
          (A.MINUTES, A.MINUTES_HTML, A.MINUTES_JSON, A.MINUTES_DOCX, A.SRT, A.VTT), _draft,
          lambda ctx: {"spec": ctx.spec.model_dump(mode="json"), "templates": _template_hash(),
                       "llm": ctx.options.llm().cache_key() if ctx.options.llm() else None},
          ("jinja2", "python-docx")),
)

STAGE_NAMES = tuple(stage.name for stage in STAGES)
REDRAFT = ("attribute", "align", "draft")  # what a rapporteur's correction reruns (the light tail)


def get_stage(name: str) -> Stage:
    for stage in STAGES:
        if stage.name == name:
            return stage
    raise KeyError(f"unknown stage {name!r}; stages are: {', '.join(STAGE_NAMES)}")
