"""The journal's history as the KPI report needs it: stays in states, and anomalies raised and cleared.

A status change is dated by its run's clock (`runs.started_at`, the sync's `--now`), or by the
`status_since` the same run wrote for that order, which is more precise.  A row created by a
channel (`field = '*'`) enters its first state then.  The state an order had before its first
recorded change began at its `created_at`; an order with no recorded change has been in its
current state since its `status_since` (else `created_at`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheetsync.journal import created as journal_created
from sheetsync.journal.db import Db
from sheetsync.model.records import anomaly_codes
from sheetsync.model.values import among, positions

_RUNS = "JOIN runs r ON r.id = c.run_id AND r.state IN ('done', 'pending')"
_FORMAT = "%Y-%m-%d %H:%M:%S"
_PUT_BACK = ("EXISTS (SELECT 1 FROM changes p WHERE p.run_id = c.run_id AND p.order_id = c.order_id AND "
             "p.field = 'status' AND p.old = c.new AND p.new = c.old AND ((c.source = 'person' AND p.source = 'tool' "
             "AND p.id > c.id) OR (c.source = 'tool' AND p.source = 'person' AND p.id < c.id)))")
"""A status a person typed and the tool put back in the same run (and that put-back): no state the order was in."""


@dataclass(slots=True)
class History:
    """Stays (order_id, state, begin, end, next_state; end NaT while the order is still there) and
    anomaly episodes (order_id, code, raised, raised_run, cleared, cleared_run, healed, by_person)."""

    stays: pd.DataFrame
    anomalies: pd.DataFrame


def times(column: pd.Series) -> pd.Series:
    """Canonical datetime text -> datetime64 (NaT where missing or not a time)."""
    return pd.to_datetime(column.astype("str").str.slice(0, 19), format=_FORMAT, errors="coerce")


def run_times(column: pd.Series) -> pd.Series:
    """The runs' clocks (`runs.started_at`, ISO text) of `column` as datetime64: each distinct one parsed once (a
    million creations of one import hold one)."""
    codes, distinct = pd.factorize(column.astype("str"))
    parsed = times(pd.Series(distinct, dtype="str").str.replace("T", " ", regex=False)).to_numpy()
    return pd.Series(np.where(codes >= 0, parsed[np.maximum(codes, 0)] if len(parsed) else np.datetime64("NaT"),
                              np.datetime64("NaT")).astype(parsed.dtype), index=column.index)


def load_history(db: Db, desk: pd.DataFrame | Callable[[], pd.DataFrame]) -> History:
    """Stays and anomaly episodes from the journal `db`, completed by the sheet's current cells (`desk`, or a
    function waiting for them: the journal is queried while the sheet is still being read)."""
    made = journal_created.every_creation(db, ["status", "status_since", "anomalies"], _RUNS)  # the blocks read once
    anomalies = _anomalies(db, made)
    return History(_stays(db, desk, made), anomalies)


def _frame(db: Db, sql: str, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(db.execute(sql).fetchall(), columns=columns)


def _stays(db: Db, waiting: pd.DataFrame | Callable[[], pd.DataFrame], made: pd.DataFrame) -> pd.DataFrame:
    """`made`: the creations kept in blocks (`journal_created.every_creation`), with their status fields."""
    columns = ["seq", "order_id", "run_id", "at", "old", "new", "since"]
    events = _frame(db, "SELECT c.id, c.order_id, c.run_id, r.started_at, c.old, c.new, NULL FROM changes c "
                        f"{_RUNS} WHERE c.field = 'status' AND NOT {_PUT_BACK} UNION ALL "
                        f"SELECT c.id, c.order_id, c.run_id, r.started_at, NULL, {db.json_text('c.new', 'status')}, "
                        f"{db.json_text('c.new', 'status_since')} FROM changes c {_RUNS} WHERE c.field = '*'"
                        " AND c.new IS NOT NULL", columns)
    for name in ("order_id", "at", "old", "new", "since"):  # as the creations' (a mixed concat makes Python strings)
        events[name] = events[name].astype("str")
    if len(made):
        made = made.rename(columns={"status": "new", "status_since": "since"})
        made = made.assign(old=pd.Series(pd.NA, index=made.index, dtype="str"))[columns]
        events = pd.concat([events, made], ignore_index=True) if len(events) else made
    since = _frame(db, f"SELECT c.order_id, c.run_id, c.new FROM changes c {_RUNS} WHERE c.field = 'status_since'",
                   ["order_id", "run_id", "since_change"])
    if len(since):
        since = since.drop_duplicates(["order_id", "run_id"], keep="last")
        events = events.merge(since, on=["order_id", "run_id"], how="left")
        events["since"] = events["since"].where(events["since"].notna(), events["since_change"])
    desk = waiting() if callable(waiting) else waiting
    events = events[events["new"].notna() | events["old"].notna()].sort_values(["order_id", "seq"], kind="stable")
    at = run_times(events["at"])
    dated = times(events["since"]) if len(events) else at
    events["at"] = dated.where(dated.notna(), at)
    same_next = (events["order_id"].shift(-1) == events["order_id"]).fillna(False).to_numpy(dtype=bool)
    after = pd.DataFrame({  # text stays as the journal's Arrow-backed `str` (a Python string each: 1 GB a million)
        "order_id": _text(events["order_id"]), "state": _text(events["new"]), "begin": events["at"].to_numpy(),
        "end": events["at"].shift(-1).where(same_next).to_numpy(),
        "next_state": _text(events["new"].shift(-1).where(same_next)),
    })
    first = events[~events["order_id"].duplicated() & events["old"].notna()]
    before = pd.DataFrame({"order_id": _text(first["order_id"]), "state": _text(first["old"]),
                           "begin": _created(desk, first["order_id"]),
                           "end": first["at"].to_numpy(), "next_state": _text(first["new"])})
    quiet = desk[desk["order_id"].notna() & ~among(desk["order_id"], events["order_id"])] if "status" in desk.columns \
        else desk.iloc[:0]
    quiet = quiet[quiet["status"].notna()] if len(quiet) else quiet
    start = times(quiet["status_since"]) if "status_since" in quiet.columns else pd.Series(pd.NaT, index=quiet.index)
    if "created_at" in quiet.columns:
        start = start.fillna(times(quiet["created_at"]))
    still = pd.DataFrame({"order_id": _text(quiet["order_id"] if len(quiet) else pd.Series([], dtype="str")),
                          "state": _text(quiet["status"] if len(quiet) else pd.Series([], dtype="str")),
                          "begin": start.to_numpy(), "end": pd.NaT,
                          "next_state": pd.Series(pd.NA, index=range(len(quiet)), dtype="str")})
    stays = pd.concat([before, after, still], ignore_index=True)
    stays = stays[stays["state"].notna() & stays["begin"].notna()]
    for column in ("begin", "end"):
        stays[column] = pd.to_datetime(stays[column])
    return stays[stays["end"].isna() | (stays["end"] >= stays["begin"])].reset_index(drop=True)


def _created(desk: pd.DataFrame, order_ids: pd.Series) -> np.ndarray:
    """The sheet's `created_at` of each of `order_ids` (NaT where the sheet has no such order or no such column)."""
    if not len(order_ids) or "created_at" not in desk.columns:
        return np.full(len(order_ids), np.datetime64("NaT"), dtype="datetime64[ns]")
    at = positions(order_ids, desk["order_id"])
    created = times(desk["created_at"]).to_numpy()
    return np.where(at >= 0, created[np.maximum(at, 0)], np.datetime64("NaT"))


def _text(column: pd.Series) -> pd.Series:
    """`column`'s text with a fresh index, as pandas' `str` (an object column is converted, a `str` one kept)."""
    return column.astype("str").reset_index(drop=True)


def _anomalies(db: Db, made: pd.DataFrame) -> pd.DataFrame:
    """One episode per anomaly code raised on an order: when it was raised, when (and by whom) it cleared;
    `made`: the creations kept in blocks, with their anomalies."""
    changes = [row[:6] for row in db.execute(  # in the order made (the change's id), run by run
        "SELECT c.order_id, c.run_id, r.started_at, c.old, c.new, c.source, c.id FROM changes c "
        f"{_RUNS} WHERE c.field = 'anomalies' UNION ALL "
        f"SELECT c.order_id, c.run_id, r.started_at, NULL, {db.json_text('c.new', 'anomalies')}, c.source, c.id"
        f" FROM changes c {_RUNS} WHERE c.field = '*' AND c.new IS NOT NULL ORDER BY 2, 7").fetchall()]
    made = made[made["anomalies"].notna()]
    if len(made):  # creations kept in blocks, in among the others by run (the sort is stable)
        changes += zip(made["order_id"], made["run_id"].astype(int), made["at"], [None] * len(made), made["anomalies"],
                       made["source"], strict=True)
        changes.sort(key=lambda change: change[1])
    people: dict[str, list[int]] = {}  # runs in which a person changed the order
    data: dict[str, list[int]] = {}  # runs in which anything else changed its data (not the tool's flag and clock cells)
    for order_id, run_id, by_person in db.execute(
            f"SELECT DISTINCT c.order_id, c.run_id, c.source = 'person' FROM changes c {_RUNS} "
            "WHERE c.source = 'person' OR c.field NOT IN ('anomalies', 'sla', '*') ORDER BY 2").fetchall():
        (people if by_person else data).setdefault(order_id, []).append(run_id)
    open_: dict[tuple[str, str], list[object]] = {}
    episodes: list[list[object]] = []
    for order_id, run_id, at, old, new, source in changes:
        before, now = anomaly_codes(old), anomaly_codes(new)
        for code in now - before:
            episode: list[object] = [order_id, code, at, run_id, None, None, False, False, False]
            open_[(order_id, code)] = episode
            episodes.append(episode)
        for code in before - now:
            if (order_id, code) not in open_:
                continue
            episode = open_.pop((order_id, code))
            raised_run = int(episode[3])  # type: ignore[call-overload]
            edited = any(raised_run < run <= run_id for run in people.get(order_id, ()))
            by_person = source == "person" or edited
            fixed = any(raised_run < run <= run_id for run in data.get(order_id, ()))  # else: the rules changed
            episode[4:] = [at, run_id, not by_person and fixed, by_person, not by_person and not fixed]
    frame = pd.DataFrame(episodes, columns=["order_id", "code", "raised", "raised_run", "cleared", "cleared_run",
                                            "healed", "by_person", "by_config"])
    for column in ("raised", "cleared"):
        frame[column] = times(frame[column].astype("str").str.replace("T", " ", regex=False))
    return frame


def hourly_backlog(stays: pd.DataFrame, states: list[str], start: pd.Timestamp, stop: pd.Timestamp) -> np.ndarray:
    """Mean number of orders in each state at each hour of the day (0-23), sampled on the hour from
    `start` until `stop`: a row per state, a column per hour."""
    first = start.ceil("h")
    samples = pd.date_range(first, stop, freq="h", inclusive="left") if stop > first else pd.DatetimeIndex([])
    grid = np.zeros((len(states), 24))
    if not len(samples):
        return grid
    at = samples.to_numpy()
    hours = samples.hour.to_numpy()
    per_hour = np.bincount(hours, minlength=24)
    for i, state in enumerate(states):
        mine = stays[stays["state"] == state]
        begins = np.sort(mine["begin"].to_numpy())
        ends = np.sort(mine["end"].dropna().to_numpy())
        inside = np.searchsorted(begins, at, side="right") - np.searchsorted(ends, at, side="right")
        sums = np.bincount(hours, weights=inside, minlength=24)
        grid[i] = np.divide(sums, per_hour, out=np.zeros(24), where=per_hour > 0)
    return grid
