"""Benchmark (#20 item 3): a burst of recordings dropped into the inbox at once, two workers.

Starts a real Prefect server on 127.0.0.1 (SQLite, its own PREFECT_HOME), deploys ``process``
from ``prefect.yaml`` on a process work pool, starts two workers (``--limit`` each), drops N
distinct clips of the sample meeting into an inbox with their specs, submits them with one
``rapporteur intake --submit``, and waits until every ledger entry is done. Prints one table:
meetings, done once (ledger attempts, distinct flow runs, the server's COMPLETED count), the most
heavy stages that ever ran at once on this machine (against ``RAPPORTEUR_HEAVY_SLOTS``), total
time, and the peak memory of everything the workers started (sum of RSS over their process
trees, sampled every 0.5 s from /proc).

    .venv/bin/python benchmarks/burst.py [--meetings 20] [--seconds 20] [--limit 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "audio_samples" / "cp-csh-1942"
PREFECT = [sys.executable, "-m", "prefect"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _rss_mb(roots: list[int]) -> float:
    """Resident memory of these processes and all their descendants, MB."""
    tree, todo, total = _children(), list(roots), 0
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _most_at_once(intervals: list[tuple[str, str]]) -> int:
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals], key=lambda e: (e[0], e[1]))
    now = most = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each clip")
    parser.add_argument("--limit", type=int, default=1, help="flow runs at once per worker")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        port = _port()
        env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect-home"), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
               "PREFECT_WORKER_QUERY_SECONDS": "2", "PREFECT_WORKER_PREFETCH_SECONDS": "2",
               "RAPPORTEUR_HOME": str(ROOT), "RAPPORTEUR_SLOTS_DIR": str(tmp / "slots")}
        server = subprocess.Popen([*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=open(tmp / "server.log", "wb"))
        workers: list[subprocess.Popen] = []
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit(f"prefect server did not start: {(tmp / 'server.log').read_text()[-2000:]}")
                    time.sleep(0.5)
            for command in (["work-pool", "create", "rapporteur", "--type", "process"],
                            ["--no-prompt", "deploy", "--name", "process"]):
                subprocess.run([*PREFECT, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
            inbox = tmp / "inbox"
            inbox.mkdir()
            spec = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
            span = 200.0 - args.seconds
            for n in range(args.meetings):  # distinct stretches: each is a recording of its own
                start = round(span * n / max(1, args.meetings - 1), 2)
                subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", str(start), "-t", str(args.seconds),
                                "-i", str(SAMPLE / "meeting.mp3"), str(inbox / f"m{n:02d}.mp3")], check=True)
                spec["meeting"].update(id=f"CP/BURST/{n:02d}", recording=f"m{n:02d}.mp3")
                (inbox / f"m{n:02d}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
            config = tmp / "rapporteur.yaml"
            config.write_text(yaml.safe_dump({"work_root": "runs", "sources": [{"kind": "folder", "path": "inbox"}]}))
            workers = [subprocess.Popen([*PREFECT, "worker", "start", "--pool", "rapporteur", "--limit", str(args.limit),
                                         "--name", f"worker-{i}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL) for i in (1, 2)]
            peak, stop = [0.0], threading.Event()

            def sample() -> None:
                while not stop.wait(0.5):
                    peak[0] = max(peak[0], _rss_mb([w.pid for w in workers]))

            threading.Thread(target=sample, daemon=True).start()
            began = time.monotonic()
            submit = subprocess.run([sys.executable, "-m", "pipeline.cli", "intake", str(config), "--submit",
                                     "rapporteur-process-meeting/process"], cwd=ROOT, env=env, capture_output=True,
                                    text=True, timeout=600)
            if submit.returncode != 0:
                raise SystemExit(f"intake failed: {submit.stderr[-2000:]}")
            ledger = tmp / "runs" / ".ledger"
            deadline = time.monotonic() + 3600
            while time.monotonic() < deadline:
                entries = [json.loads(p.read_text()) for p in ledger.glob("*-v*.json")]
                if len(entries) == args.meetings and all(e["status"] in ("done", "failed") for e in entries):
                    break
                time.sleep(2)
            else:
                raise SystemExit(f"not all processed within an hour: {[e['status'] for e in entries]}")
            total = time.monotonic() - began
            stop.set()
            listed = subprocess.run([*PREFECT, "flow-run", "ls", "--flow-name", "rapporteur-process-meeting",
                                     "--limit", str(4 * args.meetings)], cwd=ROOT, env={**env, "COLUMNS": "300"},
                                    capture_output=True, text=True, timeout=120).stdout
        finally:
            for process in [*workers, server]:
                process.terminate()
            for process in [*workers, server]:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
        runs = sorted(p for p in (tmp / "runs").iterdir() if not p.name.startswith("."))
        manifests = [json.loads((p / "manifest.json").read_text()) for p in runs]
        heavy = [(m["stages"][s]["started_at"], m["stages"][s]["finished_at"]) for m in manifests
                 for s in ("transcribe", "diarize", "voiceprint", "translate") if m["stages"].get(s, {}).get("finished_at")]
        done = sum(e["status"] == "done" for e in entries)
        once = sum(e["status"] == "done" and e.get("attempts") == 1 for e in entries)
        shutil.rmtree(tmp / "runs", ignore_errors=True)
    slots = os.environ.get("RAPPORTEUR_HEAVY_SLOTS", "1")
    head = ["meetings", "clip s", "workers x limit", "done", "done at the first attempt", "flow runs",
            "COMPLETED on the server", "run folders", "most heavy stages at once (slots)", "total s",
            "s per meeting", "peak RSS of the workers' trees MB"]
    row = [str(args.meetings), f"{args.seconds:.0f}", f"2 x {args.limit}", str(done), str(once),
           str(len({e.get('flow_run') for e in entries})), str(listed.count("COMPLETED")), str(len(runs)),
           f"{_most_at_once(heavy)} ({slots})", f"{total:.0f}", f"{total / args.meetings:.1f}", f"{peak[0]:.0f}"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
