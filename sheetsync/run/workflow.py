"""The workflow's part of a sync run around the pure step (`steps/workflow/advance.py`): load the desk's
workflow, and send the alerts once the workbook is written.
"""

from __future__ import annotations

import datetime as dt
import os

from sheetsync.config import Config
from sheetsync.journal.core import Journal
from sheetsync.notify.alerts import AlertOutcome, send_alerts
from sheetsync.steps.workflow.result import Advanced


def send_and_record(advanced: Advanced, config: Config, journal: Journal, run_id: int, now: dt.datetime, *,
                    title: str = "alert.title") -> list[AlertOutcome]:
    """Send the run's alerts (after the workbook is in place) and journal what was delivered, so no
    order alerts twice for the same level and state.  A failing webhook is reported, never raised."""
    if not advanced.alerts:
        return []
    outcomes = send_alerts(advanced.alerts, config.alerts, os.environ, config.sheet_language, title=title)
    delivered = [(*key, o.target) for o in outcomes if o.ok for key in o.delivered]
    if delivered:
        journal.workflow.record_alerts(delivered, run_id, now)
    return outcomes
