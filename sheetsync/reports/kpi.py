"""`sheetsync report`: the figures managers ask for, from the sheet and the journal; read-only.

- on-time delivery: an order whose `promised_by` falls in the period is on time when delivered
  by then, late when delivered after or still undelivered once the promise has passed, and open
  until then; 承诺达成率 allows two hours past the promise.  A cancelled order is left out.
- time in each state (median, p90) and the slowest transitions, from stays that ended in the period;
- backlog by state and hour of day: the mean number of orders in each open state on each hour;
- anomaly reasons raised in the period against the previous period of the same length, and the
  share that cleared without a person's edit (异常自愈率);
- new orders of the period by channel, state and warehouse; orders past their SLA now, by group.
Percentiles interpolate linearly (numpy's default).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, Final

import numpy as np
import pandas as pd

from sheetsync.config import Config
from sheetsync.config.reasons import desk_reasons
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, field_said, t
from sheetsync.journal.kpi_history import History, hourly_backlog, times
from sheetsync.journal.read import read_journal
from sheetsync.model.records import anomaly_codes
from sheetsync.reports.aftersales import AftersalesReport, build_aftersales
from sheetsync.reports.states import CLOSED_STATES, FINAL_STATES, SLA_BREACH
from sheetsync.runtime import textops
from sheetsync.steps.aftersales.states import key_of
from sheetsync.steps.workflow.load import ticket_workflow
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table, ticket_spec

WINDOW: Final = dt.timedelta(hours=2)
"""承诺达成率 counts a delivery up to two hours past the promise as kept."""
STATE_ORDER: Final = ("待确认", "审核中", "备货中", "已发货", "Pending", "In review", "Picking", "Shipped")
TOP: Final = 10
DESK_FIELDS: Final = frozenset({"order_id", "channel", "created_at", "status", "status_since", "warehouse", "sla",
                                "anomalies", "promised_by", "delivered_at", "shipped_at", "priority"})
"""The order fields the report (and the group view, `reports/group.py`) reads; the sheet's other columns are not
read (a million-row desk: 12 of its 30 columns).  With an after-sales sheet, its report reads `items` as well."""


@dataclass(frozen=True, slots=True)
class OnTime:
    channel: str
    orders: int
    on_time: int
    late: int
    open: int
    rate: float | None
    within_window: int
    window_rate: float | None


@dataclass(frozen=True, slots=True)
class StateTime:
    state: str
    stays: int
    median_hours: float
    p90_hours: float


@dataclass(frozen=True, slots=True)
class Transition:
    from_state: str
    to_state: str
    count: int
    median_hours: float
    p90_hours: float


@dataclass(frozen=True, slots=True)
class AnomalyTrend:
    code: str
    count: int
    previous: int
    change: int
    open_now: int


@dataclass(frozen=True, slots=True)
class SelfHeal:
    total: int
    healed: int
    by_person: int
    still_open: int
    rate: float | None
    by_config: int = 0
    """Flags cleared though nothing of the order changed (a rule turned off or changed): neither healed nor open."""


@dataclass(frozen=True, slots=True)
class Stuck:
    group: str
    orders: int
    order_ids: list[str]


@dataclass
class KpiReport:
    """The report's figures; `heatmap[i][h]` is the mean backlog of `heatmap_states[i]` at hour h."""

    start: str
    end: str
    now: str
    on_time: list[OnTime] = field(default_factory=list)
    states: list[StateTime] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    heatmap_states: list[str] = field(default_factory=list)
    heatmap: list[list[float]] = field(default_factory=list)
    backlog: dict[str, int] = field(default_factory=dict)
    anomalies: list[AnomalyTrend] = field(default_factory=list)
    self_heal: SelfHeal = field(default_factory=lambda: SelfHeal(0, 0, 0, 0, None))
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    stuck: list[Stuck] = field(default_factory=list)
    cannot: dict[str, list[str]] = field(default_factory=dict)
    aftersales: AftersalesReport | None = None
    """The after-sales sheet's figures (`reports/aftersales.py`); None on a desk without one."""
    """The KPIs the sheet cannot give, with the fields they lack (`on_time`: promised_by, delivered_at): said as
    such, never shown as 0 %."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def period(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime,
           lang: str = "zh") -> tuple[dt.datetime, dt.datetime]:
    """[start, end): `end` defaults to now, `start` to seven days before `end`."""
    end = end or now
    start = start or end - dt.timedelta(days=7)
    if start >= end:
        raise ConfigError(t("kpi.bad_period", lang, start=start, end=end))  # type: ignore[arg-type]
    return start, end


def report(config: Config, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
           now: dt.datetime | None = None) -> KpiReport:
    """The KPIs of [start, end) as of `now` (default: the last seven days up to now); writes nothing."""
    now = now or dt.datetime.now(config.tz).replace(microsecond=0, tzinfo=None)
    start, end = period(start, end, now, config.language)
    return read_desk(config, start, end, now)[0]


def read_desk(config: Config, start: dt.datetime, end: dt.datetime, now: dt.datetime
              ) -> tuple[KpiReport, pd.DataFrame, History]:
    """The desk's report of [start, end), with the sheet's rows and the journal's history it was made from."""
    spec = ticket_spec(config)
    with ThreadPoolExecutor(1, "sheetsync-report-desk") as pool:  # the sheet is read while the journal is queried
        wanted = DESK_FIELDS | ({"items"} if spec is not None else set())
        reading: Future[pd.DataFrame] = pool.submit(lambda: read_table(open_store(config), config, None, wanted).frame)
        with read_journal(config) as journal:  # none yet: every order in its state
            history = journal.kpi_history(reading.result)                   # since its status_since
            moves = journal.ticket_moves() if spec is not None else None
        desk = reading.result()
    out = build(desk, history, start, end, now)
    if spec is not None and moves is not None:
        try:
            tickets = read_table(open_store(config), config, spec).frame
        except ConfigError:  # the desk's after-sales sheet is gone: the orders' figures stand alone
            return out, desk, history
        workflow = ticket_workflow(config)
        tree = desk_reasons(config)
        out.aftersales = build_aftersales(tickets, desk, moves, partial(key_of, workflow),
                                          tree.other if tree is not None else None, start, end)
    return out, desk, history


def build(desk: pd.DataFrame, history: History, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> KpiReport:
    """The report from the sheet's rows and the journal's history (a pure step)."""
    out = KpiReport(start=_iso(start), end=_iso(end), now=_iso(now))
    lacking = [f for f in ("promised_by", "delivered_at") if f not in desk.columns]
    if lacking:  # without a delivery time every promise would count as broken: 0 % that means "unknown"
        out.cannot["on_time"] = lacking
    else:
        out.on_time = _on_time(desk, start, end, now)
    stays = history.stays
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    ended = stays[(stays["end"] >= lo) & (stays["end"] < hi)]
    hours = (ended["end"] - ended["begin"]).dt.total_seconds() / 3600
    out.states = [StateTime(str(state), len(h), _round(h.median()), _round(h.quantile(0.9)))
                  for state, h in hours.groupby(ended["state"], sort=False)]
    out.states.sort(key=lambda s: _state_key(s.state))
    moved = ended[ended["next_state"].notna()]
    moved_hours = hours[moved.index]
    transitions = [Transition(str(a), str(b), len(h), _round(h.median()), _round(h.quantile(0.9)))
                   for (a, b), h in moved_hours.groupby([moved["state"], moved["next_state"]], sort=True)]
    out.transitions = sorted(transitions, key=lambda x: (-x.median_hours, -x.count, x.from_state, x.to_state))[:5]
    open_states = sorted({s for s in stays["state"].unique() if s not in FINAL_STATES}, key=_state_key)
    stop = min(hi, pd.Timestamp(now))
    grid = hourly_backlog(stays, open_states, lo, stop) if stop > lo else np.zeros((len(open_states), 24))
    out.heatmap_states, out.heatmap = open_states, [[round(float(v), 1) for v in row] for row in grid]
    status = desk["status"] if "status" in desk.columns else pd.Series(pd.NA, index=desk.index, dtype="str")
    waiting = status[status.notna() & ~status.isin(FINAL_STATES)]
    out.backlog = {str(k): int(v) for k, v in sorted(waiting.value_counts().items(), key=lambda kv: _state_key(kv[0]))}
    out.anomalies, out.self_heal = _anomalies(desk, history.anomalies, lo, hi)
    out.counts = _counts(desk, start, end)
    out.stuck = _stuck(desk, status)
    return out


def _on_time(desk: pd.DataFrame, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[OnTime]:
    promised = times(desk["promised_by"])
    delivered = times(desk["delivered_at"])
    status = desk["status"] if "status" in desk.columns else pd.Series(pd.NA, index=desk.index, dtype="str")
    cancelled = status.isin(CLOSED_STATES) & delivered.isna()
    due = promised.notna() & (promised >= pd.Timestamp(start)) & (promised < pd.Timestamp(end)) & ~cancelled
    promised, delivered = promised[due], delivered[due]
    now_ = pd.Timestamp(now)
    done = delivered.notna()
    frame = pd.DataFrame({
        "channel": desk.loc[due, "channel"].fillna("") if "channel" in desk.columns else "",
        "on_time": done & (delivered <= promised),
        "late": (done & (delivered > promised)) | (~done & (promised < now_)),
        "open": ~done & (promised >= now_),
        "within": done & (delivered <= promised + WINDOW),
        "missed": (done & (delivered > promised + WINDOW)) | (~done & (promised + WINDOW < now_)),
    })
    rows = [("*", frame)] + [(str(c), g) for c, g in frame.groupby("channel", sort=True)]
    out = []
    for channel, group in rows:
        on, late, within, missed = (int(group[c].sum()) for c in ("on_time", "late", "within", "missed"))
        out.append(OnTime(channel, len(group), on, late, int(group["open"].sum()),
                          _rate(on, on + late), within, _rate(within, within + missed)))
    return out


def _anomalies(desk: pd.DataFrame, episodes: pd.DataFrame, lo: pd.Timestamp,
               hi: pd.Timestamp) -> tuple[list[AnomalyTrend], SelfHeal]:
    previous_lo = lo - (hi - lo)
    now_counts: Counter[str] = Counter()
    if "anomalies" in desk.columns:
        for text in desk["anomalies"].dropna():
            now_counts.update(anomaly_codes(text))
    raised = episodes[(episodes["raised"] >= lo) & (episodes["raised"] < hi)]
    before = episodes[(episodes["raised"] >= previous_lo) & (episodes["raised"] < lo)]
    this, last = raised["code"].value_counts(), before["code"].value_counts()
    all_codes = sorted(set(this.index) | set(last.index) | set(now_counts), key=lambda c: (-int(this.get(c, 0)), c))
    trends = [AnomalyTrend(str(c), int(this.get(c, 0)), int(last.get(c, 0)), int(this.get(c, 0)) - int(last.get(c, 0)),
                           now_counts.get(c, 0)) for c in all_codes][:TOP]
    healed, by_person = int(raised["healed"].astype(bool).sum()), int(raised["by_person"].astype(bool).sum())
    by_config = int(raised["by_config"].astype(bool).sum()) if "by_config" in raised.columns else 0
    total = len(raised) - by_config  # a flag a configuration change cleared was no anomaly of the data
    return trends, SelfHeal(total, healed, by_person, total - healed - by_person, _rate(healed, total), by_config)


def _counts(desk: pd.DataFrame, start: dt.datetime, end: dt.datetime) -> dict[str, dict[str, int]]:
    if "created_at" not in desk.columns:
        return {}
    created = desk["created_at"]
    lo, hi = (x.strftime("%Y-%m-%d %H:%M:%S") for x in (start, end))
    new = desk[((created >= lo) & (created < hi)).fillna(False).to_numpy()]
    out = {}
    for name in ("channel", "status", "warehouse"):
        if name in new.columns:
            counted = new[name].fillna("").value_counts()
            out[name] = {str(k): int(v) for k, v in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))}
    return out


def _stuck(desk: pd.DataFrame, status: pd.Series) -> list[Stuck]:
    if "sla" not in desk.columns:
        return []
    late = pd.Series(textops.search(desk["sla"], SLA_BREACH), index=desk.index) & ~status.isin(FINAL_STATES)
    if not late.any():
        return []
    by = "group" if "group" in desk.columns else "warehouse"
    groups = desk.loc[late, by].fillna("") if by in desk.columns else pd.Series("", index=desk.index[late])
    ids = desk.loc[late, "order_id"].fillna("")
    out = [Stuck(str(g), len(members), sorted(ids[members.index].tolist())[:20]) for g, members in groups.groupby(groups)]
    return sorted(out, key=lambda s: (-s.orders, s.group))


def _state_key(state: str) -> tuple[int, str]:
    return (STATE_ORDER.index(state), "") if state in STATE_ORDER else (len(STATE_ORDER), state)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _round(value: float) -> float:
    return round(float(value), 2)


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def cannot_say(report: KpiReport, kpi: str, lang: Lang) -> str | None:
    """Why the report has no `kpi` (the fields the sheet lacks), in `lang`; None when it has it."""
    fields = report.cannot.get(kpi)
    if not fields:
        return None
    return t(f"kpi.cannot.{kpi}", lang, fields=("、" if lang == "zh" else ", ").join(field_said(f, lang) for f in fields))
