"""Building small order sheets for the rules tests: GOOD passes every rule; tests change the cells they are about."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pandas as pd

from sheetsync.i18n import Lang
from sheetsync.model.records import Anomaly
from sheetsync.steps.rules import RulesConfig, compile_rules, validate

NOW = dt.datetime(2024, 6, 1, 12, 0, 0)
GOOD: dict[str, str | None] = {
    "order_id": "SS20240601-000001", "channel": "抖音", "channel_order_id": "6912345678901234567",
    "created_at": "2024-05-31 10:00:00", "paid_at": "2024-05-31 10:01:30", "customer_name": "王芳",
    "phone": "13812345678", "province": "浙江省", "city": "杭州市", "district": "西湖区", "address": "文三路90号",
    "postcode": "310012", "country": None, "amount_payable": "1299.5", "amount_paid": "1299.5", "status": "待发货",
}  # fmt: skip


def sheet(*changes: dict[str, Any], drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per `changes` (GOOD with those cells changed), on sheet rows 2, 3, ...; `drop`: columns the sheet lacks."""
    rows = [{**GOOD, "order_id": f"SS20240601-{i:06d}", "channel_order_id": f"69{i:017d}", **change}
            for i, change in enumerate(changes, start=1)]
    frame = pd.DataFrame(rows, index=range(2, 2 + len(rows))).astype("str")
    return frame.drop(columns=list(drop))


def check(frame: pd.DataFrame, lang: Lang = "zh", now: dt.datetime = NOW, **config: Any) -> list[Anomaly]:
    """The anomalies of `frame`, each message rendered in `lang` as the desk would show it."""
    found = validate(frame, compile_rules(RulesConfig.model_validate(config), lang=lang), now=now)
    return [replace(a, message=a.text(lang)) for a in found]


def found(frame: pd.DataFrame, lang: Lang = "zh", **config: Any) -> list[tuple[int, str, str | None, str, str]]:
    return [(a.row, a.code, a.column, a.level, a.message) for a in check(frame, lang, **config)]
