"""Scheduled intake and scale-out: sources found once, reprocessing, a real Prefect server with
two workers sharing three meetings."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SAMPLE, free_port, load_json, run_cli, wait_until_serving

from pipeline.service.intake import Listed, parse_listing, spec_from_template

pytestmark = pytest.mark.slow  # real models, real audio, real servers: `pytest -m "not slow"` skips them

PREFECT = [sys.executable, "-m", "prefect"]


def _clip(dest: Path, start: float, seconds: float = 20.0) -> Path:
    """A short real recording: a stretch of the sample meeting."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", str(start), "-t", str(seconds),
                    "-i", str(SAMPLE / "meeting.mp3"), "-c", "copy", str(dest)], check=True)
    return dest


def _spec(dest: Path, meeting_id: str, recording: str, date: str | None = None) -> Path:
    data = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
    data["meeting"].update(id=meeting_id, recording=recording)
    if date:
        data["meeting"]["date"] = date
    dest.write_text(yaml.safe_dump(data, sort_keys=False))
    return dest


class _Site:
    """A static web server on 127.0.0.1 that records the paths asked for."""

    def __init__(self, root: Path):
        requests = self.requests = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, *args):
                requests.append(self.path)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_listings_in_json_rss_and_html():
    base = "https://www.oas.org/es/council/audio/"
    html = b'<ul><li><a href="CP-CSH_2019-12-05.mp3">Sesi&oacute;n <b>5 dic</b></a></li>' \
           b'<li><a href="/docs/agenda.pdf">agenda</a></li><li><a href="javascript:alert(1)">x.mp3</a></li></ul>'
    assert parse_listing(html, base) == [Listed(base + "CP-CSH_2019-12-05.mp3", "Sesión 5 dic", "2019-12-05")]
    rss = b"""<?xml version="1.0"?><rss><channel><item><title>Special meeting</title>
      <pubDate>Thu, 05 Dec 2019 15:00:00 GMT</pubDate>
      <enclosure url="https://cdn.example.org/a.mp3" type="audio/mpeg"/></item></channel></rss>"""
    assert parse_listing(rss, base) == [Listed("https://cdn.example.org/a.mp3", "Special meeting", "2019-12-05")]
    feed = json.dumps({"recordings": [{"url": "b.mp3", "title": "B", "date": "2020-01-02"}, "c.m4a", "file:///etc/x.mp3"]})
    assert [x.url for x in parse_listing(feed.encode(), base)] == [base + "b.mp3", base + "c.m4a"]


def test_a_template_takes_outside_values_as_data(tmp_path):
    template = tmp_path / "template.yaml"
    data = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
    data["meeting"]["id"] = "CP/CSH/{date}/{stem}"
    del data["meeting"]["recording"], data["meeting"]["date"]
    template.write_text(yaml.safe_dump(data))
    hostile = Listed("https://x.org/a%0Ab.mp3", "x\nmeeting:\n  id: pwned", "2019-12-05")
    spec = spec_from_template(template, hostile, "recording.mp3", "ab" * 32)
    assert spec["meeting"]["id"] == "CP/CSH/2019-12-05/a-0Ab"
    assert spec["meeting"]["link"] == hostile.url and spec["meeting"]["recording"] == "recording.mp3"
    assert str(spec["meeting"]["date"]) == "2019-12-05"


def test_folder_and_http_sources_yield_one_run_per_new_recording(tmp_path):
    inbox, site_root = tmp_path / "inbox", tmp_path / "site"
    _clip(inbox / "a.mp3", 0)
    shutil.copy(inbox / "a.mp3", inbox / "a-again.mp3")  # same recording, other name
    _spec(inbox / "one.yaml", "CP/TEST/1", "a.mp3")
    _spec(inbox / "one-again.yaml", "CP/TEST/1-bis", "a-again.mp3")
    (inbox / "typo.yaml").write_text("meeting:\n  id: X\n  recordng: a.mp3\n")
    _clip(site_root / "b.mp3", 150)
    shutil.copy(inbox / "a.mp3", site_root / "a-published.mp3")  # already taken in from the folder
    (site_root / "index.html").write_text('<a href="a-published.mp3">2019-12-05</a> <a href="b.mp3">Session 2019-12-06</a>')
    template = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
    template["meeting"]["id"] = "CP-CSH-{date}"
    del template["meeting"]["recording"], template["meeting"]["date"]
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(template))
    hook_site = _Hook()
    site = _Site(site_root)
    try:
        config = tmp_path / "rapporteur.yaml"
        config.write_text(yaml.safe_dump({
            "work_root": "runs", "notify": {"webhook": hook_site.url},
            "sources": [{"kind": "folder", "path": "inbox"},
                        {"kind": "http", "url": f"{site.url}/index.html", "template": "template.yaml"}]}))
        first = run_cli("intake", str(config))
        assert first.returncode == 0, first.stderr[-3000:]
        runs = sorted(p.name for p in (tmp_path / "runs").iterdir() if not p.name.startswith("."))
        # One of the two specs of the same recording (whichever is read first), and the new one.
        assert runs in (["cp-csh-2019-12-06", "cp-test-1"], ["cp-csh-2019-12-06", "cp-test-1-bis"]), first.stdout
        assert "skipped typo.yaml" in first.stderr and "recordng" in first.stderr
        minutes = (tmp_path / "runs" / "cp-csh-2019-12-06" / "minutes.md").read_text()
        assert f"{site.url}/b.mp3" in minutes  # the minutes cite the public address
        assert sorted(e["event"] for e in hook_site.received) == ["draft-ready", "draft-ready"]
        assert all(Path(e["minutes"]).is_file() for e in hook_site.received)
        fetched = len([p for p in site.requests if p.endswith(".mp3")])
        again = run_cli("intake", str(config))
        assert again.returncode == 0 and "no new recordings" in again.stdout
        assert len([p for p in site.requests if p.endswith(".mp3")]) == fetched  # nothing downloaded again
        ledger = [json.loads(p.read_text()) for p in (tmp_path / "runs" / ".ledger").glob("*-v*.json")]
        assert sorted(e["status"] for e in ledger) == ["done", "done"]
    finally:
        site.close()
        hook_site.close()


class _Hook(_Site):
    """A webhook receiver."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_reprocess_from_a_stage_and_all_since_a_date(sample_run, tmp_path):
    root = tmp_path / "runs"
    shutil.copytree(sample_run["out"], root / "csh")
    done = run_cli("reprocess", str(root / "csh"), "--from", "align", "--no-prefect")
    assert done.returncode == 0, done.stderr
    table = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in done.stdout.splitlines()
             if line.startswith("| ") and "stage" not in line}
    from pipeline.engine.registry import STAGE_NAMES

    assert table == {s: "ran" if s in ("align", "draft") else "reused" for s in STAGE_NAMES}
    # --all: the sample meeting was held on 2019-12-05.
    later = run_cli("reprocess", "--all", "--root", str(root), "--since", "2020-01-01", "--no-prefect")
    assert later.returncode == 0 and "no work folders" in later.stdout
    every = run_cli("reprocess", "--all", "--root", str(root), "--since", "2019-12-01", "--from", "draft",
                    "--no-prefect")
    assert every.returncode == 0, every.stderr
    assert "| csh" in every.stdout and "2019-12-05" in every.stdout and "| draft " in every.stdout
    bad = run_cli("reprocess", "--all", "--root", str(root), "--since", "last week")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


# ---- a real Prefect server, a process work pool, two workers -------------------------------------

@pytest.fixture
def prefect_server(tmp_path):
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_WORKER_QUERY_SECONDS": "2",
           "PREFECT_WORKER_PREFETCH_SECONDS": "2", "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
           "RAPPORTEUR_HOME": str(ROOT),
           "RAPPORTEUR_SLOTS_DIR": str(tmp_path / "slots")}
    log = tmp_path / "prefect-server.log"
    server = subprocess.Popen([*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    wait_until_serving(f"http://127.0.0.1:{port}/api/health", server, log)
    yield env
    server.terminate()
    server.wait(timeout=30)


def test_two_workers_share_three_meetings_without_duplicates(prefect_server, tmp_path):
    env = prefect_server

    def prefect(*args, check=True):
        done = subprocess.run([*PREFECT, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert not check or done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done

    prefect("work-pool", "create", "rapporteur", "--type", "process")
    prefect("--no-prompt", "deploy", "--name", "process")  # from prefect.yaml
    inbox = tmp_path / "inbox"
    for n, start in enumerate((0, 60, 150), 1):
        _clip(inbox / f"m{n}.mp3", start)
        _spec(inbox / f"m{n}.yaml", f"CP/SCALE/{n}", f"m{n}.mp3")
    shutil.copy(inbox / "m1.mp3", inbox / "m1-copy.mp3")
    _spec(inbox / "m1-copy.yaml", "CP/SCALE/1-copy", "m1-copy.mp3")
    config = tmp_path / "rapporteur.yaml"
    config.write_text(yaml.safe_dump({"work_root": "runs", "sources": [{"kind": "folder", "path": "inbox"}]}))
    workers = [subprocess.Popen([*PREFECT, "worker", "start", "--pool", "rapporteur", "--limit", "1",
                                 "--name", f"worker-{i}"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in (1, 2)]
    try:
        submit = subprocess.run([sys.executable, "-m", "pipeline.cli", "intake", str(config), "--submit",
                                 "rapporteur-process-meeting/process"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)
        assert submit.returncode == 0, submit.stderr[-3000:]
        assert submit.stdout.count("submitted") == 3, submit.stdout
        twice = subprocess.run([sys.executable, "-m", "pipeline.cli", "intake", str(config), "--submit",
                                "rapporteur-process-meeting/process"], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=300)
        assert "no new recordings" in twice.stdout, twice.stdout + twice.stderr[-2000:]
        ledger_dir = tmp_path / "runs" / ".ledger"
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            entries = [json.loads(p.read_text()) for p in ledger_dir.glob("*-v*.json")]
            if len(entries) == 3 and all(e["status"] in ("done", "failed") for e in entries):
                break
            time.sleep(3)
        else:
            pytest.fail(f"meetings not processed in time: {entries}")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: a worker still closing its last run
                worker.kill()
                worker.wait(timeout=30)
    assert [e["status"] for e in entries] == ["done"] * 3, entries
    assert all(e["attempts"] == 1 for e in entries)
    assert len({e["flow_run"] for e in entries}) == 3
    runs = sorted(p for p in (tmp_path / "runs").iterdir() if not p.name.startswith("."))
    names = [p.name for p in runs]
    assert names[1:] == ["cp-scale-2", "cp-scale-3"] and names[0] in ("cp-scale-1", "cp-scale-1-copy"), names
    manifests = [load_json(p / "manifest.json") for p in runs]
    assert all((p / "minutes.md").is_file() for p in runs)
    # The server saw exactly three runs of the process deployment.
    env["COLUMNS"] = "300"  # the table is not cut
    listed = prefect("flow-run", "ls", "--flow-name", "rapporteur-process-meeting", "--limit", "50")
    assert listed.stdout.count("COMPLETED") == 3 and listed.stdout.count("cp-scale") == 3, listed.stdout
    # Heavy stages took turns on this machine (one slot), while meetings overlapped as a whole.
    heavy = sorted((m["stages"][s]["started_at"], m["stages"][s]["finished_at"]) for m in manifests
                   for s in ("transcribe", "diarize"))
    assert all(a[1] <= b[0] for a, b in zip(heavy, heavy[1:])), heavy


def test_serve_runs_the_intake_on_its_cron_schedule(prefect_server, tmp_path):
    """`rapporteur serve`: the intake deployment fires on the config's cron (every minute here),
    finds the new recording and runs it through the `process` deployment served beside it."""
    env = {**prefect_server, "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    inbox = tmp_path / "inbox"
    _clip(inbox / "s.mp3", 0)
    _spec(inbox / "s.yaml", "CP/SERVE/1", "s.mp3")
    config = tmp_path / "rapporteur.yaml"
    config.write_text(yaml.safe_dump({"work_root": "runs", "schedule": "* * * * *",
                                      "sources": [{"kind": "folder", "path": "inbox"}]}))
    log = tmp_path / "serve.log"
    serve = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", str(config)], cwd=ROOT, env=env,
                             stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        ledger = tmp_path / "runs" / ".ledger"
        deadline = time.monotonic() + 240  # the next minute's tick, then the meeting itself
        while time.monotonic() < deadline:
            entries = [json.loads(p.read_text()) for p in ledger.glob("*-v*.json")] if ledger.is_dir() else []
            if entries and all(e["status"] in ("done", "failed") for e in entries):
                break
            assert serve.poll() is None, log.read_text(errors="replace")[-2000:]
            time.sleep(2)
        else:
            pytest.fail(f"nothing processed within 240 s: {log.read_text(errors='replace')[-2000:]}")
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    assert [e["status"] for e in entries] == ["done"]
    assert (tmp_path / "runs" / "cp-serve-1" / "minutes.md").is_file()
    assert "intake every `* * * * *`" in log.read_text()


def test_a_worker_killed_mid_meeting_is_taken_again_and_finished_once(tmp_path):
    """#20 item 1: intake processing a meeting (the Prefect flow) is killed with SIGKILL in the
    middle of transcription. Its ledger entry stops beating; once stale, the next intake takes it
    again (attempt 2) into the same folder, transcription resumes from its checkpoint, and the
    meeting ends done exactly once; the killed run's flow run is marked CRASHED (it would read
    RUNNING forever); a third intake finds nothing new."""
    import signal

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE / "meeting.mp3", inbox / "meeting.mp3")
    shutil.copy(SAMPLE / "meeting.yaml", inbox / "meeting.yaml")
    config = tmp_path / "rapporteur.yaml"
    config.write_text("work_root: runs\nsources:\n  - {kind: folder, path: inbox}\n")
    ready, killed_after = tmp_path / "ready", 2
    home = {"PREFECT_HOME": str(tmp_path / "prefect-home")}  # the flow runs' database, this test's own
    stale = {"RAPPORTEUR_STALE_AFTER": "3", **home}
    worker = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "intake", str(config)], cwd=ROOT,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, **stale, "PYTHONPATH": str(ROOT / "tests" / "killpoints"),
                                   "RAPPORTEUR_KILL_AFTER_CHUNKS": str(killed_after), "RAPPORTEUR_KILL_READY": str(ready)})
    deadline = time.time() + 300
    while not ready.exists():
        assert worker.poll() is None and time.time() < deadline, "intake ended before it could be killed"
        time.sleep(0.2)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    (entry_path,) = (tmp_path / "runs" / ".ledger").glob("*-v*.json")
    assert load_json(entry_path)["status"] == "running"
    # Before it is stale, nobody takes it (it may be a slow worker, not a dead one) ...
    done = run_cli("intake", str(config), env={"RAPPORTEUR_STALE_AFTER": "600", **home})
    assert done.returncode == 0 and "no new recordings" in done.stdout, done.stdout + done.stderr[-2000:]
    time.sleep(4)
    # ... after, the next pass finishes it, resuming.
    done = run_cli("intake", str(config), env=stale)
    assert done.returncode == 0, done.stderr[-3000:]
    entry = load_json(entry_path)
    assert entry["status"] == "done" and entry["attempts"] == 2
    # The killed process's flow run is over on the server, not left running forever.
    abandoned = entry["abandoned_flow_runs"]  # the meeting's flow run and the intake's that ran it
    assert len(abandoned) == 2 and entry["flow_run"] not in abandoned, entry
    assert (done.stderr + done.stdout).count("marked crashed") == 2, done.stdout + done.stderr[-2000:]
    states = subprocess.run([sys.executable, "-c", "import sys, uuid, pipeline\n"
                             "from prefect.client.orchestration import get_client\n"
                             "with get_client(sync_client=True) as client:\n"
                             "    for run in sys.argv[1:]:\n"
                             "        print(client.read_flow_run(uuid.UUID(run)).state.type.value)", *abandoned],
                            cwd=ROOT, env={**os.environ, **home}, capture_output=True, text=True, timeout=120)
    assert states.stdout.split() == ["CRASHED", "CRASHED"], states.stdout + states.stderr[-2000:]
    runs = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    assert len(runs) == 1 and Path(entry["run_dir"]) == runs[0]
    info = load_json(runs[0] / "manifest.json")["stages"]["transcribe"]["info"]
    assert info["resumed_chunks"] == killed_after and info["decoded_chunks"] > 0
    assert (runs[0] / "minutes.md").is_file() and not (runs[0] / "asr.partial.jsonl").exists()
    done = run_cli("intake", str(config), env=stale)
    assert done.returncode == 0 and "no new recordings" in done.stdout


def test_the_prefect_server_restarted_while_a_meeting_runs(prefect_server, tmp_path):
    """#20 item 2: the server is stopped while a worker's flow run is transcribing and started
    again on the same database: an intake scheduled meanwhile says so in one line and takes
    nothing, the worker reconnects, the meeting finishes once, the server knows it COMPLETED,
    and a second intake submits nothing."""
    env = prefect_server
    port = env["PREFECT_API_URL"].split(":")[2].split("/")[0]

    def prefect(*args):
        done = subprocess.run([*PREFECT, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done

    prefect("work-pool", "create", "rapporteur", "--type", "process")
    prefect("--no-prompt", "deploy", "--name", "process")
    inbox = tmp_path / "inbox"
    shutil.copy(SAMPLE / "meeting.mp3", inbox.mkdir() or inbox / "r.mp3")
    _spec(inbox / "r.yaml", "CP/RESTART/1", "r.mp3")
    config = tmp_path / "rapporteur.yaml"
    config.write_text(yaml.safe_dump({"work_root": "runs", "sources": [{"kind": "folder", "path": "inbox"}]}))
    worker = subprocess.Popen([*PREFECT, "worker", "start", "--pool", "rapporteur", "--limit", "1"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "wb"))
    server = None
    try:
        submit = run_cli("intake", str(config), "--submit", "rapporteur-process-meeting/process", env=env)
        assert submit.returncode == 0 and "submitted" in submit.stdout, submit.stderr[-2000:]
        manifest = tmp_path / "runs" / "cp-restart-1" / "manifest.json"
        deadline = time.monotonic() + 300
        while not (manifest.exists() and load_json(manifest)["stages"].get("transcribe", {}).get("status") == "running"):
            assert time.monotonic() < deadline, "transcription never started"
            time.sleep(0.5)
        # Stop the server the fixture started (by its port), keep it down a while, start it again.
        subprocess.run(["pkill", "-f", f"prefect server start --host 127.0.0.1 --port {port}"], check=True)
        time.sleep(2)
        # An intake scheduled while the server is down says so in one line and takes nothing.
        entry_dir = tmp_path / "runs" / ".ledger"
        before = {p.name: p.read_bytes() for p in entry_dir.glob("*.json")}
        down = run_cli("intake", str(config), "--submit", "rapporteur-process-meeting/process", env=env)
        assert down.returncode == 2 and re.fullmatch(r"rapporteur: error: the Prefect server at \S+ cannot be "
                                                     r"reached; nothing was started .*\n", down.stderr), down.stderr[-2000:]
        assert {p.name: p.read_bytes() for p in entry_dir.glob("*.json")} == before
        time.sleep(4)
        log = tmp_path / "prefect-server-2.log"
        server = subprocess.Popen([*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", port], env=env,
                                  stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
        wait_until_serving(f"http://127.0.0.1:{port}/api/health", server, log)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            (entry,) = [load_json(p) for p in entry_dir.glob("*-v*.json")]
            if entry["status"] in ("done", "failed"):
                break
            time.sleep(2)
        assert entry["status"] == "done" and entry["attempts"] == 1, entry
        assert (tmp_path / "runs" / "cp-restart-1" / "minutes.md").is_file()
        again = run_cli("intake", str(config), "--submit", "rapporteur-process-meeting/process", env=env)
        assert "no new recordings" in again.stdout, again.stdout + again.stderr[-2000:]
        listed = subprocess.run([*PREFECT, "flow-run", "ls", "--flow-name", "rapporteur-process-meeting"], cwd=ROOT,
                                env={**env, "COLUMNS": "300"}, capture_output=True, text=True, timeout=120).stdout
        assert listed.count("cp-restart-1") == 1 and listed.count("COMPLETED") == 1, listed
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
