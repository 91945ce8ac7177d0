"""The ledger of recordings taken in: what makes "process each new recording once" true.

A recording is known by its content (sha256) and the pipeline version that processes it, not by
its name or address: the same MP3 published twice, or dropped into the folder under another
name, is one meeting. Each key is one small JSON file under ``<work_root>/.ledger/``; a claim is
an exclusive create (``O_CREAT|O_EXCL``), atomic on a local or NFS-shared disk, so two schedulers
or two workers can never both take the same recording. Later updates rewrite the entry atomically.

Entry status: ``claimed`` (discovery took it) → ``running`` → ``done`` or ``failed``. A failed
entry is offered again by the next discovery, up to :data:`MAX_ATTEMPTS` times.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
from pathlib import Path
from typing import Optional

from pipeline import __version__
from pipeline.artifacts import atomic_write_bytes

MAX_ATTEMPTS = 3
KEY = re.compile(r"[0-9a-f]{64}-v[0-9A-Za-z.+]+")
LEDGER_DIR = ".ledger"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def recording_key(sha256: str) -> str:
    return f"{sha256}-v{__version__}"


class Ledger:
    def __init__(self, work_root: Path):
        self.root = Path(work_root) / LEDGER_DIR
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError(f"not a ledger key: {key!r}")
        return self.root / f"{key}.json"

    def get(self, key: str) -> Optional[dict]:
        path = self._path(key)
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except ValueError:
            return {"status": "claimed"}  # being written: someone holds it

    def claim(self, key: str, **info) -> bool:
        """Take ``key`` for processing; False if it is taken (or done) already.

        A failed entry with attempts left is taken over (its attempts counted)."""
        entry = {"status": "claimed", "claimed_at": _now(), "host": socket.gethostname(), "attempts": 1, **info}
        path = self._path(key)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            current = self.get(key) or {}
            if current.get("status") != "failed" or current.get("attempts", 1) >= MAX_ATTEMPTS:
                return False
            retry = path.with_name(f"{path.stem}.retry{current.get('attempts', 1)}")
            try:  # one claimant per retry round
                os.close(os.open(retry, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                return False
            entry["attempts"] = current.get("attempts", 1) + 1
            self.update(key, **entry)
            return True
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(entry, indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        return True

    def update(self, key: str, **fields) -> dict:
        entry = {**(self.get(key) or {}), **fields, "updated_at": _now()}
        atomic_write_bytes(self._path(key), json.dumps(entry, indent=1, ensure_ascii=False).encode())
        return entry

    # ---- what discovery has looked at: not to download or hash the same thing every tick ----
    def seen(self, source: str) -> dict[str, str]:
        """Addresses (or file signatures) already hashed, for one source: name -> sha256."""
        path = self.root / f"seen-{_safe(source)}.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def remember(self, source: str, name: str, sha256: str) -> None:
        seen = self.seen(source)
        seen[name] = sha256
        atomic_write_bytes(self.root / f"seen-{_safe(source)}.json", json.dumps(seen, indent=1).encode())


def _safe(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]
