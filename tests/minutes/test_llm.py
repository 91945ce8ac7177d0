"""The language-model drafting path against a real llama.cpp server on 127.0.0.1 serving the
small Gemma 3 270M model from PyPI: every worded point is checked against what was said.

Gemma 3 270M's wordings of the sample are all refused (temperature 0: 0 of 10 accepted), so that
test alone never shows a wording *published*. A second test puts a scripted OpenAI-compatible
endpoint on 127.0.0.1 in the model's place (the endpoint is outside the machine in production:
any hosted API), answering each request with one faithful bullet and one that invents: the
faithful one must be in the minutes as worded, the invented one nowhere."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import SAMPLE, free_port, load_json, run_cli, wait_until_serving

from pipeline.minutes.llm import support

pytestmark = pytest.mark.slow  # real models, real audio, real servers: `pytest -m "not slow"` skips them


class LlamaServer:
    """A llama.cpp server process, its URL and its log."""

    def __init__(self, process, url, log):
        self.process, self.url, self.log = process, url, log

    def check_alive(self) -> None:
        """Fail with the server's own fate when it died: a crash reads as a crash, not as the
        client's "cannot reach the language model"."""
        code = self.process.poll()
        if code is None:
            return
        fate = f"crashed (signal {-code})" if code < 0 else f"exited with status {code}"
        if code == 132 or code == -4:
            fate += ": an illegal instruction, llama.cpp built for another CPU (see scripts/install.sh)"
        pytest.fail(f"the llama.cpp server {fate}: {self.log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    import llama_cpp  # noqa: F401  (installed by scripts/install.sh: a failed install fails here)

    from pipeline.models import resolve_llm

    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"  # a file: llama.cpp logs a lot, a pipe would fill
    server = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(resolve_llm("gemma3-270m")),
                               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
                               "--model_alias", "gemma3-270m", "--chat_format", "gemma"],
                              stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_serving(f"{url}/models", server, log)
    yield LlamaServer(server, url, log)
    server.terminate()
    server.wait(timeout=30)


def test_points_worded_by_a_real_model_are_checked(sample_run, llama_server, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(sample_run["out"], out)
    done = run_cli("run", str(SAMPLE / "meeting.yaml"), "--out", str(out), "--no-prefect",
                   "--llm", llama_server.url, "--llm-model", "gemma3-270m")
    llama_server.check_alive()
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"\| transcribe\s+\| reused", done.stdout) and re.search(r"\| draft\s+\| ran", done.stdout)
    minutes = load_json(out / "minutes.json")
    stats = minutes["drafting"]["llm"]
    assert stats["model"] == "gemma3-270m" and stats["requests"] >= 5
    assert stats["accepted"] + stats["rejected"] + stats["answers_without_points"] >= stats["requests"]
    utterances = load_json(out / "transcript.json")["utterances"]
    points = [p for item in minutes["items"] for key in ("remarks", "points") for p in item[key]] + \
             [p for item in minutes["items"] for block in item["blocks"] for p in block["points"]]
    assert points
    for point in points:
        source = next(u for u in utterances if abs(u["start"] - point["start"]) < 1e-6)
        if point["origin"] == "llm":  # published as the model worded it: it must be in the recording
            share, missing = support(point["text"], source["text"], [point["speaker"], "Chair"])
            assert share >= 0.75, (point["text"], missing)
        else:  # the extractive sentence; flagged when the model's version was refused
            assert point["origin"] == "extractive"
            assert not point["flag"] or point["flag"].startswith("the language model's wording was not used")
    markdown = (out / "minutes.md").read_text()
    assert sum("(check: the language model" in line for line in markdown.splitlines()) == \
        sum(bool(p["flag"]) for p in points)
    assert load_json(out / "manifest.json")["stages"]["draft"]["info"]["llm"]["requests"] == stats["requests"]


def test_an_unreachable_model_is_one_line(sample_run, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(sample_run["out"], out)
    done = run_cli("run", str(SAMPLE / "meeting.yaml"), "--out", str(out), "--no-prefect",
                   "--llm", "http://127.0.0.1:9/v1")
    assert done.returncode == 2
    assert re.fullmatch(r"rapporteur: error: http://127\.0\.0\.1:9/v1: cannot reach the language model \(.+\)\n",
                        done.stderr.splitlines(keepends=True)[-1]), done.stderr
    assert json.loads((out / "manifest.json").read_text())["stages"]["draft"]["status"] == "failed"


class ScriptedModel:
    """An OpenAI-compatible chat endpoint that answers each request with two bullets: the
    speaker's first sentence of four words or more, reported ("X stated: ..."), and a pledge the
    speaker never made. Records what it answered."""

    INVENTED = "pledged 500 million dollars to the Atlantis Fund"

    def __init__(self):
        import http.server
        import threading

        self.answered: list[tuple[str, str]] = []  # (faithful bullet, invented bullet)
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                user = body["messages"][-1]["content"]
                subject = re.findall(r"^Speaker: (.+)$", user, re.M)[-1]
                words = user.rsplit('Words of the speaker:\n"""', 1)[1].split('"""', 1)[0].strip()
                sentence = next((s for s in re.split(r"(?<=[.?!])\s+", words) if len(s.split()) >= 4), words)
                faithful = f"{subject} stated: {sentence}"
                invented = f"{subject} {owner.INVENTED}."
                owner.answered.append((faithful, invented))
                answer = {"choices": [{"message": {"content": f"- {faithful}\n- {invented}"}}]}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_faithful_wording_is_published_and_an_invented_one_is_not(sample_run, tmp_path):
    model = ScriptedModel()
    out = tmp_path / "run"
    shutil.copytree(sample_run["out"], out)
    try:
        done = run_cli("run", str(SAMPLE / "meeting.yaml"), "--out", str(out), "--no-prefect",
                       "--llm", model.url, "--llm-model", "scripted")
    finally:
        model.server.shutdown()
    assert done.returncode == 0, done.stderr[-3000:]
    minutes = load_json(out / "minutes.json")
    stats = minutes["drafting"]["llm"]
    assert stats["requests"] == len(model.answered) >= 5
    assert stats["accepted"] >= 1 and stats["rejected"] >= len(model.answered)  # every invention refused
    points = [p for item in minutes["items"] for key in ("remarks", "points") for p in item[key]] + \
             [p for item in minutes["items"] for block in item["blocks"] for p in block["points"]]
    published = [p for p in points if p["origin"] == "llm"]
    faithful = {f for f, _ in model.answered}
    assert published and all(p["text"] in faithful and not p["flag"] for p in published)
    markdown, html = (out / "minutes.md").read_text(), (out / "minutes.html").read_text()
    assert "Atlantis" not in markdown and "Atlantis" not in html and "Atlantis" not in json.dumps(minutes["items"])
    assert published[0]["text"].split(": ", 1)[1][:40] in markdown.replace("\\", "")
