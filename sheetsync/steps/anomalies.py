"""Anomalies are data, never exceptions: each is a record, rendered into the row's anomalies cell where the
run writes it (`model.records.anomaly_cells`), in the desk's language."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd

from sheetsync.i18n import Joined, text
from sheetsync.model.normalize import digits_lost
from sheetsync.model.records import Anomaly, Flag
from sheetsync.steps.identity import duplicate_ids

FILLS: Final[dict[str, str]] = {"error": "FFC7CE", "warn": "FFEB9C"}
"""Fill of the anomalies cell by the worst level in it (Excel's own 'bad' red and 'neutral' yellow)."""

_RANK: Final[dict[str, int]] = {"info": 0, "warn": 1, "error": 2}
LIST: Final = text("rule.list")
"""The separator of a list in a message (`、` or `, `)."""


def duplicate_id_anomalies(frame: pd.DataFrame) -> list[Anomaly]:
    """DUP_ORDER_ID on every row of an order_id that stands on two or more rows."""
    out: list[Anomaly] = []
    for order_id, rows in duplicate_ids(frame).items():
        message = text("anomaly.DUP_ORDER_ID", rows=Joined(tuple(rows), LIST))
        out.extend(Anomaly(row, order_id, "DUP_ORDER_ID", "order_id", message, "error") for row in rows)
    return out


def phone_digits_lost(frame: pd.DataFrame) -> list[Anomaly]:
    """PHONE_INVALID where a phone was stored as a float in scientific notation (`1.38e+10`)."""
    if "phone" not in frame.columns:
        return []
    lost = digits_lost(frame["phone"])
    return [Anomaly(int(row), frame.at[row, "order_id"], "PHONE_INVALID", "phone",
                    text("anomaly.PHONE_INVALID.lost", value=value), "error")
            for row, value in frame.loc[lost, "phone"].items()]


def flag_anomalies(frame: pd.DataFrame, flags: Iterable[Flag]) -> list[Anomaly]:
    """The journal's open flags (CONFLICT, TRACKING_CHANGED) on the rows of their orders."""
    flags = list(flags)
    if not flags:
        return []
    row_of = {oid: row for row, oid in zip(frame.index.tolist(), frame["order_id"].tolist(), strict=True) if isinstance(oid, str)}
    out = []
    for flag in flags:
        row = row_of.get(flag.order_id)
        if row is None:
            continue
        if flag.code == "CONFLICT":
            message = text("anomaly.CONFLICT", field=flag.field, sheet=flag.sheet_value or "", incoming=flag.other_value or "")
        else:
            message = text("anomaly.TRACKING_CHANGED", old=flag.sheet_value or "", new=flag.other_value or "")
        out.append(Anomaly(int(row), flag.order_id, flag.code, flag.field, message, "warn"))
    return out


def fill_for(text: str | None, levels: Mapping[str, str]) -> str | None:
    """The fill an anomalies cell holding `text` gets: the worst level's colour, or none."""
    if not text:
        return None
    worst = max((_RANK.get(levels.get(part.split(" ", 1)[0], "error"), 2) for part in text.split("; ")), default=0)
    level = next(name for name, rank in _RANK.items() if rank == worst)
    return FILLS.get(level)


def count_codes(anomalies: Iterable[Anomaly]) -> dict[str, int]:
    return dict(Counter(a.code for a in anomalies).most_common())
