"""Tickets from the shops' after-sales exports and return tracking from the carriers' files, brought into the
after-sales sheet (a pure step).

A shop's ticket is matched by its natural key, (channel, the shop's after-sales number): first through the journal's
keys, then by the sheet's own channel and shop after-sales number cells (a ticket typed before its export arrived).
A known ticket goes through the same three-way merge as an order (`steps/merge.py`): a cell a person changed since
the shop last spoke is kept, and a shop's new word on it is a CONFLICT, held until the person changes the cell again.
A new one is appended with a ticket id and linked to its order by the shop's order number.  A ticket a person
deleted is never re-created.  A shop's status and kind arrive as keys (`refunded`, `return`) and are written in the
desk's words; a status a shop changed is news for the workflow, not a person's move.

A carrier's waybill whose tracking number is a ticket's return tracking number is the return's news: on its way
(`returning`), or signed for (`received`).  Such waybills are taken out of the carriers' pulls, so that a return is
never taken for an order's shipment (a return from the same customer would match the order by phone and name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from sheetsync.model.records import TicketMemory
from sheetsync.model.tickets import TICKET_KINDS
from sheetsync.steps.aftersales.states import key_of
from sheetsync.steps.diff import differs

CONFLICTS = "_conflicts"
"""The key of a ticket's `said` memory under which a person's values that a shop's later word contradicted are held
(field -> the person's value): the CONFLICT lasts while the cell keeps it."""


class TicketPull(Protocol):
    """What the step needs of one shop's pull of after-sales tickets (`channels.base.Pulled` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def labels(self) -> Sequence[str]: ...
    @property
    def records(self) -> pd.DataFrame:
        """One row per ticket, indexed by the shop's after-sales number, canonical ticket fields as text."""
        ...


@dataclass(slots=True)
class TicketsTaken:
    """What the shops and carriers brought into the ticket table."""

    frame: pd.DataFrame
    sources: dict[str, dict[int, str]] = field(default_factory=dict)
    """field -> row -> the channel whose value a cell took (the status ones are the workflow's news)."""
    appended: list[int] = field(default_factory=list)
    keys: list[tuple[str, str, str]] = field(default_factory=list)
    """(channel, after-sales number, ticket_id) of tickets brought for the first time."""
    said: dict[str, dict[str, object]] = field(default_factory=dict)
    """ticket_id -> what its shop said, after this run (the next run's merge base)."""
    conflicts: dict[int, list[tuple[str, str | None, str | None]]] = field(default_factory=dict)
    """row -> (field, the sheet's value kept, the shop's word) of cells where a person's value stands against the shop."""
    outcome: dict[tuple[int, str], str] = field(default_factory=dict)
    """(pull index, after-sales number) -> new | updated | unchanged (the file accounts)."""
    returns: int = 0
    """Carrier waybills that were a ticket's return tracking."""


def take_tickets(frame: pd.DataFrame, pulls: Sequence[TicketPull], memory: TicketMemory,
                 make_ids: Callable[[int], list[str]], state_word: Callable[[str], str | None], lang: str,
                 last_row: int) -> TicketsTaken:
    """`frame`: the ticket table as read (canonical text, index = sheet rows; every ticket field a column);
    `state_word(key)`: the desk's word for a ticket state key; `last_row`: the sheet row of the table's last row."""
    out = TicketsTaken(frame.copy())
    out.said = {tid: dict(said) for tid, said in memory.said.items()}
    work = out.frame
    kinds = {key: words[lang] for key, words in TICKET_KINDS.items()}  # type: ignore[index]
    row_of = _rows_by_id(work)
    pending: list[tuple[int, str, pd.Series, TicketPull]] = []
    for index, pull in enumerate(pulls):
        records = pull.records
        if records.empty:
            continue
        by_cells = _rows_by_cells(work, pull.labels)
        for key, record in records.iterrows():
            key = str(key)
            record = _in_desk_words(record, state_word, kinds)
            ticket_id = memory.keys.get((pull.name, key))
            if ticket_id is not None and ticket_id not in row_of:
                out.outcome[(index, key)] = "unchanged"  # a person deleted it: never re-created
                continue
            row = row_of.get(ticket_id) if ticket_id is not None else by_cells.get(key)
            if row is None:
                pending.append((index, key, record, pull))
                continue
            ticket_id = ticket_id or _text(work.at[row, "ticket_id"])
            if ticket_id is not None and (pull.name, key) not in memory.keys:
                out.keys.append((pull.name, key, ticket_id))
            changed = _merge_one(out, row, ticket_id, record, memory, pull.label)
            out.outcome[(index, key)] = "updated" if changed else "unchanged"
    merged = set(out.conflicts)
    for ticket_id, said in out.said.items():  # the conflicts of tickets no shop spoke of in this run
        row = row_of.get(ticket_id)
        if row is not None and row not in merged and CONFLICTS in said:
            _still_held(out, row, said)
    if pending:
        ids = make_ids(len(pending))
        for (index, key, record, pull), ticket_id in zip(pending, ids, strict=True):
            last_row += 1
            values = {name: record.get(name) for name in work.columns if name in record.index}
            work.loc[last_row] = pd.Series({**values, "ticket_id": ticket_id}, dtype="str")
            for name in values:
                if _text(values[name]) is not None:
                    out.sources.setdefault(name, {})[last_row] = pull.label
            out.appended.append(last_row)
            out.keys.append((pull.name, key, ticket_id))
            out.said[ticket_id] = {n: _text(v) for n, v in values.items() if n != CONFLICTS}
            out.outcome[(index, key)] = "new"
    return out


def take_returns(frame: pd.DataFrame, waybills: Sequence[pd.DataFrame], state_word: Callable[[str], str | None],
                 label_of: Sequence[str], sources: dict[str, dict[int, str]]) -> list[pd.Index]:
    """The carriers' news of returns: a waybill whose tracking number is a ticket's return tracking number moves the
    ticket's status to the desk's word for `received` when it was signed for (`delivered_at`), else for `returning`
    (the workflow judges it as a shop's news: a ticket already past it stays).  Returns, per waybill table, the
    index of the records that were returns (the caller takes them out of the carriers' pulls)."""
    taken: list[pd.Index] = []
    if "return_tracking_no" not in frame.columns or "status" not in frame.columns:
        return [pd.Index([]) for _ in waybills]
    numbers = frame["return_tracking_no"].dropna()
    row_of = {str(v).strip().upper(): int(r) for r, v in numbers.items()}
    for records, label in zip(waybills, label_of, strict=True):
        if records.empty or "tracking_no" not in records.columns or not row_of:
            taken.append(pd.Index([]))
            continue
        found = records["tracking_no"].astype("str").str.strip().str.upper().map(row_of)
        hits = found.dropna()
        for key, row in hits.items():
            delivered = "delivered_at" in records.columns and _text(records.at[key, "delivered_at"]) is not None
            word = state_word("received" if delivered else "returning")
            if word is not None and _text(frame.at[row, "status"]) != word:
                frame.at[row, "status"] = word
                sources.setdefault("status", {})[int(row)] = label
        taken.append(hits.index)
    return taken


def _merge_one(out: TicketsTaken, row: int, ticket_id: str | None, record: pd.Series, memory: TicketMemory,
               label: str) -> bool:
    """The three-way merge of one ticket's cells with what its shop says now; whether a cell took the shop's value."""
    work = out.frame
    said = out.said.setdefault(ticket_id or "", {})
    held = dict(said.get(CONFLICTS) or {})  # type: ignore[call-overload]
    before = memory.rows.get(ticket_id or "", {})
    changed = False
    for name, value in record.items():
        name = str(name)
        incoming = _text(value)
        if name not in work.columns or incoming is None or name == "ticket_id":
            continue
        sheet = _text(work.at[row, name])
        base = said[name] if name in said else before.get(name, sheet)
        said[name] = incoming
        if sheet == incoming:
            held.pop(name, None)
            continue
        if sheet == base:  # untouched by a person since the shop last spoke: the shop's word
            work.at[row, name] = incoming
            out.sources.setdefault(name, {})[row] = label
            held.pop(name, None)
            changed = True
        elif incoming != base:  # both changed: the person's value stays, and the clash is said until they change it
            held[name] = sheet
    said[CONFLICTS] = held
    _still_held(out, row, said)
    return changed


def _still_held(out: TicketsTaken, row: int, said: dict[str, object]) -> None:
    """The CONFLICTs of a ticket that last while the person's value stays in its cell (resolved once they change it)."""
    held = dict(said.get(CONFLICTS) or {})  # type: ignore[call-overload]
    for name, kept in list(held.items()):
        if name not in out.frame.columns or _text(out.frame.at[row, name]) != kept:
            del held[name]
        else:
            out.conflicts.setdefault(row, []).append((name, kept, _text(said.get(name))))
    if held:
        said[CONFLICTS] = held
    else:
        said.pop(CONFLICTS, None)


def link_orders(frame: pd.DataFrame, orders: pd.DataFrame, sources: dict[str, dict[int, str]]) -> int:
    """Tickets without an order id get their order's, found by the shop's order number (and channel) in `orders`,
    the order table as this run leaves it (a shop's ticket and its order may arrive in the same run); in place.
    Returns how many were linked."""
    if not {"order_id", "channel_order_id"} <= set(frame.columns):
        return 0
    open_ = frame["order_id"].isna() & frame["channel_order_id"].notna()
    if not open_.any():
        return 0
    link = _order_links(orders)
    linked = 0
    for row in frame.index[open_.to_numpy()].tolist():
        number, channel = str(frame.at[row, "channel_order_id"]), _text(frame.at[row, "channel"]) or ""
        order_id = link.get((channel, number)) or link.get(("", number))
        if order_id is not None:
            frame.at[row, "order_id"] = order_id
            if channel:
                sources.setdefault("order_id", {})[int(row)] = channel
            linked += 1
    return linked


def _order_links(orders: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(channel cell, shop order number) -> order_id, and ("", number) -> order_id where the number is one order's."""
    if not {"order_id", "channel_order_id"} <= set(orders.columns):
        return {}
    known = orders.dropna(subset=["order_id", "channel_order_id"])
    channel = known["channel"].fillna("") if "channel" in known.columns else pd.Series("", index=known.index)
    out = {(str(c), str(n)): str(o) for c, n, o in zip(channel, known["channel_order_id"], known["order_id"], strict=True)}
    unique = known.drop_duplicates("channel_order_id", keep=False)
    out.update({("", str(n)): str(o) for n, o in zip(unique["channel_order_id"], unique["order_id"], strict=True)})
    return out


def _rows_by_id(frame: pd.DataFrame) -> dict[str, int]:
    ids = frame["ticket_id"].dropna() if "ticket_id" in frame.columns else pd.Series(dtype="str")
    return {str(v): int(r) for r, v in ids[~ids.duplicated()].items()}


def _rows_by_cells(frame: pd.DataFrame, labels: Sequence[str]) -> dict[str, int]:
    """after-sales number -> row, of the sheet's tickets whose channel cell is one of `labels`."""
    if "channel_ticket_id" not in frame.columns or "channel" not in frame.columns:
        return {}
    mine = frame[frame["channel"].isin(list(labels)) & frame["channel_ticket_id"].notna()]
    return {str(v): int(r) for r, v in mine["channel_ticket_id"].items()}


def _in_desk_words(record: pd.Series, state_word: Callable[[str], str | None], kinds: Mapping[str, str]) -> pd.Series:
    """A shop's status and kind (keys, or words a mapping left as the shop wrote them) in the desk's words."""
    record = record.copy()
    status = _text(record.get("status"))
    if status is not None:
        key = key_of(None, status)
        record["status"] = (state_word(key) if key is not None else None) or status
    kind = _text(record.get("kind"))
    if kind is not None and kind in kinds:
        record["kind"] = kinds[kind]
    return record


def _text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value)
    return text if text.strip() else None


def person_changes(frame: pd.DataFrame, memory: TicketMemory) -> list[tuple[int, str, str, str | None, str | None]]:
    """(row, ticket_id, field, what the journal had, the sheet's value) of every cell a person changed since the last
    run, in tickets the journal knows."""
    out: list[tuple[int, str, str, str | None, str | None]] = []
    if "ticket_id" not in frame.columns or not memory.rows:
        return out
    ids = frame["ticket_id"]
    known = ids.isin(list(memory.rows)) & ~ids.duplicated(keep="first")
    rows = frame[known]
    for name in frame.columns:
        if name in ("ticket_id", "anomalies", "sla"):  # the tool's own cells, recomputed every run
            continue
        before = pd.Series([memory.rows[str(t)].get(name) for t in rows["ticket_id"]], index=rows.index, dtype="str")
        moved = differs(rows[name].astype("str"), before)
        for row in rows.index[moved.to_numpy()].tolist():
            out.append((int(row), str(rows.at[row, "ticket_id"]), str(name), _text(before[row]), _text(rows.at[row, name])))
    return out
