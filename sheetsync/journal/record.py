"""What a run hands the journal to record, as one transaction: the journal door's vocabulary."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final, Protocol, runtime_checkable

from sheetsync.model.changes import Created
from sheetsync.model.records import CellChange, Flag


class Snapshots(Protocol):
    """The base rows a run records, as a dict: order_id -> (row hash, values as JSON text)."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def items(self) -> Iterable[tuple[str, tuple[int, str]]]: ...


@runtime_checkable
class EncodedSnapshots(Protocol):
    """The base rows a run records, encoded lazily by the caller: their order_ids, and batches, each
    one JSON array of `[order_id, row hash, values as JSON text]` arrays, which the journal hands to
    SQLite without a Python object per row."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def encoded(self) -> Iterable[str]: ...
    def existing(self) -> Iterable[str]:
        """The order_ids of the rows the run did not create (only those can have had a base row before it)."""
        ...
    def created(self) -> Iterable[str]:
        """The order_ids of the rows the run created, as JSON arrays, a batch at a time."""
        ...


@dataclass(slots=True)
class RunRecord:
    """Everything one run commits to the journal, as one transaction."""

    changes: Iterable[CellChange] = field(default_factory=list)
    """Iterated once, when the run is recorded (it may be a generator)."""
    base: Snapshots | EncodedSnapshots = field(default_factory=dict)
    """order_id -> (row hash, the row's canonical values as a JSON list in `layout` order)."""
    layout: list[str] = field(default_factory=list)
    deleted: dict[str, dict[str, str | None]] = field(default_factory=dict)
    natural_keys: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    """(channel, channel_order_id, order_id, what the channel said of it: a hash, None when not known)."""
    merge_base: dict[tuple[str, str], str | None] = field(default_factory=dict)
    new_flags: list[Flag] = field(default_factory=list)
    closed_flags: dict[int, str] = field(default_factory=dict)
    files: list[tuple[str, str, str, int]] = field(default_factory=list)
    unlocks_used: list[str] = field(default_factory=list)
    """Orders whose open unlock let a person's change of a locked field stand in this run."""
    encoded_natural_keys: Iterable[str] = ()
    """More natural keys, already JSON: batches, each a JSON array of `[channel, channel_order_id, order_id, said]`."""
    encoded_changes: Iterable[str] = ()
    """More changes, already JSON: batches, each a JSON array of `[order_id, field, old, new, source, detail]` arrays
    (made by DuckDB); iterated once."""
    created: Created | None = None
    """The rows the run created: a `*` change each, and their values in `creations` (journal/created.py)."""
    kept: list[tuple[str, str, str]] = field(default_factory=list)
    """(order_id, field, value) a channel brought for a field the sheet has no column for, of orders it did not create."""
    columns: list[str] | None = None
    """The fields the sheet had columns for in this run (None: not said, as by a command that reads no sheet)."""
    levels: dict[str, str] | None = None
    """Each anomaly code's level in this run (a later run repaints the cells of a code whose level changed)."""
    tickets: TicketRecord | None = None
    """The after-sales sheet's part of the run."""
    cursors: dict[str, str] = field(default_factory=dict)
    """API channel -> where it has read up to (JSON), committed with the rows it read."""


@dataclass(slots=True)
class TicketRecord:
    """What a run commits of the after-sales sheet: its changes and each ticket's memory, apart from the orders'."""

    changes: list[CellChange] = field(default_factory=list)
    """Under each ticket's id (`CellChange.order_id` holds the ticket_id)."""
    rows: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """ticket_id -> (its row as the sheet holds it after the run, what its shop last said; JSON objects)."""
    gone: list[str] = field(default_factory=list)
    """Tickets a person deleted from the sheet: their rows are forgotten, their shop keys kept (never re-created)."""
    keys: list[tuple[str, str, str]] = field(default_factory=list)
    """(channel, the shop's after-sales number, ticket_id) of tickets a shop brought for the first time."""


@dataclass(frozen=True, slots=True)
class Recovery:
    """What the journal did about a run that was interrupted while writing."""

    run_id: int
    kept: bool


AS_CREATED: Final = ""
"""`base.vals` of an order whose base row holds the values its creation recorded (its `*` change in the
same run: its row in `creations`, or the change's JSON object of its non-empty fields before version
8): a new order's values are stored once, not twice."""
