"""Derived fields conditions may read: hours in state / since created / to the promise, a customer's
first order, and lookups into the workbook's customers and inventory sheets.  Vectorised; no clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.config.workflow import CustomersLookup, InventoryLookup, Lookups
from sheetsync.model.values import format_money, parse_money
from sheetsync.runtime.textsql import connect

SEPARATORS = r"[;；\n]+"
ITEM = r"^\s*(?P<sku>.+?)\s*(?:[×xX*＊]\s*(?P<qty>\d+))?\s*$"
"""`items` is `SKU×qty; SKU×qty` (a bare SKU is one piece)."""


def times(column: pd.Series | None, length: int) -> np.ndarray:
    """Canonical date-time text -> datetime64[s] (NaT where missing or not canonical)."""
    if column is None:
        return np.full(length, np.datetime64("NaT"), dtype="datetime64[s]")
    parsed = pc.strptime(pa.array(column, type=pa.large_string(), from_pandas=True), format="%Y-%m-%d %H:%M:%S",
                         unit="s", error_is_null=True)
    return np.array(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[s]")


def hours_between(later: np.ndarray | np.datetime64, earlier: np.ndarray | np.datetime64) -> np.ndarray:
    """(later - earlier) in hours as float64; NaN where either is NaT."""
    delta = np.asarray(later, dtype="datetime64[s]") - np.asarray(earlier, dtype="datetime64[s]")
    out = delta.astype("int64").astype("float64") / 3600.0
    out[np.isnat(delta)] = np.nan
    return out


def moment(now: dt.datetime) -> np.datetime64:
    return np.datetime64(now.replace(microsecond=0, tzinfo=None), "s")


def first_orders(work: pd.DataFrame, earlier: pd.DataFrame | None, wanted: np.ndarray) -> pd.Series:
    """For the rows at positions `wanted`: True when no other order of the same customer (customer_id,
    else phone) is older, in the table or among `earlier` (orders the journal knows that left the
    table); NA with neither key, and NA on every other row.

    Older means an earlier created_at (canonical text sorts as time), then a smaller order_id.  Only
    the customers of the wanted rows are ranked, in one DuckDB query."""
    def keyed(frame: pd.DataFrame, pos: np.ndarray, want: np.ndarray) -> pa.Table:
        n = len(frame)

        def column(name: str) -> pa.Array | pa.ChunkedArray:
            if name not in frame.columns:
                return pa.nulls(n, pa.large_string())
            return pa.array(frame[name], type=pa.large_string(), from_pandas=True)

        return pa.table({"pos": pa.array(pos), "want": pa.array(want), "cid": column("customer_id"), "tel": column("phone"),
                         "created": column("created_at"), "oid": column("order_id")})

    want = np.zeros(len(work), dtype=bool)
    want[wanted] = True
    parts = [keyed(work, np.arange(len(work), dtype="int64"), want)]
    if earlier is not None and len(earlier):
        parts.append(keyed(earlier, np.full(len(earlier), -1, dtype="int64"), np.zeros(len(earlier), dtype=bool)))
    query = """
        WITH o AS (SELECT pos, want, created, oid,
                          CASE WHEN trim(cid) <> '' THEN 'id:' || trim(cid)
                               WHEN trim(tel) <> '' THEN 'tel:' || trim(tel) END AS k FROM orders),
             wanted AS (SELECT DISTINCT k FROM o WHERE want AND k IS NOT NULL)
        SELECT pos, row_number() OVER (PARTITION BY k ORDER BY created NULLS LAST, oid NULLS LAST) = 1 AS first, want
        FROM o SEMI JOIN wanted USING (k)
        QUALIFY want"""
    with connect(enable_external_access=False) as con:
        con.register("orders", pa.concat_tables(parts))
        found = con.sql(query).fetchnumpy()
    out = pd.Series(pd.NA, index=work.index, dtype="boolean")
    out.iloc[np.asarray(found["pos"], dtype="int64")] = np.asarray(found["first"], dtype=bool)
    return out


def customer_values(work: pd.DataFrame, sheet: pd.DataFrame | None, spec: CustomersLookup | None) -> dict[str, pd.Series]:
    """credit_limit and outstanding of each row's customer (by customer_id), as decimal text; NA if unknown."""
    out: dict[str, pd.Series] = {}
    if spec is None:
        return out
    wanted = {"credit_limit": spec.credit_limit, "outstanding": spec.outstanding}
    customer = work["customer_id"] if "customer_id" in work.columns else pd.Series(pd.NA, index=work.index, dtype="str")
    for field, header in wanted.items():
        if header is None:
            continue
        if sheet is None or spec.key not in sheet.columns or header not in sheet.columns:
            out[field] = pd.Series(pd.NA, index=work.index, dtype="str")
            continue
        keys = sheet[spec.key].astype("str").str.strip()
        values = pd.Series([_money(v) for v in sheet[header].tolist()], index=keys, dtype="str")
        values = values[~values.index.duplicated(keep="first") & values.index.notna()]
        out[field] = customer.str.strip().map(values).astype("str")
    return out


def stock_short(work: pd.DataFrame, rows: pd.Index, sheet: pd.DataFrame | None, spec: InventoryLookup | None) -> pd.Series:
    """True where some SKU of the row's `items` needs more than the inventory sheet's on_hand; False where
    all are covered; NA where no SKU is in the sheet.  Only `rows` (the open orders) are looked at."""
    out = pd.Series(pd.NA, index=work.index, dtype="boolean")
    if spec is None or sheet is None or "items" not in work.columns or spec.key not in sheet.columns \
            or spec.on_hand not in sheet.columns or not len(rows):
        return out
    stock = pd.Series([_number(v) for v in sheet[spec.on_hand].tolist()], index=sheet[spec.key].astype("str").str.strip())
    stock = stock[~stock.index.duplicated(keep="first")]
    items = work.loc[rows, "items"].dropna().astype("str")
    parts = items.str.split(SEPARATORS, regex=True).explode()
    parts = parts[parts.str.strip() != ""]
    found = parts.str.extract(ITEM)
    qty = pd.to_numeric(found["qty"], errors="coerce").fillna(1.0)
    on_hand = found["sku"].map(stock).astype("float64")
    short = (qty > on_hand).where(on_hand.notna())
    by_row = short.groupby(level=0).agg(lambda s: pd.NA if s.isna().all() else bool(s.fillna(False).any()))
    out.loc[by_row.index] = by_row.astype("boolean")
    return out


def lookup_values(work: pd.DataFrame, open_rows: pd.Index, lookups: Lookups, sheets: Mapping[str, pd.DataFrame],
                  used: frozenset[str]) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    if used & {"credit_limit", "outstanding"}:
        out.update(customer_values(work, sheets.get("customers"), lookups.customers))
    if "stock_short" in used:
        out["stock_short"] = stock_short(work, open_rows, sheets.get("inventory"), lookups.inventory)
    return out


def _money(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    parsed = parse_money(str(value))
    return format_money(parsed) if parsed is not None else None


def _number(value: object) -> float:
    text = _money(value)
    return float(text) if text is not None else np.nan
