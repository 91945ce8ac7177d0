"""The ledger's own states (#20 item 8): corrupt files, stale claims, retries, racing intakes.

Real files, real processes: two intakes racing for a recording are separate processes claiming
at the same instant; a worker killed mid-meeting is a process killed with SIGKILL.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.service import ledger as L
from pipeline.service.intake import discover, load_config

from conftest import ROOT

KEY = "ab" * 32 + "-v0.1.0"


def _entry(tmp_path: Path) -> Path:
    return tmp_path / L.LEDGER_DIR / f"{KEY}.json"


def _age_file(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _stamp(seconds_ago: float) -> str:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds_ago)).isoformat(timespec="seconds")


def test_a_corrupt_entry_is_taken_again_once_and_kept_aside(tmp_path):
    messages: list[str] = []
    ledger = L.Ledger(tmp_path, log=messages.append)
    assert ledger.claim(KEY, run_dir="/x")
    ledger.update(KEY, status="done")
    path = _entry(tmp_path)
    path.write_text('{"status": "do')  # truncated by a crash of the disk
    _age_file(path, 2 * L.WRITE_GRACE_SECONDS)
    assert ledger.get(KEY)["status"] == "corrupt"
    assert ledger.offered(ledger.get(KEY))
    assert ledger.claim(KEY, run_dir="/x")
    assert not ledger.claim(KEY, run_dir="/x")  # taken now: once
    entry = ledger.get(KEY)
    assert entry["status"] == "claimed" and entry["recovered_from"].startswith(f"{KEY}.json.corrupt-")
    assert (path.parent / entry["recovered_from"]).read_text() == '{"status": "do'
    assert len(messages) == 1 and str(path) in messages[0] and "taken again" in messages[0]


def test_an_entry_being_written_is_held_not_taken(tmp_path):
    ledger = L.Ledger(tmp_path)
    path = _entry(tmp_path)
    path.write_text("")  # created by a claim that has not written yet
    assert ledger.get(KEY)["status"] == "claimed"
    assert not ledger.claim(KEY)
    assert path.read_text() == ""


def test_a_corrupt_seen_file_is_forgotten_with_a_warning(tmp_path):
    messages: list[str] = []
    ledger = L.Ledger(tmp_path, log=messages.append)
    ledger.remember("inbox", "a.mp3", "ff" * 32)
    (seen,) = (tmp_path / L.LEDGER_DIR).glob("seen-*.json")
    seen.write_bytes(b"\x00\xff{")
    assert ledger.seen("inbox") == {}
    assert len(messages) == 1 and "hashed again" in messages[0]
    assert list((tmp_path / L.LEDGER_DIR).glob("seen-*.json.corrupt-*"))
    ledger.remember("inbox", "a.mp3", "ff" * 32)  # and it works again
    assert ledger.seen("inbox") == {"a.mp3": "ff" * 32}


@pytest.mark.parametrize("status, age, stale", [
    ("running", L.RUNNING_STALE_SECONDS + 60, True),
    ("running", L.HEARTBEAT_SECONDS, False),
    ("claimed", L.CLAIMED_STALE_SECONDS + 60, True),
    ("claimed", L.RUNNING_STALE_SECONDS + 60, False),  # queued behind other meetings: not lost
    ("done", 10 * L.CLAIMED_STALE_SECONDS, False),
])
def test_unfinished_entries_expire_after_their_age(tmp_path, status, age, stale):
    ledger = L.Ledger(tmp_path)
    assert ledger.claim(KEY)
    entry = {**ledger.get(KEY), "status": status, "updated_at": _stamp(age)}
    _entry(tmp_path).write_text(json.dumps(entry))
    assert ledger.stale(ledger.get(KEY)) is stale
    assert ledger.claim(KEY) is stale
    if stale:
        assert ledger.get(KEY)["attempts"] == 2 and ledger.get(KEY)["status"] == "claimed"


def test_failed_runs_are_retried_up_to_max_attempts(tmp_path):
    ledger = L.Ledger(tmp_path)
    for attempt in range(1, L.MAX_ATTEMPTS + 1):
        assert ledger.claim(KEY), attempt
        assert ledger.get(KEY)["attempts"] == attempt
        assert not ledger.claim(KEY)  # while it is claimed, nobody else takes it
        ledger.update(KEY, status="failed", error="boom")
    assert not ledger.offered(ledger.get(KEY))
    assert not ledger.claim(KEY)
    assert ledger.get(KEY)["status"] == "failed"


def test_the_heartbeat_keeps_an_entry_fresh_and_never_outlives_its_block(tmp_path):
    ledger = L.Ledger(tmp_path)
    assert ledger.claim(KEY)
    ledger.update(KEY, status="running", updated_at=_stamp(3600))
    with ledger.heartbeat(KEY, every=0.05):
        time.sleep(0.5)
        assert not ledger.stale(ledger.get(KEY))
        assert ledger.get(KEY)["status"] == "running"
    ledger.update(KEY, status="done")
    time.sleep(0.3)
    assert ledger.get(KEY)["status"] == "done"


HEARTBEAT_CHILD = """
import sys, time
from pipeline.service.ledger import Ledger
ledger = Ledger(sys.argv[1])
ledger.update(sys.argv[2], status="running")
with ledger.heartbeat(sys.argv[2], every=0.05):
    print("beating", flush=True)
    time.sleep(600)
"""


def test_a_killed_process_stops_beating_and_its_entry_goes_stale(tmp_path):
    ledger = L.Ledger(tmp_path)
    assert ledger.claim(KEY)
    child = subprocess.Popen([sys.executable, "-c", HEARTBEAT_CHILD, str(tmp_path), KEY], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "beating"
        time.sleep(1.2)  # long enough for a beat (stamps are whole seconds)
        assert ledger.get(KEY)["updated_at"] != ledger.get(KEY)["claimed_at"]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    last = ledger.get(KEY)
    time.sleep(1.2)
    assert ledger.get(KEY) == last  # nobody beats for it any more
    later = time.time() + L.RUNNING_STALE_SECONDS + 1
    assert ledger.stale(last, now=later) and not ledger.stale(last)


def _race(root: str, key: str, start: float, queue) -> None:
    while time.time() < start:
        pass
    queue.put(L.Ledger(Path(root)).claim(key, pid=os.getpid()))


@pytest.mark.parametrize("state", ["new", "failed", "corrupt", "stale"])
def test_racing_intakes_take_a_recording_once(tmp_path, state):
    ledger = L.Ledger(tmp_path)
    if state != "new":
        assert ledger.claim(KEY)
        if state == "failed":
            ledger.update(KEY, status="failed")
        elif state == "stale":
            ledger.update(KEY, status="running")
            entry = {**ledger.get(KEY), "updated_at": _stamp(L.RUNNING_STALE_SECONDS + 60)}
            _entry(tmp_path).write_text(json.dumps(entry))
        else:
            _entry(tmp_path).write_text("{")
            _age_file(_entry(tmp_path), 2 * L.WRITE_GRACE_SECONDS)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start = time.time() + 3.0
    racers = [context.Process(target=_race, args=(str(tmp_path), KEY, start, queue)) for _ in range(6)]
    for racer in racers:
        racer.start()
    results = [queue.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=30)
    assert sorted(results) == [False] * 5 + [True]
    assert ledger.get(KEY)["status"] == "claimed"


def test_intake_retakes_a_recording_whose_entry_was_lost_into_its_own_folder(tmp_path):
    """A corrupt entry: discovery takes the recording again, into the run folder that holds it
    (so the run resumes there), and says so; a second discovery takes nothing."""
    sample = ROOT / "audio_samples" / "cp-csh-corrections"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample / "meeting.yaml", inbox / "meeting.yaml")
    shutil.copy(sample / "meeting.mp3", inbox / "meeting.mp3")
    (tmp_path / "rapporteur.yaml").write_text("work_root: runs\nsources:\n  - {kind: folder, path: inbox}\n")
    config = load_config(tmp_path / "rapporteur.yaml")
    (first,) = discover(config, log=print)
    # The run got as far as ingest, then the disk lost the ledger entry's tail.
    first.run_dir.mkdir(parents=True)
    sha256 = first.key.split("-v")[0]
    (first.run_dir / "ingest.json").write_text(json.dumps({"sha256": sha256}))
    path = tmp_path / "runs" / L.LEDGER_DIR / f"{first.key}.json"
    path.write_text(path.read_text()[:20])
    _age_file(path, 2 * L.WRITE_GRACE_SECONDS)
    messages: list[str] = []
    (again,) = discover(config, log=messages.append)
    assert again.key == first.key and again.run_dir == first.run_dir
    assert any("unreadable" in m and "taken again" in m for m in messages)
    assert discover(config, log=print) == []


def test_an_entry_removed_by_hand_starts_afresh(tmp_path):
    """The README's way out after three failures: remove the entry, and the recording is taken again."""
    ledger = L.Ledger(tmp_path)
    for _ in range(L.MAX_ATTEMPTS):
        assert ledger.claim(KEY)
        ledger.update(KEY, status="failed")
    _entry(tmp_path).unlink()
    assert ledger.claim(KEY)
    ledger.update(KEY, status="failed")
    assert ledger.claim(KEY) and ledger.get(KEY)["attempts"] == 2
