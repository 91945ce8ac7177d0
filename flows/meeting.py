"""The meeting flows: one Prefect task per stage of ``pipeline.engine.registry.STAGES``, run in order.

- :func:`meeting_flow` runs a prepared :class:`~pipeline.engine.registry.Context` (the CLI's ``run`` and
  ``reprocess``);
- :func:`process_meeting` is the deployable one: plain parameters (a spec path, a work folder),
  the ledger entry of a scheduled intake, the draft published as a Prefect artifact and a
  notification when it is ready or has failed.

Caching is the work folder's manifest (a stage reruns when its inputs change), so Prefect's own
result cache is off. Fetching is retried with backoff when the failure is transient (a server
error, no answer); the heavy stages once, when they fail for a reason other than the input.
"""

from __future__ import annotations

import contextlib

import logging
import os
import re
from pathlib import Path

import pipeline  # noqa: F401  (switches off phone-home before prefect is imported)
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.errors import UserError
from pipeline.engine.runner import Context, StageResult, run_stage, stages_to_force
from pipeline.engine.registry import STAGES, Stage


def _user_error_names() -> set[str]:
    """The class names of every user error defined so far (their modules raised them)."""
    names, todo = set(), [UserError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo += cls.__subclasses__()
    return names


FAILED_WITH = re.compile(r"exception\.?\s+(\w+):")


class QuietUserErrors(logging.Filter):
    """Prefect reports a task or flow that failed as an ERROR, the flow's with a traceback. For a
    user error (a recording that is not audio, a typo in the spec) the CLI prints the one line
    that says what to do, so the console drops Prefect's report of it, or shows it at debug level
    when Prefect logs at debug (a worker's log keeps the detail); the flow run's logs on a server
    (the API handler) keep it as it was."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not record.name.startswith("prefect"):
            return True
        error = record.exc_info[1] if record.exc_info else None
        found = FAILED_WITH.search(record.getMessage()) if error is None else None
        if not (isinstance(error, UserError) or (found and found.group(1) in _user_error_names())):
            return True
        if not logging.getLogger("prefect").isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname, record.exc_info, record.exc_text = logging.DEBUG, "DEBUG", None, None
        return True


def quiet_user_errors() -> None:
    """Put :class:`QuietUserErrors` on Prefect's console handlers (once)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for logger in (logging.getLogger(), logging.getLogger("prefect")):
        for handler in logger.handlers:
            if isinstance(handler, PrefectConsoleHandler) and not any(isinstance(f, QuietUserErrors)
                                                                     for f in handler.filters):
                handler.addFilter(QuietUserErrors())


def _exception(state):
    try:
        return state.result(raise_on_failure=False)
    except Exception as exc:  # noqa: BLE001  (a result that cannot be read is not transient)
        return exc


def _transient(task_, task_run, state) -> bool:
    """Retry a fetch only when trying again can help."""
    exc = _exception(state)
    return bool(getattr(exc, "transient", False)) or isinstance(exc, (ConnectionError, TimeoutError))


def _not_the_input(task_, task_run, state) -> bool:
    """Retry a heavy stage that crashed (memory, a library), not one refusing its input."""
    return not isinstance(_exception(state), UserError)


def _delays(n: int) -> list[float]:
    base = float(os.environ.get("RAPPORTEUR_RETRY_DELAY", "30"))
    return [base * 4 ** i for i in range(n)]


RETRIES = {
    "ingest": dict(retries=3, retry_delay_seconds=_delays(3), retry_condition_fn=_transient),
    "transcribe": dict(retries=1, retry_delay_seconds=_delays(1), retry_condition_fn=_not_the_input),
    "diarize": dict(retries=1, retry_delay_seconds=_delays(1), retry_condition_fn=_not_the_input),
}


def _task_for(stage: Stage):
    def run(ctx: Context, force: bool = False) -> StageResult:
        return run_stage(ctx, stage, force=force)

    run.__name__ = f"stage_{stage.name}"
    return task(run, name=stage.name, cache_policy=NO_CACHE, persist_result=False,
                **RETRIES.get(stage.name, {}))


STAGE_TASKS = {stage.name: _task_for(stage) for stage in STAGES}


@flow(name="rapporteur-meeting", persist_result=False, validate_parameters=False)
def meeting_flow(ctx: Context, force_from: str | None = None) -> list[StageResult]:
    """Run every stage of one meeting, in order, each as its own Prefect task; from
    ``force_from`` on, stages rerun even when their inputs are unchanged."""
    quiet_user_errors()
    forced = stages_to_force(force_from)
    return [STAGE_TASKS[stage.name](ctx, force=stage.name in forced) for stage in STAGES]


def _publish(ctx: Context, results: list[StageResult]) -> None:
    """The draft as a Prefect markdown artifact (shown in the UI), with where its files are."""
    from prefect.artifacts import create_markdown_artifact

    from pipeline import artifacts as A

    table = "\n".join(f"| {r.name} | {'reused' if r.reused else 'ran'} | {r.seconds:.1f} |" for r in results)
    body = (f"**Draft minutes ready**: `{ctx.work.path(A.MINUTES)}`  \n"
            f"Review: `rapporteur review {ctx.work.root}`\n\n| stage | status | seconds |\n|---|---|---|\n{table}\n\n"
            f"---\n\n{ctx.work.read_text(A.MINUTES)}")
    create_markdown_artifact(markdown=body, key=f"minutes-{ctx.spec.slug}"[:100],
                             description=f"Draft minutes of {ctx.spec.meeting.id}")


@flow(name="rapporteur-process-meeting", persist_result=False, log_prints=True)
def process_meeting(spec: str, out: str | None = None, force_from: str | None = None,
                    model: str | None = None, key: str | None = None, webhook: str | None = None,
                    work_root: str | None = None) -> dict:
    """Process one meeting from its spec into ``out``; with ``key`` (from intake), record the
    outcome in the ledger under ``work_root`` and skip a recording already done."""
    from pipeline import artifacts as A
    from pipeline.service.ledger import Ledger

    quiet_user_errors()
    from pipeline.service.notify import notify
    from pipeline.engine.runner import prepare
    from pipeline.engine.registry import RunOptions

    logger = get_run_logger()
    ledger = Ledger(Path(work_root)) if key and work_root else None
    if ledger is not None:
        entry = ledger.get(key) or {}
        if entry.get("status") == "done":
            logger.info("%s: already processed into %s", spec, entry.get("run_dir"))
            return {"status": "skipped", "run_dir": entry.get("run_dir")}
        from prefect.runtime import flow_run

        ledger.update(key, status="running", flow_run=str(flow_run.id), pid=os.getpid())
    summary: dict = {"spec": spec}
    try:
        # The heartbeat tells other intakes this run is alive; a worker killed mid-meeting stops
        # it, and the entry is taken again once stale (``Ledger.stale``), resuming in this folder.
        with ledger.heartbeat(key) if ledger is not None else contextlib.nullcontext():
            ctx = prepare(spec, out, RunOptions(model=model))
            summary.update(meeting_id=ctx.spec.meeting.id, run_dir=str(ctx.work.root))
            results = meeting_flow(ctx, force_from)
            _publish(ctx, results)
    except BaseException as exc:
        summary.update(status="failed", error=f"{type(exc).__name__}: {exc}")
        if ledger is not None:
            ledger.update(key, status="failed", error=summary["error"])
        notify(webhook, {"event": "run-failed", **summary})
        raise
    summary.update(status="done", minutes=str(ctx.work.path(A.MINUTES)),
                   stages={r.name: "reused" if r.reused else "ran" for r in results})
    if ledger is not None:
        ledger.update(key, status="done", minutes=summary["minutes"])
    notify(webhook, {"event": "draft-ready", **summary})
    logger.info("draft ready: %s", summary["minutes"])
    return summary
