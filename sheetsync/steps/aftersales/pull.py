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
    cells = _Cells(out.frame)
    kinds = {key: words[lang] for key, words in TICKET_KINDS.items()}  # type: ignore[index]
    row_of = _rows_by_id(out.frame)
    pending: list[tuple[int, str, dict[str, str | None], TicketPull]] = []
    for index, pull in enumerate(pulls):
        if pull.records.empty:
            continue
        records = _in_desk_words(pull.records, state_word, kinds)
        names = [str(n) for n in records.columns if n in out.frame.columns and n != "ticket_id"]
        by_cells = _rows_by_cells(out.frame, pull.labels)
        values = records[names].astype(object).where(records[names].notna(), None).to_numpy()
        for key, said_now in zip((str(k) for k in records.index), values, strict=True):
            record = dict(zip(names, said_now, strict=True))
            ticket_id = memory.keys.get((pull.name, key))
            if ticket_id is not None and ticket_id not in row_of:
                out.outcome[(index, key)] = "unchanged"  # a person deleted it: never re-created
                continue
            row = row_of.get(ticket_id) if ticket_id is not None else by_cells.get(key)
            if row is None:
                pending.append((index, key, record, pull))
                continue
            ticket_id = ticket_id or _text(cells.get(row, "ticket_id"))
            if ticket_id is not None and (pull.name, key) not in memory.keys:
                out.keys.append((pull.name, key, ticket_id))
            changed = _merge_one(out, cells, row, ticket_id, record, memory, pull.label)
            out.outcome[(index, key)] = "updated" if changed else "unchanged"
    merged = set(out.conflicts)
    for ticket_id, said in out.said.items():  # the conflicts of tickets no shop spoke of in this run
        row = row_of.get(ticket_id)
        if row is not None and row not in merged and CONFLICTS in said:
            _still_held(out, cells, row, said)
    cells.flush()
    if pending:
        work = out.frame
        ids = make_ids(len(pending))
        rows = list(range(last_row + 1, last_row + 1 + len(pending)))
        made = [{**record, "ticket_id": ticket_id} for (_, _, record, _), ticket_id in zip(pending, ids, strict=True)]
        added = pd.DataFrame(made, index=rows, columns=work.columns, dtype="str")
        out.frame = pd.concat([work, added]) if len(work) else added
        for row, (index, key, record, pull), ticket_id in zip(rows, pending, ids, strict=True):
            for name, value in record.items():
                if _text(value) is not None:
                    out.sources.setdefault(name, {})[row] = pull.label
            out.appended.append(row)
            out.keys.append((pull.name, key, ticket_id))
            out.said[ticket_id] = {n: _text(v) for n, v in record.items()}
            out.outcome[(index, key)] = "new"
    return out


class _Cells:
    """The ticket table's cells read and written one by one as plain values (a pandas `.at` per cell costs 70 µs),
    written back a column at a time by `flush`."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.position = {int(r): i for i, r in enumerate(frame.index.tolist())}
        self.columns = {str(n): frame[n].astype(object).where(frame[n].notna(), None).to_numpy(dtype=object, copy=True)
                        for n in frame.columns}
        self.dirty: dict[str, dict[int, object]] = {}

    def get(self, row: int, name: str) -> object:
        column = self.columns.get(name)
        return None if column is None else column[self.position[row]]

    def set(self, row: int, name: str, value: object) -> None:
        self.columns[name][self.position[row]] = value
        self.dirty.setdefault(name, {})[row] = value

    def flush(self) -> None:
        for name, cells in self.dirty.items():
            self.frame.loc[list(cells), name] = pd.Series(cells, dtype="str")
        self.dirty.clear()


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


def _merge_one(out: TicketsTaken, cells: _Cells, row: int, ticket_id: str | None, record: dict[str, str | None],
               memory: TicketMemory, label: str) -> bool:
    """The three-way merge of one ticket's cells with what its shop says now; whether a cell took the shop's value."""
    said = out.said.setdefault(ticket_id or "", {})
    held = dict(said.get(CONFLICTS) or {})  # type: ignore[call-overload]
    before = memory.rows.get(ticket_id or "", {})
    changed = False
    for name, value in record.items():
        incoming = _text(value)
        if incoming is None:
            continue
        sheet = _text(cells.get(row, name))
        base = said[name] if name in said else before.get(name, sheet)
        said[name] = incoming
        if sheet == incoming:
            held.pop(name, None)
            continue
        if sheet == base:  # untouched by a person since the shop last spoke: the shop's word
            cells.set(row, name, incoming)
            out.sources.setdefault(name, {})[row] = label
            held.pop(name, None)
            changed = True
        elif incoming != base:  # both changed: the person's value stays, and the clash is said until they change it
            held[name] = sheet
    said[CONFLICTS] = held
    _still_held(out, cells, row, said)
    return changed


def _still_held(out: TicketsTaken, cells: _Cells, row: int, said: dict[str, object]) -> None:
    """The CONFLICTs of a ticket that last while the person's value stays in its cell (resolved once they change it)."""
    held = dict(said.get(CONFLICTS) or {})  # type: ignore[call-overload]
    for name, kept in list(held.items()):
        if name not in cells.columns or _text(cells.get(row, name)) != kept:
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


def _in_desk_words(records: pd.DataFrame, state_word: Callable[[str], str | None],
                   kinds: Mapping[str, str]) -> pd.DataFrame:
    """A shop's statuses and kinds (keys, or words a mapping left as the shop wrote them) in the desk's words: each
    distinct value looked up once."""
    records = records.copy()
    if "status" in records.columns:
        said = {v: (state_word(k) if (k := key_of(None, v)) is not None else None) or v
                for v in records["status"].dropna().unique().tolist()}
        records["status"] = records["status"].map(said).astype("str")
    if "kind" in records.columns:
        records["kind"] = records["kind"].map(lambda v: kinds.get(v, v) if isinstance(v, str) else v).astype("str")
    return records


def _text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value)
    return text if text.strip() else None


def remembered(frame: pd.DataFrame, memory: TicketMemory) -> pd.DataFrame:
    """The journal's memory of each ticket of `frame` (the sheet after the last run), aligned with it: the same index
    and columns, NA for a ticket the journal does not know (or a second row of the same id)."""
    ids = frame["ticket_id"] if "ticket_id" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")
    known = pd.DataFrame.from_dict(dict(memory.rows), orient="index") if memory.rows else pd.DataFrame()
    known = known.reindex(columns=frame.columns).astype("str")
    first = ids.where(~ids.duplicated(keep="first"))
    aligned = known.reindex(first.astype("str").to_numpy())
    return aligned.set_axis(frame.index)


def person_changes(frame: pd.DataFrame, before: pd.DataFrame) -> list[tuple[int, str, str, str | None, str | None]]:
    """(row, ticket_id, field, what the journal had, the sheet's value) of every cell a person changed since the last
    run, in tickets the journal knows (`before`: `remembered(frame, ...)`)."""
    out: list[tuple[int, str, str, str | None, str | None]] = []
    if "ticket_id" not in frame.columns or before.empty:
        return out
    ids = frame["ticket_id"]
    known = before["ticket_id"].notna()  # NA where the journal does not know the ticket
    for name in frame.columns:
        if name in ("ticket_id", "anomalies", "sla"):  # the tool's own cells, recomputed every run
            continue
        moved = (known & differs(frame[name].astype("str"), before[name])).to_numpy()
        if not moved.any():
            continue
        for row, ticket_id, old, new in zip(frame.index[moved].tolist(), ids[moved].tolist(),
                                            before[name][moved].tolist(), frame[name][moved].tolist(), strict=True):
            out.append((int(row), str(ticket_id), str(name), _text(old), _text(new)))
    return out
