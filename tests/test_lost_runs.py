"""The lost-runs automation: created once per `wirewatch lake lost-runs`, replaced on a rerun,
never with a window a healthy run's heartbeats could miss. That it sets a killed worker's run
Crashed is shown by the kill test (tests/test_stages.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from wirewatch.cli.main import main
from wirewatch.service.lost_runs import HEARTBEAT_S, NAME, STAGE_TAG


def test_a_window_shorter_than_a_heartbeat_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lake", "lost-runs", "--within", str(HEARTBEAT_S)]) == 2
    assert "lost_runs_window_too_short" in capsys.readouterr().err


@pytest.mark.integration
def test_the_automation_watches_the_stages_runs_and_a_rerun_replaces_it(
    prefect_harness: None,
) -> None:
    from prefect.client.orchestration import get_client

    async def named() -> list[Any]:
        async with get_client() as client:
            return list(await client.read_automations_by_name(NAME))

    assert main(["lake", "lost-runs"]) == 0
    assert main(["lake", "lost-runs", "--within", "120"]) == 0
    [found] = asyncio.run(named())  # one: the rerun replaced it
    trigger = found.trigger
    assert trigger.posture == "Proactive" and trigger.within.total_seconds() == 120
    assert trigger.after == {"prefect.flow-run.heartbeat"}
    assert f"prefect.tag.{STAGE_TAG}" in str(trigger.match_related)
    assert [a.type for a in found.actions] == ["change-flow-run-state"]
