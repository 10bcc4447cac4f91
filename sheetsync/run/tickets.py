"""The after-sales sheet's part of a sync run, around the pure steps of `steps/aftersales/`.

It begins before the orders are decided and ends after: `begin` reads the tickets (from the version of the workbook
the orders were read from), gives the tickets a person typed their ids, takes the shops' after-sales exports and the
carriers' return tracking in (`steps/aftersales/pull.py`), moves the tickets through their workflow (the same engine
as the orders', over the ticket's fields), and says which orders' statuses follow (a refund under way, a refund
done) as events the orders' workflow judges like a shop's news; `finish` fills each ticket's customer from its
order as the run leaves it, judges the tickets (`steps/aftersales/tickets.py`), and hands over the writes and the
journal's record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetsync.channels.base import FileAccount, Pulled
from sheetsync.config import Config, normalize_header
from sheetsync.config.reasons import desk_reasons
from sheetsync.errors import ConfigError
from sheetsync.i18n import render
from sheetsync.journal.record import TicketRecord
from sheetsync.model.cells import KEEP, CellWrite, Keep, SheetWrites
from sheetsync.model.records import CellChange, TicketMemory, WorkflowHistory
from sheetsync.model.tickets import MONEY_BACK, ORDER_FOLLOWS, TICKET_KINDS
from sheetsync.run.accounts import count_lines
from sheetsync.run.commit import Desk
from sheetsync.run.decide import Numbers
from sheetsync.steps.aftersales.pull import (
    TicketsTaken,
    link_orders,
    person_changes,
    remembered,
    take_returns,
    take_tickets,
)
from sheetsync.steps.aftersales.states import key_of, state_word
from sheetsync.steps.aftersales.tickets import Judged, fill_from_orders, judge, ticket_writes
from sheetsync.steps.anomalies import fill_for
from sheetsync.steps.diff import differs
from sheetsync.steps.identity import order_id_maker
from sheetsync.steps.workflow.advance import advance
from sheetsync.steps.workflow.compiled import Workflow
from sheetsync.steps.workflow.load import ticket_workflow
from sheetsync.steps.workflow.result import Advanced
from sheetsync.stores.table import Table, read_table, ticket_spec


@dataclass(slots=True)
class TicketRun:
    """The after-sales sheet through one run."""

    sheet: str
    table: Table
    before: pd.DataFrame
    """The tickets as read (person-typed ids not yet given)."""
    work: pd.DataFrame
    memory: TicketMemory
    taken: TicketsTaken
    workflow: Workflow | None
    numbers: Numbers
    assigned: list[str] = field(default_factory=list)
    edits: list[CellChange] = field(default_factory=list)
    advanced: Advanced | None = None
    events: dict[str, str] = field(default_factory=dict)
    """order_id -> the order state key its tickets give it in this run (`refunding`, `refunded`)."""
    accounts: list[FileAccount] = field(default_factory=list)
    remembered: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The journal's memory of each ticket as read, aligned with the table (`steps.aftersales.pull.remembered`)."""
    added: pd.Index = field(default_factory=lambda: pd.Index([]))
    """Rows a person added since the last run (they got their ticket id in this run)."""
    now: dt.datetime = dt.datetime.min
    alerts_sent: set[tuple[str, str, str]] = field(default_factory=set)
    """(ticket_id, level, state) of the alerts already delivered: none is sent twice."""


@dataclass(slots=True)
class TicketOutcome:
    """What the run hands the store, the journal and the result of the after-sales sheet."""

    sheet: str
    writes: list[CellWrite]
    record: TicketRecord
    result: dict[str, Any]

    @property
    def also(self) -> list[SheetWrites]:
        return [SheetWrites(self.sheet, self.writes)] if self.writes else []


def begin(desk: Desk, config: Config, pulls: list[Pulled], waybills: list[Pulled], now: dt.datetime) -> TicketRun | None:
    """The tickets read, given their ids, and brought up to date with the shops' exports and the carriers' returns,
    before the orders are decided (a return is taken out of the carriers' waybills); None (and a notice) when the desk
    has no after-sales sheet it can read."""
    spec = ticket_spec(config)
    if spec is None or config.aftersales is None:
        return None
    try:
        table = read_table(desk.store, config, spec)
    except ConfigError as exc:  # the sheet was removed or renamed: the orders go on, and the run says so
        desk.notices.append(exc.render(config.language)[0])
        return None
    lang = config.sheet_language
    workflow = ticket_workflow(config)
    memory = desk.journal.ticket_memory()
    before = table.frame
    for name in spec.headers:  # every ticket field a column of the frame (the sheet may lack some)
        if name not in before.columns:
            before[name] = pd.Series(pd.NA, index=before.index, dtype="str")
    numbering = config.aftersales.ticket_id
    numbers = Numbers(desk.journal.last_number("ticket_id"))
    make_ids = order_id_maker(numbering.format, numbering.prefix, now.date(), before["ticket_id"].dropna(), numbers.take)
    work = before.copy()
    missing = work.index[work["ticket_id"].isna().to_numpy()]
    assigned = make_ids(len(missing)) if len(missing) else []
    work.loc[missing, "ticket_id"] = assigned
    before_run = remembered(work, memory)
    edits = [CellChange(tid, name, old, new, "person", row=row)
             for row, tid, name, old, new in person_changes(work, before_run)]
    word = state_word(workflow, lang)
    taken = take_tickets(work, pulls, memory, make_ids, word, lang, int(table.last_row))
    returned = take_returns(taken.frame, [w.records for w in waybills], word, [w.label for w in waybills], taken.sources)
    for waybill, hits in zip(waybills, returned, strict=True):
        if len(hits):  # a return is not an order's shipment
            taken.returns += len(hits)
            waybill.records = waybill.records.drop(index=hits)
    run = TicketRun(spec.sheet or "", table, before, taken.frame, memory, taken, workflow, numbers, list(assigned),
                    edits, added=missing, now=now, remembered=before_run,
                    alerts_sent=desk.journal.workflow.alerts_sent() if workflow is not None else set())
    run.accounts = _accounts(pulls, taken)
    return run


def settle(run: TicketRun, orders: pd.DataFrame) -> dict[str, str]:
    """Once the channels' orders are in the order table (`orders`): the tickets linked to their orders by the shop's
    order number, moved through their workflow; returns the events their orders follow (`TicketRun.events`)."""
    link_orders(run.work, orders, run.taken.sources)
    if run.workflow is not None:
        run.advanced = _advance(run)
    run.events = order_events(run)
    return run.events


def _advance(run: TicketRun) -> Advanced:
    """The tickets through their workflow: the order workflow's engine over the ticket table, the ticket id standing
    where the engine keeps an order's id (the linked order's id moved aside for the step)."""
    assert run.workflow is not None
    view = run.work.rename(columns={"order_id": "linked_order_id", "ticket_id": "order_id"})
    fields = [f for f in ("status", "status_since") if f in view.columns]
    previous = _previous(run, fields)
    news = run.taken.sources.get("status", {})
    advanced = advance(view, workflow=run.workflow, previous=previous, added=run.added, now=run.now, news=news,
                       history=WorkflowHistory(alerts_sent=run.alerts_sent))
    run.work = view.rename(columns={"order_id": "ticket_id", "linked_order_id": "order_id"})
    run.taken.frame = run.work
    advanced.frame = run.work
    return advanced


def _previous(run: TicketRun, fields: list[str]) -> pd.DataFrame:
    """The status and its time as the journal last had them, for the tickets whose status changed since (a person's
    move, or a shop's or carrier's news in this run)."""
    known = run.remembered.reindex(run.work.index)
    if known.empty or "status" not in known.columns:
        return pd.DataFrame(columns=fields, dtype="str")
    moved = (known["ticket_id"].notna() & differs(run.work["status"].astype("str"), known["status"])).to_numpy()
    return known.loc[moved, fields]


def order_events(run: TicketRun) -> dict[str, str]:
    """order_id -> the state key its return and refund tickets give it, for the orders one of whose tickets changed
    state in this run: `refunding` while one is open, `refunded` once they are all refunded."""
    work, workflow = run.work, run.workflow
    if not {"order_id", "status", "ticket_id", "kind"} <= set(work.columns):
        return {}
    kinds = {normalize_header(w): key for key, words in TICKET_KINDS.items() for w in words.values()}
    kinds.update({key: key for key in TICKET_KINDS})
    money_back = work["kind"].map(lambda k: kinds.get(normalize_header(k)) if isinstance(k, str) else None) \
        .isin(list(MONEY_BACK)) & work["order_id"].notna()
    statuses = work["status"].dropna().unique().tolist()
    key_now = work["status"].map({s: key_of(workflow, s) for s in statuses})
    follows = key_now.map(ORDER_FOLLOWS)
    mine = money_back & follows.notna()
    if not mine.any():
        return {}
    earlier = run.remembered.reindex(work.index)["status"] if "status" in run.remembered.columns else \
        pd.Series(pd.NA, index=work.index, dtype="str")
    key_before = earlier.map({s: key_of(workflow, s) for s in earlier.dropna().unique().tolist()})
    moved = mine & (key_before.isna() | (key_before != key_now)).fillna(True)
    orders = set(work.loc[moved.to_numpy(), "order_id"].tolist())
    if not orders:
        return {}
    chosen = work[mine.to_numpy() & work["order_id"].isin(list(orders)).to_numpy()]
    said = follows[chosen.index]
    open_ = set(chosen.loc[(said == "refunding").to_numpy(), "order_id"].tolist())
    return {str(oid): ("refunding" if oid in open_ else "refunded") for oid in sorted(orders)}


def finish(run: TicketRun, orders: pd.DataFrame, config: Config) -> TicketOutcome:
    """The tickets judged against the orders as the run leaves them, and what to write and record."""
    lang = config.sheet_language
    work = run.work
    judged = Judged()
    fill_from_orders(work, orders, judged)
    found = run.advanced.anomalies if run.advanced is not None else []
    judge(work, orders, desk_reasons(config), run.taken.conflicts, found, lang, judged)
    details = dict(judged.details)
    if run.advanced is not None:
        for name, rows in run.advanced.details.items():
            details[name] = {**details.get(name, {}), **{r: render(w, lang) for r, w in rows.items()}}
    workflow = run.workflow

    def fill_of(name: str, value: str | None) -> str | Keep | None:
        if name == "anomalies":
            return fill_for(value, judged.levels)
        return workflow.fill_of(name, value) if workflow is not None else KEEP

    writes, changes = ticket_writes(run.before, work, run.table.columns, run.taken.sources, details, fill_of)
    record = TicketRecord(changes=[*run.edits, *changes], keys=run.taken.keys)
    record.rows, record.gone = _rows(run)
    record.changes += [CellChange(tid, "*", None, None, "person", "deleted") for tid in record.gone]
    result = {"assigned": run.assigned, "anomalies": judged.anomalies, "changes": len(changes),
              "new": len(run.taken.appended), "returns": run.taken.returns,
              "moved": dict(sorted(_moved(run).items())), "orders_following": len(run.events)}
    return TicketOutcome(run.sheet, writes, record, result)


def _moved(run: TicketRun) -> dict[str, int]:
    if run.advanced is None:
        return {}
    return {f"{a}→{b}": n for (a, b), n in run.advanced.moved.items()}


def _rows(run: TicketRun) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """Each ticket's memory after the run, where it changed; and the tickets a person deleted."""
    rows: dict[str, tuple[str, str | None]] = {}
    work = run.work.drop(columns=[c for c in ("anomalies", "sla") if c in run.work.columns])
    names = [str(c) for c in work.columns]
    values = work.astype(object).where(work.notna(), None).to_numpy()
    seen: set[str] = set()
    at = names.index("ticket_id") if "ticket_id" in names else None
    for cells in values:
        ticket_id = cells[at] if at is not None else None
        if not isinstance(ticket_id, str) or ticket_id in seen:
            continue
        seen.add(ticket_id)
        now = {name: (None if value is None else str(value)) for name, value in zip(names, cells, strict=True)}
        said = run.taken.said.get(ticket_id)
        if run.memory.rows.get(ticket_id) != now or run.memory.said.get(ticket_id) != said:
            rows[ticket_id] = (json.dumps(now, ensure_ascii=False), json.dumps(said, ensure_ascii=False) if said else None)
    gone = sorted(set(run.memory.rows) - seen)
    return rows, gone


def _accounts(pulls: list[Pulled], taken: TicketsTaken) -> list[FileAccount]:
    """Per input file of the shops' after-sales exports: rows read = new + updated + unchanged + rejected."""
    return [account for index, pull in enumerate(pulls) for account in count_lines(pull, index, taken.outcome)]
