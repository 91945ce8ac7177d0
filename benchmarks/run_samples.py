"""Benchmark: every sample in audio_samples/ run end to end from scratch, scored against its truth.

Prints one markdown table: seconds per stage, real-time factor, peak memory, and the scores of
`rapporteur evaluate`. Each sample runs in its own process (peak RSS is that process's).

    .venv/bin/python benchmarks/run_samples.py [SAMPLE_DIR ...] [-- RUN_OPTION ...]

Options after ``--`` go to every ``rapporteur run`` (e.g. ``-- --model tiny.en --no-vocabulary``),
and an "options" column says which were used.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import score  # noqa: E402
from pipeline.engine.registry import STAGE_NAMES  # noqa: E402


# `rapporteur ARGS` in this process, then its own peak RSS (kB) as the last line of stderr.
CHILD = """
import resource, runpy, sys
sys.argv = ["rapporteur", *sys.argv[1:]]
try:
    runpy.run_module("pipeline.cli", run_name="__main__")
finally:
    print("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def bench(sample: Path, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        clock = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, "run", str(sample / "meeting.yaml"),
                               "--out", str(out), "--no-prefect", *extra], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - clock
        if done.returncode != 0:
            raise SystemExit(f"{sample.name}: run failed: {done.stderr.strip().splitlines()[-1]}")
        peak_mb = int(done.stderr.strip().splitlines()[-1].split()[-1]) / 1024
        manifest = json.loads((out / "manifest.json").read_text())
        transcript = json.loads((out / "transcript.json").read_text())
        truth = json.loads((sample / "truth.json").read_text())
        scores = score(transcript, truth)
    seconds = {s: manifest["stages"][s]["seconds"] for s in STAGE_NAMES}
    return {"sample": sample.name, "options": " ".join(extra) or "default", "audio_s": transcript["duration"], "wall_s": wall, "peak_mb": peak_mb,
            "stages": seconds, "scores": scores}


def main(argv: list[str]) -> None:
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    samples = [Path(a) for a in argv] or sorted(p.parent for p in (ROOT / "audio_samples").glob("*/truth.json"))
    rows = [bench(s, extra) for s in samples]
    head = ["sample", *(["options"] if extra else []), "audio s", *STAGE_NAMES, "wall s", "RTF", "peak RSS MB",
            "attribution", "flagged", "unflagged precise", "language", "item", "block", "WER"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        s = r["scores"]
        cells = [r["sample"], *([r["options"]] if extra else []), f"{r['audio_s']:.0f}", *(f"{r['stages'][n]:.1f}" for n in STAGE_NAMES),
                 f"{r['wall_s']:.1f}", f"{r['wall_s'] / r['audio_s']:.3f}", f"{r['peak_mb']:.0f}",
                 f"{100 * s.attribution:.1f} %", f"{100 * s.flagged:.1f} %",
                 f"{100 * s.unflagged_precision:.1f} %", f"{100 * s.language:.1f} %",
                 f"{100 * s.item:.1f} %", f"{100 * s.block:.1f} %",
                 f"{100 * s.wer:.1f} %"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
