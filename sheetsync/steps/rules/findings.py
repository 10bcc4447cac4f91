"""Findings as arrays (row positions, messages, levels), and the Anomaly records made from them at the end.

The rules work on whole columns and return one `Findings` per code and kind of problem; only the rows
that have a finding ever become Python objects, in `assemble`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.i18n import Joined, Localized, Text, Words, text
from sheetsync.model.records import Anomaly, Level

Messages = np.ndarray | Words
"""One message per finding (an object array of words aligned with the positions), or one for all."""
LIST: Final = text("rule.list")
CLAUSES: Final = Localized("，", ", ")
SPACE: Final = Localized("", " ")
"""How a message's parts are put together in each language: a list, clauses, the names of a place."""


@dataclass(frozen=True, slots=True)
class Findings:
    """Rows (positions in the frame) that have one kind of finding."""

    positions: np.ndarray
    code: str
    column: str | None
    messages: Messages
    level: Level


def found(mask: np.ndarray, code: str, column: str | None, messages: Messages | Callable[[np.ndarray], Messages],
          level: Level) -> list[Findings]:
    """The rows where `mask` holds; `messages` may be a function of their positions (called only if any)."""
    positions = np.flatnonzero(mask)
    if not len(positions):
        return []
    text = messages(positions) if callable(messages) else messages
    return [Findings(positions, code, column, text, level)]


def assemble(frame: pd.DataFrame, batches: Sequence[Findings]) -> list[Anomaly]:
    """Anomaly records in row order; within a row, in the order the batches came."""
    batches = [b for b in batches if len(b.positions)]
    if not batches:
        return []
    positions = np.concatenate([b.positions for b in batches])
    order = np.argsort(positions, kind="stable")
    positions = positions[order]
    owner = np.repeat(np.arange(len(batches)), [len(b.positions) for b in batches])[order].tolist()
    messages = np.concatenate([
        b.messages if isinstance(b.messages, np.ndarray) else np.full(len(b.positions), b.messages, dtype=object)
        for b in batches
    ])[order].tolist()
    rows = frame.index.to_numpy()[positions].tolist()
    if "order_id" in frame.columns:
        ids = [v if isinstance(v, str) else None for v in frame["order_id"].iloc[positions].tolist()]
    else:
        ids = [None] * len(positions)
    codes = [b.code for b in batches]
    columns = [b.column for b in batches]
    levels = [b.level for b in batches]
    return list(map(Anomaly, rows, ids, [codes[k] for k in owner], [columns[k] for k in owner], messages,
                    [levels[k] for k in owner]))


class Columns:
    """The frame's columns as Arrow text and blank masks, each made once per `validate` call."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._arrow: dict[str, pa.Array] = {}
        self._blank: dict[str, np.ndarray] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.frame.columns

    def __len__(self) -> int:
        return len(self.frame)

    def text(self, name: str) -> pd.Series:
        column = self.frame[name]
        return column if isinstance(column.dtype, pd.StringDtype) else column.astype("str")

    def arrow(self, name: str) -> pa.Array:
        if name not in self._arrow:
            self._arrow[name] = arrow(self.text(name))
        return self._arrow[name]

    def blank(self, name: str) -> np.ndarray:
        if name not in self._blank:
            self._blank[name] = blank(self.arrow(name))
        return self._blank[name]


def arrow(column: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (zero-copy for `str` columns)."""
    if not isinstance(column.dtype, pd.StringDtype):
        column = column.astype("str")
    values = pa.array(column)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def blank(values: pd.Series | pa.Array) -> np.ndarray:
    """True where a cell is missing, empty or only white space."""
    values = values if isinstance(values, pa.Array) else arrow(values)
    empty = pc.or_(pc.utf8_is_space(values), pc.equal(pc.utf8_length(values), 0))
    return np.asarray(pc.fill_null(empty, True).to_numpy(zero_copy_only=False), dtype=bool)


def matches(values: pd.Series | pa.Array, pattern: str) -> np.ndarray:
    """True where the RE2 `pattern` is found (False for missing cells)."""
    values = values if isinstance(values, pa.Array) else arrow(values)
    hit = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def field_name(field: str) -> Text:
    return text(f"rule.field.{field}")


def join(items: Sequence[object]) -> Joined:
    """A list in a message: `a、b` or `a, b`."""
    return Joined(tuple(items), LIST)
