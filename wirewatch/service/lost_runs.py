"""Lost runs of the stages marked Crashed by Prefect itself: a flow run whose machine died
stops sending heartbeats, and an automation on the Prefect server sets it `Crashed`, which
frees its deployment's concurrency slot, so the next run of that shard (or the sequencer) is
not cancelled by `CANCEL_NEW` for ever.

Prefect 3.8.8 ships the parts, not the automation: every flow run sends a
`prefect.flow-run.heartbeat` event every `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds (at least
30; `prefect.yaml` sets 30 for the stages' deployments), and a proactive automation can expect
the next heartbeat or a final state within a window after each one. This module creates (or
replaces) that automation, for the flow runs tagged `STAGE_TAG` only: a run sending heartbeats
at the default 180 s would pass a 90 s window without being lost. `wirewatch lake lost-runs`
runs it once after `prefect deploy`; the one-box daemon has its own check (`ghosts.py`).
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from wirewatch.service.automation import delete_automation

NAME = "wirewatch-lost-runs"
#: the tag of the deployments whose runs the automation watches (prefect.yaml)
STAGE_TAG = "wirewatch-stage"
#: the heartbeat interval prefect.yaml gives the stages' runs (Prefect's minimum)
HEARTBEAT_S = 30
MESSAGE = "crashed: no heartbeat from its process (its machine or worker was lost)"
_FINAL = ("Completed", "Failed", "Cancelled", "Crashed")


async def ensure_lost_run_automation(within_s: float = 3 * HEARTBEAT_S) -> UUID:
    """Create or replace the automation: a tagged flow run that sent a heartbeat and then
    neither another one nor a final state within `within_s` seconds is set Crashed."""
    from prefect.automations import Automation, EventTrigger, Posture
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState

    if within_s <= HEARTBEAT_S:
        raise ValueError(
            f"lost_runs_window_too_short: {within_s:g} s would crash runs between two "
            f"heartbeats ({HEARTBEAT_S} s apart)"
        )
    await delete_automation(NAME)
    automation = await Automation(
        name=NAME,
        description=f"Set Crashed a {STAGE_TAG} flow run whose heartbeats stopped.",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", *(f"prefect.flow-run.{s}" for s in _FINAL)},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.id": f"prefect.tag.{STAGE_TAG}"},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=within_s),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, name="Crashed", message=MESSAGE)],
    ).acreate()
    if automation.id is None:  # the server assigns it; None would be Prefect's bug
        raise RuntimeError(f"automation {NAME!r} was created without an id")
    return automation.id
