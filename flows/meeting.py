"""The meeting flows: one Prefect task per stage of ``pipeline.engine.registry.STAGES``, run in order.

- :func:`meeting_flow` runs a prepared :class:`~pipeline.engine.registry.Context` (the CLI's ``run`` and
  ``reprocess``);
- :func:`process_meeting` is the deployable one: plain parameters (a spec path, a work folder);
  the ledger entry of a scheduled intake and the notifications are the service's
  (:mod:`pipeline.service.runs`), the draft is published as a Prefect artifact.

Caching is the work folder's manifest (a stage reruns when its inputs change), so Prefect's own
result cache is off. Fetching is retried with backoff when the failure is transient (a server
error, no answer); the heavy stages once, when they fail for a reason other than the input.
"""

from __future__ import annotations

import logging
import os
import re

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


@flow(name="rapporteur-process-meeting", persist_result=False, log_prints=True)
def process_meeting(spec: str, out: str | None = None, force_from: str | None = None,
                    model: str | None = None, key: str | None = None, webhook: str | None = None,
                    work_root: str | None = None) -> dict:
    """Process one meeting from its spec into ``out``; with ``key`` (from intake), record the
    outcome in the ledger under ``work_root`` and skip a recording already done
    (:class:`pipeline.service.runs.ServiceRun`); the draft is published as a Prefect artifact."""
    from prefect.artifacts import create_markdown_artifact

    from pipeline.engine.runner import prepare
    from pipeline.engine.registry import RunOptions
    from pipeline.service.runs import ServiceRun, publication

    quiet_user_errors()
    logger = get_run_logger()
    run = ServiceRun(spec, key=key, webhook=webhook, work_root=work_root)
    skipped = run.already_done()
    if skipped is not None:
        logger.info("%s: already processed into %s", spec, skipped["run_dir"])
        return skipped
    from prefect.runtime import flow_run

    own, root = str(flow_run.id), str(flow_run.root_flow_run_id or flow_run.id)
    with run.running(flow_run=own, root_flow_run=root if root != own else None):
        ctx = prepare(spec, out, RunOptions(model=model))
        run.prepared(ctx)
        results = meeting_flow(ctx, force_from)
        create_markdown_artifact(**publication(ctx, results))
        run.finished(ctx, results)
    logger.info("draft ready: %s", run.summary["minutes"])
    return run.summary
