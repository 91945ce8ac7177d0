"""rapporteur as a user installs it: a wheel, not the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow  # real models, real audio, real servers: `pytest -m "not slow"` skips them

RENDER = """
import json, sys
from pathlib import Path
import pipeline
from pipeline.minutes import render
from pipeline.artifacts import Translation, Utterance, from_dict
from pipeline.stages.draft import draft
from pipeline.spec import load_spec

site, run, spec_path = map(Path, sys.argv[1:4])
assert Path(pipeline.__file__).resolve().is_relative_to(site.resolve()), pipeline.__file__
assert render.PROMPTS.resolve().is_relative_to(site.resolve()), render.PROMPTS
spec = load_spec(spec_path)
utterances = [from_dict(Utterance, u) for u in json.loads((run / "transcript.json").read_text())["utterances"]]
translation = from_dict(Translation, json.loads((run / "translation.json").read_text()))
minutes = draft(utterances, spec, spec.meeting.link or spec.meeting.recording, translation=translation)
sys.stdout.write(render.markdown(minutes))
"""


def test_the_wheel_carries_the_templates_and_renders_the_minutes(sample_run, tmp_path):
    """The wheel holds the templates and the review page's files; installed on its own (no source
    tree on the path), it drafts the sample's minutes exactly as the run did."""
    dist, site, source = tmp_path / "dist", tmp_path / "site", tmp_path / "source"
    # A copy of the source, so the build leaves nothing in the working tree.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "runs", "build", "*.egg-info",
                                                               "__pycache__", ".pytest_cache", "audio_samples"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(dist), str(source)], check=True, cwd=tmp_path)
    wheel, = dist.glob("rapporteur-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"rapporteur_prompts/minutes.md.j2", "rapporteur_prompts/minutes.html.j2",
            "pipeline/review/web/review.html", "pipeline/stages/translate.py", "pipeline/text/agenda.py",
            "pipeline/stages/diarize/campplus.py", "flows/meeting.py"} <= names, sorted(names)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "--target", str(site), str(wheel)], check=True, cwd=tmp_path)
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", RENDER, str(site), str(sample_run["out"]), str(SAMPLE / "meeting.yaml")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == (sample_run["out"] / "minutes.md").read_text()
