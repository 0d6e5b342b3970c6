"""The figure timeline chart: one panel per subject, the event's toll line as its main line, one
color per claimant beside it.

The toll line (a thick dark step line with square markers, each step labelled with its figure
and who said it) is the latest figure as reported, whoever said it, so the mayor's 3 and then
the authorities' 5 is one line a reader follows. A line is one side's: what a militant group
claims is its own line (thick, dashed, dark red, named in the legend "toll line, as claimed by
Baloch Liberation Army (militant group)"), never a step of the officials' count. The claimants'
own series are drawn beside them, thinner.

Every figure is a marker at the time it was first published. Only a revision is a line: when a
claimant gave figures at two or more times, a step line joins them (at a time with several
figures from one article, the line goes through the one nearest the claimant's previous figure,
the lowest at first), so "more than 80", then 84, then "more than 200" is three steps, while
figures taken from one article at one time stay points. Exact figures are filled markers;
hedged ones ("more than 80", "at least 33", "about 40", "up to 5") are open markers whose shape
says which way the hedge points; a range ("20-30") is a bar.

Readable by construction: each claimant's markers and lines sit a point or two apart from the
others' (two claimants saying 31 both show), markers at one time and value are spread side by
side, legends sit outside the panels, and each label is placed where it overlaps no other label
(four places tried, else it is left out: the timeline table under the chart lists every figure).
A claimant's label repeats only when the figure changes. Drawn with matplotlib's object API (no
pyplot, no GUI backend, no network).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from storage.browse import FigurePoint, TollStep

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
class TollLine:
    """The event's toll line for one subject and side, oldest step first."""

    subject: str
    steps: tuple[TollStep, ...]
    side: str = "official"  # or 'militant': a militant group's claims (migration 0050)

    @property
    def label(self) -> str:
        """The legend's name: "toll line (latest as reported)" for the officials' line, "toll
        line, as claimed by Baloch Liberation Army (militant group)" for a militant group's."""
        caption = side_caption(self.side, [step.said_by for step in self.steps])
        return f"toll line{caption}" if caption else "toll line (latest as reported)"


def side_caption(side: str, voices: Iterable[str]) -> str:
    """ ", as claimed by Baloch Liberation Army (militant group)" for a militant group's line
    (the groups that said its figures), nothing for the officials' line."""
    if side != "militant":
        return ""
    names = ", ".join(dict.fromkeys(v for v in voices if v)) or "a militant group"
    return f", as claimed by {names} (militant group)"


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    series: tuple[Series, ...]
    lines: tuple[TollLine, ...] = ()

    @property
    def subjects(self) -> list[str]:
        return list(
            dict.fromkeys([*(line.subject for line in self.lines)]
                          + [s.subject for s in self.series])
        )  # fmt: skip

    def line(self, subject: str, side: str = "official") -> TollLine | None:
        return next((x for x in self.lines if (x.subject, x.side) == (subject, side)), None)

    def lines_of(self, subject: str) -> list[TollLine]:
        """The subject's toll lines, the officials' first."""
        return [line for line in self.lines if line.subject == subject]


def build_chart(points: Iterable[FigurePoint], title: str, steps: Iterable[TollStep] = ()) -> Chart:
    """Group an event's figures into one series per (subject, claimant), beside its toll lines
    per subject (one per side, the officials' first)."""
    grouped: dict[tuple[str, str], list[FigurePoint]] = {}
    for point in sorted(points, key=lambda p: (p.published_at, p.value)):
        grouped.setdefault((point.subject, point.claimant_key), []).append(point)
    series = [
        Series(subject, key, _label(found), tuple(found))
        for (subject, key), found in sorted(grouped.items())
    ]
    by_line: dict[tuple[str, bool, str], list[TollStep]] = {}
    for step in steps:
        by_line.setdefault((step.subject, step.side != "official", step.side), []).append(step)
    lines = tuple(
        TollLine(subject, tuple(found), side)
        for (subject, _, side), found in sorted(by_line.items())
    )
    return Chart(title, tuple(series), lines)


def _label(points: Sequence[FigurePoint]) -> str:
    name = points[0].claimant or points[0].claimant_key
    return f"{name} ({points[0].claimant_kind.replace('_', ' ')})"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def revision_steps(series: Series) -> list[tuple[datetime, int]]:
    """The (time, value) corners of a claimant's revision line: one figure per time at which it
    spoke; empty when it spoke at one time only (its figures are then points)."""
    by_time: dict[datetime, list[int]] = {}
    for point in series.points:
        by_time.setdefault(_utc(point.published_at), []).append(point.value)
    if len(by_time) < 2:
        return []
    steps: list[tuple[datetime, int]] = []
    for moment in sorted(by_time):
        values = sorted(by_time[moment])
        value = min(values, key=lambda v: abs(v - steps[-1][1])) if steps else values[0]
        steps.append((moment, value))
    return steps


def _offset(ax: Any, dx: float, dy: float) -> Any:
    from matplotlib.transforms import offset_copy

    return offset_copy(ax.transData, fig=ax.figure, x=dx, y=dy, units="points")


def _draw_series(
    ax: Any, series: Series, color: Any, gid: str, dy: float, spread: dict[Any, list[str]]
) -> tuple[list[Any], list[Any]]:
    """Draw one claimant's markers (and its revision line); return its labels (hidden until
    placed) and its markers."""
    steps = revision_steps(series)
    if steps:
        xs, ys = [t for t, _ in steps], [v for _, v in steps]
        (line,) = ax.step(
            xs, ys, where="post", color=color, label=series.label, transform=_offset(ax, 0, dy)
        )
        line.set_gid(gid)
    else:  # a legend entry for a claimant with points only
        ax.plot([], [], marker="o", color=color, linestyle="none", label=series.label)
    labels, marks, last_text = [], [], None
    for n, point in enumerate(series.points):
        x = _utc(point.published_at)
        same = spread[(x, point.value)]
        dx = (same.index(f"{series.claimant_key}.{n}") - (len(same) - 1) / 2) * 7.0
        marker, filled = _MARKERS.get(point.qualifier, ("o", True))
        (mark,) = ax.plot(
            [x], [point.value], marker=marker, markersize=7, color=color,
            markerfacecolor=color if filled else "white", markeredgewidth=1.5, linestyle="none",
            transform=_offset(ax, dx, dy),
        )  # fmt: skip
        mark.set_gid(f"{gid}-point-{n}")
        marks.append(mark)
        if point.value_high > point.value:
            ax.vlines(
                x, point.value, point.value_high, color=color, linewidth=3, alpha=0.5,
                transform=_offset(ax, dx, dy),
            )  # fmt: skip
        if point.figure == last_text:
            continue  # the claimant repeating itself: one label is enough
        last_text = point.figure
        label = ax.annotate(
            point.figure, (x, point.value), xytext=(5 + dx, 3 + dy), textcoords="offset points",
            fontsize=8, color=color, visible=False,
        )  # fmt: skip
        label.set_gid(f"label-{gid}-{n}")
        labels.append(label)
    return labels, marks


TOLL_COLOR = "0.1"
MILITANT_TOLL_COLOR = "#7f1d1d"  # a militant group's line: dark red, dashed


def _voice(step: TollStep) -> str:
    return step.said_by or "unattributed"


def _draw_toll_line(
    ax: Any, line: TollLine, end: datetime, gid: str
) -> tuple[list[Any], list[Any]]:
    """Draw a toll line under the claimants' series: a thick step line carried on to the
    chart's end, a square per step (dashed and dark red for a militant group's line); return its
    labels ("5, authorities") and markers."""
    xs = [_utc(step.reported_at) for step in line.steps]
    ys = [step.value for step in line.steps]
    militant = line.side == "militant"
    color = MILITANT_TOLL_COLOR if militant else TOLL_COLOR
    (drawn,) = ax.step(
        [*xs, end], [*ys, ys[-1]], where="post", color=color, linewidth=3.2, alpha=0.8,
        linestyle="--" if militant else "-", label=line.label, zorder=1,
    )  # fmt: skip
    drawn.set_gid(gid)
    labels, marks = [], []
    for n, (x, step) in enumerate(zip(xs, line.steps, strict=True)):
        (mark,) = ax.plot(
            [x], [step.value], marker="s", markersize=7, color=color, linestyle="none",
            zorder=2,
        )  # fmt: skip
        mark.set_gid(f"{gid}-step-{n}")
        marks.append(mark)
        label = ax.annotate(
            f"{step.figure}, {_voice(step)}", (x, step.value), xytext=(5, 3),
            textcoords="offset points", fontsize=8, fontweight="bold", color=color,
            visible=False,
        )  # fmt: skip
        label.set_gid(f"label-{gid}-{n}")
        labels.append(label)
    return labels, marks


# Where a label may go, relative to its marker (points, and the side it is anchored on).
_PLACES = (
    (5, 3, "left", "bottom"), (5, -3, "left", "top"), (-5, 3, "right", "bottom"),
    (-5, -3, "right", "top"), (5, 11, "left", "bottom"), (5, -11, "left", "top"),
)  # fmt: skip


def place_labels(figure: Any, labels: list[Any], marks: list[Any]) -> None:
    """Show each label at the first place where it overlaps no marker, no label already shown
    and no panel's edge; leave it out when there is none."""
    renderer = figure.canvas.get_renderer()
    taken: list[Any] = [m.get_window_extent(renderer) for m in marks]
    for label in labels:
        base_dx, base_dy = label.xyann[0] - 5, label.xyann[1] - 3
        frame = label.axes.get_window_extent(renderer)
        label.set_visible(True)
        for dx, dy, ha, va in _PLACES:
            label.xyann = (base_dx + dx, base_dy + dy)
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = label.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
            if inside and box.y1 <= frame.y1 and not any(box.overlaps(t) for t in taken):
                taken.append(box)
                break
        else:
            label.set_visible(False)


def draw_figure(chart: Chart) -> Any:
    """The chart as a matplotlib Figure, laid out and with its labels placed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    subjects = chart.subjects or ["(no figures)"]
    figure = Figure(figsize=(10, 2.2 + 2.8 * len(subjects)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(subjects), 1, sharex=True, squeeze=False)[:, 0]
    colors = _colors(chart)
    end = _chart_end(chart)
    labels: list[Any] = []
    marks: list[Any] = []
    for ax, subject in zip(axes, subjects, strict=True):
        ax.set_title(subject.replace("_", " "), loc="left", fontsize=9)
        ax.set_ylabel("figure")
        ax.grid(alpha=0.3)
        here = [(n, s) for n, s in enumerate(chart.series, start=1) if s.subject == subject]
        lines = chart.lines_of(subject)
        for line in lines:  # the main lines first: their labels go first
            if end is None:
                break
            gid = f"toll-line-{subject}" + ("" if line.side == "official" else f"-{line.side}")
            found = _draw_toll_line(ax, line, end, gid)
            labels += found[0]
            marks += found[1]
        spread: dict[Any, list[str]] = {}
        for _, series in here:
            for i, point in enumerate(series.points):
                key = (_utc(point.published_at), point.value)
                spread.setdefault(key, []).append(f"{series.claimant_key}.{i}")
        for k, (n, series) in enumerate(here):
            dy = ((k % 5) - 2) * 1.5  # lines that share a value lie side by side
            found = _draw_series(ax, series, colors[series.claimant_key], f"series-{n}", dy, spread)
            labels += found[0]
            marks += found[1]
        if end is not None:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8)
            # markers drawn with an offset do not set the limits themselves
            values = [max(p.value, p.value_high) for _, s in here for p in s.points]
            values += [max(t.value, t.value_high) for x in lines for t in x.steps]
            top = max(values, default=1)
            ax.set_ylim(0, top * 1.15 + 1)
            ax.set_xlim(_chart_start(chart), end)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]  # matplotlib's own stubs
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    keys = [Line2D([], [], marker=m, color="0.3", markerfacecolor="0.3" if f else "white",
                   linestyle="none", label=text) for m, f, text in _LEGEND]  # fmt: skip
    figure.legend(
        handles=keys, loc="outside lower center", ncols=len(_LEGEND), fontsize=8, frameon=False
    )
    figure.suptitle(chart.title, fontsize=11)
    figure.canvas.draw()  # lay out once, then freeze it so that placed labels stay put
    figure.set_layout_engine("none")
    place_labels(figure, labels, marks)
    return figure


def _times(chart: Chart) -> list[datetime]:
    return [_utc(p.published_at) for s in chart.series for p in s.points] + [
        _utc(t.reported_at) for line in chart.lines for t in line.steps
    ]


def _chart_end(chart: Chart) -> datetime | None:
    """A little after the last figure, so that the newest labels fit."""
    times = _times(chart)
    if not times:
        return None
    return max(times) + max((max(times) - min(times)) * 0.08, timedelta(hours=2))


def _chart_start(chart: Chart) -> datetime:
    times = _times(chart)
    return min(times) - max((max(times) - min(times)) * 0.04, timedelta(hours=1))


def _colors(chart: Chart) -> dict[str, Any]:
    """One color per claimant across every panel: tab10, then tab20's light shades (20)."""
    from matplotlib import colormaps

    # (both are ListedColormaps; the stubs only know Colormap)
    light = cast(Any, colormaps["tab20"]).colors[1::2]
    palette = [*cast(Any, colormaps["tab10"]).colors, *light]
    keys = sorted({s.claimant_key for s in chart.series})
    return {key: palette[i % len(palette)] for i, key in enumerate(keys)}


def chart_style() -> Any:
    """The chart's matplotlib settings, for drawing it outside `chart_bytes`."""
    from matplotlib import rc_context

    return rc_context(cast(Any, _RC))  # the stubs want a Literal key type


def chart_bytes(chart: Chart, fmt: str) -> bytes:
    """The chart as PNG or SVG bytes (deterministic: no creation date, fixed ids)."""
    if fmt not in CHART_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; one of {', '.join(CHART_FORMATS)}")
    buffer = io.BytesIO()
    with chart_style():
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        draw_figure(chart).savefig(buffer, format=fmt, dpi=110, metadata=metadata)
    return buffer.getvalue()


def write_chart(chart: Chart, path: Path) -> Path:
    """Write the chart to `path`; its suffix (.png or .svg) picks the format."""
    fmt = path.suffix.lstrip(".").lower()
    data = chart_bytes(chart, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
