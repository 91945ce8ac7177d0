"""Model files: found where the packages put them, verified by hash, refused when corrupt."""

from __future__ import annotations

import shutil

import pytest

from pipeline import models
from pipeline.models import ModelError


def test_tiny_en_comes_from_its_package():
    path = models.whisper_model_path("tiny.en")
    assert (path / "model.bin").is_file() and (path / "config.json").is_file()


def test_segmentation_model_is_installed_and_verified():
    path = models.verify_member(models.SEGMENTATION)
    assert path.stat().st_size == models.SEGMENTATION.size


def test_corrupt_segmentation_model_is_detected(tmp_path, monkeypatch):
    good = models.verify_member(models.SEGMENTATION)
    monkeypatch.setenv("RAPPORTEUR_MODELS", str(tmp_path))
    copy = models.member_path(models.SEGMENTATION)
    copy.parent.mkdir(parents=True)
    shutil.copy(good, copy)
    with open(copy, "r+b") as handle:  # flip one byte, keep the size
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelError, match="fails its sha256 check"):
        models.verify_member(models.SEGMENTATION)
    copy.write_bytes(b"truncated")
    with pytest.raises(ModelError, match="expected 17719103"):
        models.verify_member(models.SEGMENTATION)


def test_unknown_model_name_is_refused():
    with pytest.raises(ModelError, match="unknown model 'large-v9'"):
        models.whisper_model_path("large-v9")


def test_local_directory_must_be_ctranslate2(tmp_path):
    with pytest.raises(ModelError, match="no model.bin"):
        models.whisper_model_path(str(tmp_path))
