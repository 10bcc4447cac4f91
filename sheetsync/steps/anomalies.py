"""Anomalies are data, never exceptions: each is a record, rendered into the row's anomalies cell."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from ..i18n import Lang, t
from .identity import duplicate_ids

Level = Literal["error", "warn", "info"]

FILLS: Final[dict[str, str]] = {"error": "FFC7CE", "warn": "FFEB9C"}
"""Fill of the anomalies cell by the worst level in it (Excel's own 'bad' red and 'neutral' yellow)."""

_RANK: Final[dict[str, int]] = {"info": 0, "warn": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Anomaly:
    row: int
    order_id: str | None
    code: str
    column: str | None
    message: str
    level: Level


def duplicate_id_anomalies(frame: pd.DataFrame, lang: Lang) -> list[Anomaly]:
    """DUP_ORDER_ID on every row of an order_id that stands on two or more rows."""
    out: list[Anomaly] = []
    for order_id, rows in duplicate_ids(frame).items():
        text = t("anomaly.DUP_ORDER_ID", lang, rows="、".join(map(str, rows)) if lang == "zh" else ", ".join(map(str, rows)))
        out.extend(Anomaly(row, order_id, "DUP_ORDER_ID", "order_id", text, "error") for row in rows)
    return out


def render(index: pd.Index, anomalies: Iterable[Anomaly]) -> pd.Series:
    """The anomalies cell of every row: `CODE message; CODE2 message`, NA where there is none."""
    by_row: dict[int, list[str]] = {}
    for a in anomalies:
        by_row.setdefault(a.row, []).append(f"{a.code} {a.message}")
    cells = pd.Series(pd.NA, index=index, dtype="str")
    if by_row:
        rows = [r for r in by_row if r in index]
        cells.loc[rows] = ["; ".join(by_row[r]) for r in rows]
    return cells


def fill_for(text: str | None, levels: Mapping[str, str]) -> str | None:
    """The fill an anomalies cell holding `text` gets: the worst level's colour, or none."""
    if not text:
        return None
    worst = max((_RANK.get(levels.get(part.split(" ", 1)[0], "error"), 2) for part in text.split("; ")), default=0)
    level = next(name for name, rank in _RANK.items() if rank == worst)
    return FILLS.get(level)


def count_codes(anomalies: Iterable[Anomaly]) -> dict[str, int]:
    return dict(Counter(a.code for a in anomalies).most_common())
