"""The catalogue of bad inputs (README, "What goes wrong"): each ends in one clear line and a
non-zero exit, or, for odd-but-valid audio, in a correct decode. Nothing is mocked: real files made
with ffmpeg and sox, real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
import time

import pytest
import yaml
from conftest import SAMPLE, load_json, run_cli
from test_bad_input import assert_nothing_finished, one_line_error, write_spec

from pipeline.artifacts import WorkDir
from pipeline.stages.ingest import DownloadLimits, IngestError, download, ingest

pytestmark = pytest.mark.slow  # real models, real audio, real servers: `pytest -m "not slow"` skips them


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


# --- audio that is odd but valid: decoded to 16 kHz mono, nothing lost --------------------------

@pytest.mark.parametrize("name, make, duration", [
    ("telephone-8k.wav", lambda src, out: ffmpeg("-i", src, "-t", "10", "-ar", "8000", "-ac", "1", out), 10),
    ("studio-96k-6ch.wav", lambda src, out: ffmpeg("-i", src, "-t", "5", "-ar", "96000", "-ac", "6", out), 5),
    ("really-a-wav.mp3", lambda src, out: ffmpeg("-i", src, "-t", "6", "-f", "wav", out), 6),
    ("two-audio-tracks.mkv", lambda src, out: ffmpeg(
        "-f", "lavfi", "-i", "color=c=black:s=64x64:d=7", "-i", src, "-f", "lavfi", "-i", "sine=f=440:d=7",
        "-map", "0:v", "-map", "1:a", "-map", "2:a", "-t", "7", "-c:v", "libx264", "-c:a", "aac", out), 7),
])
def test_odd_but_valid_audio_is_decoded(tmp_path, name, make, duration):
    source = tmp_path / name
    make(str(SAMPLE / "meeting.mp3"), str(source))
    work = WorkDir(tmp_path / "work")
    result = ingest(name, tmp_path, work)
    import wave

    with wave.open(str(work.path("audio.wav"))) as handle:
        assert handle.getframerate() == 16000 and handle.getnchannels() == 1
        assert abs(handle.getnframes() / 16000 - duration) < 0.3
    assert abs(result.duration - duration) < 0.3


def test_truncated_mp3_keeps_what_is_there(tmp_path):
    data = (SAMPLE / "meeting.mp3").read_bytes()
    (tmp_path / "cut.mp3").write_bytes(data[: len(data) // 4])
    work = WorkDir(tmp_path / "work")
    result = ingest("cut.mp3", tmp_path, work)
    assert 40 < result.duration < 60  # a quarter of a 208 s recording
    assert result.truncated and result.declared_duration > 200


# --- input that cannot be used: one line, exit 2, nothing finished ------------------------------

def _fails_at_ingest(tmp_path, recording: str, *expected: str, env: dict | None = None) -> None:
    out = tmp_path / "out"
    done = run_cli("run", str(write_spec(tmp_path, recording=recording)), "--out", str(out), env=env)
    line = one_line_error(done)
    for text in expected:
        assert text in line, line
    assert_nothing_finished(out)


def test_empty_file(tmp_path):
    (tmp_path / "empty.mp3").write_bytes(b"")
    _fails_at_ingest(tmp_path, "empty.mp3", "empty.mp3", "the file is empty")


def test_zero_length_audio(tmp_path):
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "0", str(tmp_path / "zero.wav"))
    _fails_at_ingest(tmp_path, "zero.wav", "zero.wav", "empty")


@pytest.mark.parametrize("make", ["silence", "music"])
def test_no_speech(tmp_path, make):
    path = tmp_path / f"{make}.wav"
    if make == "silence":
        ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "20", str(path))
    else:
        subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(path), "synth", "4", "pluck", "C4",
                        "pluck", "E4", "pluck", "G4", ":", "synth", "4", "pluck", "D4", "pluck", "F4", ":",
                        "synth", "4", "pluck", "E4", "pluck", "G4"], check=True)
    out = tmp_path / "out"
    line = one_line_error(run_cli("run", str(write_spec(tmp_path, recording=path.name)), "--out", str(out)))
    assert "no words could be transcribed" in line and "silence, music or noise" in line
    assert_nothing_finished(out)


def test_language_the_model_cannot_transcribe(tmp_path):
    ffmpeg("-i", str(SAMPLE / "meeting.mp3"), "-t", "8", str(tmp_path / "clip.mp3"))
    spec = write_spec(tmp_path, recording="clip.mp3", language="es")
    line = one_line_error(run_cli("run", str(spec), "--out", str(tmp_path / "out"), "--model", "tiny.en"))
    assert "English-only" in line and "es" in line


def test_unknown_delegation_suggests_the_nearest(tmp_path):
    spec = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
    spec["participants"]["delegations"][1] = "Belise"
    path = tmp_path / "meeting.yaml"
    path.write_text(yaml.safe_dump(spec))
    line = one_line_error(run_cli("run", str(path), "--out", str(tmp_path / "out")))
    assert "participants.delegations[1]: 'Belise' is not an OAS member state (did you mean 'Belize'?)" in line


# --- downloads ------------------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    clip: bytes = b""
    hits: dict = {}

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/flaky.mp3" and Handler.hits[self.path] == 1:
            self.send_error(500, "Internal Server Error")
        elif self.path == "/down-a-while.mp3" and Handler.hits[self.path] <= 3:
            self.send_error(503, "Service Unavailable")
        elif self.path == "/loop.mp3":
            self.send_response(302)
            self.send_header("Location", "/loop.mp3")
            self.end_headers()
        elif self.path == "/drip.mp3":
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.end_headers()
            for i in range(40):
                try:
                    self.wfile.write(Handler.clip[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.25)
        elif self.path in ("/flaky.mp3", "/clip.mp3", "/down-a-while.mp3"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(Handler.clip)))
            self.end_headers()
            self.wfile.write(Handler.clip)
        else:
            self.send_error(404, "Not Found")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    clip = tmp_path_factory.mktemp("clip") / "clip.mp3"
    ffmpeg("-i", str(SAMPLE / "meeting.mp3"), "-t", "5", str(clip))
    Handler.clip = clip.read_bytes()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_500_then_success_is_retried(tmp_path, server):
    sha, size = download(f"http://{server}/flaky.mp3", tmp_path / "x",
                         DownloadLimits(attempts=3, backoff=0.1))
    assert size == len(Handler.clip) and Handler.hits["/flaky.mp3"] == 2


def test_a_server_down_past_the_downloads_retries_is_retried_by_the_flow(tmp_path, server):
    """The default path: the downloader's three attempts all get 503, so the ingest task fails as
    transient and Prefect's task retry fetches it again: the fourth request succeeds and the
    meeting is processed to its minutes."""
    out = tmp_path / "out"
    done = run_cli("run", str(write_spec(tmp_path, recording=f"http://{server}/down-a-while.mp3")), "--out", str(out),
                   env={"RAPPORTEUR_DOWNLOAD_BACKOFF": "0.05", "RAPPORTEUR_RETRY_DELAY": "0.05"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert Handler.hits["/down-a-while.mp3"] == 4
    assert (out / "minutes.md").is_file()


def test_a_failed_run_under_intake_sends_run_failed(tmp_path):
    """A recording that is not audio, found by intake: the flow run fails in ingest, the webhook
    receives ``run-failed`` with the one-line reason, and the ledger says failed."""
    from conftest import Recorder

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.mp3").write_text("minutes of the last meeting, not a recording\n")
    write_spec(inbox, recording="notes.mp3")
    with Recorder() as hook:
        (tmp_path / "rapporteur.yaml").write_text(
            f"work_root: runs\nnotify: {{webhook: '{hook.url}/hook'}}\nsources:\n  - {{kind: folder, path: inbox}}\n")
        done = run_cli("intake", str(tmp_path / "rapporteur.yaml"))
        assert done.returncode == 1, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        posts = [json.loads(body) for method, path, body in hook.requests if method == "POST" and path == "/hook"]
    assert [p["event"] for p in posts] == ["run-failed"]
    assert "notes.mp3: not a readable audio file" in posts[0]["error"]
    (entry,) = [load_json(p) for p in (tmp_path / "runs" / ".ledger").glob("*-v*.json")]
    assert entry["status"] == "failed" and "not a readable audio file" in entry["error"]


def test_slow_drip_download_times_out(tmp_path, server):
    with pytest.raises(IngestError, match="download took longer than 2 s"):
        download(f"http://{server}/drip.mp3", tmp_path / "x", DownloadLimits(total_timeout=2, read_timeout=5))


def test_redirect_loop(tmp_path, server):
    _fails_at_ingest(tmp_path, f"http://{server}/loop.mp3", "redirect")


def test_response_larger_than_the_limit(tmp_path, server):
    _fails_at_ingest(tmp_path, f"http://{server}/clip.mp3", "over the 1000-byte limit",
                     env={"RAPPORTEUR_MAX_DOWNLOAD_BYTES": "1000"})


def test_unreachable_host(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Through the flow, Prefect retries a transient fetch failure three times, 30 s, 2 and 8 min
    # apart by default (10.5 min of this test on CI): the delays are shortened, not the retries.
    _fails_at_ingest(tmp_path, f"http://127.0.0.1:{port}/a.mp3", "connection refused", "3 attempts",
                     env={"RAPPORTEUR_DOWNLOAD_BACKOFF": "0.05", "RAPPORTEUR_RETRY_DELAY": "0.05"})


def test_tls_error(tmp_path, server):
    _fails_at_ingest(tmp_path, f"https://{server}/clip.mp3", "TLS error")


def test_full_disk(tmp_path):
    """The work folder on a 2 MB filesystem: one line, exit 2, no half-written audio left."""
    import os

    mount = tmp_path / "small-disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        out = mount / "out"
        line = one_line_error(run_cli("run", str(SAMPLE / "meeting.yaml"), "--out", str(out), "--no-prefect"))
        assert "no space left" in line and str(out) in line
        from pipeline.engine.runner import LOCK  # the folder's lock: empty, no artifact

        leftovers = [p.name for p in out.rglob("*") if p.is_file() and p.name not in ("manifest.json", LOCK)]
        assert leftovers == [], leftovers
        assert load_json(out / "manifest.json")["stages"]["ingest"]["status"] == "failed"
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        assert not os.path.ismount(mount)


KILL_WRITES = {"ingest": "ingest.json", "merge": "merged.json", "relisten": "utterances.json",
               "voiceprint": "voiceprints.json",
               "translate": "translation.json",
               "attribute": "attributed.json", "align": "transcript.json", "draft": "minutes.html"}


@pytest.mark.parametrize("stage", list(KILL_WRITES))
def test_kill_mid_write_of_any_stage_then_resume(sample_run, tmp_path, stage):
    """kill -9 while a stage writes its output (half of it in a temp file, the stage's earlier
    outputs already there): the manifest never calls the stage or a later one done, and the
    re-run ends with every output equal to the uninterrupted run's and the review layer intact.
    (Transcription and diarization are killed mid-computation in test_run_sample.py.)"""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT, load_json

    out = tmp_path / "run"
    shutil.copytree(sample_run["out"], out)
    (out / "review").mkdir()
    (out / "review" / "edits.json").write_text('{"points": {}}\n')
    ready = tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "killpoints"),
           "RAPPORTEUR_KILL_AT": KILL_WRITES[stage], "RAPPORTEUR_KILL_READY": str(ready)}
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "reprocess", str(out), "--from", stage,
                                "--no-prefect"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 300
    while not ready.exists():
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert time.time() < deadline
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    stages = load_json(out / "manifest.json")["stages"]
    assert stages[stage]["status"] in ("running", "waiting")
    from pipeline.engine.registry import STAGE_NAMES

    assert all(stages[s]["status"] == "stale" for s in STAGE_NAMES[STAGE_NAMES.index(stage) + 1:])
    assert not (out / KILL_WRITES[stage]).exists()

    done = run_cli("reprocess", str(out), "--no-prefect")
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(rf"\| {stage}\s+\| ran", done.stdout), done.stdout
    stages = load_json(out / "manifest.json")["stages"]
    assert all(entry["status"] == "done" for entry in stages.values())
    for path in sample_run["out"].iterdir():
        if path.is_file() and path.name != "manifest.json" and not path.name.startswith("."):
            assert (out / path.name).read_bytes() == path.read_bytes(), path.name
    assert (out / "review" / "edits.json").read_text() == '{"points": {}}\n'
    assert not list(out.glob(".*.tmp")), "a killed write's temp file was left behind"


def test_six_hour_recording_is_decoded_in_bounded_memory(tmp_path):
    """Six hours (a long session, speech at the start, then the room left recording): decoded to
    disk by ffmpeg, never held in memory; the later stages read it a window at a time."""
    import subprocess
    import sys

    from conftest import ROOT

    recording = tmp_path / "six-hours.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(SAMPLE / "meeting.mp3"), "-f", "lavfi",
                    "-i", "anullsrc=r=8000:cl=mono", "-filter_complex",
                    "[0:a]aresample=8000,aformat=channel_layouts=mono[s];[s][1:a]concat=n=2:v=0:a=1",
                    "-t", "21600", "-c:a", "libmp3lame", "-b:a", "8k", str(recording)], check=True)
    probe = ("import sys; from pathlib import Path; from pipeline.stages.ingest import ingest; from pipeline.audio import read_window; "
             "from pipeline.artifacts import WorkDir; "
             "r = ingest('six-hours.mp3', Path(sys.argv[1]), WorkDir(Path(sys.argv[2]))); "
             "w = read_window(Path(sys.argv[2]) / 'audio.wav', 5 * 3600, 5 * 3600 + 30); "
             # VmHWM is this process image's own peak: ru_maxrss would carry over the RSS of the
             # (forked) pytest process, gigabytes once an earlier test loaded models in it.
             "hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')); "
             "print(r.duration, r.truncated, len(w), hwm // 1024)")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path), str(tmp_path / "out")], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    duration, truncated, window, peak_mb = done.stdout.split()
    assert abs(float(duration) - 21600) < 1 and truncated == "False"
    assert int(window) == 30 * 16000
    assert int(peak_mb) < 400, f"{peak_mb} MB for a six-hour decode"
    assert 0 <= (tmp_path / "out" / "audio.wav").stat().st_size - 21600 * 16000 * 2 < 4096  # 16-bit PCM + header


def test_a_speaker_who_never_pauses_is_cut_into_chunks(tmp_path):
    """Three minutes of the sample with every pause removed: VAD would hear one 178 s stretch,
    and a batched decode sees only the first 30 s of a chunk. Every stretch is at most a chunk."""
    from pipeline.stages.transcribe import TranscribeOptions, speech_spans

    wav = tmp_path / "continuous.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(SAMPLE / "meeting.mp3"), "-af",
                    "silenceremove=stop_periods=-1:stop_duration=0.1:stop_threshold=-40dB",
                    "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(wav)], check=True)
    options = TranscribeOptions()
    spans = speech_spans(wav, options)
    assert sum(s.end - s.start for s in spans) > 150
    assert len(spans) >= 6 and max(s.end - s.start for s in spans) <= options.chunk_seconds


# --- a work folder or truth file that cannot be trusted: one line, nothing redone -----------------

@pytest.mark.parametrize("damage", ["truncated", "newer"])
def test_a_damaged_manifest_is_named_and_nothing_is_redone(sample_run, tmp_path, damage):
    """`reprocess` (the Prefect flow) on a manifest cut by a crash of the disk, or written by a
    newer rapporteur: one line naming the file and what to do; no stage reruns, no file changes."""
    import json
    import shutil

    out = tmp_path / "run"
    shutil.copytree(sample_run["out"], out)
    manifest = out / "manifest.json"
    if damage == "truncated":
        manifest.write_bytes(manifest.read_bytes()[:300])
    else:
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "pipeline_version": "9.0.0"}))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    line = one_line_error(run_cli("reprocess", str(out)))
    assert str(manifest) in line
    assert ("unreadable" in line) if damage == "truncated" else ("newer than this" in line and "upgrade" in line)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("content, expected", [
    ('{"segments": []}', 'needs an "utterances" list'),
    ('{"utterances": [{"start": 1.0}]}', "utterance 0 needs numeric start and end and a text"),
    ('{"utterances": [', "not a JSON truth file"),
])
def test_a_truth_file_of_another_shape(sample_run, tmp_path, content, expected):
    truth = tmp_path / "truth.json"
    truth.write_text(content)
    line = one_line_error(run_cli("evaluate", str(sample_run["out"]), str(truth)))
    assert str(truth) in line and expected in line
