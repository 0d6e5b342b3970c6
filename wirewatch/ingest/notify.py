"""What a run tells the world: its log lines, its Prefect artifacts and figure-change events.

- one INFO line per cycle (feeds polled by outcome, articles and versions added, figures
  changed, duration) and one WARNING per feed that failed, with its reason;
- a table artifact `feed-health` (feed, outcome, reason, entries new, duration) and a markdown
  artifact `figure-changes`;
- one `wirewatch.figure.changed` event per new step of an event's toll line (resource: the event
  id), which an automation can turn into a notification (see `wirewatch.service.automation`):
  "killed civilians 3 -> 5, said by authorities (before: Vitali Klitschko)", a revision by a
  new voice included (`storage.health.figure_changes`); a line is one side's (the officials' or
  a militant group's), so a militant group's claim after the officials' count is no change;
- on a database's first cycle (a backfill: nothing was fetched before it) one
  `wirewatch.figures.backfilled` event with the counts instead, not a flood of old changes.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

FIGURE_CHANGED = "wirewatch.figure.changed"
FIGURES_BACKFILLED = "wirewatch.figures.backfilled"
_HEALTHY = ("ok", "not_modified")


@dataclass(frozen=True, slots=True)
class RunReport:
    polls: list[dict[str, Any]]  # storage.health.run_polls
    changes: list[dict[str, Any]]  # storage.health.figure_changes
    totals: dict[str, int]
    duration_s: float
    backfill: bool = False  # the database's first cycle: one summary event, not one per change


def cycle_line(report: RunReport) -> str:
    outcomes = Counter(str(p["outcome"]) for p in report.polls)
    by_outcome = " ".join(f"{k}={v}" for k, v in sorted(outcomes.items())) or "none"
    return (
        f"ingest cycle: {len(report.polls)} feeds polled ({by_outcome}), "
        f"{report.totals.get('articles_added', 0)} articles and "
        f"{report.totals.get('versions_added', 0)} versions added, "
        f"{_pages(report.totals)}, "
        f"{len(report.changes)} figures changed{' (backfill)' if report.backfill else ''}, "
        f"{report.duration_s:.1f} s"
    )


def _pages(totals: dict[str, int]) -> str:
    """The cycle's page fetches: failed, left pending by the caps, revisits (changed)."""
    return (
        f"{totals.get('fetches', 0)} pages fetched ({totals.get('fetches_failed', 0)} failed, "
        f"{totals.get('pages_pending', 0)} pending, {totals.get('revisits', 0)} revisits, "
        f"{totals.get('revisits_changed', 0)} changed)"
    )


def _reasons(counts: Counter[str]) -> str:
    return ", ".join(f"{reason}={n}" for reason, n in sorted(counts.items()))


def _failed_polls(report: RunReport) -> list[dict[str, Any]]:
    return [p for p in report.polls if p["outcome"] not in _HEALTHY]


def _failed_fetches(report: RunReport) -> Counter[str]:
    """Failed page fetches by reason (`fetches_failed_<reason>` in the totals)."""
    prefix = "fetches_failed_"
    return Counter(
        {k.removeprefix(prefix): v for k, v in report.totals.items() if k.startswith(prefix) and v}
    )


def cycle_failure(report: RunReport) -> str | None:
    """Why the cycle failed as a whole (every poll, or every page fetch, failed), or None.
    A Failed flow run is what Prefect's own alerting and `wirewatch run`'s exit 1 see."""
    failed, polled = _failed_polls(report), len(report.polls)
    if polled and len(failed) == polled:
        reasons = _reasons(Counter(str(p["reason"]) for p in failed))
        return f"every feed failed ({polled} polled: {reasons}): `wirewatch summary` says why"
    fetches, fetch_failures = report.totals.get("fetches", 0), _failed_fetches(report)
    if fetches and sum(fetch_failures.values()) >= fetches:
        return f"every page fetch failed ({fetches} fetched: {_reasons(fetch_failures)})"
    return None


def failures_line(report: RunReport) -> str | None:
    """The one WARNING of a cycle with some failures: failed feeds by reason, failed pages."""
    parts = []
    failed = _failed_polls(report)
    if failed:
        named = ", ".join(f"{p['feed']} ({p['reason']})" for p in failed)
        parts.append(f"{len(failed)} of {len(report.polls)} feeds failed: {named}")
    fetch_failures = _failed_fetches(report)
    if fetch_failures:
        parts.append(
            f"{sum(fetch_failures.values())} of {report.totals.get('fetches', 0)} page fetches "
            f"failed ({_reasons(fetch_failures)})"
        )
    return "ingest cycle failures: " + "; ".join(parts) if parts else None


def log_report(report: RunReport, logger: logging.Logger | logging.LoggerAdapter[Any]) -> None:
    """The cycle's INFO line, and one WARNING line when anything failed."""
    warning = failures_line(report)
    if warning:
        logger.warning(warning)
    logger.info(cycle_line(report))


def _who(change: dict[str, Any], key: str = "claimant") -> str:
    return str(change.get(key) or "unattributed")


def _side(change: dict[str, Any]) -> str:
    return str(change.get("side") or "official")


def change_message(change: dict[str, Any]) -> str:
    """The step in words: "killed civilians at least 3 -> 5, said by authorities (before:
    Vitali Klitschko)"; the voice before is named only when it was another one. A step of a
    militant group's line says so: "killed security forces at least 84 -> more than 200, said by
    Baloch Liberation Army, the militant group's line" (a line per side, migration 0050)."""
    previous = change.get("previous_figure") or change["previous_value"]
    said = f"said by {_who(change)}"
    before = _who(change, "previous_claimant")
    if before != _who(change):
        said += f" (before: {before})"
    if _side(change) == "militant":
        said += ", the militant group's line"
    what = f"{change['metric']} {str(change['subject']).replace('_', ' ')}"
    return f"{what} {previous} -> {change['figure']}, {said}"


def change_payload(change: dict[str, Any]) -> dict[str, Any]:
    return {
        "claimant": _who(change),
        "previous_claimant": _who(change, "previous_claimant"),
        "metric": change["metric"],
        "subject": change["subject"],
        "side": _side(change),
        "previous": change["previous_value"],
        "new": change["value"],
        "previous_figure": change.get("previous_figure") or str(change["previous_value"]),
        "figure": change["figure"],
        "message": change_message(change),
        "url": change["url"],
    }


#: The backfill event lists at most this many changes (an event's payload stays small).
BACKFILL_LISTED = 100


def backfill_event(changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The one event of a backfill: how many changes, over how many events and claimants, and
    the first `BACKFILL_LISTED` of them (as a figure-change event's payload, without the url)."""
    listed = [
        {k: v for k, v in change_payload(c).items() if k != "url"}
        for c in changes[:BACKFILL_LISTED]
    ]
    return {
        "resource": {"prefect.resource.id": "wirewatch.backfill"},
        "payload": {
            "changes": len(changes),
            "events": len({c["event_id"] for c in changes}),
            "claimants": len({_who(c) for c in changes}),
            "listed": listed,
        },
    }


def changes_markdown(changes: list[dict[str, Any]]) -> str:
    if not changes:
        return "No tracked figure changed in this run."
    lines = [
        "| metric | subject | side | previous -> new | said by | before | source |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {c['metric']} | {c['subject']} | {_side(c)} | "
        f"{c.get('previous_figure') or c['previous_value']} "
        f"-> {c['figure']} | {_who(c)} | {_who(c, 'previous_claimant')} | {c['url']} |"
        for c in changes
    ]
    return "\n".join(lines)


async def publish(report: RunReport) -> None:
    """Artifacts and events of the run (inside a Prefect flow or task run)."""
    from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
    from prefect.events import emit_event

    rows = [
        {k: p[k] for k in ("feed", "outcome", "reason", "entries_new", "duration_ms")}
        for p in report.polls
    ]
    await acreate_table_artifact(rows, key="feed-health", description=cycle_line(report))
    await acreate_markdown_artifact(
        changes_markdown(report.changes), key="figure-changes", description="Figures changed"
    )
    if report.backfill:  # one summary, also when the first cycle's lines only began
        if report.changes or report.totals.get("versions_added"):
            emit_event(FIGURES_BACKFILLED, **backfill_event(report.changes))
        return
    for change in report.changes:
        event_id = str(change["event_id"] or "none")
        emit_event(
            FIGURE_CHANGED,
            resource={
                "prefect.resource.id": f"wirewatch.event.{event_id}",
                "prefect.resource.name": event_id,
            },
            payload=change_payload(change),
        )
