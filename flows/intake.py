"""The intake flow: look at every source, start one meeting run per new recording.

Scheduled by ``rapporteur serve`` (cron from the service config) or by a ``prefect.yaml``
deployment on a work pool. With ``deployment`` set, each new recording becomes a flow run of
that deployment (any worker of the pool takes it: several machines share the work); without,
the meetings are processed here, one after the other.
"""

from __future__ import annotations

import pipeline  # noqa: F401  (offline switches before prefect)
from prefect import flow, get_run_logger

from flows.meeting import process_meeting

PROCESS_DEPLOYMENT = "rapporteur-process-meeting/process"


def mark_crashed(flow_run_id: str, why: str, logger) -> None:
    """Tell the server that a flow run whose process died is over (CRASHED), so it is not shown
    running forever: nothing else would, a SIGKILLed process sends no last state. Best effort: a
    server that cannot be reached, or a run already final, is left as it is."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(flow_run_id))
            if run.state is not None and not run.state.is_final():
                client.set_flow_run_state(run.id, Crashed(message=why), force=True)
                logger.warning("flow run %s (%s) marked crashed: %s", run.name, flow_run_id, why)
    except Exception as exc:  # noqa: BLE001  (the server is the user's: never stop the intake for it)
        logger.warning("flow run %s: could not mark it crashed (%s)", flow_run_id, exc)


@flow(name="rapporteur-intake", persist_result=False)
def intake_flow(config: str, deployment: str | None = None) -> list[dict]:
    from pipeline.service.intake import discover, load_config
    from pipeline.service.ledger import Ledger

    logger = get_run_logger()
    service = load_config(config)
    work_root = service.resolve(service.work_root)
    found = discover(service, log=logger.warning)
    logger.info("%d new recording(s)", len(found))
    started = []
    for new in found:
        for abandoned in new.abandoned_flow_runs:  # the meeting's own, and the intake's that ran it
            mark_crashed(abandoned, f"its process stopped beating; {new.origin} taken again "
                                    f"(attempt {new.attempt})", logger)
        parameters = {"spec": str(new.spec), "out": str(new.run_dir), "model": service.model, "key": new.key,
                      "webhook": service.notify.webhook, "work_root": str(work_root)}
        if deployment:
            from prefect.deployments import run_deployment

            try:
                run = run_deployment(deployment, parameters=parameters, timeout=0, as_subflow=False,
                                     flow_run_name=new.run_dir.name,
                                     idempotency_key=f"{new.key}-{new.attempt}")  # a retry is a new run
            except Exception as exc:  # noqa: BLE001  (the server refused: let the next tick retry)
                Ledger(work_root).update(new.key, status="failed", error=f"not submitted: {exc}")
                logger.error("%s: could not submit (%s)", new.origin, exc)
                continue
            started.append({"origin": new.origin, "run_dir": str(new.run_dir), "flow_run": str(run.id)})
        else:
            try:
                summary = process_meeting(**parameters)
            except Exception as exc:  # noqa: BLE001  (one bad meeting does not stop the others)
                logger.error("%s: %s", new.origin, exc)
                summary = {"status": "failed", "error": str(exc)}
            started.append({"origin": new.origin, "run_dir": str(new.run_dir), **summary})
    return started
