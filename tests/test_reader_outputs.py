"""What a reader gets (issue 20): a chart whose labels never overlap and whose lines are only
revisions, `figures` output a program can read back whole, `claims` of a page by its URL or
from stdin, `query` errors with DuckDB's hints, and tables that fit the terminal."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import signal
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from storage.browse import FIGURE_COLUMNS, FigurePoint, Filters, figure_rows
from storage.db import connect
from storage.summary import Table
from wirewatch.cli.main import main
from wirewatch.outputs.chart import build_chart, chart_style, draw_figure, revision_steps
from wirewatch.outputs.tables import format_table
from wirewatch.outputs.views import event_chart

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo_chart(demo_db):
    with connect(demo_db, read_only=True) as con:
        chart = event_chart(con, None, "killed")
    with chart_style():
        figure = draw_figure(chart)
    return chart, figure


def _series(chart, subject, name):
    return next(s for s in chart.series if s.subject == subject and name in s.label)


def test_no_two_chart_labels_overlap(demo_chart):
    _, figure = demo_chart
    renderer = figure.canvas.get_renderer()
    labels = [
        t for ax in figure.axes for t in ax.texts
        if (t.get_gid() or "").startswith("label-") and t.get_visible()
    ]  # fmt: skip
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(boxes) >= 15  # most figures keep their label
    overlapping = [
        (labels[i].get_text(), labels[j].get_text())
        for i in range(len(boxes)) for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]  # fmt: skip
    assert overlapping == []


def _busy_points() -> list[FigurePoint]:
    """Fourteen claimants on two subjects, their figures a few apart, some revised, some two at
    once (one article), hedged every way: a crowded event."""
    rng = random.Random(7)
    start = datetime(2026, 3, 1, 6, tzinfo=UTC)
    hedges = {"exact": "{}", "at_least": "at least {}", "more_than": "more than {}",
              "about": "about {}", "up_to": "up to {}"}  # fmt: skip
    points = []
    for c in range(14):
        kind = ("government", "militant_group", "media", "ngo", "other")[c % 5]
        subject, value = ("civilians", "security_forces")[c % 2], rng.randint(20, 40)
        moment = start + timedelta(hours=rng.randint(0, 12))
        for _ in range(rng.randint(1, 4)):
            qualifier = rng.choice(sorted(hedges))
            figure = hedges[qualifier].format(value)
            points.append(FigurePoint(moment, f"c{c}", f"Claimant {c}", kind, subject, value,
                                      value, qualifier, figure))  # fmt: skip
            if rng.random() < 0.3:  # a second figure in the same article
                high = value + 9
                points.append(FigurePoint(moment, f"c{c}", f"Claimant {c}", kind, subject,
                                          high, high, "exact", str(high)))  # fmt: skip
            moment += timedelta(hours=rng.randint(3, 20))
            value += rng.randint(0, 15)
    return points


def test_a_busy_events_labels_do_not_overlap_either(tmp_path):
    with chart_style():
        figure = draw_figure(build_chart(_busy_points(), "killed: a busy event"))
    renderer = figure.canvas.get_renderer()
    labels = [t for ax in figure.axes for t in ax.texts if t.get_visible()]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(boxes) >= 40
    assert not any(
        boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
    )


def test_legends_sit_outside_the_panels(demo_chart):
    _, figure = demo_chart
    renderer = figure.canvas.get_renderer()
    for ax in figure.axes:
        legend = ax.get_legend()
        assert legend is not None
        assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1


def test_the_bla_revisions_are_steps_and_one_articles_figures_are_points(demo_chart):
    chart, figure = demo_chart
    bla = _series(chart, "security_forces", "Baloch")
    assert [v for _, v in revision_steps(bla)] == [80, 84, 200]
    n = chart.series.index(bla) + 1
    line = next(ln for ax in figure.axes for ln in ax.lines if ln.get_gid() == f"series-{n}")
    assert line.get_drawstyle() == "steps-post"
    assert list(line.get_ydata()) == [80, 84, 200]
    # Pakistani forces gave 41 and 145 in one article at one time: points, no line between
    forces = _series(chart, "militants", "Pakistani forces")
    assert len(forces.points) >= 2 and revision_steps(forces) == []
    m = chart.series.index(forces) + 1
    assert not any(ln.get_gid() == f"series-{m}" for ax in figure.axes for ln in ax.lines)
    assert sum((ln.get_gid() or "").startswith(f"series-{m}-point-") for ax in figure.axes
               for ln in ax.lines) == len(forces.points)  # fmt: skip


def test_two_claimants_giving_the_same_figure_both_show(demo_chart):
    chart, figure = demo_chart
    renderer = figure.canvas.get_renderer()
    same = [
        (chart.series.index(s) + 1, i)
        for s in chart.series if s.subject == "civilians"
        for i, p in enumerate(s.points) if p.value == 31
    ]  # fmt: skip
    assert len(same) >= 2  # "official figures" and "Pakistani officials" both said 31
    marks = {ln.get_gid(): ln.get_window_extent(renderer) for ax in figure.axes for ln in ax.lines}
    centers = [marks[f"series-{n}-point-{i}"] for n, i in same]
    a, b = centers[0], centers[1]
    assert abs((a.x0 + a.x1) / 2 - (b.x0 + b.x1) / 2) >= 5  # side by side, not on top


def _expected_figures(demo_db) -> Table:
    with connect(demo_db, read_only=True) as con:
        return figure_rows(con, Filters())


def test_figures_csv_round_trips_every_field(demo_db, capsys):
    assert main(["figures", "--format", "csv", "--db", str(demo_db)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = _expected_figures(demo_db)
    assert tuple(rows[0]) == FIGURE_COLUMNS and len(rows) == len(expected.rows) >= 20
    required = {"value", "value_high", "qualifier", "metric", "subject", "claimant"}
    required |= {"claimant_kind", "event_id", "outlet", "url", "published_at", "first_seen_at"}
    assert required <= set(FIGURE_COLUMNS)
    for got, want in zip(rows, expected.rows, strict=True):
        want = dict(zip(expected.columns, want, strict=True))
        for column, value in want.items():
            if isinstance(value, datetime):
                back = datetime.fromisoformat(got[column])
                assert back.tzinfo is not None and back == value  # the zone comes along
            elif isinstance(value, int):
                assert int(got[column]) == value
            else:
                assert got[column] == ("" if value is None else str(value)), column
    assert {r["outlet"] for r in rows} >= {"indiablooms", "frontier-times"}


def test_figures_json_gives_numbers_and_zoned_times(demo_db, capsys):
    assert main(["figures", "--format", "json", "--db", str(demo_db)]) == 0
    records = json.loads(capsys.readouterr().out)
    bla = [r for r in records if r["claimant_kind"] == "militant_group"
           and r["subject"] == "security_forces" and r["metric"] == "killed"]  # fmt: skip
    assert [(r["value"], r["qualifier"]) for r in bla][:1] == [(80, "more_than")]
    assert all(r["published_at"].endswith("+00:00") for r in records)


def test_figure_filters_narrow_figures_and_the_report(demo_db, tmp_path, capsys):
    argv = ["figures", "--format", "jsonl", "--db", str(demo_db)]
    assert main([*argv, "--claimant", "baloch"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert found and all("Baloch" in r["claimant"] for r in found)
    assert main([*argv, "--outlet", "frontier"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert found and {r["outlet"] for r in found} == {"frontier-times"}
    assert main([*argv, "--since", "2026-02-03"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert found and all(r["published_at"] >= "2026-02-03" for r in found)
    assert len(found) < len(_expected_figures(demo_db).rows)
    event = found[0]["event_id"]
    assert main([*argv, "--event", event]) == 0
    assert {json.loads(x)["event_id"] for x in capsys.readouterr().out.splitlines()} == {event}
    report, title = tmp_path / "r.html", "BLA claims over 80"
    for narrowed, shown in [
        (["--claimant", "nobody"], False), (["--claimant", "BLA"], True),
        (["--outlet", "frontier"], True), (["--outlet", "nowhere"], False),
        (["--event", event], True), (["--event", "0000000000000000.1"], False),
        (["--since", "2026-02-03"], True), (["--since", "2030-01-01"], False),
    ]:  # fmt: skip
        assert main(["report", "--db", str(demo_db), "-o", str(report), *narrowed]) == 0
        text = report.read_text()
        assert (title in text, "No events match" in text) == (shown, not shown), narrowed
    with pytest.raises(SystemExit) as usage:  # argparse's usage error
        main(["figures", "--since", "yesterday", "--db", str(demo_db)])
    assert usage.value.code == 2
    assert "'yesterday' is not a date or time" in capsys.readouterr().err


def test_query_errors_keep_duckdbs_hint_and_caret(demo_db, capsys):
    assert main(["query", "SELECT * FROM figure_histry", "--db", str(demo_db)]) == 2
    err = capsys.readouterr().err
    assert 'Did you mean "figure_history"' in err
    assert "LINE 1: SELECT * FROM figure_histry" in err and "^" in err


def test_tables_fit_the_terminal_by_cutting_cells():
    long = "http://127.0.0.1:44699/indiablooms/news/bla-claims-over-80-pakistani-killed.html"
    table = Table(
        ["published", "kind", "claimant", "metric", "subject", "figure", "url"],
        [("2026-02-01 07:20", "militant_group", "Baloch Liberation Army", "killed",
          "security_forces", "more than 80", long)] * 3,
    )  # fmt: skip
    lines = format_table(table, width=80).splitlines()
    assert len(lines) == 2 + 3 + 1  # header, rule, one line a row, the count
    assert all(len(line) <= 80 for line in lines)
    assert "…" in lines[2] and "killed" in lines[2]  # cut cells; short ones whole
    assert "more than 80" in lines[2] and "2026-02-01" in lines[2]  # never below a dozen
    assert lines[-1] == "(3 rows; columns not shown: url)"  # what did not fit, named
    assert long[:60] in format_table(table)  # no terminal (a pipe): nothing cut to fit


def _in_a_terminal(argv: list[str], columns: int) -> str:
    """What `wirewatch ARGV` prints to a real terminal (a pseudo-terminal) this wide."""
    import fcntl
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    done = subprocess.run(
        [sys.executable, "-m", "wirewatch.cli", *argv], stdin=subprocess.DEVNULL,
        stdout=follower, stderr=subprocess.PIPE, timeout=120, check=False,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    with contextlib.suppress(OSError):  # EIO once everything written has been read
        while chunk := os.read(leader, 65536):
            chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0, done.stderr
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_figures_in_an_80_column_terminal_are_one_line_a_figure(demo_db):
    lines = _in_a_terminal(["figures", "--metric", "killed", "--db", str(demo_db)], 80)
    lines = lines.splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = lines[0].split()
    assert header[:6] == ["published", "kind", "claimant", "metric", "subject", "figure"]
    rows = lines[2:-1]
    assert len(rows) >= 15 and lines[-1].startswith(f"({len(rows)} rows; columns not shown: ")
    assert any("more than 80" in row and "killed" in row for row in rows)


def test_claims_of_a_page_by_url_and_from_stdin(news_site, monkeypatch, capsys):
    server, _ = news_site
    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("WIREWATCH_MIN_HOST_DELAY_S", "0")
    path = "/indiablooms/news/bla-claims-over-80-pakistani-security-personnel-killed.html"
    url = server.base_url + path
    assert main(["claims", url]) == 0
    claims = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(c["value"] == 80 and c["qualifier"] == "more_than" for c in claims)
    assert {c["file"] for c in claims} == {url}
    page = httpx.get(url, trust_env=False).content
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(page)))
    assert main(["claims", "-"]) == 0
    from_stdin = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    strip = lambda found: [{k: v for k, v in c.items() if k != "file"} for c in found]  # noqa: E731
    assert strip(from_stdin) == strip(claims)
    assert main(["claims", f"{server.base_url}/no/such/page.html"]) == 1
    assert "wirewatch claims: " in capsys.readouterr().err


def test_claims_refuses_a_private_address_by_default(news_site, monkeypatch, capsys):
    server, _ = news_site
    monkeypatch.delenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", raising=False)
    assert main(["claims", f"{server.base_url}/indiablooms/"]) == 1
    assert "private_address" in capsys.readouterr().err


def test_export_help_examples_read_the_files_without_pandas(demo_db, tmp_path, capsys):
    import shlex
    import subprocess
    import sys

    assert main(["export", "--to", str(tmp_path / "data" / "parquet"), "--db", str(demo_db)]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    examples = [x.strip() for x in capsys.readouterr().out.splitlines() if "python -c" in x]
    assert len(examples) == 2 and "pandas" not in " ".join(examples)
    for example in examples:
        argv = [sys.executable, *shlex.split(example)[1:]]
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "claimant" in done.stdout or "article_id" in done.stdout


def _readme_after_demo() -> list[list[str]]:
    """The commands of the README's block "Right after `make demo`", as argv lists."""
    import shlex
    from pathlib import Path

    text = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = text.split("Right after `make demo`", 1)[1].split("```sh\n", 1)[1].split("```")[0]
    return [shlex.split(line, comments=True) for line in block.splitlines()]


def test_the_readmes_commands_after_the_demo_run_as_written(demo_db, tmp_path, monkeypatch, capsys):
    import socket
    import subprocess
    import sys

    commands = _readme_after_demo()
    assert ["export", "WIREWATCH_DB_PATH=data/demo.duckdb"] in commands
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demo.duckdb").symlink_to(demo_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WIREWATCH_DB_PATH", "data/demo.duckdb")
    ran = []
    for argv in commands:
        if argv[:1] != ["wirewatch"] or argv[1] == "web":
            continue
        assert main(argv[1:]) == 0, (argv, capsys.readouterr().err)
        ran.append(argv[1])
    assert {"query", "summary", "figures", "chart", "report", "export"} <= set(ran)
    web = next(a for a in commands if a[:2] == ["wirewatch", "web"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "WIREWATCH_WEB_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", *web[1:]], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert f"http://127.0.0.1:{port}/" in server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        page = httpx.get(base + "/", trust_env=False, timeout=30)
        assert "BLA claims over 80" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        for path, status, says in [
            ("/?q=BLA&claimant=baloch&outlet=frontier&since=2026-02-01", 200, "BLA claims"),
            ("/?q=no-such-words", 200, "No events match"),
            ("/?since=yesterday", 400, "Invalid isoformat"),
            ("/event/nope", 404, "no event"),
            ("/diff/0000000000000000", 404, "no article"),
            ("/feeds", 200, "Failing feeds"),
        ]:
            got = httpx.get(base + path, trust_env=False, timeout=30)
            assert (got.status_code, says in got.text) == (status, True), path
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert server.returncode == 0
    assert main(["web", "--db", "data/nothing.duckdb"]) == 2
    assert "does not exist yet" in capsys.readouterr().err
