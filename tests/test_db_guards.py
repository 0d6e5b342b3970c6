"""storage.db guards: a read-only connection writes nowhere; one ingest run at a time."""

import subprocess
import sys
import textwrap

import duckdb
import pytest

from storage.db import RunInProgress, connect, run_lock


def test_a_read_only_connection_cannot_write_or_read_other_files(tmp_path):
    path, target = tmp_path / "db.duckdb", tmp_path / "out.csv"
    with connect(path):
        pass
    with connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] > 0
        for sql in (
            f"COPY schema_migrations TO '{target}'",
            "SELECT * FROM read_csv('/etc/passwd')",
            f"ATTACH '{tmp_path / 'other.duckdb'}'",
        ):
            with pytest.raises(duckdb.PermissionException):
                con.execute(sql)
        with pytest.raises(duckdb.InvalidInputException):  # and cannot turn it back on
            con.execute("SET enable_external_access = true")
    assert not target.exists()


def test_a_second_run_on_the_same_database_exits_naming_the_first(tmp_path):
    path = tmp_path / "db.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from storage.db import run_lock
            with run_lock(Path({str(path)!r})):
                print("held", flush=True)
                sys.stdin.read()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        expected = pytest.raises(RunInProgress, match=rf"already in progress .*PID {holder.pid}")
        with expected, run_lock(path):
            pass
    finally:
        holder.communicate("")
    with run_lock(path):  # free once the first run is gone
        pass
