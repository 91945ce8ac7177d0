"""Shared fixtures: the embedded sample, and a real `rapporteur run` of it (once per session)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The voice bank is shared by all meetings on a machine and attribution consults it: the tests get
# an empty one of their own, never the developer's (a test that files voices sets its own).
os.environ["RAPPORTEUR_VOICES"] = tempfile.mkdtemp(prefix="rapporteur-test-voices-")
atexit.register(shutil.rmtree, os.environ["RAPPORTEUR_VOICES"], ignore_errors=True)
SAMPLE = ROOT / "audio_samples" / "cp-csh-1942"
NETAUDIT = Path(__file__).resolve().parent / "netaudit"


def run_cli(*args: str, net_log: Path | None = None, timeout: int = 900,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """`rapporteur ARGS` in a fresh process, with socket auditing when ``net_log`` is given."""
    env = {**os.environ, **(env or {})}
    if net_log is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETAUDIT), env.get("PYTHONPATH")]))
        env["RAPPORTEUR_NET_LOG"] = str(net_log)
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The sample meeting run end to end through the Prefect flow, with sockets audited."""
    out = tmp_path_factory.mktemp("sample-run")
    net_log = out.parent / "sample-net.jsonl"
    done = run_cli("run", str(SAMPLE / "meeting.yaml"), "--out", str(out), net_log=net_log)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"out": out, "stdout": done.stdout, "stderr": done.stderr, "net_log": net_log}


def load_json(path: Path):
    return json.loads(Path(path).read_text())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, process, log: Path, seconds: float = 120.0) -> None:
    """Poll ``url`` until it answers; fail with the end of ``log`` if ``process`` dies or time runs out.
    (Servers under test log to a file: an unread pipe fills up and blocks them.)"""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"{url}: the server exited: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
    pytest.fail(f"{url}: no answer within {seconds:.0f} s: {log.read_text(errors='replace')[-2000:]}")


class Recorder:
    """A loopback HTTP server that records every request (method, path, body) and answers
    ``status`` with no body: a webhook receiver, or a URL that must never be fetched."""

    def __init__(self, status: int = 204):
        import http.server
        import threading

        requests = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                requests.append((self.command, self.path, self.rfile.read(length).decode()))
                self.send_response(status)
                self.end_headers()

            do_GET = do_POST = _record

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
