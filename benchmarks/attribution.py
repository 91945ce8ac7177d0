"""Benchmark: attribution, alignment and the draft of another revision against this tree's, in one run.

Every sample is transcribed and diarized once (by this tree, in a cache folder that later runs
reuse); then each revision re-runs the pipeline from the attribute stage on a copy of that work
folder, and both are scored against the sample's truth by this tree's ``rapporteur evaluate``
measures (the minutes' too: points taken from floor management, decisions recorded, items in the
order spoken, delegation lists). An earlier stage that a revision's code changes reruns as well
(diarization takes its speaker bounds from the floor cues, so a change of cues reruns it): the
"also reran" column names them. Transcription is shared.

    .venv/bin/python benchmarks/attribution.py [--against REV] [--cache DIR] [SAMPLE_DIR ...]

``--against`` defaults to HEAD: the last commit against uncommitted changes (on a clean tree both
rows are the same code). Prints one markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import score, score_minutes  # noqa: E402
from pipeline.spec import load_spec  # noqa: E402
from pipeline.engine.registry import STAGE_NAMES  # noqa: E402

# `rapporteur ARGS` with the pipeline package of the current directory.
CHILD = "import runpy, sys; sys.argv = ['rapporteur', *sys.argv[1:]]; runpy.run_module('pipeline.cli', run_name='__main__')"


def rapporteur(tree: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"rapporteur {' '.join(args)} in {tree}: {done.stderr.strip()[-800:]}")
    return done.stdout


def key_of(sample: Path) -> str:
    """The sample's name in the cache and scratch folders: a held-out meeting of a sample's kind
    (``compose.py NAME --seed N --into DIR``) shares the sample's name, so it takes its folder's too."""
    sample = sample.resolve()
    return sample.name if sample.parent == ROOT / "audio_samples" else f"{sample.parent.name}-{sample.name}"


def scored(tree: Path, base: Path, sample: Path, scratch: Path) -> dict:
    work = scratch / f"{key_of(sample)}-{tree.name}"
    shutil.copytree(base, work)
    report = rapporteur(tree, "reprocess", str(work), "--from", "attribute", "--no-prefect")
    ran = [name for name, status in re.findall(r"\| (\w+)\s+\| (reused|ran)", report)
           if status == "ran" and STAGE_NAMES.index(name) < STAGE_NAMES.index("attribute")]
    transcript = json.loads((work / "transcript.json").read_text())
    truth = json.loads((sample / "truth.json").read_text())
    minutes = score_minutes(json.loads((work / "minutes.json").read_text()), (work / "minutes.md").read_text(),
                            truth, load_spec(sample / "meeting.yaml"))
    found = len({u["attribution"] for u in transcript["utterances"] if u["attribution"]})
    return {"scores": score(transcript, truth), "minutes": minutes, "labels": found, "ran": ", ".join(ran) or "-",
            "voices": len({u["speaker"] for u in transcript["utterances"]})}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("samples", nargs="*", type=Path)
    parser.add_argument("--against", default="HEAD")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "rapporteur-attribution-cache")
    args = parser.parse_args(argv)
    samples = args.samples or sorted(p.parent for p in (ROOT / "audio_samples").glob("*/truth.json"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        old = scratch / "against"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), args.against], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            for sample in samples:
                base = args.cache / key_of(sample)
                rapporteur(ROOT, "run", str(sample.resolve() / "meeting.yaml"), "--out", str(base), "--no-prefect")
                truth = json.loads((sample / "truth.json").read_text())
                people = len({u["attribution"] for u in truth["utterances"]})
                for name, tree in ((args.against, old), ("this tree", ROOT)):
                    rows.append({"sample": sample.name, "code": name, "people": people,
                                 "audio_min": truth["duration"] / 60, **scored(tree, base, sample, scratch)})
                    print(f"{sample.name} {name}: {100 * rows[-1]['scores'].attribution:.1f} %", file=sys.stderr)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
    head = ["sample", "code", "also reran", "people", "min", "voices", "labels used", "attribution", "flagged",
            "unflagged precise", "item", "block", "floor points", "decisions said/recorded", "items in order",
            "delegations listed P/R"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        s, m = r["scores"], r["minutes"]
        print("| " + " | ".join([r["sample"], r["code"], r["ran"], str(r["people"]), f"{r['audio_min']:.1f}", str(r["voices"]),
                                 str(r["labels"]), f"{100 * s.attribution:.1f} %", f"{100 * s.flagged:.1f} %",
                                 f"{100 * s.unflagged_precision:.1f} %", f"{100 * s.item:.1f} %",
                                 f"{100 * s.block:.1f} %", str(m.floor_points), f"{m.decisions_said}/{m.decisions_recorded}",
                                 f"{m.items_in_order}/{m.items}",
                                 f"{100 * m.delegation_precision:.0f}/{100 * m.delegation_recall:.0f} %"]) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
