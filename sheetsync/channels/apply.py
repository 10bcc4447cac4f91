"""A mapping applied to a table read from a file: canonical order records, and the rows it could not take.

Vectorised over the whole file: every column is cleaned and typed at once; only rows
of orders spread over several lines (抖店 sub-orders, Shopify line items) are combined
one order at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Mapping as Mapping_
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Final, TypeVar

import numpy as np
import pandas as pd

from sheetsync.channels.mapping import FieldRule, Mapping
from sheetsync.channels.readers import RawTable
from sheetsync.config import normalize_header
from sheetsync.errors import UnreadableInput
from sheetsync.i18n import Lang, field_said, t
from sheetsync.model import normalize
from sheetsync.model.fields import DATETIME_FIELDS, MONEY_FIELDS
from sheetsync.model.tickets import TICKET_DATETIMES, TICKET_MONEY
from sheetsync.model.values import format_money, text_or_none
from sheetsync.runtime.frames import repeats, rows_where, series_where

HEADER_SEARCH_ROWS = 30
T = TypeVar("T")
ADDRESS_PARTS = ("province", "city", "district", "address", "postcode")

Splitter = Callable[[pd.Series], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class Reject:
    """A source row that could not be taken, with its original values untouched."""

    file: str
    line: int
    reason: str
    values: dict[str, str | None]


class OrderLines(Mapping_[str, list[int]]):
    """key -> the source lines of each record, as a dict would give them, held as one array of first lines
    and one of counts, with lists only for the records made of several lines: a million one-line orders
    cost two arrays, not a million lists (about 200 MB and 2 s less for a million-row import)."""

    def __init__(self, keys: pd.Index, first: np.ndarray, count: np.ndarray, more: dict[str, list[int]]) -> None:
        self._index, self._first, self._count = keys, first, count
        self.more = more
        """The lines of every record of several lines, and any record's lines set since (`set_lines`)."""
        self._gone: set[str] = set()

    @classmethod
    def empty(cls) -> OrderLines:
        none = np.zeros(0, dtype=np.int64)
        return cls(pd.Index([], dtype="str"), none, none, {})

    def __getitem__(self, key: str) -> list[int]:
        if key in self._gone:
            raise KeyError(key)
        if key in self.more:
            return self.more[key]
        return [int(self._first[self._index.get_loc(key)])]

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._index.tolist() if k not in self._gone)

    def __len__(self) -> int:
        return len(self._index) - len(self._gone)

    def items(self) -> Iterator[tuple[str, list[int]]]:  # type: ignore[override]
        for key, first in zip(self._index.tolist(), self._first.tolist(), strict=True):
            if key not in self._gone:
                yield key, self.more.get(key) or [first]

    def multi(self) -> dict[str, list[int]]:
        """The records of several lines, with their lines."""
        return {k: v for k, v in self.more.items() if len(v) > 1 and k not in self._gone}

    def firsts(self, keys: Sequence[str]) -> np.ndarray:
        """The first line of each of `keys` (every one a record's)."""
        return self.firsts_and_counts(keys)[0]

    def counts(self, keys: Sequence[str]) -> np.ndarray:
        """How many lines each of `keys` was made of."""
        return self.firsts_and_counts(keys)[1]

    def firsts_and_counts(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The first line and the count of lines of each of `keys` (every one a record's), the keys looked up once."""
        wanted = pd.Index(keys, dtype="str")
        if wanted.equals(self._index):  # all the records, in order: no hashing
            at = np.arange(len(wanted))
        else:
            at = self._index.get_indexer(wanted)
            if (at < 0).any():
                raise KeyError(next(k for k, i in zip(keys, at, strict=True) if i < 0))
        first, count = self._first[at], self._count[at]
        if self.more:  # the few records of several lines, or whose lines were set since
            named = list(self.more)
            for key, i in zip(named, wanted.get_indexer(pd.Index(named, dtype="str")).tolist(), strict=True):
                if i >= 0:
                    first[i], count[i] = self.more[key][0], len(self.more[key])
        return first, count

    def set_lines(self, key: str, lines: list[int]) -> None:
        self.more[key] = lines

    def pop(self, key: str, default: list[int]) -> list[int]:
        return self.pop_all([key])[0] or default

    def drop_at(self, positions: np.ndarray, keys: Sequence[str], kept: pd.Index) -> list[list[int]]:
        """`pop_all(keys)` of the records at `positions` of the records these lines are in step with (a
        mapping's records, whose index is these keys in order); `kept`, the records' index without them,
        becomes these lines' keys, so that `firsts_and_counts` of the records needs no lookup after.
        Out of step (records reordered, or keys popped before), it is `pop_all`."""
        at = np.asarray(positions, dtype=np.int64)
        if self._gone or len(self._index) != len(kept) + len(at) or \
                self._index[at].tolist() != [str(k) for k in keys]:
            return self.pop_all(keys)
        out = [self.more.pop(k) if k in self.more else [int(self._first[i])] for k, i in zip(keys, at.tolist(), strict=True)]
        keep = np.ones(len(self._index), dtype=bool)
        keep[at] = False
        self._index, self._first, self._count = kept, self._first[keep], self._count[keep]
        return out

    def pop_all(self, keys: Sequence[str]) -> list[list[int]]:
        """The lines of each of `keys`, which are then gone ([] for a key not here); the index is looked
        up once (a key at a time, 10,000 rejected records took 0.3 s)."""
        at = self._index.get_indexer(pd.Index(keys, dtype="str")) if len(keys) else np.zeros(0, dtype=np.int64)
        out: list[list[int]] = []
        for key, i in zip(keys, at.tolist(), strict=True):
            if key in self._gone or (key not in self.more and i < 0):
                out.append([])
                continue
            out.append(self.more[key] if key in self.more else [int(self._first[i])])
            self._gone.add(key)
        return out


@dataclass(slots=True)
class Mapped:
    """One file through one mapping: one record per order (canonical text), indexed by the key."""

    records: pd.DataFrame
    lines: OrderLines
    rejects: list[Reject]
    rows_read: int
    headers: list[str]
    unmatched_headers: list[str] = field(default_factory=list)


def header_row(raw: RawTable, mapping: Mapping, lang: Lang) -> int:
    """Index in `raw.frame` of the row holding the mapping's headers (below any title rows)."""
    known = {normalize_header(h) for h in mapping.headers()}
    best, best_hits = -1, 0
    for i in range(min(HEADER_SEARCH_ROWS, len(raw.frame))):
        hits = sum(1 for v in raw.frame.iloc[i] if isinstance(v, str) and normalize_header(v) in known)
        if hits > best_hits:
            best, best_hits = i, hits
    if best < 0:
        raise UnreadableInput(t("mapping.no_header", lang, file=raw.where, mapping=mapping.name,
                                headers=", ".join(mapping.headers()[:6])))
    return best


def apply_mapping(raw: RawTable, mapping: Mapping, label: str, now: dt.datetime, lang: Lang,
                  split_address: Splitter | None = None, tz: dt.tzinfo | None = None,
                  rows: np.ndarray | None = None) -> Mapped:
    """Canonical records of `raw` through `mapping`; `label` fills the channel field.  `rows`, when
    given, says which rows below the header to take (the others are left out as if absent)."""
    h = header_row(raw, mapping, lang)
    headers = [str(v) if isinstance(v, str) else "" for v in raw.frame.iloc[h]]
    whole = raw.frame.iloc[h + 1 :].set_axis(pd.RangeIndex(len(headers)), axis=1)  # the file's columns, not a copy of them
    keep = whole.notna().any(axis=1).to_numpy()
    if rows is not None:
        keep = keep & rows
    body = _Body(whole, keep)
    lines = series_where(pd.Series(raw.lines[h + 1 :], index=whole.index), keep)
    by_header: dict[str, int] = {}
    for i, text in enumerate(headers):
        if text:
            by_header.setdefault(normalize_header(text), i)
    column_of = lambda names: next((by_header[k] for k in map(normalize_header, names) if k in by_header), None)  # noqa: E731

    out = pd.DataFrame(index=body.index)
    problems = pd.Series("", index=body.index, dtype="str")
    fielded = [(name, rule) for name, rule in mapping.fields.items() if not rule.fields]
    normalised = _in_parallel([partial(_field, name, rule, body, column_of, mapping, now, tz) for name, rule in fielded],
                              len(body) >= PARALLEL_ROWS)
    for (name, rule), (values, bad) in zip(fielded, normalised, strict=True):
        if values is None:
            continue
        out[name] = values
        if bad is not None and bad.any():
            col = headers[column_of(rule.column) or 0] if rule.column else name
            dated = name in DATETIME_FIELDS | TICKET_DATETIMES
            _add(problems, bad, t("reject.bad_date" if dated else "reject.bad_amount", lang, column=col))
    for rule_name, rule in mapping.fields.items():
        if rule.split and rule_name in out.columns and split_address is not None:
            _split_into(out, out[rule_name], split_address, explicit=set(mapping.fields) - {rule_name})
    if mapping.items is not None:
        out["items"] = _items(mapping, body, column_of)
    for name, rule in mapping.fields.items():
        if rule.fields:
            parts = [out[f].fillna("") for f in rule.fields if f in out.columns]
            joined = parts[0].str.cat(parts[1:], sep=rule.join) if parts else pd.Series("", index=out.index)
            out[name] = joined.where(pd.concat(parts, axis=1).ne("").any(axis=1), None) if parts else None
    if mapping.kind in ("orders", "tickets"):
        out["channel"] = label

    key = mapping.key
    matching = mapping.match if mapping.kind == "waybills" else []
    for name in {key, *mapping.require, *(f for way in matching for f in way.split("+"))}:
        if name not in out.columns:
            out[name] = pd.Series(pd.NA, index=out.index, dtype="str")
    header_of = {f: next((headers[i] for i in [column_of(r.headers)] if i is not None), f) for f, r in mapping.fields.items()}
    _add(problems, out[key].isna(), t("reject.no_key", lang, column=header_of.get(key, key)))
    if mapping.kind == "waybills":
        matchable = pd.Series(False, index=out.index)
        for way in mapping.match:
            matchable |= out[way.split("+")].notna().all(axis=1)
        _add(problems, ~matchable, t("reject.no_match_key", lang, columns=", ".join(
            header_of.get(f, f) for way in mapping.match for f in way.split("+"))))
    for name in mapping.require:
        _add(problems, out[name].isna(), t("reject.required", lang, column=header_of.get(name) or field_said(name, lang)))
    rejected = problems != ""
    bad = body.index[rejected.to_numpy()]
    names = [headers[c] or f"#{c + 1}" for c in body.columns]
    chosen = np.zeros(len(whole), dtype=bool)
    chosen[whole.index.get_indexer(bad)] = True
    cells = rows_where(whole, chosen).to_numpy(dtype=object) if len(bad) else []  # at once: cell by cell took 0.4 s
    rejects = [Reject(str(raw.path), int(line), reason, {n: text_or_none(v) for n, v in zip(names, row, strict=True)})
               for line, reason, row in zip(lines[bad].tolist(), problems[bad].tolist(), cells, strict=True)]
    broken = [Reject(str(raw.path), line, t("reject.truncated", lang), {"#1": text}) for line, text in raw.broken_lines]
    taken = ~rejected.to_numpy()
    good = out if taken.all() else rows_where(out, taken, consume=True)
    del out  # the mapped columns are held once from here (a million rows: 300 MB)
    records, order_lines = _combine(good, series_where(lines, taken), key, mapping)
    key_rule = mapping.fields.get(key)
    if key_rule is not None and key_rule.fields and key in records.columns:
        # a key made of other fields (who called, when) is no shop's order number: it stays the records' index,
        # the natural key the journal keeps, and is never written into a cell
        records[key] = pd.Series(None, index=records.index, dtype="str")
    unmatched = [h for h in headers if h and normalize_header(h) not in {normalize_header(x) for x in mapping.headers()}]
    return Mapped(records, order_lines, rejects + broken, len(body) + len(raw.broken_lines), headers, unmatched)



PARALLEL_ROWS: Final = 50_000
"""From this many rows, the fields are normalised on two threads: their work is mostly Arrow's regex and
text kernels, which run without the GIL (a million-row import: ~1.5 s less of a 4.5 s step)."""


def _in_parallel(calls: list[Callable[[], T]], parallel: bool) -> list[T]:
    """The results of `calls`, in order; on two threads when `parallel`.  The calls only read shared data."""
    if not parallel or len(calls) < 2:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sheetsync-fields") as pool:
        return list(pool.map(lambda call: call(), calls))


def _add(problems: pd.Series, mask: pd.Series, reason: str) -> None:
    """Append `reason` to the problems of the rows in `mask`."""
    if mask.any():
        current = problems[mask]
        problems[mask] = current.where(current == "", current + "; ") + reason


class _Body:
    """The rows of a table a mapping takes, each column selected when a field reads it: the selected
    copy of a column lives while its field is normalised, not the whole table's copy through the mapping
    (a million-row import: ~250 MB less at its peak).  Rows keep the table's labels."""

    def __init__(self, frame: pd.DataFrame, keep: np.ndarray) -> None:
        self._frame, self._keep, self._all = frame, keep, bool(keep.all())
        self.index = frame.index if self._all else frame.index[keep]
        self.columns = frame.columns

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, column: int) -> pd.Series:
        values = self._frame[column]
        return values if self._all else series_where(values, self._keep)


def _field(name: str, rule: FieldRule, body: _Body, column_of: Callable[[list[str]], int | None],
           mapping: Mapping, now: dt.datetime, tz: dt.tzinfo | None) -> tuple[pd.Series | None, pd.Series | None]:
    if rule.columns:
        parts = [normalize.clean_text(body[c]) for c in (column_of([n]) for n in rule.columns) if c is not None]
        if not parts:
            return None, None
        text = parts[0].fillna("")
        for part in parts[1:]:
            text = text.str.cat(part.fillna(""), sep=rule.join)
        raw = text.str.strip().where(lambda s: s != "", None)
    else:
        index = column_of(rule.column) if rule.column else None
        if index is None:
            if rule.default is None:
                return None, None
            return pd.Series(rule.default, index=body.index, dtype="str"), None
        raw = body[index]
    if mapping.blanks:  # `-` for an empty date is a blank, not a bad date that rejects the order
        raw = normalize.blanked(raw, mapping.blanks)
    values = normalize.phone(raw) if name == "phone" else \
        normalize.tracking(raw) if name in ("tracking_no", "return_tracking_no") else normalize.clean_text(raw)
    if rule.values:
        lookup = {normalize_header(k): v for k, v in rule.values.items()}
        seen = {v: lookup.get(normalize_header(v), v) for v in values.dropna().unique()}
        values = values.map(seen).astype("str")
    if rule.default is not None:
        values = values.fillna(rule.default)
    tickets = mapping.kind == "tickets"
    if name in (TICKET_MONEY if tickets else MONEY_FIELDS):
        amounts, bad = normalize.money(values, mapping.decimal_comma)
        if rule.sign != "any":  # a finance export's refunds are its negative rows: only they, as amounts refunded
            signed = pd.to_numeric(amounts, errors="coerce")
            keep = signed < 0 if rule.sign == "negative" else signed > 0
            amounts = amounts.where(keep).str.lstrip("-").astype("str")
        return amounts, bad
    if name in (TICKET_DATETIMES if tickets else DATETIME_FIELDS):
        return normalize.datetimes(values, rule.formats, now, mapping.day_first, tz)
    return values, None


def _split_into(out: pd.DataFrame, text: pd.Series, split: Splitter, explicit: set[str]) -> None:
    parts = split(text)
    for part in ADDRESS_PARTS:
        source = parts["detail"] if part == "address" else parts[part]
        if part == "address" or part not in explicit or part not in out.columns:
            out[part] = source if part == "address" or part not in out.columns else out[part].fillna(source)


def _items(mapping: Mapping, body: _Body, column_of: Callable[[list[str]], int | None]) -> pd.Series:
    rule = mapping.items
    assert rule is not None
    if rule.column and (c := column_of(rule.column)) is not None:
        text = normalize.clean_text(body[c])
        text = text.str.replace(r"\s*[xX*×]\s*(\d+)", r"×\1", regex=True)
        return text.str.replace(r"\s*[，,;；、]\s*", "; ", regex=True)
    sku_col = column_of(rule.sku) if rule.sku else None
    name_col = column_of(rule.name) if rule.name else None
    qty_col = column_of(rule.qty) if rule.qty else None
    sku = normalize.clean_text(body[sku_col]) if sku_col is not None else pd.Series(pd.NA, index=body.index, dtype="str")
    if name_col is not None:
        sku = sku.fillna(normalize.clean_text(body[name_col]))
    qty = normalize.clean_text(body[qty_col]) if qty_col is not None else None
    qty = qty.str.replace(r"\.0+$", "", regex=True).fillna("1") if qty is not None else "1"
    return (sku + "×" + qty).where(sku.notna(), None)


def _combine(records: pd.DataFrame, lines: pd.Series, key: str, mapping: Mapping) -> tuple[pd.DataFrame, OrderLines]:
    """One record per order: per-order fields from the first row holding them, per-row amounts summed,
    items joined."""
    keys = records[key]
    single = pd.Series(repeats(keys)[0] <= 1, index=keys.index)  # a missing key (never here: rejected) stands alone
    line_numbers = lines.to_numpy(dtype=np.int64)
    more: dict[str, list[int]] = {}
    for k, line in zip(keys[~single].tolist(), line_numbers[~single.to_numpy()].tolist(), strict=True):
        more.setdefault(k, []).append(line)
    alone = single.to_numpy()
    out = (records if alone.all() else rows_where(records, alone)).set_index(key, drop=False)
    multi = rows_where(records, ~alone)
    if len(multi):
        summed = {f for f, r in mapping.fields.items() if r.per == "row" and f in MONEY_FIELDS | TICKET_MONEY}
        combined = []
        for _, group in multi.groupby(key, sort=False):
            row: dict[str, object] = {}
            for column in group.columns:
                values = group[column].dropna()
                if column in summed:
                    row[column] = format_money(sum((Decimal(v) for v in values), Decimal(0))) if len(values) else None
                elif column == "items":
                    row[column] = "; ".join(values) if len(values) else None
                else:
                    row[column] = values.iloc[0] if len(values) else None
            combined.append(row)
        more_records = pd.DataFrame(combined, columns=records.columns).astype("str")
        more_records = more_records.where(more_records.notna(), None).set_index(key, drop=False)
        out = pd.concat([out, more_records])
    out.index.name = None
    first = np.concatenate([line_numbers[single.to_numpy()], np.array([v[0] for v in more.values()], dtype=np.int64)])
    count = np.concatenate([np.ones(int(single.sum()), dtype=np.int64),
                            np.array([len(v) for v in more.values()], dtype=np.int64)])
    return out, OrderLines(pd.Index(out.index, dtype="str"), first, count, more)
