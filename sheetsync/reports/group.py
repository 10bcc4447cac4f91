"""`sheetsync report --desks ...`: the KPIs of several desks side by side (a group's subsidiaries or warehouses).

Each desk is named by its sheetsync.yaml (its table and journal read as `report` reads them), or, for a PostgreSQL
database holding several desks' journals, by the database: every desk found in it is read from its journal alone,
its orders as its last run left them (the journal keeps each row as the run saw it, and the after-sales tickets).

Per desk, for the period [start, end):
- orders: created in the period (`created_at`); 加急 share: those of them whose priority is urgent (红, 加急, A, ...);
- on-time rate: as `report`'s (承诺达成率 without the two hours' grace), of the promises due in the period;
- median time to ship: from `created_at` to `shipped_at`, of the orders shipped in the period (hours);
- backlog past SLA: open orders whose SLA is breached now;
- anomaly rate: of the period's orders, those showing an anomaly now or that had one raised (the journal's);
- return rate: after-sales tickets applied for in the period against the orders shipped in it (a desk with an
  after-sales sheet; None without).
A figure the desk's sheet cannot give (a column it lacks) is None, and `cannot` says which fields it lacks.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sheetsync.config import is_postgres_url, load_config
from sheetsync.i18n import Lang, t
from sheetsync.journal.kpi_history import History, times
from sheetsync.journal.read import journal_desks
from sheetsync.reports import kpi
from sheetsync.reports.aftersales import build_aftersales
from sheetsync.steps.workflow.queue import PRIORITY


@dataclass(frozen=True, slots=True)
class DeskKpis:
    desk: str
    """The desk's name: the folder of its sheetsync.yaml, or its schema in PostgreSQL."""
    table: str
    """Where its orders are."""
    orders: int
    urgent: int
    urgent_share: float | None
    on_time_rate: float | None
    ship_median_hours: float | None
    shipped: int
    past_sla: int
    anomaly_orders: int
    anomaly_rate: float | None
    returns: int | None
    return_rate: float | None
    cannot: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class GroupReport:
    start: str
    end: str
    now: str
    desks: list[DeskKpis] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def group_report(targets: Sequence[str], start: dt.datetime, end: dt.datetime, now: dt.datetime, lang: Lang,
                 password_env: str | None = None) -> GroupReport:
    """The side-by-side KPIs of the desks `targets` name: sheetsync.yaml files, or PostgreSQL databases (every desk
    in one); writes nothing."""
    out = GroupReport(start=_iso(start), end=_iso(end), now=_iso(now))
    for target in targets:
        if is_postgres_url(target):
            for name, table, desk, history, tickets, moves in journal_desks(target, password_env, lang):
                report = kpi.build(desk, history, start, end, now)
                if tickets is not None and moves is not None:
                    report.aftersales = build_aftersales(tickets, desk, moves, lambda _: None, None, start, end)
                out.desks.append(desk_kpis(name, table, desk, history, report, start, end))
        else:
            config = load_config(target)
            report, desk, history = kpi.read_desk(config, start, end, now)
            out.desks.append(desk_kpis(config.base_dir.resolve().name, config.table_where, desk, history, report,
                                       start, end))
    return out


def desk_kpis(name: str, table: str, desk: pd.DataFrame, history: History, report: kpi.KpiReport,
              start: dt.datetime, end: dt.datetime) -> DeskKpis:
    """One desk's column of the group view, from its rows, its journal's history and its own report (a pure step)."""
    cannot: dict[str, list[str]] = {}
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    created = times(desk["created_at"]) if "created_at" in desk.columns else None
    if created is None:
        cannot["orders"] = ["created_at"]
    made = ((created >= lo) & (created < hi)).to_numpy() if created is not None else pd.Series(False, index=desk.index)
    period = desk[made]
    orders = len(period)
    urgent = 0
    if "priority" in desk.columns:
        words = period["priority"].astype("str").str.strip().str.lower()
        urgent = int(words.map(lambda w: PRIORITY.get(w) == 0).sum())
    else:
        cannot["urgent_share"] = ["priority"]
    rate = next((o.rate for o in report.on_time if o.channel == "*"), None)
    if "on_time" in report.cannot:
        cannot["on_time_rate"] = report.cannot["on_time"]
    median, shipped = None, 0
    if {"created_at", "shipped_at"} <= set(desk.columns):
        shipped_at = times(desk["shipped_at"])
        went = ((shipped_at >= lo) & (shipped_at < hi)).to_numpy()
        hours = ((shipped_at[went] - times(desk["created_at"])[went]).dt.total_seconds() / 3600).dropna()
        hours = hours[hours >= 0]
        shipped = int(went.sum())
        median = round(float(hours.median()), 2) if len(hours) else None
    else:
        cannot["ship_median_hours"] = [f for f in ("created_at", "shipped_at") if f not in desk.columns]
    past_sla = sum(s.orders for s in report.stuck)
    flagged = period["anomalies"].notna() & (period["anomalies"].astype("str").str.strip() != "") \
        if "anomalies" in period.columns else pd.Series(False, index=period.index)
    raised = set(history.anomalies["order_id"]) if len(history.anomalies) else set()
    anomaly_orders = int((flagged.to_numpy() | period["order_id"].isin(raised).to_numpy()).sum()) if orders else 0
    returns = return_rate = None
    if report.aftersales is not None:
        returns, return_rate = report.aftersales.tickets, report.aftersales.rate
        if "return_rate" in report.aftersales.cannot:
            cannot["return_rate"] = report.aftersales.cannot["return_rate"]
    return DeskKpis(name, table, orders, urgent, _rate(urgent, orders), rate, median, shipped, past_sla,
                    anomaly_orders, _rate(anomaly_orders, orders), returns, return_rate, cannot)


ROWS: tuple[tuple[str, str], ...] = (
    ("orders", "count"), ("urgent_share", "percent"), ("on_time_rate", "percent"), ("ship_median_hours", "hours"),
    ("past_sla", "count"), ("anomaly_rate", "percent"), ("return_rate", "percent"))
"""The group view's lines, in order, with how each figure is shown."""


def figure(kpis: DeskKpis, name: str) -> float | int | None:
    value: float | int | None = getattr(kpis, name)
    return value


def write_group_book(report: GroupReport, path: Path, lang: Lang) -> Path:
    """A new workbook at `path` whose one sheet (看板 / Dashboard) holds the KPIs side by side, a column per desk, and
    a native chart of the rates per desk.  Every value is written as what it is, never as a formula."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.writing")
    book = xlsxwriter.Workbook(str(partial), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        sheet = book.add_worksheet(t("kpi.dashboard.sheet", lang))
        bold = book.add_format({"bold": True})
        percent = book.add_format({"num_format": "0.0%"})
        hours = book.add_format({"num_format": "0.0"})
        sheet.write_string(0, 0, t("group.title", lang, start=report.start, end=report.end, now=report.now), bold)
        sheet.write_string(2, 0, t("group.kpi", lang), bold)
        for c, desk in enumerate(report.desks, start=1):
            sheet.write_string(2, c, desk.desk, bold)
        for r, (name, kind) in enumerate(ROWS, start=3):
            sheet.write_string(r, 0, t(f"group.{name}", lang))
            for c, desk in enumerate(report.desks, start=1):
                value = figure(desk, name)
                if value is None:
                    sheet.write_string(r, c, "—")
                else:
                    sheet.write_number(r, c, value, percent if kind == "percent" else hours if kind == "hours" else None)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, max(len(report.desks), 1), 14)
        if report.desks:
            chart = book.add_chart({"type": "column"})
            last = len(report.desks)
            for r, (_, kind) in enumerate(ROWS, start=3):
                if kind == "percent":
                    chart.add_series({"name": [sheet.name, r, 0], "categories": [sheet.name, 2, 1, 2, last],
                                      "values": [sheet.name, r, 1, r, last]})
            chart.set_title({"name": t("group.chart", lang)})
            chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
            sheet.insert_chart(len(ROWS) + 5, 0, chart, {"x_scale": 1.5, "y_scale": 1.2})
        book.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")
