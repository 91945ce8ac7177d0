"""The review page: the review layer (corrections, edits, conflicts, journal), its server's
guards, and the page itself driven in headless Chromium (Playwright on Debian's browser)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, free_port, load_json, run_cli

from pipeline.artifacts import WorkDir
from pipeline.review.layer import Review, ReviewError

pytestmark = pytest.mark.slow  # real models, real audio, real servers: `pytest -m "not slow"` skips them

CHROMIUM = "/usr/bin/chromium"
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


@pytest.fixture
def run_copy(sample_run, tmp_path, monkeypatch):
    """A private copy of the sample run (the review changes it), with its own voice bank."""
    out = tmp_path / "run"
    shutil.copytree(sample_run["out"], out)
    monkeypatch.setenv("RAPPORTEUR_VOICES", str(tmp_path / "voices"))
    return out


def _voice_of(run: Path, label: str) -> str:
    return next(s for s, current in Review(WorkDir(run)).speaker_labels().items() if current == label)


def _points(minutes: dict) -> list[dict]:
    from pipeline.review.layer import iter_points

    return list(iter_points(minutes))


# ---- the review layer, without a browser ---------------------------------------------------

def test_relabelling_a_voice_redrafts_everywhere_and_records_who(run_copy):
    review = Review(WorkDir(run_copy))
    canada = _voice_of(run_copy, "Canada")
    review.relabel("speaker", canada, "Chile", "Ana Reviewer")
    results = {r.name: r.reused for r in review.redraft("Ana Reviewer")}
    assert results == {"attribute": False, "align": False, "draft": False}
    transcript = load_json(run_copy / "transcript.json")
    turns = [u for u in transcript["utterances"] if u["speaker"] == canada]
    assert turns and all(u["attribution"] == "Chile" and u["confidence"] == 1.0 and not u["review"] for u in turns)
    minutes = (run_copy / "minutes.md").read_text()
    assert "The delegation of Chile" in minutes and "Brazil, Chile, United States, and Peru referred" in minutes
    entry = review.journal()[-2]
    assert entry["action"] == "relabel-speaker" and entry["author"] == "Ana Reviewer"
    assert entry["before"] == "Canada" and entry["after"] == "Chile"
    # The confirmed voice went to the bank, with a playable clip.
    from pipeline.voices import bank_dir, load_bank, match

    sample = load_bank()[-1]
    assert (sample.label, sample.speaker) == ("Chile", canada)
    assert (bank_dir() / sample.clip).stat().st_size > 16000 * 2  # over a second of 16 kHz audio
    centroids = load_json(run_copy / "diarization.json")["centroids"]
    assert match(centroids[canada], load_bank()) == ("Chile", pytest.approx(1.0))
    # A second run of the same: nothing to redo.
    assert all(r.reused for r in review.redraft("Ana Reviewer"))


def test_one_turn_relabelled_keeps_the_rest_of_its_voice(run_copy):
    review = Review(WorkDir(run_copy))
    transcript = load_json(run_copy / "transcript.json")
    peru = [u for u in transcript["utterances"] if u["attribution"] == "Peru"]
    target = peru[0]
    review.relabel("utterance", f"{target['start']:.2f}", "Mexico", "ana")
    review.redraft("ana")
    after = {u["start"]: u for u in load_json(run_copy / "transcript.json")["utterances"]}
    assert after[target["start"]]["attribution"] == "Mexico"
    assert after[target["start"]]["evidence"][0]["kind"] == "rapporteur"
    others = [after[u["start"]] for u in peru[1:]]
    assert all(u["attribution"] == "Peru" for u in others)


def test_an_edit_survives_redrafts_and_a_changed_draft_shows_both(run_copy):
    work = WorkDir(run_copy)
    review = Review(work)
    point = next(p for p in _points(load_json(run_copy / "minutes.json")) if p["speaker"] == "Brazil")
    mine = "Brazil stressed that capacity building must reach every member state."
    review.edit(point["id"], mine, "ana")
    minutes, conflicts = review.reviewed()
    assert not conflicts
    assert next(p for p in _points(minutes) if p["id"] == point["id"])["text"] == mine
    # A re-run of the pipeline from attribution on: the edit file is untouched, the edit applies.
    before = (run_copy / "review" / "edits.json").read_bytes()
    done = run_cli("reprocess", str(run_copy), "--from", "attribute", "--no-prefect")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (run_copy / "review" / "edits.json").read_bytes() == before
    assert not review.reviewed()[1]
    # The draft's own text of that point changes (its voice relabelled): both are shown.
    review.relabel("speaker", _voice_of(run_copy, "Brazil"), "Mexico", "ana")
    review.redraft("ana")
    minutes, conflicts = review.reviewed()
    assert [c.point for c in conflicts] == [point["id"]]
    assert conflicts[0].mine == mine and "Mexico" in conflicts[0].draft
    shown = next(p for p in _points(minutes) if p["id"] == point["id"])
    assert shown["text"] == mine and shown["conflict"] and "Mexico" in shown["draft_text"]
    with pytest.raises(ReviewError, match="conflict"):
        review.export("ana")
    review.resolve(point["id"], "mine", "ana")
    assert not review.reviewed()[1]
    from docx import Document

    document = Document(io.BytesIO(review.export("ana")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert mine in text and (run_copy / "minutes.reviewed.md").read_text().count(mine) == 1
    actions = [e["action"] for e in review.journal()]
    assert actions.count("edit") == 1 and "resolve-mine" in actions and actions[-1] == "export"


EDITOR = """
import sys
from pipeline.artifacts import WorkDir
from pipeline.review.layer import Review
review, name, rounds = Review(WorkDir(sys.argv[1])), sys.argv[2], int(sys.argv[3])
points = sys.argv[4:]
print("ready", flush=True)
sys.stdin.readline()
for k in range(rounds):
    for point in points:
        review.edit(point, f"{name} wrote version {k + 1} of {point}.", name)
"""


def test_two_review_processes_editing_at_once_lose_nothing(run_copy):
    """Two review servers on one run (two processes), each rewriting its own points over and over
    at the same moment: every edit is kept (the lock holds across processes), none overwritten."""
    ids = [p["id"] for p in _points(load_json(run_copy / "minutes.json"))]
    assert len(ids) >= 4
    halves = {"ana": ids[0::2], "ben": ids[1::2]}
    rounds = 8
    editors = {name: subprocess.Popen([sys.executable, "-c", EDITOR, str(run_copy), name, str(rounds), *points],
                                      cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for name, points in halves.items()}
    for editor in editors.values():
        assert editor.stdout.readline().strip() == "ready"
    for editor in editors.values():  # both start together
        editor.stdin.write("go\n")
        editor.stdin.flush()
    for editor in editors.values():
        assert editor.wait(timeout=120) == 0
    edits = Review(WorkDir(run_copy)).edits()
    for name, points in halves.items():
        for point in points:
            assert edits[point].text == f"{name} wrote version {rounds} of {point}." and edits[point].version == rounds
    assert sum(e["action"] == "edit" for e in Review(WorkDir(run_copy)).journal()) == rounds * len(ids)


def test_the_second_writer_of_a_point_is_told_and_a_stale_page_never_overwrites(run_copy):
    from pipeline.review.layer import EditConflict

    work = WorkDir(run_copy)
    ana, ben = Review(work), Review(work)
    point = next(p for p in _points(load_json(run_copy / "minutes.json")) if p["speaker"] == "Brazil")
    # Both loaded the page with the point unedited (version 0); Ana saves first.
    ana.edit(point["id"], "Ana's text.", "ana", version=0, base=point["text"])
    with pytest.raises(EditConflict, match="ana"):
        ben.edit(point["id"], "Ben's text.", "ben", version=0, base=point["text"])
    assert ben.edits()[point["id"]].text == "Ana's text."
    ben.edit(point["id"], "Ben's text, after reading Ana's.", "ben", version=1)  # reloaded
    assert [e["author"] for e in ben.journal() if e["action"] == "edit"] == ["ana", "ben"]
    # A page opened before a re-draft changed another point saves against what it showed: the
    # edit is kept as a conflict with the new draft, not applied over it silently.
    other = next(p for p in _points(load_json(run_copy / "minutes.json")) if p["speaker"] == "Peru")
    ana.edit(other["id"], "Peru's point as Ana read it.", "ana", version=0, base="The text this page showed.")
    minutes, conflicts = ana.reviewed()
    assert [c.point for c in conflicts] == [other["id"]] and conflicts[0].draft == other["text"]


def test_an_unreadable_review_file_is_named_and_rebuilt_from_the_journal(run_copy):
    from pipeline.artifacts import LayerUnreadable

    work = WorkDir(run_copy)
    review = Review(work)
    points = _points(load_json(run_copy / "minutes.json"))
    review.edit(points[0]["id"], "First point, rewritten.", "ana")
    review.edit(points[1]["id"], "Second point, rewritten.", "ana")
    review.edit(points[1]["id"], "Second point, rewritten again.", "ana")
    review.relabel("utterance", f"{load_json(run_copy / 'transcript.json')['utterances'][2]['start']:.2f}", "Mexico", "ana")
    edits, corrections = review.edits(), review.corrections()
    for name in ("edits.json", "corrections.json"):
        (run_copy / "review" / name).write_text('{"points": {"p1": {"te')  # a crash of the disk
    with pytest.raises(LayerUnreadable, match="edits.json: unreadable .*--recover"):
        review.reviewed()
    # The pipeline says the same in one line, and changes nothing.
    done = run_cli("reprocess", str(run_copy), "--from", "attribute", "--no-prefect")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "corrections.json: unreadable" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    done = run_cli("review", str(run_copy), "--recover", "--user", "ana")
    assert done.returncode == 0, done.stderr
    assert "edits.json: kept the unreadable file as edits.json.corrupt-" in done.stdout
    assert {k: (v.text, v.base, v.version, v.author) for k, v in review.edits().items()} == \
        {k: (v.text, v.base, v.version, v.author) for k, v in edits.items()}
    assert review.corrections() == corrections
    assert not review.reviewed()[1]
    kept = sorted((run_copy / "review").glob("*.corrupt-*"))
    assert len(kept) == 2 and all(k.read_text() == '{"points": {"p1": {"te' for k in kept)
    done = run_cli("review", str(run_copy), "--recover")
    assert done.returncode == 0 and "nothing to recover" in done.stdout


def test_review_refuses_what_is_not_on_the_roster_or_in_the_run(run_copy):
    review = Review(WorkDir(run_copy))
    with pytest.raises(ReviewError, match="not on this meeting's roster"):
        review.relabel("speaker", "SPEAKER_00", "Atlantis", "ana")
    with pytest.raises(ReviewError, match="no voice"):
        review.relabel("speaker", "SPEAKER_99", "Chile", "ana")
    with pytest.raises(ReviewError, match="no utterance"):
        review.relabel("utterance", "9999.00", "Chile", "ana")
    with pytest.raises(ReviewError, match="no point"):
        review.edit("p0-9", "text", "ana")
    with pytest.raises(ReviewError, match="empty"):
        review.edit(_points(load_json(run_copy / "minutes.json"))[0]["id"], "   ", "ana")
    assert not (run_copy / "review" / "corrections.json").exists()


# ---- the server's guards -------------------------------------------------------------------

def _client(run: Path, host: str = "127.0.0.1", port: int = 8765):
    from starlette.testclient import TestClient

    from pipeline.review.app import create_app

    return TestClient(create_app(run, "secret-token", host, port, "tester"), base_url=f"http://{host}:{port}")


def test_the_server_lets_in_only_its_token_holder_and_same_origin_writes(run_copy):
    from pipeline.review.app import COOKIE

    client = _client(run_copy)
    assert client.get("/api/state").status_code == 401
    assert client.get("/?token=wrong", follow_redirects=False).status_code == 401
    entry = client.get("/?token=secret-token", follow_redirects=False)
    assert entry.status_code == 303
    cookie = entry.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    state = client.get("/api/state")
    assert state.status_code == 200 and "script-src 'self'" in state.headers["content-security-policy"]
    assert client.get("/api/state", headers={"Host": "evil.example:8765"}).status_code == 403
    audio = client.get("/audio", headers={"Range": "bytes=100-199"})
    assert audio.status_code == 206 and len(audio.content) == 100
    assert client.get("/static/..%2Freview.py").status_code in (403, 404)
    body = {"scope": "speaker", "target": "SPEAKER_00", "label": "Chile"}
    assert client.post("/api/relabel", json=body).status_code == 403  # no token header
    token = {"X-Rapporteur-Token": "secret-token"}
    assert client.post("/api/relabel", json=body, headers={**token, "Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/relabel", content=json.dumps(body), headers={**token, "Content-Type": "text/plain"}
                       ).status_code == 415
    assert client.post("/api/relabel", json={**body, "label": "Atlantis"}, headers=token).status_code == 400
    assert not (run_copy / "review" / "corrections.json").exists()
    done = client.post("/api/relabel", json=body, headers={**token, "Origin": "http://127.0.0.1:8765"})
    assert done.status_code == 200 and done.json()["stages"]["attribute"] == "ran"
    assert client.cookies.get(COOKIE) == "secret-token"


# ---- the page in a real browser --------------------------------------------------------------

@pytest.fixture
def served(run_copy):
    """`rapporteur review` in its own process; yields (address with token, run folder)."""
    port = free_port()
    log = run_copy.parent / "review-server.log"
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "review", str(run_copy), "--port", str(port),
                                "--user", "Ana Reviewer"], cwd=ROOT, stdout=subprocess.PIPE, stderr=open(log, "wb"),
                               text=True)
    try:
        line = process.stdout.readline()
        address = re.search(r"http://\S+", line).group(0)
        # Any answer will do (401 without the token): the server is listening.
        import urllib.error
        import urllib.request

        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        yield address, run_copy
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def browser():
    import playwright.sync_api as playwright  # installed by scripts/install.sh: missing is a failure, not a skip
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: scripts/install.sh installs Debian's chromium")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        yield instance
        instance.close()


def _open(browser, address):
    # Under the page's own Content-Security-Policy, as a reviewer sees it (so nothing the page
    # needs is refused by it). Playwright's wait_for_function would need eval, which the policy
    # forbids: tests poll with _until instead.
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(address)
    page.wait_for_selector("body[data-ready]")
    return page, errors


def _until(page, expression: str, seconds: float = 30.0) -> None:
    """Wait until ``expression`` is true in the page (evaluated by the driver, outside the CSP)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        time.sleep(0.05)


def _reloaded(page, action):
    before = page.get_attribute("body", "data-ready")
    action()
    _until(page, f"document.body.dataset.ready !== '{before}'")


def test_review_page_in_chromium(served, browser, tmp_path):
    address, run = served
    page, errors = _open(browser, address)
    transcript = load_json(run / "transcript.json")
    utterances = transcript["utterances"]

    # Timeline: one bar per turn, flagged turns marked.
    assert page.locator("#timeline .turn").count() == len(utterances)
    assert page.locator("#timeline .turn.flagged").count() == sum(u["review"] for u in utterances)
    assert page.locator("#transcript li").count() == len(utterances)

    # Clicking a point plays the recording from its moment.
    point = page.locator('#minutes .pt[data-speaker="Peru"]').first
    start = float(point.get_attribute("data-start"))
    point.click()
    _until(page, f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.5")
    assert page.locator("#transcript li.current").count() == 1
    # ... and so does an utterance's time.
    row = page.locator("#transcript li").nth(5)
    row.locator("button.when").click()
    _until(page, f"Math.abs(document.getElementById('player').currentTime - {row.get_attribute('data-start')}) < 0.5")

    # Relabel a voice: the minutes follow.
    canada = _voice_of(run, "Canada")
    _reloaded(page, lambda: page.select_option(f'select[data-speaker="{canada}"]', "Chile"))
    assert "The delegation of Chile" in page.inner_text("#minutes")
    assert page.locator('#minutes .pt[data-speaker="Chile"]').first.inner_text().startswith("The delegation of Chile")
    assert page.locator('#transcript li select >> nth=0').count() == 1

    # Edit a point's text; relabel its voice; the edit survives the re-draft, both shown.
    target = page.locator('#minutes .pt[data-speaker="Brazil"]').first
    point_id = target.get_attribute("data-id")
    mine = "Brazil called for <b>capacity building</b> in every member state."
    target.locator("xpath=following-sibling::button[contains(@class,'edit')]").first.click()
    page.fill("textarea.editor", mine)
    _reloaded(page, lambda: page.click("div.editing button.save"))
    assert page.inner_text(f'#minutes .pt[data-id="{point_id}"]') == mine
    brazil = _voice_of(run, "Brazil")
    _reloaded(page, lambda: page.select_option(f'select[data-speaker="{brazil}"]', "Mexico"))
    assert page.inner_text(f'#minutes .pt[data-id="{point_id}"]') == mine
    box = page.locator(f'#conflict-list li[data-point="{point_id}"]')
    assert box.locator(".mine").inner_text() == mine and "Mexico" in box.locator(".draft").inner_text()
    _reloaded(page, lambda: box.locator("button.keep-mine").click())
    assert page.locator("#conflict-list li").count() == 0
    _reloaded(page, lambda: page.click("#redraft"))
    assert page.inner_text(f'#minutes .pt[data-id="{point_id}"]') == mine

    # Export the reviewed version; the change record names the reviewer.
    with page.expect_download() as download:
        page.click("#export")
    from docx import Document

    path = tmp_path / "reviewed.docx"
    download.value.save_as(path)
    assert mine in "\n".join(p.text for p in Document(str(path)).paragraphs)
    journal = page.inner_text("#journal-list")
    assert "Ana Reviewer: relabel-speaker" in journal and "Ana Reviewer: edit" in journal
    page.screenshot(path=str(tmp_path / "review.png"), full_page=False)
    assert not errors, errors


def test_hostile_transcript_renders_as_text(served, browser):
    address, run = served
    work = WorkDir(run)
    transcript = work.read_json("transcript.json")
    transcript["utterances"][3]["text"] = f"We support {HOSTILE} the Convention."
    work.write_json("transcript.json", transcript)
    minutes = work.read_json("minutes.json")
    _points(minutes)[0]["text"] = f"The delegation said {HOSTILE}."
    work.write_json("minutes.json", minutes)
    page, errors = _open(browser, address)
    assert page.evaluate("window.pwned") is None
    assert HOSTILE in page.inner_text("#transcript") and HOSTILE in page.inner_text("#minutes")
    assert page.locator("#transcript script, #transcript img, #minutes script, #minutes img").count() == 0
    assert not errors, errors


def test_three_hour_session_is_paged(served, browser):
    """4,000 turns over three hours: the page shows 200 at a time and the timeline stays whole."""
    address, run = served
    work = WorkDir(run)
    transcript = work.read_json("transcript.json")
    base = transcript["utterances"]
    long = []
    for i in range(4000):
        u = dict(base[i % len(base)], words=[])
        u["start"], u["end"] = i * 2.7, i * 2.7 + 2.5
        long.append(u)
    transcript["utterances"], transcript["duration"] = long, 4000 * 2.7
    work.write_json("transcript.json", transcript)
    page, errors = _open(browser, address)
    assert page.locator("#transcript li").count() == 200
    assert page.locator("#timeline .turn").count() == 4000
    assert page.inner_text("#page-info").startswith("1–200 of 4000")
    page.click("#next")
    _until(page, "document.getElementById('page-info').textContent.startsWith('201')")
    # Jumping to a moment two hours in loads the page that holds it.
    page.evaluate("document.querySelector('#timeline-wrap').dispatchEvent(new MouseEvent('click', "
                  "{clientX: document.querySelector('#timeline-wrap').getBoundingClientRect().left + "
                  "document.querySelector('#timeline-wrap').getBoundingClientRect().width * 0.75}))")
    _until(page, "document.getElementById('page-info').textContent.startsWith('3001')")
    first, last = page.locator("#transcript li").first, page.locator("#transcript li").last
    assert float(first.get_attribute("data-start")) <= 0.75 * 4000 * 2.7 <= float(last.get_attribute("data-end"))
    assert not errors, errors


def test_a_voice_relabelled_in_one_meeting_is_named_in_the_next(run_copy, tmp_path):
    """The voice bank as evidence: a rapporteur files a voice under a label in one meeting; in the
    next meeting, with the same voices, that voice speaks with no floor given and no name said,
    and the bank names it (flagged by nothing else, its evidence saying where the voice was
    confirmed). With an empty bank the same turn has no label."""
    import yaml

    from conftest import SAMPLE

    review = Review(WorkDir(run_copy))
    brazil = _voice_of(run_copy, "Brazil")
    review.relabel("speaker", brazil, "Chile", "Ana Reviewer")

    second = tmp_path / "second"
    second.mkdir()
    # The chair's opening and adoption, Brazil's intervention (no cue names it), the closing.
    pieces = [(0.8, 27.3), (135.6, 148.6), (191.1, 207.5)]
    chain = "".join(f"[0:a]atrim={a}:{b},asetpts=PTS-STARTPTS[p{i}];" for i, (a, b) in enumerate(pieces))
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(SAMPLE / "meeting.mp3"), "-filter_complex",
                    chain + "".join(f"[p{i}]" for i in range(len(pieces))) + f"concat=n={len(pieces)}:v=0:a=1",
                    "-c:a", "libmp3lame", "-b:a", "64k", str(second / "meeting.mp3")], check=True)
    spec = yaml.safe_load((SAMPLE / "meeting.yaml").read_text())
    spec["meeting"]["id"], spec["meeting"]["date"] = "CP/CSH-1950/20", "2020-02-06"
    (second / "meeting.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    out = tmp_path / "second-run"
    done = run_cli("run", str(second / "meeting.yaml"), "--out", str(out), "--no-prefect")
    assert done.returncode == 0, done.stderr[-2000:]
    start, end = 26.5 + 0.5, 26.5 + 13.0 - 0.5  # Brazil's stretch in the new recording
    turns = [u for u in load_json(out / "transcript.json")["utterances"] if start <= (u["start"] + u["end"]) / 2 <= end]
    assert turns and all(u["attribution"] == "Chile" for u in turns), turns
    evidence = [e for u in turns for e in u["evidence"]]
    assert any(e["kind"] == "voice-bank:Chile" and "CP/CSH-1942/19" in e["phrase"] for e in evidence), evidence
    assert not any(u["attribution"] == "Chile" for u in load_json(out / "transcript.json")["utterances"]
                   if not start <= (u["start"] + u["end"]) / 2 <= end)

    empty = run_cli("reprocess", str(out), "--from", "attribute", "--no-prefect",
                    env={"RAPPORTEUR_VOICES": str(tmp_path / "no-voices")})
    assert empty.returncode == 0, empty.stderr[-2000:]
    turns = [u for u in load_json(out / "transcript.json")["utterances"] if start <= (u["start"] + u["end"]) / 2 <= end]
    assert turns and not any(u["attribution"] == "Chile" for u in turns)
