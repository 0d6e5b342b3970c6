"""The warm runner of `wirewatch serve`: one long-lived process that executes the ingest
deployment's flow runs itself, in-process, instead of Prefect's runner starting a fresh
`python -m prefect.engine` process per run (~3 s of imports and ~10 s of start-up each time).

It registers the deployment with its interval schedule (the server's scheduler creates the
runs, as for `flow.serve`; they pass `poll="due"`), creates one run for now (a daemon that
waits a whole interval before its first cycle looks dead), then polls the API for the
deployment's due runs the way Prefect's own runner does (`get_scheduled_flow_runs`, which also
marks the deployment `Ready` in the UI while this process serves it), claims each with
a Pending proposal (so no other runner takes it) and runs it through Prefect's own flow engine
(`run_flow_async` with the existing flow run): every cycle is a real flow run in the server,
with its logs, task runs and artifacts. Imports, the extraction workers (`shared_pool`) and
the caches they hold stay warm from one run to the next. Runs execute one at a time; when
several are due after downtime, the newest one runs and the older ones are cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.objects import FlowRun

_LOG = logging.getLogger("wirewatch.serve")


#: The parameters of the schedule's runs; a run started by hand gets the flow's default (all).
SCHEDULED_PARAMETERS = {"poll": "due"}


async def _due_runs(client: PrefectClient, deployment_id: UUID) -> list[FlowRun]:
    """The deployment's Scheduled runs that are due, oldest first. The endpoint Prefect's runner
    and workers poll: the server records the poll and shows the deployment `Ready`."""
    runs = await client.get_scheduled_flow_runs_for_deployments(
        deployment_ids=[deployment_id], scheduled_before=datetime.now(UTC)
    )
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(runs, key=lambda run: run.next_scheduled_start_time or never)


async def _claim(client: PrefectClient, run: FlowRun) -> bool:
    """Propose Pending: the server refuses if another runner took the run meanwhile."""
    from prefect.exceptions import Abort
    from prefect.states import Pending
    from prefect.utilities.engine import propose_state

    try:
        state = await propose_state(client, Pending(), flow_run_id=run.id)
    except Abort:
        return False
    return state.is_pending()


async def _cancel(client: PrefectClient, run: FlowRun) -> None:
    from prefect.states import Cancelled

    await client.set_flow_run_state(
        run.id, Cancelled(message="superseded by a newer run of the same schedule"), force=True
    )


async def _tag_with_owner(client: PrefectClient, run: FlowRun) -> None:
    """Tie the run to this process: if it dies mid-run, the next start marks it `Crashed`
    (wirewatch/service/ghosts.py)."""
    from wirewatch.service.ghosts import owner_tag

    tag = owner_tag()
    if tag not in run.tags:
        run.tags = [*run.tags, tag]
        await client.update_flow_run(run.id, tags=run.tags)


async def run_due(client: PrefectClient, deployment_id: UUID, flow: Any) -> int:
    """Run the newest due run of the deployment in this process; cancel older due ones.
    Returns how many runs were executed (0 or 1)."""
    from prefect.flow_engine import run_flow_async

    due = await _due_runs(client, deployment_id)
    if not due:
        return 0
    for stale in due[:-1]:
        await _cancel(client, stale)
    run = due[-1]
    if not await _claim(client, run):
        return 0
    await _tag_with_owner(client, run)
    _LOG.info("wirewatch serve: running flow run %s in the warm process", run.name)
    state = await run_flow_async(flow, flow_run=run, parameters=run.parameters, return_type="state")
    if state is None or not state.is_completed():  # a failed cycle is in the server; keep serving
        ended = state.type.value if state is not None else "without a state"
        _LOG.warning("wirewatch serve: flow run %s ended %s", run.name, ended)
    return 1


async def serve_warm(
    deployment: str, interval_minutes: float, poll_s: float, stop: asyncio.Event | None = None
) -> None:
    """Register the deployment with its schedule, then execute its runs until `stop`."""
    from prefect.client.orchestration import get_client
    from prefect.schedules import Interval

    from flows.ingest import ingest

    runner_deployment = await ingest.ato_deployment(
        name=deployment,
        schedule=Interval(timedelta(minutes=interval_minutes), parameters=SCHEDULED_PARAMETERS),
        tags=["wirewatch", "ingest"],
    )
    deployment_id = await runner_deployment.aapply()
    _LOG.info("wirewatch serve: warm runner serving %r every %g min", deployment, interval_minutes)
    stop = stop or asyncio.Event()
    async with get_client() as client:
        await client.create_flow_run_from_deployment(  # the first cycle: now
            deployment_id, parameters=SCHEDULED_PARAMETERS, tags=["start-up"]
        )
        while not stop.is_set():
            try:
                await run_due(client, deployment_id, ingest)
            except Exception as exc:  # a lost API connection must not end the daemon
                _LOG.warning("wirewatch serve: could not run due flow runs: %r", exc)
            with contextlib.suppress(TimeoutError):  # time to look for due runs again
                await asyncio.wait_for(stop.wait(), poll_s)
