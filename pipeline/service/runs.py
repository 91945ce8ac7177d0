"""One scheduled meeting run, as the service sees it: its ledger entry (skip a recording already
done, "running" with a heartbeat while it runs, "done" or "failed" after), the webhook told of
the outcome, and the summary the flow returns. The Prefect flow (:mod:`flows.meeting`) only wires
this around the stages; run from the CLI (no ledger key, no webhook) it is a summary alone.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator, Optional

from pipeline import artifacts as A
from pipeline.service.ledger import Ledger
from pipeline.service.notify import notify


class ServiceRun:
    """The bookkeeping of one meeting run, around :meth:`running`."""

    def __init__(self, spec: str, key: Optional[str] = None, webhook: Optional[str] = None,
                 work_root: Optional[str] = None):
        self.key, self.webhook = key, webhook
        self.ledger = Ledger(Path(work_root)) if key and work_root else None
        self.summary: dict = {"spec": spec}
        self._finished = None

    def already_done(self) -> Optional[dict]:
        """The summary of a skipped run when the ledger says this recording is done, else None."""
        entry = (self.ledger.get(self.key) or {}) if self.ledger is not None else {}
        if entry.get("status") == "done":
            return {"status": "skipped", "run_dir": entry.get("run_dir")}
        return None

    def prepared(self, ctx) -> None:
        """The run's meeting and work folder, once the spec is read."""
        self.summary.update(meeting_id=ctx.spec.meeting.id, run_dir=str(ctx.work.root))

    def finished(self, ctx, results) -> None:
        """The stages' results, to be recorded when the block ends."""
        self._finished = (ctx, results)

    @contextlib.contextmanager
    def running(self, flow_run: Optional[str] = None, root_flow_run: Optional[str] = None) -> Iterator["ServiceRun"]:
        """Mark the entry running and keep it fresh while the block runs (a worker killed
        mid-meeting stops the heartbeat, and the entry is taken again once stale,
        ``Ledger.stale``, resuming in this folder); afterwards record the outcome and notify.
        The heartbeat is stopped before the last update, which it must never overwrite.
        ``flow_run``, ``root_flow_run``: the scheduler's runs of it (the second when an intake ran
        it in its own process), marked crashed if this process dies (:mod:`flows.intake`)."""
        if self.ledger is not None:
            self.ledger.update(self.key, status="running", flow_run=flow_run, root_flow_run=root_flow_run,
                               pid=os.getpid())
        try:
            with self.ledger.heartbeat(self.key) if self.ledger is not None else contextlib.nullcontext():
                yield self
        except BaseException as exc:
            self.summary.update(status="failed", error=f"{type(exc).__name__}: {exc}")
            if self.ledger is not None:
                self.ledger.update(self.key, status="failed", error=self.summary["error"])
            notify(self.webhook, {"event": "run-failed", **self.summary})
            raise
        ctx, results = self._finished
        self.summary.update(status="done", minutes=str(ctx.work.path(A.MINUTES)),
                            stages={r.name: r.status for r in results})
        if self.ledger is not None:
            self.ledger.update(self.key, status="done", minutes=self.summary["minutes"])
        notify(self.webhook, {"event": "draft-ready", **self.summary})


def publication(ctx, results) -> dict:
    """What the service publishes of a finished draft (as a Prefect markdown artifact: the UI
    shows it): where its files are, how each stage went, and the minutes themselves."""
    table = "\n".join(f"| {r.name} | {r.status} | {r.seconds:.1f} |" for r in results)
    body = (f"**Draft minutes ready**: `{ctx.work.path(A.MINUTES)}`  \n"
            f"Review: `rapporteur review {ctx.work.root}`\n\n| stage | status | seconds |\n|---|---|---|\n{table}\n\n"
            f"---\n\n{ctx.work.read_text(A.MINUTES)}")
    return {"markdown": body, "key": f"minutes-{ctx.spec.slug}"[:100],
            "description": f"Draft minutes of {ctx.spec.meeting.id}"}
