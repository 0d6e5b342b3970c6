"""Raw HTML lives in WARC files: records built by the workers, appended by the writer with
their (file, offset, length) in the database, rotated by size, expired by age, read back."""

import asyncio
import gzip
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from warcio.archiveiterator import ArchiveIterator

from extractors.archive import read_response_body, warc_response_record
from storage.db import connect
from storage.records import Batch, VersionRow, write_batch
from storage.warc import WarcArchive, expire_files, read_raw_html
from tests.rows import version_row
from wirewatch.ingest.archive import reextract
from wirewatch.settings import Settings

NOW = datetime(2026, 2, 1, 8, tzinfo=UTC)
HTML = b"<html><body><p>Officials said 7 people were killed.</p></body></html>"


def _page(article_id: str, body: bytes = HTML) -> VersionRow:
    record = warc_response_record(f"http://x/{article_id}", "text/html", body, NOW)
    return version_row(article_id, raw_html_z=b"", raw_record=record)


def test_a_record_is_one_gzip_member_any_warc_reader_understands():
    record = warc_response_record("http://x/a", "text/html; charset=utf-8", HTML, NOW)

    assert gzip.decompress(record).startswith(b"WARC/1.0\r\n")
    seen = [
        (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
        for r in ArchiveIterator(io.BytesIO(record))
    ]
    assert seen == [("response", "http://x/a", HTML)]
    assert b"WARC-Date: 2026-02-01T08:00:00Z" in gzip.decompress(record)
    assert read_response_body(record) == HTML


def test_the_writer_appends_records_and_stores_where_they_are(tmp_path):
    archive = WarcArchive(tmp_path / "warc")
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(
            con, Batch(pages=[_page("a1"), _page("a2", HTML + b"<!-- 2 -->")]), archive=archive
        )
        rows = con.execute(
            "SELECT article_id, octet_length(raw_html_z), warc_file, warc_offset, warc_length "
            "FROM article_versions ORDER BY article_id"
        ).fetchall()
        assert [r[1] for r in rows] == [0, 0]  # nothing raw left in the hot table
        assert rows[0][2] == rows[1][2] and rows[1][3] == rows[0][3] + rows[0][4]
        assert read_raw_html(con, archive.folder, "a1", 1) == HTML
        assert read_raw_html(con, archive.folder, "a2", 1) == HTML + b"<!-- 2 -->"
    whole = (archive.folder / rows[0][2]).read_bytes()
    assert [r.rec_type for r in ArchiveIterator(io.BytesIO(whole))] == ["response", "response"]


def test_bytes_left_by_a_killed_batch_are_cut_off_by_the_next_one(tmp_path):
    archive = WarcArchive(tmp_path / "warc")
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[_page("a1")]), archive=archive)
        (name,) = con.execute("SELECT warc_file FROM article_versions").fetchall()[0]
        with (archive.folder / name).open("ab") as out:  # a record half-written, then killed
            out.write(_page("lost").raw_record[:100])

        write_batch(con, Batch(pages=[_page("a2")]), archive=archive)

        assert read_raw_html(con, archive.folder, "a2", 1) == HTML
    whole = io.BytesIO((archive.folder / name).read_bytes())
    uris = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(whole)]
    assert uris == ["http://x/a1", "http://x/a2"]


def test_files_rotate_once_past_the_size_limit(tmp_path):
    archive = WarcArchive(tmp_path / "warc", rotate_bytes=1)  # every batch starts a new file
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[_page("a1")]), archive=archive)
        write_batch(con, Batch(pages=[_page("a2")]), archive=archive)
        files = con.execute("SELECT DISTINCT warc_file FROM article_versions").fetchall()
        assert len(files) == 2
        assert read_raw_html(con, archive.folder, "a2", 1) == HTML


def test_retention_deletes_old_files_and_rows_keep_their_pointers(tmp_path):
    archive = WarcArchive(tmp_path / "warc", rotate_bytes=1)
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[_page("a1")]), archive=archive)
        write_batch(con, Batch(pages=[_page("a2")]), archive=archive)
        (old,) = con.execute(
            "SELECT warc_file FROM article_versions WHERE article_id = 'a1'"
        ).fetchall()[0]

        expired = expire_files(con, archive.folder, 7, datetime.now(UTC) + timedelta(days=8))

        assert expired == [old]  # the newest file is never expired: it may still grow
        assert not (archive.folder / old).exists()
        assert read_raw_html(con, archive.folder, "a1", 1) is None
        assert read_raw_html(con, archive.folder, "a2", 1) == HTML
        pointer = con.execute(
            "SELECT warc_file, warc_offset FROM article_versions WHERE article_id = 'a1'"
        ).fetchall()
        assert pointer == [(old, 0)]
        assert expire_files(con, archive.folder, 7, datetime.now(UTC) + timedelta(days=8)) == []


def test_without_an_archive_the_body_stays_in_the_database(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[_page("a1")]), archive=None)
        assert con.execute("SELECT warc_file FROM article_versions").fetchall() == [(None,)]
        assert read_raw_html(con, tmp_path / "none", "a1", 1) == HTML


def test_versions_stored_before_the_archive_read_from_raw_html_z(tmp_path):
    import zlib

    old = replace(_page("a1"), raw_html_z=zlib.compress(HTML), raw_record=b"")
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[old]), archive=WarcArchive(tmp_path / "warc"))
        assert read_raw_html(con, tmp_path / "warc", "a1", 1) == HTML
        with pytest.raises(KeyError):
            read_raw_html(con, tmp_path / "warc", "a1", 2)


@pytest.mark.integration
def test_an_ingest_run_archives_every_version_it_stores(
    tmp_path, monkeypatch, prefect_harness, news_site
):
    from flows.ingest import ingest

    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("WIREWATCH_EXTRACT_WORKERS", "2")  # records are built in the workers
    _, site = news_site
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())
    db = tmp_path / "db.duckdb"

    totals = asyncio.run(ingest(feeds_file=str(feeds), db_path=str(db)))

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT article_id, version, octet_length(raw_html_z), warc_file FROM article_versions"
        ).fetchall()
        assert len(rows) == totals["versions_added"] > 0
        assert all(r[2] == 0 and r[3] for r in rows)
        texts = dict(
            con.execute(
                "SELECT article_id || '.' || version, text FROM article_versions"
            ).fetchall()
        )
        for article_id, version, _, _ in rows:
            body = read_raw_html(con, tmp_path / "warc", article_id, version)
            assert body is not None and b"<html" in body.lower()
    settings = Settings(db_path=db)
    for article_id, version, _, _ in rows:  # re-extraction from the archive gives the same text
        again = reextract(settings, article_id, version)
        assert again is not None and again.result.text == texts[f"{article_id}.{version}"]
