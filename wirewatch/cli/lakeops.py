"""`wirewatch lake rebuild|lost-runs`: operating the stages of lake mode.

`rebuild` makes a new sequencer file from the lake (storage/rebuild.py) when the sequencer's
machine is lost; `lost-runs` creates the Prefect automation that sets Crashed the stages' runs
whose heartbeats stopped (wirewatch/service/lost_runs.py), once after `prefect deploy`.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from wirewatch.exits import ExitCode, UsageError
from wirewatch.settings import Settings


def cmd_lake_rebuild(args: argparse.Namespace) -> int:
    from storage.rebuild import rebuild

    target = Settings().lake_target()
    if target is None:
        raise UsageError("lake_required: set WIREWATCH_LAKE to the lake to rebuild from")
    done = rebuild(target, Path(args.db))
    print(
        f"rebuilt {args.db} from the lake: {done.tables} tables, {done.rows} rows in "
        f"{done.seconds:.1f} s; watermarks moved: {done.watermarks_moved}"
    )
    return ExitCode.OK


def cmd_lake_lost_runs(args: argparse.Namespace) -> int:
    from wirewatch.service.lost_runs import NAME, STAGE_TAG, ensure_lost_run_automation

    try:
        found = asyncio.run(ensure_lost_run_automation(args.within))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"automation {NAME} ({found}): {STAGE_TAG} runs silent for {args.within:g} s -> Crashed")
    return ExitCode.OK
