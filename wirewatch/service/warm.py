"""The warm runner of `wirewatch serve`: one long-lived process that executes the ingest
deployment's flow runs itself, in-process, instead of Prefect's runner starting a fresh
`python -m prefect.engine` process per run (~3 s of imports and ~10 s of start-up each time).

It registers the deployment with its interval schedule (the server's scheduler creates the
runs, as for `flow.serve`), then polls the API for the deployment's due runs, claims each with
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


async def _due_runs(client: PrefectClient, deployment_id: UUID) -> list[FlowRun]:
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterNextScheduledStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    return await client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
            next_scheduled_start_time=FlowRunFilterNextScheduledStartTime(
                before_=datetime.now(UTC)
            ),
        ),
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
        sort=FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC,
    )


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

    from flows.ingest import ingest

    runner_deployment = await ingest.ato_deployment(
        name=deployment,
        interval=timedelta(minutes=interval_minutes),
        tags=["wirewatch", "ingest"],
    )
    deployment_id = await runner_deployment.aapply()
    _LOG.info("wirewatch serve: warm runner serving %r every %g min", deployment, interval_minutes)
    stop = stop or asyncio.Event()
    async with get_client() as client:
        while not stop.is_set():
            try:
                await run_due(client, deployment_id, ingest)
            except Exception as exc:  # a lost API connection must not end the daemon
                _LOG.warning("wirewatch serve: could not run due flow runs: %r", exc)
            with contextlib.suppress(TimeoutError):  # time to look for due runs again
                await asyncio.wait_for(stop.wait(), poll_s)
