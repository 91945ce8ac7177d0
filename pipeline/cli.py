"""``rapporteur``: the command line.

  rapporteur run SPEC.yaml [--out DIR] [--model NAME|DIR] [--diarization PIPELINE_DIR]
  rapporteur reprocess RUN_DIR [--from STAGE]
  rapporteur reprocess --all [--root DIR] [--since DATE] [--from STAGE]
  rapporteur intake CONFIG.yaml
  rapporteur serve CONFIG.yaml
  rapporteur evaluate RUN_DIR TRUTH.json
  rapporteur review RUN_DIR [--host 127.0.0.1] [--port 8765] [--user NAME] [--recover]
  rapporteur export RUN_DIR
  rapporteur models list | fetch | verify | path NAME | download NAME

Every failure the user can fix ends with one line on stderr saying what and where, and exit 2.
"""

from __future__ import annotations

import argparse
import errno
import logging
import json
import os
import sys
from pathlib import Path

import pipeline  # noqa: F401  (offline switches first)
from pipeline import artifacts as A
from pipeline.errors import UserError

EXIT_USAGE = 2




def _table(rows: list[tuple], header: tuple) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *map(line, rows)])


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.engine.runner import prepare
    from pipeline.engine.registry import RunOptions

    from pipeline.stages.diarize import DiarizeOptions, check_pipeline_config

    diarize = DiarizeOptions(segmentation=args.segmentation, embedding=args.embedding,
                             clustering_threshold=args.clustering_threshold)
    if args.diarization:
        check_pipeline_config(Path(args.diarization))  # refuse a bad config before any work
        diarize.pipeline = str(Path(args.diarization).resolve())
    ctx = prepare(args.spec, args.out, RunOptions(model=args.model, diarize=diarize, llm_url=args.llm,
                                                  llm_model=args.llm_model, vocabulary=not args.no_vocabulary,
                                                  translate=not args.no_translate))
    return _execute(ctx, args.no_prefect, None)


def cmd_reprocess(args: argparse.Namespace) -> int:
    from pipeline.engine.runner import reopen, stages_to_force

    try:
        stages_to_force(args.from_stage)
    except KeyError as exc:
        raise UserError(exc.args[0]) from None
    if args.all:
        if args.run_dir:
            raise UserError("give either a RUN_DIR or --all, not both")
        return _reprocess_all(args)
    if not args.run_dir:
        raise UserError("which run? give a RUN_DIR, or --all")
    try:
        ctx = reopen(args.run_dir)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    return _execute(ctx, args.no_prefect, args.from_stage)


def _reprocess_all(args: argparse.Namespace) -> int:
    """Every work folder under ``--root`` (meetings held on or after ``--since``), one by one;
    one that fails is reported and the others go on."""
    import datetime as dt

    from pipeline.engine.runner import find_runs, reopen

    since = None
    if args.since:
        try:
            since = dt.date.fromisoformat(args.since)
        except ValueError:
            raise UserError(f"--since {args.since!r}: give a date as YYYY-MM-DD") from None
    root = Path(args.root)
    if not root.is_dir():
        raise UserError(f"{root}: no such folder")
    rows, failed = [], 0
    for run_dir, date in find_runs(root):
        if since and (date is None or date < since):
            continue
        try:
            ctx = reopen(run_dir)
            results = _run(ctx, args.no_prefect, args.from_stage)
            ran = [r.name for r in results if not r.reused]
            rows.append((run_dir.name, str(date or ""), "ok", ", ".join(ran) or "nothing changed",
                         f"{sum(r.seconds for r in results if not r.reused):.1f}"))
        except (UserError, FileNotFoundError, RuntimeError) as exc:
            failed += 1
            rows.append((run_dir.name, str(date or ""), "failed", str(exc).splitlines()[0][:120], ""))
    print(_table(rows, ("run", "meeting date", "result", "stages run", "seconds")) if rows
          else f"no work folders under {root}" + (f" for meetings since {since}" if since else ""))
    return 1 if failed else 0


def _run(ctx, no_prefect: bool, force_from: str | None):
    if no_prefect:
        from pipeline.engine.runner import run_all

        return run_all(ctx, force_from)
    from flows.meeting import meeting_flow

    return meeting_flow(ctx, force_from)


def cmd_intake(args: argparse.Namespace) -> int:
    from flows.intake import intake_flow
    from pipeline.service.intake import load_config

    load_config(Path(args.config))  # a bad config: one line, before Prefect starts
    if args.submit and not os.environ.get("PREFECT_API_URL"):
        raise UserError("--submit needs a Prefect server: set PREFECT_API_URL (see README)")
    started = intake_flow(str(Path(args.config).resolve()), deployment=args.submit)
    rows = [(Path(s["run_dir"]).name, s.get("status", "submitted"), s["origin"]) for s in started]
    print(_table(rows, ("run", "status", "found at")) if rows else "no new recordings")
    return 1 if any(s.get("status") == "failed" for s in started) else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect import serve

    from flows.intake import PROCESS_DEPLOYMENT, intake_flow
    from flows.meeting import process_meeting
    from pipeline.service.intake import load_config

    config_path = Path(args.config).resolve()
    service = load_config(config_path)
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server = _local_prefect_server()
    intake = intake_flow.to_deployment(name="intake", cron=service.schedule,
                                       parameters={"config": str(config_path), "deployment": PROCESS_DEPLOYMENT})
    process = process_meeting.to_deployment(name=PROCESS_DEPLOYMENT.split("/")[1])
    print(f"serve: intake every `{service.schedule}` from {len(service.sources)} source(s); "
          f"up to {service.concurrency} meeting(s) at once; work root {service.resolve(service.work_root)}",
          flush=True)
    try:
        serve(intake, process, limit=service.concurrency, print_starting_message=False)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


def _local_prefect_server(port: int = 4200):
    """Schedules need a Prefect server (the ephemeral one runs no scheduler): start one on
    127.0.0.1 for the life of ``serve``, with its SQLite database in PREFECT_HOME."""
    import subprocess
    import time
    import urllib.request

    url = f"http://127.0.0.1:{port}/api"
    print(f"serve: no PREFECT_API_URL; starting a Prefect server at {url} (stops with this command)", flush=True)
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1).close()
            os.environ["PREFECT_API_URL"] = url
            return server
        except OSError:
            if server.poll() is not None:
                raise UserError(f"the Prefect server did not start: {server.stderr.read().decode()[-300:]}")
            time.sleep(0.5)
    server.terminate()
    raise UserError("the Prefect server did not answer within 60 s")


def _execute(ctx, no_prefect: bool, force_from: str | None) -> int:
    results = _run(ctx, no_prefect, force_from)
    rows = [(r.name, r.status, f"{r.seconds:.1f}") for r in results]
    print(_table(rows, ("stage", "status", "seconds")))
    print(f"transcript: {ctx.work.path(A.TRANSCRIPT)}")
    print(f"minutes: {ctx.work.path(A.MINUTES)}")
    return 0


def _truth(path: Path) -> dict:
    """A truth file as `evaluate` reads it ({"utterances": [{"start", "end", "attribution", "text",
    ...}]}, as the samples' truth.json), or a one-line error saying what it lacks."""
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a JSON truth file ({exc})") from None
    lines = truth.get("utterances") if isinstance(truth, dict) else None
    if not isinstance(lines, list) or not all(isinstance(u, dict) for u in lines):
        raise UserError(f"{path}: not a truth file: it needs an \"utterances\" list (see audio_samples/*/truth.json)")
    for k, line in enumerate(lines):
        missing = [key for key in ("start", "end", "text") if key not in line]
        if missing or not all(isinstance(line[key], (int, float)) for key in ("start", "end")):
            raise UserError(f"{path}: utterance {k} needs numeric start and end and a text "
                            f"(missing: {', '.join(missing) or 'a number'})")
    return truth


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pipeline.evaluate import score

    run_dir, truth_path = Path(args.run_dir), Path(args.truth)
    transcript = run_dir / A.TRANSCRIPT
    if not transcript.is_file():
        raise UserError(f"{transcript}: no transcript; run `rapporteur run` first")
    if not truth_path.is_file():
        raise UserError(f"{truth_path}: truth file not found")
    truth = _truth(truth_path)
    scores = score(json.loads(transcript.read_text()), truth)
    print(_table(scores.rows(), ("measure", "value")))
    if (run_dir / A.MINUTES_JSON).is_file() and (run_dir / A.MANIFEST).is_file():
        from pipeline.evaluate import score_minutes
        from pipeline.spec import load_spec

        from pipeline.engine.runner import read_manifest

        spec_path = read_manifest(A.WorkDir(run_dir)).get("run", {}).get("spec")
        if spec_path and Path(spec_path).is_file():
            minutes = score_minutes(json.loads((run_dir / A.MINUTES_JSON).read_text()),
                                    (run_dir / A.MINUTES).read_text(), truth, load_spec(Path(spec_path)))
            print()
            print(_table(minutes.rows(), ("minutes", "value")))
    return 0


def _run_dir(path: str):
    from pipeline.artifacts import WorkDir

    work = WorkDir(Path(path))
    if not work.exists(A.MANIFEST):
        raise UserError(f"{work.root}: not a rapporteur work folder (no {A.MANIFEST})")
    return work


def cmd_review(args: argparse.Namespace) -> int:
    import getpass

    from pipeline.review.app import serve

    work = _run_dir(args.run_dir)
    if args.recover:
        from pipeline.review.layer import Review

        done = Review(work).recover(args.user or getpass.getuser())
        print("\n".join(done) if done else f"{work.root}: every review file is readable; nothing to recover")
        return 0
    serve(work.root, host=args.host, port=args.port, author=args.user or getpass.getuser())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import getpass

    from pipeline.review.layer import Review

    work = _run_dir(args.run_dir)
    Review(work).export(args.user or getpass.getuser())
    print(f"reviewed minutes: {work.path(A.REVIEWED_DOCX)}")
    print(f"reviewed minutes: {work.path(A.REVIEWED_MD)}")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from pipeline import models

    if args.action == "fetch":
        for name, path in models.fetch_all():
            print(f"{name}: {path} (verified)")
        return 0
    if args.action in ("path", "download"):
        if not args.name:
            raise UserError(f"`rapporteur models {args.action}` needs a model name")
        print(models.resolve_llm(args.name) if args.name in models.LLM_MODELS else models.resolve_whisper(args.name))
        return 0
    rows = models.status()
    print(_table(rows, ("model", "path", "state")))
    if args.action == "verify" and any(not state.startswith(("ok", "optional")) for _, _, state in rows):
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapporteur", description="Meeting recording to draft minutes.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every stage for one meeting spec")
    run.add_argument("spec", help="meeting spec (YAML)")
    run.add_argument("--out", help="work folder (default: runs/<meeting id>)")
    run.add_argument("--model", help="Whisper model: tiny.en, base, a CTranslate2 directory, or a hub name with "
                     "HF_HUB_OFFLINE=0 (default: base)")
    run.add_argument("--no-vocabulary", action="store_true",
                     help="do not bias transcription towards the spec's names and vocabulary")
    run.add_argument("--no-translate", action="store_true",
                     help="quote what was said in Spanish, Portuguese or French as said, without an English "
                          "rendering of the points (Whisper's translate task)")
    run.add_argument("--diarization", metavar="PATH",
                     help="a local pyannote pipeline folder to diarize with (default: built-in offline pipeline)")
    run.add_argument("--segmentation", choices=["2.x", "3.0"], default="2.x",
                     help="built-in pipeline's segmentation model: pyannote 2.x (5 s windows) or "
                     "segmentation-3.0 (10 s, overlap-aware) (default: 2.x)")
    run.add_argument("--embedding", choices=["resemblyzer", "campplus"], default="resemblyzer",
                     help="built-in pipeline's speaker embedding: Resemblyzer GE2E or CAM++ (default: resemblyzer)")
    run.add_argument("--clustering-threshold", type=float, metavar="T",
                     help="voice clustering distance (default: the embedding's tuned value)")
    run.add_argument("--llm", metavar="URL", help="an OpenAI-compatible API (e.g. http://127.0.0.1:8080/v1) to word "
                     "the points; each is checked against what was said (default: no language model)")
    run.add_argument("--llm-model", metavar="NAME", help="the model name to ask the --llm endpoint for")
    run.add_argument("--no-prefect", action="store_true", help="run the stages in-process, without Prefect")
    run.set_defaults(func=cmd_run)
    rp = sub.add_parser("reprocess", help="run an existing work folder (or all of them) again, from a stage on")
    rp.add_argument("run_dir", nargs="?")
    rp.add_argument("--from", "--stage", dest="from_stage", metavar="STAGE",
                    help="rerun this stage and every later one even if unchanged (default: only what changed)")
    rp.add_argument("--all", action="store_true", help="every work folder under --root")
    rp.add_argument("--root", default="runs", help="where the work folders are (default: runs)")
    rp.add_argument("--since", metavar="YYYY-MM-DD", help="with --all: only meetings held on or after this date")
    rp.add_argument("--no-prefect", action="store_true", help="run the stages in-process, without Prefect")
    rp.set_defaults(func=cmd_reprocess)
    ev = sub.add_parser("evaluate", help="score a run against ground truth")
    ev.add_argument("run_dir")
    ev.add_argument("truth")
    ev.set_defaults(func=cmd_evaluate)
    it = sub.add_parser("intake", help="look at the sources of a service config once; process what is new")
    it.add_argument("config", help="service config (YAML): work_root, schedule, sources, notify")
    it.add_argument("--submit", metavar="DEPLOYMENT",
                    help="submit each new meeting as a flow run of this deployment (e.g. "
                    "rapporteur-process-meeting/process) for a work pool's workers, instead of processing it here")
    it.set_defaults(func=cmd_intake)
    sv = sub.add_parser("serve", help="run the intake on its schedule and process meetings (Prefect serve)")
    sv.add_argument("config")
    sv.set_defaults(func=cmd_serve)
    rv = sub.add_parser("review", help="open the review page of a run (local web app)")
    rv.add_argument("run_dir")
    rv.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this machine only); the page always needs "
                    "the access token printed at start")
    rv.add_argument("--port", type=int, default=8765)
    rv.add_argument("--user", help="reviewer's name in the change record (default: the login name)")
    rv.add_argument("--recover", action="store_true",
                    help="rebuild an unreadable review/corrections.json or edits.json from the journal "
                         "(the bad file is kept aside), then exit")
    rv.set_defaults(func=cmd_review)
    ex = sub.add_parser("export", help="write the reviewed minutes (edits applied) as Word and Markdown")
    ex.add_argument("run_dir")
    ex.add_argument("--user", help="name recorded in the change record (default: the login name)")
    ex.set_defaults(func=cmd_export)
    mo = sub.add_parser("models", help="list, fetch or verify model files")
    mo.add_argument("action", choices=["list", "fetch", "verify", "path", "download"])
    mo.add_argument("name", nargs="?", help="model name for path/download (e.g. base, small)")
    mo.set_defaults(func=cmd_models)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Progress of long stages (transcription: minutes done, ETA) on stderr; under a Prefect
    # worker the same records go to the flow run's logs (PREFECT_LOGGING_EXTRA_LOGGERS).
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger = logging.getLogger("rapporteur")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        return args.func(args)
    except UserError as exc:
        print(f"rapporteur: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise
        where = f" in {exc.filename}" if exc.filename else ""
        print(f"rapporteur: error: no space left{where} ({exc.strerror}); finished stages are kept, "
              "free some space and run again to resume", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rapporteur: interrupted; finished stages are kept, re-run to resume", file=sys.stderr)
        return 130
    except RuntimeError as exc:  # Prefect's own check of PREFECT_API_URL, before any flow starts
        if not str(exc).startswith("Failed to reach API at"):
            raise
        url = str(exc).removeprefix("Failed to reach API at").strip()
        print(f"rapporteur: error: the Prefect server at {url} cannot be reached; nothing was started "
              "or taken from the sources: start it (`prefect server start`) and run again, or unset "
              "PREFECT_API_URL to run without a server", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
