"""The stages spread over processes as over machines: a real PostgreSQL catalog, a real Prefect
server, the `prefect.yaml` deployments, two `prefect worker start` processes pulling the
fetch-and-extract runs of a process work pool (one run per shard) and one sequencer worker.
Over the sample site and over several loopback hosts the lake then holds the records of a
one-box run of the same pages, table by table; with a worker and the sequencer SIGKILLed
mid-run and the runs started again, nothing is lost or duplicated."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import duckdb
import pytest
import yaml

from flows.ingest import ingest
from storage import staging
from storage.lake import LakeTarget
from tests.cluster import FETCH, MAINTAIN, SEQUENCE, Cluster, Worker, prefect_cluster, run_pid
from tests.postgres import Postgres, missing, running_postgres
from tests.processes import wait_for
from tests.test_lake import RECORDS, _file_and_lake, _rows
from wirewatch.sample_site.app import NewsSite
from wirewatch.sample_site.server import Reply, Request, SiteServer
from wirewatch.service.lost_runs import MESSAGE

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SHARDS = 2
#: bytes of the sequencer's write-ahead log past which it has written pages (a feed sync
#: writes a few KB; one cycle of pages of three sites, hundreds of KB)
WAL_KILL = 64 * 1024
#: a worker's machine: where the pages come from, where the lake is
_SITE_ENV = {"WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true", "WIREWATCH_EXTRACT_WORKERS": "0"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    why = missing()
    if why:
        pytest.skip(why)
    with prefect_cluster(tmp_path_factory.mktemp("prefect")) as found:
        yield found


def _serve(stack: ExitStack, hits: list[str]) -> NewsSite:
    holder: list[NewsSite] = []

    def app(request: Request) -> Reply:
        hits.append(holder[0].base_url)  # which host was asked, so which shard is running
        return holder[0](request)

    server = stack.enter_context(SiteServer(app))
    holder.append(NewsSite(server.base_url))
    return holder[0]


def _sites(stack: ExitStack, hosts: int, hits: list[str] | None = None) -> list[NewsSite]:
    """`hosts` sample sites, each on its own port (a host, to politeness), the first ones
    added to until both shards have feeds."""
    hits = [] if hits is None else hits
    sites = [_serve(stack, hits) for _ in range(hosts)]
    while hosts > 1 and len({staging.shard_of(s.base_url, SHARDS) for s in sites}) < SHARDS:
        sites.append(_serve(stack, hits))
    return sites


def _feeds_file(path: Path, sites: list[NewsSite]) -> Path:
    """One feeds file for every site; each site's outlets named apart."""
    feeds = []
    for n, site in enumerate(sites):
        for feed in yaml.safe_load(site.feeds_yaml())["feeds"]:
            feeds.append({**feed, "name": f"{feed['name']} {n}", "outlet": f"{feed['outlet']}-{n}"})
    path.write_text(yaml.safe_dump({"feeds": feeds}, sort_keys=False))
    return path


def _one_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sites: list[NewsSite], feeds: Path
) -> Path:
    db = tmp_path / "one-box" / "db.duckdb"
    with monkeypatch.context() as patch:
        for key, value in _SITE_ENV.items():
            patch.setenv(key, value)
        for step in (1, 2, 3, 4):
            for site in sites:
                site.set_step(step)
            asyncio.run(ingest(feeds_file=str(feeds), db_path=str(db)))
    return db


def _workers(cluster: Cluster, target: LakeTarget, feeds: Path, db: Path) -> list[Worker]:
    lake = {
        **_SITE_ENV,
        "WIREWATCH_LAKE": target.catalog,
        "WIREWATCH_LAKE_DATA_PATH": str(target.data_path),
        "WIREWATCH_FEEDS_FILE": str(feeds),
    }
    return [
        cluster.start_worker("fetch-1", "wirewatch-workers", **lake),
        cluster.start_worker("fetch-2", "wirewatch-workers", **lake),
        cluster.start_worker("sequencer", "wirewatch-sequencer", **lake, WIREWATCH_DB_PATH=str(db)),
    ]


def _shard_runs(cluster: Cluster) -> list[str]:
    return [cluster.run(FETCH, shard=s, shards=SHARDS) for s in range(SHARDS)]


def _assert_records_equal(db: Path, target: LakeTarget, one_box: Path) -> None:
    with _file_and_lake(db, target) as con:
        con.execute(f"ATTACH '{one_box}' AS one_box (READ_ONLY)")
        for record in RECORDS:
            rows = _rows(con, record, "lake", of_run=False)
            assert rows and rows == _rows(con, record, "one_box", of_run=False), record
        twice = con.execute(
            "SELECT count(*) FROM (SELECT article_id, version FROM lake.article_versions "
            "GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()
        assert twice == (0,)


@pytest.mark.parametrize("hosts", [1, 3], ids=["sample-site", "several-hosts"])
def test_two_workers_and_a_sequencer_hold_the_records_of_a_one_box_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prefect_harness: None,
    cluster: Cluster,
    hosts: int,
) -> None:
    with ExitStack() as stack:
        postgres: Postgres = stack.enter_context(running_postgres())
        sites = _sites(stack, hosts)
        feeds = _feeds_file(tmp_path / "feeds.yaml", sites)
        one_box = _one_box(tmp_path, monkeypatch, sites, feeds)
        target = LakeTarget(f"postgres:{postgres.dsn}", tmp_path / "lake")
        db = tmp_path / "sequencer" / "db.duckdb"
        workers = _workers(cluster, target, feeds, db)
        fetch_runs = []
        try:
            for step in (1, 2, 3, 4):
                for site in sites:
                    site.set_step(step)
                runs = _shard_runs(cluster)
                cluster.wait(*runs)
                fetch_runs += runs
                cluster.wait(cluster.run(SEQUENCE))
            _assert_records_equal(db, target, one_box)
            if hosts > 1:  # two workers pulled the runs of one deployment
                assert all(any(w.ran(r) for r in fetch_runs) for w in workers[:2])
            else:
                workers.append(_maintenance_waits_for_the_sequencer(cluster, workers[2]))
        finally:
            for worker in workers:
                if worker in cluster.workers:
                    cluster.kill(worker)


@pytest.mark.timeout(600)  # two lost runs, each Crashed by the automation 60-100 s after its kill
def test_a_worker_and_the_sequencer_killed_mid_run_lose_and_duplicate_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prefect_harness: None,
    cluster: Cluster,
) -> None:
    with ExitStack() as stack:
        postgres: Postgres = stack.enter_context(running_postgres())
        hits: list[str] = []
        sites = _sites(stack, 3, hits)
        feeds = _feeds_file(tmp_path / "feeds.yaml", sites)
        one_box = _one_box(tmp_path, monkeypatch, sites, feeds)
        hits.clear()
        target = LakeTarget(f"postgres:{postgres.dsn}", tmp_path / "lake")
        db = tmp_path / "sequencer" / "db.duckdb"
        workers = _workers(cluster, target, feeds, db)
        try:
            cluster.wait(cluster.run(SEQUENCE))  # the file made and its feeds registered
            for site in sites:
                site.set_step(1)
            runs = _shard_runs(cluster)
            # the first run to ask a site for anything: its worker is lost with it half done
            # (the workers keep the 1 s politeness delay, so a run takes seconds)
            assert wait_for(lambda: hits, 120, 0.01), cluster.logs()
            shard = staging.shard_of(hits[0], SHARDS)
            killed = runs[shard]
            victim = next(w for w in workers[:2] if _runs_under(w, killed))
            lost = time.monotonic()
            cluster.kill(victim)
            assert cluster.state(killed) != "COMPLETED"
            took = cluster.crashed_after(killed, lost)  # Prefect marks it: the test does not
            assert cluster.message(killed) == MESSAGE
            print(f"lost fetch run crashed {took:.0f} s after its worker was killed")
            cluster.wait(*[r for r in runs if r != killed])
            workers.append(cluster.start_worker("fetch-3", "wirewatch-workers", **victim.settings))
            cluster.wait(cluster.run(FETCH, shard=shard, shards=SHARDS))  # its shard again
            for step in (2, 3, 4):  # a backlog: the sequencer applies four cycles in one run
                for site in sites:
                    site.set_step(step)
                cluster.wait(*_shard_runs(cluster))

            sequencer = workers[2]
            run = cluster.run(SEQUENCE)
            # killed once a generation's pages are in the file's log, before the publication
            wal = db.with_name(db.name + ".wal")
            assert wait_for(lambda: wal.exists() and wal.stat().st_size > WAL_KILL, 120, 0.01)
            lost = time.monotonic()
            cluster.kill(sequencer)
            assert cluster.state(run) != "COMPLETED"
            took = cluster.crashed_after(run, lost)
            print(f"lost sequencer run crashed {took:.0f} s after its worker was killed")
            again = cluster.start_worker("sequencer-2", "wirewatch-sequencer", **sequencer.settings)
            workers.append(again)
            cluster.wait(cluster.run(SEQUENCE))

            _assert_records_equal(db, target, one_box)
            with duckdb.connect(str(db), read_only=True) as con:
                applied = "SELECT count(*), count(DISTINCT batch_id) FROM staging_applied"
                assert con.execute(applied).fetchone() == (len(_staged(target)),) * 2  # once each
        finally:
            for worker in workers:
                if worker in cluster.workers:
                    cluster.kill(worker)


def _maintenance_waits_for_the_sequencer(cluster: Cluster, sequencer: Worker) -> Worker:
    """With two workers on the sequencer's pool, a sequencer run and a maintenance run started
    together still run one after the other: the pool's concurrency is 1, so maintenance never
    merges or expires files during a publication."""
    second = cluster.start_worker("sequencer-b", "wirewatch-sequencer", **sequencer.settings)
    runs = [cluster.run(SEQUENCE), cluster.run(MAINTAIN)]
    cluster.wait(*runs)
    (first_start, first_end), (then_start, then_end) = sorted(map(cluster.ran_from_to, runs))
    assert first_end <= then_start, (first_start, first_end, then_start, then_end)
    return second


def _runs_under(worker: Worker, run_id: str) -> bool:
    from tests.cluster import _descendants

    return run_pid(run_id) in _descendants(worker.proc.pid)


def _staged(target: LakeTarget) -> set[str]:
    with _file_and_lake_only(target) as con:
        rows = con.execute("SELECT DISTINCT batch_id FROM lake.staged_rows").fetchall()
        return {str(r[0]) for r in rows}


def _file_and_lake_only(target: LakeTarget) -> duckdb.DuckDBPyConnection:
    import duckdb_extensions

    con = duckdb.connect()
    duckdb_extensions.import_extension("ducklake", con=con)
    duckdb_extensions.import_extension("postgres_scanner", con=con)
    con.execute(f"ATTACH 'ducklake:{target.catalog}' AS lake (READ_ONLY)")
    return con
