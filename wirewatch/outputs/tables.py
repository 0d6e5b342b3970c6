"""Tables out: rich tables for people, JSON / JSON lines / CSV for programs.

`write_table(table, fmt)` is the one helper every listing command uses (`query`, `figures`,
`summary`, `feeds list`), and `add_format_option(parser)` gives a command its `--format`.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import sys
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from storage.summary import Table

FORMATS = ("table", "json", "jsonl", "csv")


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output format (default: table; json is one array, jsonl one object a line)",
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def records(table: Table) -> list[dict[str, Any]]:
    """Rows as JSON-ready objects keyed by column name."""
    return [
        {c: _jsonable(v) for c, v in zip(table.columns, row, strict=True)} for row in table.rows
    ]


def _csv_cell(value: Any) -> Any:
    plain = _jsonable(value)
    if isinstance(plain, list | dict):
        return json.dumps(plain, ensure_ascii=False)
    return "" if plain is None else plain


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    text = str(value).replace("\n", " ")
    return text if len(text) <= 70 else text[:67] + "..."


def format_table(table: Table, title: str | None = None, width: int | None = None) -> str:
    """A table as text, columns sized by display width (wide CJK characters count double).
    Given a `width` (a terminal's), every row stays one line: the widest cells are cut short
    (never below a dozen characters), and the columns that still do not fit are left out, named
    in the last line."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    cells = [[_cell(v) for v in row] for row in table.rows]
    widths = fit_widths(table.columns, cells, width)
    shown = RichTable(
        title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
        collapse_padding=True,
    )  # fmt: skip
    for i, column in enumerate(table.columns[: len(widths)]):
        numeric = _is_numeric([row[i] for row in table.rows])
        shown.add_column(
            column,
            overflow="ellipsis",  # a cell too wide is cut short ("…"), never wrapped
            no_wrap=True,
            justify="right" if numeric else "left",
            width=widths[i],
        )
    for row in cells:
        shown.add_row(*row[: len(widths)])
    # Piped output is not cut to the terminal: it goes to files and other programs.
    console = Console(width=width or 1000, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(shown, crop=False)
    lines = "\n".join(line.rstrip() for line in captured.get().splitlines()).strip("\n")
    left_out = table.columns[len(widths) :]
    if left_out:
        return f"{lines}\n({len(table.rows)} rows; columns not shown: {', '.join(left_out)})"
    return f"{lines}\n({len(table.rows)} rows)"


#: What a column costs beside its cells (a separator), and what the row's two edges cost.
_GAP = 2
_EDGES = 2
#: A cell is never cut shorter than this (a date and hour, a name's first word or two).
_FLOOR = 12


def fit_widths(columns: list[str], cells: list[list[str]], width: int | None) -> list[int]:
    """The widths of the columns shown, left to right: each column's widest cell; then, while
    the row is wider than `width`, the widest column gives up a character (down to `_FLOOR`, or
    its own width when narrower); then, while it is still too wide, the last column is left
    out (its width is not in the list). At least one column is always shown."""
    from rich.cells import cell_len

    widths = [
        max([cell_len(c), *(cell_len(row[i]) for row in cells)]) for i, c in enumerate(columns)
    ]
    if width is None:
        return widths
    floors = [min(w, _FLOOR) for w in widths]

    def total() -> int:
        return sum(widths) + _GAP * (len(widths) - 1) + _EDGES

    while total() > width:
        cuttable = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not cuttable:
            break
        widths[max(cuttable, key=lambda i: widths[i])] -= 1
    while total() > width and len(widths) > 1:
        widths.pop()
    return widths


def _is_numeric(values: list[Any]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present
    )


def write_table(table: Table, fmt: str = "table", out: IO[str] | None = None) -> None:
    """Write one table to `out` (default stdout) in one of FORMATS."""
    out = out or sys.stdout
    if fmt == "table":
        out.write(format_table(table, width=terminal_width(out)) + "\n")
    elif fmt == "json":
        json.dump(records(table), out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "jsonl":
        for record in records(table):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def write_tables(
    tables: Mapping[str, Table], fmt: str = "table", out: IO[str] | None = None
) -> None:
    """Several named tables: sections of text, one JSON object, or rows tagged with `table`."""
    out = out or sys.stdout
    if fmt == "table":
        for title, table in tables.items():
            out.write(f"\n== {title}\n")
            write_table(table, fmt, out)
    elif fmt == "json":
        json.dump({k: records(t) for k, t in tables.items()}, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "jsonl":
        for title, table in tables.items():
            for record in records(table):
                out.write(json.dumps({"table": title, **record}, ensure_ascii=False) + "\n")
    elif len(tables) == 1:
        write_table(next(iter(tables.values())), fmt, out)
    else:
        raise ValueError("csv holds one table: choose one with --section")


def terminal_width(out: IO[str]) -> int | None:
    """The terminal's width when writing to one; None (no limit) for pipes and files."""
    import os

    try:
        return os.get_terminal_size(out.fileno()).columns if out.isatty() else None
    except (AttributeError, OSError, ValueError):  # captured streams have no real descriptor
        return None
