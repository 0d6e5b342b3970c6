"""The warm runner executes the deployment's runs in its own process, as real flow runs, and
keeps its extraction workers between runs."""

import asyncio
import os

import duckdb
import pytest

from wirewatch.extract import pool as warm_pool
from wirewatch.service import warm

pytestmark = pytest.mark.integration


def test_the_extraction_pool_is_started_once_per_process():
    first = warm_pool.shared_pool(1)
    try:
        assert warm_pool.shared_pool(1) is first
        assert asyncio.run(first.run(os.getpid)) != os.getpid()
    finally:
        warm_pool._close_pools()


def test_a_manual_run_of_the_deployment_runs_in_this_process(
    tmp_path, monkeypatch, prefect_harness, news_site
):
    from prefect.client.orchestration import get_client

    from flows.ingest import ingest

    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    _, site = news_site
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())
    db = tmp_path / "db.duckdb"
    parameters = {"feeds_file": str(feeds), "db_path": str(db)}

    async def scenario():
        deployment = await ingest.ato_deployment(name="warm-test", parameters=parameters)
        deployment_id = await deployment.aapply()
        async with get_client() as client:
            nothing = await warm.run_due(client, deployment_id, ingest)
            first = await client.create_flow_run_from_deployment(deployment_id)
            second = await client.create_flow_run_from_deployment(deployment_id)
            ran = await warm.run_due(client, deployment_id, ingest)
            states = [(await client.read_flow_run(r.id)).state for r in (first, second)]
        return nothing, ran, states

    nothing, ran, (older, newer) = asyncio.run(scenario())

    assert (nothing, ran) == (0, 1)
    assert newer.is_completed()  # a real flow run, recorded by the server
    assert older.is_cancelled()  # two due at once: only the newest runs
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(3,)]
