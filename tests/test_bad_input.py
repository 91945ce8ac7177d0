"""Bad input ends with one clear line and a non-zero exit, and leaves nothing looking finished."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE, Recorder, load_json, run_cli

pytestmark = pytest.mark.slow  # real models, real audio, real servers: `pytest -m "not slow"` skips them


def write_spec(folder: Path, **meeting) -> Path:
    spec = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
    spec["meeting"].update(meeting)
    path = folder / "meeting.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def one_line_error(done) -> str:
    """The one line a user error prints, on whichever path it ran (the Prefect flow by default):
    no traceback, no ERROR line of Prefect's before it."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.startswith("rapporteur: error:")]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "| ERROR" not in done.stderr, done.stderr
    return lines[0]


def assert_nothing_finished(out: Path) -> None:
    for name in ("transcript.json", "minutes.md", "diarization.rttm"):
        assert not (out / name).exists(), name


@pytest.fixture(scope="module")
def http_root(tmp_path_factory):
    """A loopback HTTP server over a folder holding a 40 s clip of the sample."""
    root = tmp_path_factory.mktemp("www")
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(SAMPLE / "meeting.mp3"),
                    "-t", "40", "-c", "copy", str(root / "clip.mp3")], check=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_spec_typo_names_the_field_and_the_fix(tmp_path):
    spec = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
    spec["meeting"]["recordng"] = spec["meeting"].pop("recording")
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(spec))
    line = one_line_error(run_cli("run", str(path), "--out", str(tmp_path / "out")))
    assert "meeting.recordng: unknown key (did you mean 'recording'?)" in line
    assert str(path) in line


def test_missing_spec_file(tmp_path):
    line = one_line_error(run_cli("run", str(tmp_path / "nope.yaml")))
    assert "spec file not found" in line


def test_missing_recording(tmp_path):
    out = tmp_path / "out"
    line = one_line_error(run_cli("run", str(write_spec(tmp_path, recording="absent.mp3")),
                                  "--out", str(out)))
    assert "absent.mp3" in line and "not found" in line
    assert_nothing_finished(out)


def test_recording_outside_the_spec_folder(tmp_path):
    (tmp_path / "inner").mkdir()
    shutil.copy(SAMPLE / "meeting.mp3", tmp_path / "outside.mp3")
    line = one_line_error(run_cli("run", str(write_spec(tmp_path / "inner", recording="../outside.mp3")),
                                  "--out", str(tmp_path / "out")))
    assert "outside the spec's folder" in line


def test_non_audio_file(tmp_path):
    (tmp_path / "notes.mp3").write_text("These are not the minutes you are looking for.\n" * 50)
    out = tmp_path / "out"
    line = one_line_error(run_cli("run", str(write_spec(tmp_path, recording="notes.mp3")),
                                  "--out", str(out)))
    assert "notes.mp3" in line and "audio" in line
    assert_nothing_finished(out)
    assert load_json(out / "manifest.json")["stages"]["ingest"]["status"] == "failed"


def test_a_decoder_past_its_time_limit_is_stopped(tmp_path):
    """ffprobe and ffmpeg run under a time limit (here cut to a millisecond, as a file that made
    them work for ever would reach it): the run stops with one line, nothing half-made kept."""
    shutil.copy(SAMPLE / "meeting.mp3", tmp_path / "meeting.mp3")
    out = tmp_path / "out"
    line = one_line_error(run_cli("run", str(write_spec(tmp_path, recording="meeting.mp3")), "--out", str(out),
                                  env={"RAPPORTEUR_TOOL_TIMEOUT": "0.001"}))
    assert "meeting.mp3" in line and "took longer than 0.001 s and was stopped" in line, line
    assert not (out / "audio.wav").exists() and not list(out.glob("*.tmp*"))
    assert_nothing_finished(out)


def test_a_playlist_named_mp3_makes_ffmpeg_fetch_nothing(tmp_path):
    """An HLS playlist or a concat script saved as .mp3 names other media: ffprobe and ffmpeg may
    open local files only, so nothing is fetched and the file is refused in one line."""
    with Recorder(status=404) as site:
        url = f"{site.url}/segment.mp3"
        (tmp_path / "list.mp3").write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{url}\n#EXT-X-ENDLIST\n")
        (tmp_path / "concat.mp3").write_text(f"ffconcat version 1.0\nfile {url}\n")
        for name in ("list.mp3", "concat.mp3"):
            out = tmp_path / f"out-{name}"
            line = one_line_error(run_cli("run", str(write_spec(tmp_path, recording=name)), "--out", str(out)))
            assert name in line and "not a readable audio file" in line, line
            assert_nothing_finished(out)
    assert site.requests == []


def test_ffmpeg_runs_under_a_memory_cap(tmp_path, monkeypatch):
    """The address-space cap is applied to the tools: under a cap too small to start them, the
    recording is refused in one line instead of the tool taking the machine's memory."""
    from pipeline.stages import ingest
    from pipeline.artifacts import WorkDir

    shutil.copy(SAMPLE / "meeting.mp3", tmp_path / "meeting.mp3")
    monkeypatch.setattr(ingest, "TOOL_MEMORY_BYTES", 8 * 1024**2)
    with pytest.raises(ingest.IngestError, match=r"meeting.mp3: (reading it \(ffprobe\) could not run|not a readable)"):
        ingest.ingest("meeting.mp3", tmp_path, WorkDir(tmp_path / "out"))


def test_http_404_through_the_flow(tmp_path, http_root):
    _, base = http_root
    out = tmp_path / "out"
    line = one_line_error(run_cli("run", str(write_spec(tmp_path, recording=f"{base}/missing.mp3")),
                                  "--out", str(out)))
    assert "HTTP 404" in line and "missing.mp3" in line
    assert_nothing_finished(out)


def test_http_url_runs_end_to_end(tmp_path, http_root):
    root, base = http_root
    out = tmp_path / "out"
    done = run_cli("run", str(write_spec(tmp_path, recording=f"{base}/clip.mp3")), "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    ingest = load_json(out / "ingest.json")
    from pipeline.artifacts import sha256_file

    assert ingest["sha256"] == sha256_file(root / "clip.mp3")
    transcript = load_json(out / "transcript.json")
    assert 38 < transcript["duration"] < 42
    assert sum(len(u["text"].split()) for u in transcript["utterances"]) >= 20  # words, not exact ones
    assert transcript["utterances"][0]["attribution"] == "Chair"
    assert (out / "minutes.md").read_text().startswith("# Draft minutes: CP/CSH-1942/19")


def test_the_flows_report_of_a_user_error_stays_at_debug_level(tmp_path):
    """With Prefect logging at debug (a worker's log), its report of the refused input is there,
    as a debug line; still no ERROR line and no traceback, and the user's one line."""
    (tmp_path / "notes.mp3").write_text("not audio\n" * 50)
    done = run_cli("run", str(write_spec(tmp_path, recording="notes.mp3")), "--out", str(tmp_path / "out"),
                   env={"PREFECT_LOGGING_LEVEL": "DEBUG"})
    assert "notes.mp3" in one_line_error(done)
    assert any("| DEBUG" in line and "IngestError" in line for line in done.stderr.splitlines()), done.stderr[-3000:]


def test_a_second_run_on_a_busy_work_folder_is_refused_and_harms_nothing(tmp_path):
    """A scheduled run and a CLI reprocess of the same meeting at once: the second is refused
    with one line, through the flow, and the first's half-written files stay where they are."""
    import fcntl

    (tmp_path / "notes.mp3").write_text("not audio\n" * 50)
    spec = write_spec(tmp_path, recording="notes.mp3")
    out = tmp_path / "out"
    out.mkdir()
    writing = out / ".transcript.json.tmp"  # the running one's atomic write, not yet renamed
    writing.write_text("{")
    with open(out / ".run.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        line = one_line_error(run_cli("run", str(spec), "--out", str(out)))
    assert "another rapporteur run is using this work folder" in line and str(out) in line
    assert writing.exists() and not (out / "manifest.json").exists()
    # Once the first is done (its lock died with it), the folder is the next run's again.
    line = one_line_error(run_cli("run", str(spec), "--out", str(out)))
    assert "notes.mp3" in line and "audio" in line
    assert not writing.exists()
