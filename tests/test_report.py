"""What a person sees, on the sample site's replayed story: the figure chart, the HTML report
in a real headless Chromium, word diffs between versions, and the Parquet export."""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from extractors.worddiff import diff_words, render_marked
from storage.db import connect
from wirewatch.cli.main import main
from wirewatch.outputs.chart import build_chart, chart_bytes
from wirewatch.outputs.report_html import render_report
from wirewatch.outputs.views import event_chart, read_report

from .browser import chromium_path, load_page

pytestmark = pytest.mark.integration


def _claimants(db: Path, metric: str) -> set[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT DISTINCT subject, claimant_key FROM figure_history "
            "WHERE metric = ? AND claimant_kind <> 'unattributed'",
            [metric],
        ).fetchall()
    return set(rows)


def test_the_chart_has_every_claimant_of_the_bla_event_and_one_revision(demo_db, tmp_path, capsys):
    svg = tmp_path / "killed.svg"
    assert main(["chart", "--db", str(demo_db), "-o", str(svg)]) == 0
    assert "claimant series (killed: BLA claims over 80" in capsys.readouterr().out
    drawn = set(re.findall(r'<g id="series-(\d+)-point-0">', svg.read_text()))
    assert len(drawn) == len(_claimants(demo_db, "killed")) >= 10
    lines = re.findall(r'<g id="series-(\d+)">', svg.read_text())
    assert len(lines) == 1  # only the BLA revised its figure: one step line
    with connect(demo_db, read_only=True) as con:
        chart = event_chart(con, None, "killed")
    security = {s.label for s in chart.series if s.subject == "security_forces"}
    assert "Baloch Liberation Army (militant group)" in security
    assert any("(government)" in label for label in security)  # the officials' line beside it


def test_hedged_figures_are_open_markers_and_the_png_is_a_picture(demo_db, tmp_path):
    with connect(demo_db, read_only=True) as con:
        chart = event_chart(con, None, "killed")
    bla = next(s for s in chart.series if s.subject == "security_forces" and "Baloch" in s.label)
    assert [(p.qualifier, p.value) for p in bla.points][:1] == [("more_than", 80)]
    png = tmp_path / "chart.png"
    assert main(["chart", "--db", str(demo_db), "-o", str(png)]) == 0
    from PIL import Image

    with Image.open(png) as image:
        assert image.format == "PNG" and image.width > 800
    # an open marker is white inside, drawn in the claimant's color
    svg = chart_bytes(build_chart(bla.points, "bla"), "svg").decode()
    assert "fill: #ffffff" in svg


def test_chart_of_an_unknown_event_is_a_usage_error(demo_db, tmp_path, capsys):
    argv = ["chart", "--event", "nope", "--db", str(demo_db), "-o", str(tmp_path / "x.png")]
    assert main(argv) == 2
    assert "no event 'nope'" in capsys.readouterr().err


def _frontier_url(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT canonical_url FROM articles WHERE outlet = 'frontier-times'"
        ).fetchall()
    return str(rows[0][0])


def test_diff_shows_the_frontier_times_update_from_over_80_to_over_200(demo_db, capsys):
    url = _frontier_url(demo_db)
    assert main(["diff", url, "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(url + "\n--- version 1")
    assert re.search(r"title: .*over \[-80 Pakistani-\] \{\+200\+\} troops", out)
    assert "{+Update, Feb 2: The BLA has since claimed that more than 200" in out
    assert main(["diff", url, "1", "2", "--db", str(demo_db)]) == 0
    assert capsys.readouterr().out == out


def test_diff_of_an_unknown_article_or_version_is_a_usage_error(demo_db, capsys):
    assert main(["diff", "0000000000000000", "--db", str(demo_db)]) == 2
    assert "no stored article" in capsys.readouterr().err
    assert main(["diff", _frontier_url(demo_db), "1", "7", "--db", str(demo_db)]) == 2
    assert "no version 7 (stored: 1, 2)" in capsys.readouterr().err
    assert main(["diff", _frontier_url(demo_db), "1", "--db", str(demo_db)]) == 2


def test_word_diff_keeps_both_texts_and_marks_whole_words():
    diff = diff_words(
        "BLA says over 80 troops killed.\nMore text.",
        "BLA says over 200 troops killed.\nMore text.",
    )
    assert diff.old_text().startswith("BLA says over 80") and diff.new_text().endswith("More text.")
    assert [(p.op, p.text) for p in diff.pieces if p.op != "same"] == [
        ("deleted", "80 "), ("inserted", "200 ")
    ]  # fmt: skip
    assert render_marked(diff) == "BLA says over [-80-] {+200+} troops killed.\nMore text.\n"


def test_the_report_names_every_copy_with_its_agency_and_links_its_diff(demo_db):
    with connect(demo_db, read_only=True) as con:
        html = render_report(read_report(con))
    assert html.count('<figure class="chart"') >= 1 and "<script" not in html
    assert "IBNS" in html and "IANS" in html  # credited agencies of the day-one copies
    article_id = re.search(r'href="#diff-([0-9a-f]+)"', html)
    assert article_id and f'id="diff-{article_id.group(1)}"' in html
    assert "<del>80 Pakistani </del><ins>200 </ins>" in html


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (make test does)")
def test_the_report_opens_in_headless_chromium_without_errors(demo_db, tmp_path, capsys):
    report = tmp_path / "report.html"
    assert main(["report", "--db", str(demo_db), "-o", str(report)]) == 0
    assert capsys.readouterr().out.strip() == str(report)
    page = load_page(
        report.as_uri(),
        """({charts: document.querySelectorAll('figure.chart svg').length,
             series: document.querySelectorAll('figure.chart svg g[id^="series-"]').length,
             diffLinks: [...document.querySelectorAll('a[href^="#diff-"]')]
                 .filter(a => document.getElementById(a.hash.slice(1))).length,
             width: document.querySelector('figure.chart svg').getBoundingClientRect().width})""",
    )
    assert page.errors == []
    assert page.requests == [report.as_uri()]  # nothing fetched from anywhere else
    assert page.value["charts"] >= 1 and page.value["series"] >= 10
    assert page.value["diffLinks"] >= 1 and page.value["width"] > 300
    from PIL import Image

    with Image.open(io.BytesIO(page.screenshot)) as shot:
        assert shot.width >= 1000 and shot.height > 2000
        colors = shot.convert("RGB").resize((100, 300)).getcolors(30_000) or []
        not_white = sum(n for n, rgb in colors if sum(rgb) < 700)
        assert not_white > 0.03 * 100 * 300  # text, tables and charts, not a blank page


def test_the_chart_draws_each_sides_toll_line_with_who_said_each_step(demo_db):
    with connect(demo_db, read_only=True) as con:
        chart = event_chart(con, None, "killed")
    militants, officials = chart.line("security_forces", "militant"), chart.line("security_forces")
    assert militants is not None and officials is not None
    assert [(s.figure, s.said_by) for s in militants.steps] == [
        ("at least 84", "Baloch Liberation Army"),
        ("more than 200", "Baloch Liberation Army"),
    ]
    assert "Baloch Liberation Army" not in {s.said_by for s in officials.steps}
    svg = chart_bytes(chart, "svg").decode()
    assert '<g id="toll-line-security_forces">' in svg  # the officials' line
    assert '<g id="toll-line-security_forces-militant">' in svg
    assert "more than 200, Baloch Liberation Army" in svg  # the step's label names its voice
    assert "as claimed by Baloch Liberation Army (militant group)" in svg  # the legend


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (make test does)")
def test_the_toll_line_leads_the_event_in_headless_chromium(demo_db, tmp_path):
    report = tmp_path / "report.html"
    assert main(["report", "--db", str(demo_db), "-o", str(report)]) == 0
    page = load_page(
        report.as_uri(),
        """(() => {
            const line = document.querySelector(
                'div.toll-line[data-metric="killed"][data-subject="security_forces"]'
                + '[data-side="militant"]');
            const first = line.closest('section.event');
            return {heading: line.querySelector('h4').innerText,
                    steps: [...line.querySelectorAll('li')].map(li => li.innerText),
                    beforeChart: line.compareDocumentPosition(first.querySelector('figure.chart'))
                        === Node.DOCUMENT_POSITION_FOLLOWING,
                    drawn: first.querySelectorAll('g[id^="toll-line-"]').length};
        })()""",
    )
    assert page.errors == []
    assert page.value["heading"].startswith(
        "killed security forces, as claimed by Baloch Liberation Army (militant group): "
        "more than 200"
    )
    assert "said by Baloch Liberation Army" in page.value["heading"]
    latest, first = page.value["steps"][0], page.value["steps"][-1]
    assert "more than 200, said by Baloch Liberation Army" in latest
    assert "(before: at least 84, said by Baloch Liberation Army)" in latest
    assert "at least 84" in first and "before:" not in first
    assert page.value["beforeChart"] and page.value["drawn"] >= 1
    (tmp_path / "toll-line.png").write_bytes(page.screenshot)


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (make test does)")
def test_the_browser_check_does_see_console_errors(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<img src="missing.png"><script>console.error("boom")</script>')
    found = load_page(page.as_uri())
    assert any("boom" in e for e in found.errors)
    assert any("ERR_FILE_NOT_FOUND" in e for e in found.errors)


def test_export_writes_every_table_and_view_as_parquet(demo_db, tmp_path, capsys):
    folder = tmp_path / "parquet"
    assert main(["export", "--to", str(folder), "--db", str(demo_db)]) == 0
    with duckdb.connect(str(demo_db), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()]  # fmt: skip
        expected = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
    written = {p.stem: pq.read_table(p).num_rows for p in folder.glob("*.parquet")}
    assert written == expected
    assert {"claims", "figure_history", "stories", "events", "article_versions"} <= set(written)
    assert len(capsys.readouterr().out.splitlines()) == len(expected)


def test_an_empty_database_gives_a_report_saying_so_and_no_chart(tmp_path, capsys):
    db = tmp_path / "empty.duckdb"
    with connect(db):
        pass
    report = tmp_path / "report.html"
    assert main(["report", "--db", str(db), "-o", str(report)]) == 0
    assert "No events yet" in report.read_text()
    assert main(["chart", "--db", str(db), "-o", str(tmp_path / "c.png")]) == 2
    assert "no event has attributed 'killed' figures yet" in capsys.readouterr().err


def test_disputes_show_only_the_kinds_of_claimant_that_spoke(demo_db):
    from storage.browse import busiest_event, event_disputes

    with connect(demo_db, read_only=True) as con:
        table = event_disputes(con, busiest_event(con, "killed") or "")
    assert table.columns[:2] == ["metric", "subject"]
    assert {"militant_group", "government", "media"} <= set(table.columns[2:])
    killed_soldiers = next(r for r in table.rows if r[:2] == ("killed", "security_forces"))
    assert any("more than 200" in str(v) for v in killed_soldiers)  # the BLA's latest claim


LABEL_BOXES = """[...document.querySelectorAll('figure.chart svg')].map(svg =>
    [...svg.querySelectorAll('g[id^="label-"]')].map(g => {
        const r = g.getBoundingClientRect();
        return [g.id, r.left, r.top, r.right, r.bottom];
    }))"""


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (make test does)")
def test_no_two_labels_overlap_as_chromium_draws_them(demo_db, tmp_path):
    report = tmp_path / "report.html"
    assert main(["report", "--db", str(demo_db), "-o", str(report)]) == 0
    page = load_page(report.as_uri(), LABEL_BOXES)
    assert page.errors == []
    charts = page.value
    assert len(charts) >= 3 and sum(len(boxes) for boxes in charts) >= 30
    overlapping = [
        (a[0], b[0])
        for boxes in charts
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5
    ]  # boxes that share more than half a pixel each way, in the browser's own fonts
    assert overlapping == []
