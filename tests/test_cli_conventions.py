"""The command line follows convention: --version, help with examples, choices, one-line
errors with documented exit codes (0 ok, 1 work failed, 2 usage, 3 database), quiet broken
pipes, and every listing in table, json, jsonl and csv."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from rich.cells import cell_len

from storage.summary import Table
from wirewatch.cli.args import METRICS, SUMMARY_SECTIONS
from wirewatch.cli.main import main
from wirewatch.exits import ExitCode
from wirewatch.outputs.tables import format_table
from wirewatch.service.orphans import TOKEN_VAR


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == ExitCode.USAGE
    return capsys.readouterr().err


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str], code: int) -> str:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == "wirewatch 0.1.0"


def test_every_command_has_help_with_examples_and_exit_codes(capsys):
    commands = ["run", "serve", "query", "summary", "figures", "chart", "report", "diff",
                "export", "claims", "reprocess", "sample-site", "demo"]  # fmt: skip
    for argv in [[], *([c] for c in commands), ["feeds", "import"]]:
        with pytest.raises(SystemExit) as exit_:
            main([*argv, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "examples:\n  wirewatch" in out, argv
        assert "3  the database is locked" in out, argv


def test_a_misspelled_metric_is_a_usage_error_listing_the_choices(capsys):
    err = _usage_error(["figures", "--metric", "kiled"], capsys)
    assert "invalid choice: 'kiled'" in err
    assert "killed" in err and "injured" in err


def test_the_metric_choices_cover_every_metric_the_claims_vocabulary_produces():
    from extractors import claim_vocab

    produced = set(claim_vocab.METRIC_WORDS.values()) | set(claim_vocab.METRIC_PHRASES.values())
    assert produced - {"none"} <= set(METRICS)  # "none" marks look-alikes that are no metric


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--interval", "-5"],
        ["serve", "--interval", "soon"],
        ["sample-site", "--port", "99999"],
        ["sample-site", "--step", "9"],
        ["chart", "-o", "chart.pdf"],
        ["summary", "--section", "everything"],
        ["export"],
    ],
)
def test_bad_arguments_are_usage_errors(argv, capsys):
    assert "usage: wirewatch" in _usage_error(argv, capsys)


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("WIREWATCH_RETRIES", "abc", "WIREWATCH_RETRIES='abc'"),
        ("WIREWATCH_INTERVAL_MINUTES", "-5", "WIREWATCH_INTERVAL_MINUTES='-5'"),
        ("WIREWATCH_PREFECT_PORT", "99999", "WIREWATCH_PREFECT_PORT='99999'"),
        ("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "perhaps", "WIREWATCH_ALLOW_PRIVATE_ADDRESSES"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_it(name, value, field, monkeypatch, capsys):
    monkeypatch.setenv(name, value)
    err = _one_line_error(["query", "SELECT 1"], capsys, ExitCode.USAGE)
    assert err.startswith("wirewatch query: invalid setting ") and field in err


def test_an_empty_query_is_a_usage_error(tmp_path, capsys):
    err = _one_line_error(["query", "  ", "--db", str(tmp_path / "x.duckdb")], capsys, 2)
    assert "the query is empty" in err


def test_bad_sql_is_a_usage_error_and_a_missing_database_is_3(tmp_path, capsys):
    from storage.db import connect

    db = tmp_path / "db.duckdb"
    with connect(db):
        pass
    assert main(["query", "SELEC 1", "--db", str(db)]) == 2
    first, *hint = capsys.readouterr().err.strip().splitlines()  # DuckDB's own hint lines follow
    assert first.startswith("wirewatch query: query failed: Parser Error: syntax error")
    line, caret = hint  # the caret's width differs between DuckDB versions
    assert line == "LINE 1: SELEC 1" and caret.strip().startswith("^")
    missing = str(tmp_path / "nope.duckdb")
    assert "does not exist" in _one_line_error(["summary", "--db", missing], capsys, 3)


def test_a_locked_database_is_exit_3_naming_the_lock(tmp_path, monkeypatch, capsys):
    db = tmp_path / "db.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("WIREWATCH_DB_LOCK_RETRIES", "0")
        err = _one_line_error(["query", "SELECT 1", "--db", str(db)], capsys, 3)
        assert "locked" in err
    finally:
        holder.communicate("")


def test_a_missing_opml_file_is_one_line(tmp_path, capsys):
    err = _one_line_error(["feeds", "import", str(tmp_path / "subs.opml")], capsys, 2)
    assert "subs.opml" in err and "No such file" in err


@pytest.mark.integration
def test_run_exits_1_without_a_traceback_when_every_feed_fails(
    tmp_path, monkeypatch, capfd, prefect_harness
):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n- url: http://127.0.0.1:9/closed.xml\n")  # nothing listens on 9
    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("WIREWATCH_RETRIES", "0")
    # `run` marks its process tree in the environment: in pytest's process that token must go
    # when the test ends, or a later test takes pytest for a leftover of this run
    monkeypatch.setenv(TOKEN_VAR, "")
    db = str(tmp_path / "db.duckdb")
    assert main(["run", "--feeds", str(feeds), "--db", db]) == ExitCode.FAILED
    err = capfd.readouterr().err
    assert "every feed failed (1 polled: connect_error=1)" in err and "Traceback" not in err


@pytest.mark.integration
@pytest.mark.parametrize("bad", ["directory", "latin-1"])
def test_an_unreadable_feeds_file_fails_run_in_one_line(bad, tmp_path, capfd, prefect_harness):
    feeds = tmp_path / "feeds.yaml"
    if bad == "directory":
        feeds.mkdir()
    else:
        feeds.write_bytes("feeds:\n- url: http://caf\xe9.example/rss\n".encode("latin-1"))
    assert main(["run", "--feeds", str(feeds), "--db", str(tmp_path / "db.duckdb")]) == 2
    out = capfd.readouterr()
    assert "Traceback" not in out.err + out.out
    last = out.err.strip().splitlines()[-1]
    assert last.startswith(f"wirewatch run: {feeds}")
    assert ("directory" if bad == "directory" else "UTF-8") in last


def test_tables_align_columns_by_display_width():
    table = Table(["city", "n"], [("東京", 1), ("Zürich", 22), ("😀 smile", 333), ("abc", 4)])
    lines = format_table(table).splitlines()
    body = lines[2:-1]  # header, rule, rows, "(4 rows)"
    assert lines[-1] == "(4 rows)" and len(body) == 4
    # numbers are right-aligned, so every row ends at the same display column
    assert len({cell_len(line) for line in [lines[0], *body]}) == 1, lines


def _as_csv_text(value: object) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)


def _rows(records: list[dict[str, object]]) -> list[tuple[object, ...]]:
    # Rows are compared as sets: figure_history's order and `previous` are not deterministic
    # when one claimant gives two figures of the same value at once ("145", "at least 145").
    return sorted(tuple(str(v) for k, v in r.items() if k != "previous") for r in records)


def _formats(argv: list[str], capsys) -> dict[str, str]:
    found = {}
    for fmt in ("table", "json", "jsonl", "csv"):
        assert main([*argv, "--format", fmt]) == 0
        found[fmt] = capsys.readouterr().out
    return found


@pytest.mark.integration
@pytest.mark.parametrize(
    "argv",
    [
        ["query", "SELECT outlet, canonical_url, first_seen_at FROM articles ORDER BY 1, 2"],
        ["figures", "--metric", "killed"],
        ["summary", "--section", "stories"],
    ],
)
def test_every_format_round_trips(argv, demo_db, capsys):
    out = _formats([*argv, "--db", str(demo_db)], capsys)
    as_json = json.loads(out["json"])
    as_jsonl = [json.loads(line) for line in out["jsonl"].splitlines()]
    as_csv = list(csv.DictReader(io.StringIO(out["csv"])))
    if argv[0] == "summary":
        as_json = as_json[next(iter(as_json))]
        as_jsonl = [{k: v for k, v in r.items() if k != "table"} for r in as_jsonl]
    assert len(as_json) > 2 and _rows(as_jsonl) == _rows(as_json)
    assert list(as_csv[0]) == list(as_json[0])  # the CSV header is the columns
    assert _rows(as_csv) == _rows([{k: _as_csv_text(v) for k, v in r.items()} for r in as_json])
    assert out["table"].rstrip().endswith(f"({len(as_json)} rows)")


@pytest.mark.integration
def test_summary_as_json_has_every_section_and_csv_needs_one(demo_db, capsys):
    assert main(["summary", "--format", "json", "--db", str(demo_db)]) == 0
    sections = json.loads(capsys.readouterr().out)
    assert len(sections) == len(SUMMARY_SECTIONS) and sections["totals"][0]["events"] == 1
    err = _one_line_error(["summary", "--format", "csv", "--db", str(demo_db)], capsys, 2)
    assert "--section" in err


@pytest.mark.integration
def test_a_closed_pipe_ends_quietly(demo_db):
    # 200,000 rows is far more than a pipe buffers, so the writer meets the closed pipe.
    command = (
        f"set -o pipefail; {sys.executable} -m wirewatch.cli query "
        f"'SELECT range AS n FROM range(200000)' --format csv --db {demo_db} | head -2"
    )
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.stdout == "n\n0\n"
    assert done.stderr == "" and done.returncode == 0


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["query", "SELECT 1", "--db", "{dir}"], 3, "Is a directory"),
        (["query", "SELECT 1", "--db", "{junk}"], 3, "not a valid DuckDB database"),
        (["claims", "{dir}"], 2, "Is a directory"),
        (["feeds", "import", "{junk}", "--feeds", "{dir}/feeds.yaml"], 2, "not valid OPML"),
        (["feeds", "import", "{dir}"], 2, "Is a directory"),
        (["export", "--to", "{junk}", "--db", "{dir}/nope.duckdb"], 3, "does not exist yet"),
        (["diff", "nope", "1", "--db", "{dir}/nope.duckdb"], 2, "give two versions"),
    ],
)
def test_more_bad_inputs_end_in_one_line(argv, code, says, tmp_path, capsys):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\xff not a database, not OPML " * 100)
    filled = [a.format(dir=tmp_path, junk=junk) for a in argv]
    assert says in _one_line_error(filled, capsys, code)
