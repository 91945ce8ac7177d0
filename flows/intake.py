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
