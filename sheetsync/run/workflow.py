"""The workflow's part of a sync run: load it, advance the table, send the alerts after the write.

Kept beside api.py so that `sync` reads as the pipeline of DESIGN.md; `advance` itself is the pure
step in sheetsync/workflow/.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

import pandas as pd

from sheetsync.config import Config
from sheetsync.i18n import Lang
from sheetsync.journal.sqlite import Journal
from sheetsync.journal.workflow import SqliteWorkflowJournal
from sheetsync.model.records import WorkflowHistory
from sheetsync.notify.alerts import AlertOutcome, send_alerts
from sheetsync.steps.workflow.advance import advance
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import check_targets, load_workflow
from sheetsync.steps.workflow.result import Advanced
from sheetsync.stores.base import Store


def desk_workflow(config: Config) -> Workflow | None:
    """The desk's workflow (`workflow:` in sheetsync.yaml), checked and compiled; None without one.
    An inconsistent workflow raises ConfigError (exit 2)."""
    if not config.workflow:
        return None
    headers, _ = config.header_map()
    workflow = load_workflow(config.workflow, config.base_dir, config.language,
                             aliases={text: f for f, text in headers.items()})
    check_targets(workflow, [a.name for a in config.alerts], config.language)
    return workflow


def advance_table(work: pd.DataFrame, workflow: Workflow, *, before: pd.DataFrame, snapshot: pd.DataFrame,
                  channel_cells: Mapping[str, Mapping[int, str]], added: pd.Index, journal: Journal, store: Store,
                  now: dt.datetime, lang: Lang) -> Advanced:
    """Advance `work` in place.  `snapshot`: the journal's values of the rows people changed since
    the last run (index = their rows); `channel_cells`: the cells channels changed in this run."""
    fields = [f for f in ("status", "status_since", *workflow.lock_fields) if f in before.columns]
    previous = snapshot.reindex(columns=fields)
    by_channel = set().union(*(channel_cells.get(f, {}).keys() for f in fields)) - set(previous.index)
    by_channel &= set(before.index)
    if by_channel:
        previous = pd.concat([previous, before.loc[sorted(by_channel), fields]])
    history = SqliteWorkflowJournal(journal.db)
    earlier = pd.read_sql_query(
        "SELECT order_id, json_extract(vals, '$.customer_id') AS customer_id, json_extract(vals, '$.phone') AS phone,"
        " json_extract(vals, '$.created_at') AS created_at FROM deleted", journal.db, dtype="str")
    return advance(work, workflow=workflow, previous=previous, added=added, now=now, lang=lang,
                   history=WorkflowHistory(earlier_orders=earlier, unlocks=history.open_unlocks(),
                                           alerts_sent=history.alerts_sent()),
                   lookups=_lookups(workflow, store))


def _lookups(workflow: Workflow, store: Store) -> dict[str, pd.DataFrame]:
    """The customers / inventory sheets the workflow names, read from the same workbook."""
    out: dict[str, pd.DataFrame] = {}
    read_sheet = getattr(store, "read_sheet", None)
    for name in ("customers", "inventory"):
        spec = getattr(workflow.lookups, name, None)
        if spec is not None and read_sheet is not None:
            sheet = read_sheet(spec.sheet)
            if sheet is not None:
                out[name] = sheet
    return out


def send_and_record(advanced: Advanced, config: Config, journal: Journal, run_id: int, now: dt.datetime) -> list[AlertOutcome]:
    """Send the run's alerts (after the workbook is in place) and journal what was delivered, so no
    order alerts twice for the same level and state.  A failing webhook is reported, never raised."""
    if not advanced.alerts:
        return []
    outcomes = send_alerts(advanced.alerts, config.alerts, os.environ, config.language)
    delivered = [(*key, o.target) for o in outcomes if o.ok for key in o.delivered]
    if delivered:
        SqliteWorkflowJournal(journal.db).record_alerts(delivered, run_id, now)
    return outcomes
