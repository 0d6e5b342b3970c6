"""What a run tells the world: its log lines, its Prefect artifacts and figure-change events.

- one INFO line per cycle (feeds polled by outcome, articles and versions added, figures
  changed, duration) and one WARNING per feed that failed, with its reason;
- a table artifact `feed-health` (feed, outcome, reason, entries new, duration) and a markdown
  artifact `figure-changes`;
- one `wirewatch.figure.changed` event per changed figure (resource: the event id), which an
  automation can turn into a notification (see `wirewatch.service.automation`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

FIGURE_CHANGED = "wirewatch.figure.changed"
_HEALTHY = ("ok", "not_modified")


@dataclass(frozen=True, slots=True)
class RunReport:
    polls: list[dict[str, Any]]  # storage.health.run_polls
    changes: list[dict[str, Any]]  # storage.health.figure_changes
    totals: dict[str, int]
    duration_s: float


def cycle_line(report: RunReport) -> str:
    outcomes = Counter(str(p["outcome"]) for p in report.polls)
    by_outcome = " ".join(f"{k}={v}" for k, v in sorted(outcomes.items())) or "none"
    return (
        f"ingest cycle: {len(report.polls)} feeds polled ({by_outcome}), "
        f"{report.totals.get('articles_added', 0)} articles and "
        f"{report.totals.get('versions_added', 0)} versions added, "
        f"{_pages(report.totals)}, "
        f"{len(report.changes)} figures changed, {report.duration_s:.1f} s"
    )


def _pages(totals: dict[str, int]) -> str:
    """The cycle's page fetches: failed, left pending by the caps, revisits (changed)."""
    return (
        f"{totals.get('fetches', 0)} pages fetched ({totals.get('fetches_failed', 0)} failed, "
        f"{totals.get('pages_pending', 0)} pending, {totals.get('revisits', 0)} revisits, "
        f"{totals.get('revisits_changed', 0)} changed)"
    )


def log_report(report: RunReport, logger: logging.Logger | logging.LoggerAdapter[Any]) -> None:
    for poll in report.polls:
        if poll["outcome"] not in _HEALTHY:
            logger.warning("feed %s failed: %s (%s)", poll["feed"], poll["reason"], poll["url"])
    logger.info(cycle_line(report))


def _who(change: dict[str, Any]) -> str:
    return str(change["claimant"] or "unattributed")


def change_payload(change: dict[str, Any]) -> dict[str, Any]:
    return {
        "claimant": _who(change),
        "metric": change["metric"],
        "subject": change["subject"],
        "previous": change["previous_value"],
        "new": change["value"],
        "figure": change["figure"],
        "url": change["url"],
    }


def changes_markdown(changes: list[dict[str, Any]]) -> str:
    if not changes:
        return "No tracked figure changed in this run."
    lines = [
        "| claimant | metric | subject | previous -> new | source |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {_who(c)} | {c['metric']} | {c['subject']} | {c['previous_value']} -> "
        f"{c['figure']} | {c['url']} |"
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
