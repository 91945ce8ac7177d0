"""The meeting flow: one Prefect task per stage of ``pipeline.stages.STAGES``, run in order.

Caching is the work folder's manifest (a stage reruns when its inputs change), so Prefect's own
result cache is off; the flow returns one row per stage for the caller to print.
"""

from __future__ import annotations

import pipeline  # noqa: F401  (switches off phone-home before prefect is imported)
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from pipeline.runner import Context, StageResult, run_stage, stages_to_force
from pipeline.stages import STAGES, Stage


def _task_for(stage: Stage):
    def run(ctx: Context, force: bool = False) -> StageResult:
        return run_stage(ctx, stage, force=force)

    run.__name__ = f"stage_{stage.name}"
    return task(run, name=stage.name, cache_policy=NO_CACHE, persist_result=False)


STAGE_TASKS = {stage.name: _task_for(stage) for stage in STAGES}


@flow(name="rapporteur-meeting", persist_result=False, validate_parameters=False)
def meeting_flow(ctx: Context, force_from: str | None = None) -> list[StageResult]:
    """Run every stage of one meeting, in order, each as its own Prefect task; from
    ``force_from`` on, stages rerun even when their inputs are unchanged."""
    forced = stages_to_force(force_from)
    return [STAGE_TASKS[stage.name](ctx, force=stage.name in forced) for stage in STAGES]
