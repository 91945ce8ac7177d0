"""Benchmark: a three-hour session, transcription and diarization alone, time and peak memory.

Builds a WAV of HOURS hours by looping the CSH sample (ffmpeg, on disk), then runs each stage in
its own process and reports seconds, real-time factor and that process's peak RSS.

    .venv/bin/python benchmarks/long_recording.py [--hours 3] [--stages transcribe:tiny.en,diarize]
    .venv/bin/python benchmarks/long_recording.py --hours 3 --stages diarize,diarize:campplus
    .venv/bin/python benchmarks/long_recording.py --hours 3 --stages resume:base --kill-after 300

``resume:MODEL`` transcribes with a checkpoint, kills the process (SIGKILL) ``--kill-after``
seconds in, then runs again to the end: the row gives the second run's seconds and how many
chunks it took from the checkpoint instead of decoding them again.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "audio_samples" / "cp-csh-1942" / "meeting.mp3"

CHILD = r"""
import json, sys, time, resource
sys.path.insert(0, {root!r})
import pipeline
from pathlib import Path
stage, arg, wav = sys.argv[1], sys.argv[2], Path(sys.argv[3])
clock = time.perf_counter()
if stage in ("transcribe", "resume"):
    from pipeline.stages.transcribe import TranscribeOptions, transcribe
    checkpoint = wav.with_suffix(".partial.jsonl") if stage == "resume" else None
    before = len(checkpoint.read_text().splitlines()) if checkpoint and checkpoint.is_file() else 0
    result = transcribe(wav, TranscribeOptions(model=arg, languages=["en"]), checkpoint_path=checkpoint)
    info = {{"segments": len(result.segments), "resumed": before}}
else:
    from pipeline.stages.diarize import DiarizeOptions, diarize_file
    result, _ = diarize_file(wav, DiarizeOptions(max_speakers=12, **({{"embedding": arg}} if arg != "-" else {{}})))
    info = {{"speakers": len(result.speakers)}}
info["seconds"] = time.perf_counter() - clock
info["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(info))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--stages", default="transcribe:tiny.en,transcribe:base,diarize")
    parser.add_argument("--kill-after", type=float, default=300.0, help="seconds before a resume: stage is killed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "long.wav"
        seconds = args.hours * 3600
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-stream_loop", "-1", "-i", str(SAMPLE),
                        "-t", str(seconds), "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], check=True)
        print("| stage | model | audio h | seconds | RTF | peak RSS MB | found |")
        print("|---|---|---|---|---|---|---|")
        for item in args.stages.split(","):
            stage, _, arg = item.partition(":")
            command = [sys.executable, "-c", CHILD.format(root=str(ROOT)), stage, arg or "-", str(wav)]
            if stage == "resume":
                try:
                    subprocess.run(command, capture_output=True, timeout=args.kill_after)  # SIGKILL at timeout
                except subprocess.TimeoutExpired:
                    pass
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"| {stage} | {arg} | failed: {done.stderr.strip().splitlines()[-1]} |")
                continue
            info = json.loads(done.stdout.strip().splitlines()[-1])
            found = f"{info['speakers']} speakers" if "speakers" in info else f"{info['segments']} segments"
            if stage == "resume":
                found += f", {info['resumed']} checkpoint lines reused after a kill at {args.kill_after:.0f} s"
            print(f"| {stage} | {arg or 'default'} | {args.hours:g} | {info['seconds']:.0f} | "
                  f"{info['seconds'] / seconds:.3f} | {info['peak_mb']:.0f} | {found} |", flush=True)


if __name__ == "__main__":
    main()
