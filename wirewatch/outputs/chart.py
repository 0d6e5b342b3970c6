"""The figure timeline chart: one panel per subject, one step line per claimant.

Each line holds a claimant's figure from when it was first published until the claimant gave
another one (a step), and runs on to the end of the chart while nobody contradicts it. Exact
figures are filled markers; hedged ones ("more than 80", "at least 33", "about 40", "up to 5")
are open markers whose shape says which way the hedge points; a range ("20-30") is a bar.
Drawn with matplotlib's object API (no pyplot, no GUI backend, no network).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from storage.browse import FigurePoint

CHART_FORMATS = ("png", "svg")

# qualifier -> (marker, filled)
_MARKERS = {
    "exact": ("o", True),
    "at_least": ("^", False),
    "more_than": ("^", False),
    "about": ("D", False),
    "up_to": ("v", False),
}
_LEGEND = (
    ("o", True, "exact"), ("^", False, "at least / more than"), ("D", False, "about"),
    ("v", False, "up to"),
)  # fmt: skip
_RC = {"svg.fonttype": "none", "svg.hashsalt": "wirewatch", "font.size": 9}


@dataclass(frozen=True, slots=True)
class Series:
    """One claimant's figures for one subject, in order of publication."""

    subject: str
    claimant_key: str
    label: str
    points: tuple[FigurePoint, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    series: tuple[Series, ...]

    @property
    def subjects(self) -> list[str]:
        return list(dict.fromkeys(s.subject for s in self.series))


def build_chart(points: Iterable[FigurePoint], title: str) -> Chart:
    """Group an event's figures into one series per (subject, claimant)."""
    grouped: dict[tuple[str, str], list[FigurePoint]] = {}
    for point in sorted(points, key=lambda p: (p.published_at, p.value)):
        grouped.setdefault((point.subject, point.claimant_key), []).append(point)
    series = [
        Series(subject, key, _label(found), tuple(found))
        for (subject, key), found in sorted(grouped.items())
    ]
    return Chart(title, tuple(series))


def _label(points: Sequence[FigurePoint]) -> str:
    name = points[0].claimant or points[0].claimant_key
    return f"{name} ({points[0].claimant_kind.replace('_', ' ')})"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _draw_series(ax: Any, series: Series, color: Any, end: datetime, gid: str) -> None:
    xs = [_utc(p.published_at) for p in series.points]
    ys = [p.value for p in series.points]
    (line,) = ax.step([*xs, end], [*ys, ys[-1]], where="post", color=color, label=series.label)
    line.set_gid(gid)
    for x, point in zip(xs, series.points, strict=True):
        marker, filled = _MARKERS.get(point.qualifier, ("o", True))
        ax.plot(
            [x], [point.value], marker=marker, markersize=7, color=color,
            markerfacecolor=color if filled else "white", markeredgewidth=1.5, linestyle="none",
        )  # fmt: skip
        if point.value_high > point.value:
            ax.vlines(x, point.value, point.value_high, color=color, linewidth=3, alpha=0.5)
        ax.annotate(
            point.figure, (x, point.value), xytext=(4, 4), textcoords="offset points",
            fontsize=8, color=color,
        )  # fmt: skip


def _figure(chart: Chart) -> Any:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    subjects = chart.subjects or ["(no attributed figures)"]
    figure = Figure(figsize=(9, 2.2 + 2.6 * len(subjects)), layout="constrained")
    axes = figure.subplots(len(subjects), 1, sharex=True, squeeze=False)[:, 0]
    colors = _colors(chart)
    end = _chart_end(chart)
    for ax, subject in zip(axes, subjects, strict=True):
        ax.set_title(subject.replace("_", " "), loc="left", fontsize=9)
        ax.set_ylabel("figure")
        ax.grid(alpha=0.3)
        for n, series in enumerate(chart.series, start=1):
            if series.subject == subject and end is not None:
                _draw_series(ax, series, colors[series.claimant_key], end, f"series-{n}")
        if end is not None:
            ax.legend(loc="upper left", fontsize=8)
            ax.set_ylim(bottom=0)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]  # matplotlib's own stubs
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    keys = [Line2D([], [], marker=m, color="0.3", markerfacecolor="0.3" if f else "white",
                   linestyle="none", label=text) for m, f, text in _LEGEND]  # fmt: skip
    figure.legend(
        handles=keys, loc="outside lower center", ncols=len(_LEGEND), fontsize=8, frameon=False
    )
    figure.suptitle(chart.title, fontsize=11)
    return figure


def _chart_end(chart: Chart) -> datetime | None:
    """A little after the last figure, so that the newest ones show as a short line too."""
    times = [_utc(p.published_at) for s in chart.series for p in s.points]
    if not times:
        return None
    return max(times) + max((max(times) - min(times)) * 0.04, timedelta(hours=1))


def _colors(chart: Chart) -> dict[str, Any]:
    """One color per claimant across every panel: tab10, then tab20's light shades (20)."""
    from matplotlib import colormaps

    # (both are ListedColormaps; the stubs only know Colormap)
    light = cast(Any, colormaps["tab20"]).colors[1::2]
    palette = [*cast(Any, colormaps["tab10"]).colors, *light]
    keys = sorted({s.claimant_key for s in chart.series})
    return {key: palette[i % len(palette)] for i, key in enumerate(keys)}


def chart_bytes(chart: Chart, fmt: str) -> bytes:
    """The chart as PNG or SVG bytes (deterministic: no creation date, fixed ids)."""
    from matplotlib import rc_context

    if fmt not in CHART_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; one of {', '.join(CHART_FORMATS)}")
    buffer = io.BytesIO()
    with rc_context(cast(Any, _RC)):  # the stubs want a Literal key type
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        _figure(chart).savefig(buffer, format=fmt, dpi=110, metadata=metadata)
    return buffer.getvalue()


def write_chart(chart: Chart, path: Path) -> Path:
    """Write the chart to `path`; its suffix (.png or .svg) picks the format."""
    fmt = path.suffix.lstrip(".").lower()
    data = chart_bytes(chart, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
