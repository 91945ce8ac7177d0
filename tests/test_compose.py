"""audio_samples/compose.py: the composed samples are what their plans' seeds draw, and another
seed draws another meeting of the same kind (the held-out sessions a closing note scores)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.spec import load_spec

SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"
COMPOSED = ["committee-members-25", "cp-cajp-spanish-chair", "cp-csh-merged-voices"]


def compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SAMPLES / "compose.py"), *args], capture_output=True, text=True)


@pytest.mark.parametrize("name", COMPOSED)
def test_committed_sample_is_its_seeds_draw(name, tmp_path):
    done = compose(name, "--into", str(tmp_path / name))
    assert done.returncode == 0, done.stderr
    for file in ("meeting.yaml", "script.yaml"):
        assert (tmp_path / name / file).read_text() == (SAMPLES / name / file).read_text(), file


def test_another_seed_is_another_meeting_of_the_same_kind(tmp_path):
    name = "cp-csh-merged-voices"
    done = compose(name, "--seed", "9003", "--into", str(tmp_path / "held"))
    assert done.returncode == 0, done.stderr
    held, ours = (yaml.safe_load((folder / "script.yaml").read_text()) for folder in (tmp_path / "held", SAMPLES / name))
    assert held["voices"] != ours["voices"]
    assert [line["text"] for line in held["lines"]] != [line["text"] for line in ours["lines"]]
    assert held["voices"]["Mexico"] == held["voices"]["Chile"]  # the plan's forced merge holds
    spec = load_spec(tmp_path / "held" / "meeting.yaml")
    assert spec.roster_labels() == load_spec(SAMPLES / name / "meeting.yaml").roster_labels()
    assert "seed 9003" in (tmp_path / "held" / "meeting.yaml").read_text()


def test_into_takes_one_plan(tmp_path):
    done = compose(*COMPOSED[:2], "--into", str(tmp_path))
    assert done.returncode == 2 and "--into takes one plan" in done.stderr
