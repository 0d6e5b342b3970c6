"""`wirewatch export`: every table and view as a Parquet file, for DuckDB, pyarrow or polars.

Rows are streamed from DuckDB as Arrow batches into pyarrow's Parquet writer, so an export
never holds a whole table in memory. Files are written under a temporary name and renamed,
so a folder never holds a half-written file under a real name.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from storage.browse import relation_names, relation_reader


def export_relation(con: duckdb.DuckDBPyConnection, name: str, folder: Path) -> tuple[Path, int]:
    """Write one table or view to `folder/<name>.parquet`; return the path and its row count."""
    path = folder / f"{name}.parquet"
    partial = path.with_suffix(".parquet.partial")
    reader = relation_reader(con, name)
    rows = 0
    with pq.ParquetWriter(partial, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    partial.replace(path)
    return path, rows


def export_parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> list[tuple[Path, int]]:
    """Every table and view of the database, one Parquet file each."""
    folder.mkdir(parents=True, exist_ok=True)
    return [export_relation(con, name, folder) for name, _kind in relation_names(con)]
