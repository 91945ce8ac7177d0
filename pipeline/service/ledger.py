"""The ledger of recordings taken in: what makes "process each new recording once" true.

A recording is known by its content (sha256) and the pipeline version that processes it, not by
its name or address: the same MP3 published twice, or dropped into the folder under another
name, is one meeting. Each key is one small JSON file under ``<work_root>/.ledger/``; a claim is
an exclusive create (``O_CREAT|O_EXCL``), atomic on a local or NFS-shared disk, so two schedulers
or two workers can never both take the same recording. Later updates rewrite the entry atomically.

Entry status: ``claimed`` (discovery took it) → ``running`` → ``done`` or ``failed``. A failed
entry is offered again by the next discovery, up to :data:`MAX_ATTEMPTS` times, and so is one
whose process died without saying so (:meth:`Ledger.stale`): a ``running`` entry is kept fresh by
a heartbeat of the process running it (:meth:`Ledger.heartbeat`), so one not touched for
:data:`RUNNING_STALE_SECONDS` lost its process; a ``claimed`` one never started within
:data:`CLAIMED_STALE_SECONDS` was lost between discovery and a worker. Taking over a stale entry
counts as an attempt. An entry that cannot be read, and is not being written, reads as
``corrupt``: its recording is taken again (a copy of the bad file kept as
``<key>.json.corrupt-<mtime>``, a warning logged), and its run folder, found again by the
recording's hash, resumes, so nothing done is redone. Reading it as "claimed", as before, never
processed that recording again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from pipeline import __version__
from pipeline.artifacts import atomic_write_bytes

MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 30.0  # a running entry's process touches it this often ...
RUNNING_STALE_SECONDS = 600.0  # ... so untouched this long (20 beats missed), its process is gone
STALE_ENV = "RAPPORTEUR_STALE_AFTER"  # seconds, instead of RUNNING_STALE_SECONDS (beats 20 times as often)
CLAIMED_STALE_SECONDS = 24 * 3600.0  # submitted and never started in a day: the flow run was lost
WRITE_GRACE_SECONDS = 60.0  # an unreadable entry younger than this is a claim being written
KEY = re.compile(r"[0-9a-f]{64}-v[0-9A-Za-z.+]+")
LEDGER_DIR = ".ledger"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def recording_key(sha256: str) -> str:
    return f"{sha256}-v{__version__}"


def running_stale_seconds() -> float:
    """How long a running entry may go untouched (:data:`STALE_ENV`, else :data:`RUNNING_STALE_SECONDS`)."""
    return float(os.environ.get(STALE_ENV) or RUNNING_STALE_SECONDS)


def _age(entry: dict, now: float) -> float:
    """Seconds since the entry was last written (its heartbeat, update or claim)."""
    stamp = entry.get("updated_at") or entry.get("claimed_at")
    try:
        return now - dt.datetime.fromisoformat(stamp).timestamp()
    except (TypeError, ValueError):
        return float("inf")  # no readable time: as old as can be


class Ledger:
    def __init__(self, work_root: Path, log: Callable[[str], object] | None = None):
        self.root = Path(work_root) / LEDGER_DIR
        self.root.mkdir(parents=True, exist_ok=True)
        self.log = log or logging.getLogger("rapporteur.ledger").warning

    def _path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError(f"not a ledger key: {key!r}")
        return self.root / f"{key}.json"

    def get(self, key: str) -> Optional[dict]:
        path = self._path(key)
        try:
            entry = json.loads(path.read_text())
            if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
                raise ValueError("not a ledger entry")
            return entry
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError) as exc:
            try:
                mtime = path.stat().st_mtime_ns
            except FileNotFoundError:
                return None
            if time.time() - mtime / 1e9 < WRITE_GRACE_SECONDS:
                return {"status": "claimed", "claimed_at": _now()}  # being written: someone holds it
            return {"status": "corrupt", "mtime_ns": mtime, "error": str(exc)[:120]}

    def stale(self, entry: dict, now: float | None = None) -> bool:
        """Whether an unfinished entry lost its process: ``running`` without a heartbeat for
        :data:`RUNNING_STALE_SECONDS`, or ``claimed`` and never started for :data:`CLAIMED_STALE_SECONDS`."""
        now = time.time() if now is None else now
        limit = {"running": running_stale_seconds(), "claimed": CLAIMED_STALE_SECONDS}.get(entry.get("status"))
        return limit is not None and _age(entry, now) > limit

    def offered(self, entry: dict | None) -> bool:
        """Whether discovery may take this recording: new, failed or stale, with attempts left."""
        if not entry or entry.get("status") == "corrupt":
            return True
        if entry.get("status") != "failed" and not self.stale(entry):
            return False
        return entry.get("attempts", 1) < MAX_ATTEMPTS

    def claim(self, key: str, **info) -> bool:
        """Take ``key`` for processing; False if it is taken (or done) already.

        A failed or stale entry with attempts left is taken over (its attempts counted): one
        claimant per round, however many race for it."""
        entry = {"status": "claimed", "claimed_at": _now(), "host": socket.gethostname(), "attempts": 1, **info,
                 "write": uuid.uuid4().hex[:12]}
        path = self._path(key)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            current = self.get(key)
            if current is None:  # removed by hand just now
                return self.claim(key, **info)
            if not self.offered(current):
                return False
            corrupt = current["status"] == "corrupt"
            # One claimant per round, however many race for it: the round is named by the entry
            # they all read (an entry removed by hand and claimed again starts new rounds).
            round_ = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
            try:
                os.close(os.open(path.with_name(f"{path.stem}.retry{round_}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                return False
            if corrupt:
                aside = path.with_name(f"{path.name}.corrupt-{current['mtime_ns']}")
                shutil.copyfile(path, aside)
                self.log(f"ledger: {path} is unreadable ({current['error']}); kept as {aside.name}, "
                         "its recording is taken again")
                atomic_write_bytes(path, json.dumps({**entry, "recovered_from": aside.name}, indent=1).encode())
                return True
            if current["status"] != "failed":
                self.log(f"ledger: {key[:12]}… was {current['status']} and untouched for "
                         f"{_age(current, time.time()):.0f} s: its process is gone, taken again")
            # the flow run of a process that died: the scheduler marks it crashed (flows.intake)
            entry["abandoned_flow_runs"] = ([r for r in (current.get("flow_run"), current.get("root_flow_run")) if r]
                                            if current["status"] == "running" else [])
            entry["attempts"] = current.get("attempts", 1) + 1
            self.update(key, **entry)
            return True
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(entry, indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        return True

    @contextmanager
    def heartbeat(self, key: str, every: float | None = None) -> Iterator[None]:
        """Keep ``key``'s entry fresh while the block runs, so it is not taken for stale; stopped
        (and joined) before the block's own last update, which it must never overwrite."""
        every = every or min(HEARTBEAT_SECONDS, running_stale_seconds() / 20)
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every):
                try:
                    self.update(key)
                except OSError as exc:  # a full or unreachable disk: the run itself will say so
                    self.log(f"ledger: heartbeat of {key[:12]}… failed ({exc})")

        thread = threading.Thread(target=beat, name=f"ledger-heartbeat-{key[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def update(self, key: str, **fields) -> dict:
        # ``write`` makes every version of an entry unique, so it can name a retry round.
        entry = {**(self.get(key) or {}), **fields, "updated_at": _now(), "write": uuid.uuid4().hex[:12]}
        atomic_write_bytes(self._path(key), json.dumps(entry, indent=1, ensure_ascii=False).encode())
        return entry

    # ---- what discovery has looked at: not to download or hash the same thing every tick ----
    def seen(self, source: str) -> dict[str, str]:
        """Addresses (or file signatures) already hashed, for one source: name -> sha256."""
        path = self.root / f"seen-{_safe(source)}.json"
        try:
            seen = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except (ValueError, UnicodeDecodeError) as exc:
            seen = exc
        if isinstance(seen, dict) and all(isinstance(v, str) for v in seen.values()):
            return seen
        # Only a memo of what was hashed: forgetting it costs one more hash of each file (the
        # ledger still knows every recording by content), so it is moved aside, not fatal.
        aside = path.with_name(f"{path.name}.corrupt-{time.time_ns()}")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            return {}
        why = str(seen)[:80] if isinstance(seen, Exception) else "not a map of names to hashes"
        self.log(f"ledger: {path} was unreadable ({why}); kept as {aside.name}, its files are hashed again")
        return {}

    def remember(self, source: str, name: str, sha256: str) -> None:
        seen = self.seen(source)
        seen[name] = sha256
        atomic_write_bytes(self.root / f"seen-{_safe(source)}.json", json.dumps(seen, indent=1).encode())


def _safe(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
