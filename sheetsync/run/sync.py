"""One sync run, read from top to bottom: open the desk, gather, decide, commit, tell.

`sync` is the pipeline of DESIGN.md: `run/gather.py` reads (the store, the channels, the journal),
`run/decide.py` runs the pure steps, `run/commit.py` writes the workbook and the journal together.
Its result is data (`RunResult`); the CLI renders it and `--json` prints `to_dict()`.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from sheetsync.channels import Pulled, open_channels
from sheetsync.config import Config
from sheetsync.errors import ChannelFailed, UnreadableInput
from sheetsync.i18n import t
from sheetsync.model.records import CellChange
from sheetsync.reports.rejects import write_rejects
from sheetsync.run import tickets as ticket_step
from sheetsync.run import untouched as quiet
from sheetsync.run.accounts import account_pulls
from sheetsync.run.clock import parse_now
from sheetsync.run.commit import Commit, Desk, opened
from sheetsync.run.decide import Decision, decide, early_record, plan_writes, run_record
from sheetsync.run.gather import Heard, gather, hear, read_side_by_side
from sheetsync.run.inspect import compiled_rules
from sheetsync.run.result import RunResult
from sheetsync.run.workflow import send_and_record
from sheetsync.runtime.files import file_stamp
from sheetsync.runtime.logs import log_to_state_dir
from sheetsync.runtime.tuning import tuned
from sheetsync.steps import anomalies as anomaly_step
from sheetsync.steps.diff import created
from sheetsync.steps.pull import Incorporated
from sheetsync.steps.rules.values import dates_horizon
from sheetsync.steps.said import standing_out
from sheetsync.steps.workflow.load import desk_workflow
from sheetsync.stores.table import read_table

log = logging.getLogger("sheetsync")

CHANGES_SHOWN = 1000
"""A run's result lists its first 1,000 cell changes (`changes_total` counts all); the journal has every one."""


def sync(config: Config, *, dry_run: bool = False, force: bool = False, now: dt.datetime | None = None,
         strict: bool = False, strict_alerts: bool = False, pulls: Sequence[Pulled] | None = None,
         calm_config: Config | None = None) -> RunResult:
    """One sync run: gather (the sheet, the channels' pulls, the journal's state), decide (pure steps),
    commit (the workbook's cells and the journal's record together), then tell (archive, alerts).

    `pulls`: records already read (the legacy import's), taken instead of pulling the desk's channels;
    the run lets go of them once they are in the table.  When every one of them is no news (`steps/said.py`) and
    the desk is within its last calm (`run/untouched.py`: `calm_config`, the desk's own configuration), the run
    rests on it: the sheet is not read.
    An input file that cannot be read is reported and the others are still taken; the run then
    raises UnreadableInput (exit 6) naming it, after the workbook and the journal are safe.
    """
    started = time.perf_counter()
    now = now or parse_now(None, config.tz)
    log_to_state_dir(config.state_dir)
    if not dry_run and pulls is None:
        rested = quiet.rest(config, now, strict=strict, strict_alerts=strict_alerts, started=started)
        if rested is not None:
            log.info("sync untouched: the workbook and the inputs are as the last run left them")
            return rested
    rules = compiled_rules(config)
    workflow = desk_workflow(config)
    channels = open_channels(config) if pulls is None else []
    aside: list[str] = []
    with opened(config, force=force, dry_run=dry_run) as desk, tuned() as tuning:
        journal = desk.journal
        if pulls is None:
            table, taken = read_side_by_side(desk.store, config, channels, journal.seen_files().get, now, journal)
            heard = hear(journal, taken, config, workflow)
        else:  # what is no news is let go before the sheet is read
            taken = list(pulls)
            heard = hear(journal, taken, config, workflow)
            calm = quiet.within(calm_config, journal.db, now) if calm_config is not None and not dry_run and \
                not any(len(p.records) for p in taken) else None
            if calm is not None:
                return _rest_on(calm, calm_config or config, desk, taken, heard, now, started, strict, strict_alerts)
            table = read_table(desk.store, config)
        tuning.size(len(table.frame) + sum(len(p.records) for p in taken))
        ticket_pulls = [p for p in taken if p.kind == "tickets"]
        order_pulls = [p for p in taken if p.kind != "tickets"]
        ticket_run = ticket_step.begin(desk, config, ticket_pulls, [p for p in order_pulls if p.kind == "waybills"], now)
        gathered = gather(desk, table, order_pulls, workflow, heard)
        run_id = 0 if dry_run else journal.start_run("sync", now)
        decision = decide(gathered, config, rules, workflow, now,
                          tickets=partial(ticket_step.settle, ticket_run) if ticket_run is not None else None)
        if decision.numbers.used and not dry_run:
            journal.next_sequence("order_id", decision.numbers.reserved)  # the numbers the new ids took
        tickets = ticket_step.finish(ticket_run, decision.work, config) if ticket_run is not None else None
        if ticket_run is not None and ticket_run.numbers.used and not dry_run:
            journal.next_sequence("ticket_id", ticket_run.numbers.reserved)
        staging = not dry_run and bool(len(decision.changes) or len(decision.new_rows) or decision.repaint
                                       or (tickets is not None and (tickets.writes or tickets.record.rows)))
        # the journal's inserts begin now, on a thread beside the rest of the run and the workbook's write
        # (SQLite works without the GIL); they commit once the new workbook is staged
        early = early_record(decision) if staging else None
        with Commit(desk, run_id, staging=staging, early=early, rows=len(decision.work)) as commit:
            writes, block = plan_writes(decision)
            record = run_record(decision, gathered, early_given=staging)
            if tickets is not None and ticket_run is not None:  # kept apart from the orders', under the tickets' ids
                record.tickets = tickets.record
                record.files += [(f.sha256, f.path, f.channel, f.rows_read) for f in ticket_run.accounts
                                 if f.skipped is None and f.error is None]
            commit.add(record)
            decision.hashes = decision.stored = pd.Series(dtype="int64")  # only the base rows needed them: let go
            tuning.before_peak(len(decision.work))  # the write is the run's memory peak
            result = _result(decision, config, run_id, dry_run, desk.notices, strict=strict, strict_alerts=strict_alerts)
            result.tickets = tickets.result if tickets is not None else {}
            if ticket_run is not None:
                result.files += [asdict(a) for a in ticket_run.accounts]
            if not dry_run:
                rejects = [r for p in taken for r in p.rejects]
                if rejects:  # a rejects file that cannot be written is a warning, never the run's failure
                    try:
                        result.rejects_file = str(write_rejects(config.state_dir / "rejects", rejects, config.sheet_language,
                                                                file_stamp(config.tz), run_id))
                    except Exception as exc:  # whatever the writer raised: the rows' reasons are kept in the log
                        log.warning("rejects not written: %s", exc, exc_info=exc)
                        result.notices.append(t("report.rejects_failed", config.language, problem=str(exc)[:200],
                                                n=len(rejects)))
                also = tickets.also if tickets is not None else []
                written = commit.write(writes, block, header_row=decision.header_row, lists=decision.lists, also=also)
                if written is not None and written.dropped:
                    result.notices.append(t("run.dropped", config.language, n=written.dropped))
                if written is not None:
                    result.workbook_written = True
                    result.backup = str(written.backup) if written.backup else None
                    result.cells_written = written.cells
                    result.rows_appended = len(decision.new_rows)
        if not dry_run:
            _archive(config, taken)
            aside = _set_aside(config, taken)
            result.notices += aside
            if decision.advanced is not None:  # the run is recorded: now tell people (a failing webhook never fails the run)
                result.alerts = [o.to_dict() for o in send_and_record(decision.advanced, config, journal, run_id, now)]
            if ticket_run is not None and ticket_run.advanced is not None:
                result.alerts += [o.to_dict() for o in send_and_record(ticket_run.advanced, config, journal, run_id, now,
                                                                       title="alert.title.tickets")]
        result.seconds = round(time.perf_counter() - started, 3)
        if not dry_run:
            journal.finish_run(run_id, result.exit_code, _counts(result), dt.datetime.now())
            if quiet.eligible(config) and pulls is None and _fixed_point(decision, result, tickets):
                hours = [r.advanced.calm_hours for r in (decision, ticket_run) if r is not None and r.advanced is not None]
                quiet.record_calm(journal, run_id, quiet.Calm(
                    desk.store.sha256() or "", quiet.inputs_digest(config),
                    quiet.calm_until(now, hours, [dates_horizon(decision.work, rules.config.dates, now)]),
                    quiet.steady(result.to_dict())))
        log.info("sync %s: %s", "dry-run" if dry_run else f"run {run_id}", _counts(result))
    broken = [a for a in decision.accounts if a.error]
    if broken:
        said = [a.error or "" for a in broken] + (aside if not dry_run else [])
        raise UnreadableInput("\n".join(said), t("pull.unreadable.hint", config.language))
    failed = [p.failure for p in taken if p.failure]
    if failed:  # the other channels' orders are written; this channel's cursor stayed where it was
        raise ChannelFailed("\n".join(failed), t("channel.failed.hint", config.language))
    return result


def _rest_on(calm: quiet.Calm, config: Config, desk: Desk, taken: list[Pulled], heard: Heard, now: dt.datetime,
             started: float, strict: bool, strict_alerts: bool) -> RunResult:
    """The run of pulls that are all no news, on a desk within its last calm: the calm run's result with the pulls'
    accounts (every record unchanged) and the orders a person deleted among them (not re-created), recorded as an
    untouched run (the calm stays standing) with the files it read."""
    journal = desk.journal
    result = quiet.rested(calm, config, list(desk.notices), strict=strict, strict_alerts=strict_alerts, started=started,
                          said="run.untouched.import")
    accounts = account_pulls(taken, Incorporated())
    result.files = [asdict(a) for a in accounts]
    if heard.quiet:  # the workbook is the calm run's: the orders standing in it are the journal's base rows
        standing = pd.Series(journal.base_hashes().index, dtype="str")
        result.not_recreated = sorted(set(standing_out(heard.quiet_ids(), standing)))
    result.run_id = quiet.record_untouched(journal.db, result, now)
    journal.db.executemany("INSERT INTO files(sha256, path, channel, run_id, rows) VALUES (?, ?, ?, ?, ?)"
                           " ON CONFLICT DO NOTHING", [(a.sha256, a.path, a.channel, result.run_id, a.rows_read)
                                                      for a in accounts if a.sha256 and a.error is None])
    log.info("sync untouched: the pulls brought no news and the workbook is as the last calm run left it")
    return result


def _fixed_point(decision: Decision, result: RunResult, tickets: ticket_step.TicketOutcome | None) -> bool:
    """Whether the run found nothing to change and took nothing new: its state is what the next run would find."""
    d = decision
    quiet_tickets = tickets is None or not (tickets.writes or tickets.record.rows or tickets.record.changes)
    return (not result.workbook_written and not len(d.changes) and not len(d.new_rows) and not d.repaint
            and not d.edits and not d.gone and not d.assigned and not d.new_flags and not d.closed_flags
            and not result.alerts and not result.rejects_file and quiet_tickets
            and all(f.get("skipped") for f in result.files)
            and not (d.advanced is not None and d.advanced.unlocks_used))


def _result(decision: Decision, config: Config, run_id: int, dry_run: bool, notices: list[str], *, strict: bool,
            strict_alerts: bool) -> RunResult:
    """The run's result as the CLI and `--json` show it (its first changes; the journal has every one)."""
    d, pulled, advanced, columns = decision, decision.pulled, decision.advanced, decision.columns
    return RunResult(
        run_id=None if dry_run else run_id, dry_run=dry_run, workbook=config.table_where, rows=len(d.work),
        strict=strict,
        assigned=[asdict(a) for a in d.assigned], person_edits=[_change_dict(c) for c in d.edits],
        deleted=d.gone, duplicates=d.duplicates,
        anomalies=anomaly_step.count_codes(d.found), errors=sum(a.level == "error" for a in d.found),
        changes=[*(_cell_change_dict(c, columns) for c in d.changes.head(CHANGES_SHOWN)),
                 *(_created_dict(e, row) for e, row in zip(created(d.new_rows.iloc[:CHANGES_SHOWN], pulled.created_by),
                                                           d.new_rows.index, strict=False))],
        changes_total=len(d.changes) + len(d.new_rows),
        notices=notices,
        files=[asdict(a) for a in d.accounts], not_recreated=sorted(set(pulled.not_recreated)),
        unmatched_waybills=pulled.unmatched_waybills, conflicts=len(d.new_flags), strict_alerts=strict_alerts,
        moved={f"{a}→{b}": n for (a, b), n in advanced.moved.items()} if advanced is not None else {},
        put_back=[asdict(m) for m in advanced.moves if not m.accepted] if advanced is not None else [],
        unplaced=dict(pulled.unplaced), folded=dict(pulled.folded), filled=dict(pulled.filled),
        status_list_added=list(d.list_words),
    )


def _archive(config: Config, pulls: list[Pulled]) -> None:
    """Move the files a channel took into its `archive:` folder (only when it names one)."""
    for pull in pulls:
        if not pull.config.archive:
            continue
        folder = config.resolve(pull.config.archive)
        folder.mkdir(parents=True, exist_ok=True)
        for account in pull.files:
            if account.error is None and Path(account.path).exists():
                shutil.move(account.path, folder / Path(account.path).name)


SET_ASIDE = "set-aside"
"""`.sheetsync/set-aside/CHANNEL/`: the inbox files that could not be read, each with a `.reason.txt` beside it."""


def _set_aside(config: Config, pulls: list[Pulled]) -> list[str]:
    """Move every inbox file that could not be read out of the inbox, its reason written beside it: it is said once
    (this run exits 6), and never blocks the other files or the next runs.  Nothing is deleted."""
    said: list[str] = []
    for pull in pulls:
        for account in pull.files:
            source = Path(account.path)
            if account.error is None or not source.is_file():
                continue
            folder = config.state_dir / SET_ASIDE / pull.config.name
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / source.name
            if target.exists():
                target = folder / f"{source.stem}.{file_stamp(config.tz)}{source.suffix}"
            shutil.move(str(source), target)
            target.with_name(target.name + ".reason.txt").write_text(account.error + "\n", encoding="utf-8")
            said.append(t("pull.set_aside", config.language, file=source.name, folder=folder))
    return said


def _created_dict(entry: CellChange, row: object) -> dict[str, Any]:
    return {"row": int(row), "column": None, "order_id": entry.order_id, "field": "*", "old": None, "new": entry.new,  # type: ignore[call-overload]
            "source": entry.source}


def _change_dict(c: CellChange) -> dict[str, Any]:
    return {"order_id": c.order_id, "field": c.field, "old": c.old, "new": c.new, "source": c.source}


def _cell_change_dict(c: CellChange, columns: dict[str, int]) -> dict[str, Any]:
    return {"row": c.row, "column": columns.get(c.field), "order_id": c.order_id, "field": c.field,
            "old": c.old, "new": c.new, "source": c.source}


def _counts(result: RunResult) -> dict[str, Any]:
    return {
        "rows": result.rows, "assigned": len(result.assigned), "person_edits": len(result.person_edits),
        "deleted": len(result.deleted), "duplicates": len(result.duplicates), "anomalies": result.anomalies,
        "cells_written": result.cells_written, "rows_appended": result.rows_appended, "seconds": result.seconds,
        **({"unplaced": result.unplaced} if result.unplaced else {}),
    }


