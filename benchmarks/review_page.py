"""Benchmark: the review page on a short and on a three-hour session, in headless Chromium.

Copies a finished run (default: runs the embedded sample first), makes a second copy whose
transcript is stretched to N turns over three hours, serves each with `rapporteur review`, and
prints a table: turns, seconds to a usable page, to relabel a voice (re-draft included), to jump
two hours in, and the page's JS heap.

    .venv/bin/python benchmarks/review_page.py [RUN_DIR] [--turns 4000]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _until(page, expression: str, seconds: float) -> None:
    """Poll ``expression`` (the page's CSP forbids the eval that wait_for_function needs)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise SystemExit(f"still false after {seconds} s: {expression}")
        time.sleep(0.02)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stretch(run: Path, turns: int) -> None:
    transcript = json.loads((run / "transcript.json").read_text())
    base = transcript["utterances"]
    spacing = 3 * 3600 / turns
    long = []
    for i in range(turns):
        u = dict(base[i % len(base)], words=[])
        u["start"], u["end"] = round(i * spacing, 2), round(i * spacing + spacing * 0.9, 2)
        long.append(u)
    transcript["utterances"], transcript["duration"] = long, 3 * 3600
    (run / "transcript.json").write_text(json.dumps(transcript))


def measure(run: Path, browser, relabel: bool) -> dict:
    port = _port()
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "review", str(run), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = re.search(r"http://\S+", server.stdout.readline()).group(0)
        time.sleep(1.0)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})  # under the page's CSP
        clock = time.perf_counter()
        page.goto(address)
        page.wait_for_selector("body[data-ready]", timeout=120_000)
        row = {"turns": page.locator("#timeline .turn").count(), "load_s": time.perf_counter() - clock}
        if relabel:
            voice = page.locator("select[data-speaker]").first
            current = voice.input_value()
            target = next(o for o in page.locator("select[data-speaker] >> nth=0 >> option").all_inner_texts()
                          if o != current and o != "(unknown)")
            before = page.get_attribute("body", "data-ready")
            clock = time.perf_counter()
            voice.select_option(target)
            _until(page, f"document.body.dataset.ready !== '{before}'", 120)
            row["relabel_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        page.evaluate("document.querySelector('#timeline-wrap').dispatchEvent(new MouseEvent('click', {clientX: "
                      "document.querySelector('#timeline-wrap').getBoundingClientRect().left + "
                      "document.querySelector('#timeline-wrap').getBoundingClientRect().width * 0.7}))")
        _until(page, "document.querySelector('#transcript li') !== null", 60)
        row["jump_s"] = time.perf_counter() - clock
        row["heap_mb"] = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1048576 : 0")
        page.close()
        return row
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir", nargs="?")
    parser.add_argument("--turns", type=int, default=4000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(args.run_dir) if args.run_dir else Path(tmp) / "sample"
        if not args.run_dir:
            subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(ROOT / "audio_samples/cp-csh-1942/meeting.yaml"),
                            "--out", str(source), "--no-prefect"], cwd=ROOT, check=True, capture_output=True)
        short, long = Path(tmp) / "short", Path(tmp) / "long"
        shutil.copytree(source, short)
        shutil.copytree(source, long)
        stretch(long, args.turns)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            rows = [("sample (208 s)", measure(short, browser, relabel=True)),
                    (f"three hours, {args.turns} turns", measure(long, browser, relabel=False))]
            browser.close()
    print("| session | turns | page ready (s) | relabel + re-draft (s) | jump 2 h in (s) | JS heap (MB) |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        relabel = f"{r['relabel_s']:.2f}" if "relabel_s" in r else "—"
        print(f"| {name} | {r['turns']} | {r['load_s']:.2f} | {relabel} | {r['jump_s']:.2f} | {r['heap_mb']:.1f} |")


if __name__ == "__main__":
    main()
