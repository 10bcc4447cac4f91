"""The workflow's part of a sync run around the pure step (`steps/workflow/advance.py`): load the desk's
workflow, and send the alerts once the workbook is written.
"""

from __future__ import annotations

import datetime as dt
import os

from sheetsync.config import Config
from sheetsync.journal.sqlite import Journal
from sheetsync.notify.alerts import AlertOutcome, send_alerts
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import check_targets, load_workflow
from sheetsync.steps.workflow.result import Advanced


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


def send_and_record(advanced: Advanced, config: Config, journal: Journal, run_id: int, now: dt.datetime) -> list[AlertOutcome]:
    """Send the run's alerts (after the workbook is in place) and journal what was delivered, so no
    order alerts twice for the same level and state.  A failing webhook is reported, never raised."""
    if not advanced.alerts:
        return []
    outcomes = send_alerts(advanced.alerts, config.alerts, os.environ, config.language)
    delivered = [(*key, o.target) for o in outcomes if o.ok for key in o.delivered]
    if delivered:
        journal.workflow.record_alerts(delivered, run_id, now)
    return outcomes
