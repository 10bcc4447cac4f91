"""Anomalies are data, never exceptions: each is a record, rendered into the row's anomalies cell."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd

from sheetsync.i18n import Lang, t
from sheetsync.model.normalize import digits_lost
from sheetsync.model.records import Anomaly, Flag
from sheetsync.steps.identity import duplicate_ids

FILLS: Final[dict[str, str]] = {"error": "FFC7CE", "warn": "FFEB9C"}
"""Fill of the anomalies cell by the worst level in it (Excel's own 'bad' red and 'neutral' yellow)."""

_RANK: Final[dict[str, int]] = {"info": 0, "warn": 1, "error": 2}


def duplicate_id_anomalies(frame: pd.DataFrame, lang: Lang) -> list[Anomaly]:
    """DUP_ORDER_ID on every row of an order_id that stands on two or more rows."""
    out: list[Anomaly] = []
    for order_id, rows in duplicate_ids(frame).items():
        text = t("anomaly.DUP_ORDER_ID", lang, rows="、".join(map(str, rows)) if lang == "zh" else ", ".join(map(str, rows)))
        out.extend(Anomaly(row, order_id, "DUP_ORDER_ID", "order_id", text, "error") for row in rows)
    return out


def phone_digits_lost(frame: pd.DataFrame, lang: Lang) -> list[Anomaly]:
    """PHONE_INVALID where a phone was stored as a float in scientific notation (`1.38e+10`)."""
    if "phone" not in frame.columns:
        return []
    lost = digits_lost(frame["phone"])
    return [Anomaly(int(row), frame.at[row, "order_id"], "PHONE_INVALID", "phone",
                    t("anomaly.PHONE_INVALID.lost", lang, value=value), "error")
            for row, value in frame.loc[lost, "phone"].items()]


def flag_anomalies(frame: pd.DataFrame, flags: Iterable[Flag], lang: Lang) -> list[Anomaly]:
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
            text = t("anomaly.CONFLICT", lang, field=flag.field, sheet=flag.sheet_value or "", incoming=flag.other_value or "")
        else:
            text = t("anomaly.TRACKING_CHANGED", lang, old=flag.sheet_value or "", new=flag.other_value or "")
        out.append(Anomaly(int(row), flag.order_id, flag.code, flag.field, text, "warn"))
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
