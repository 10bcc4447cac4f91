"""Fitting what a channel brings into the columns a team's sheet has: nothing is dropped without a word.

A channel's records carry every canonical field its mapping knows; a team's sheet often has fewer
columns (one 收货地址 for province, city, district and street; one 金额 for the amount).  Before the
records are merged, the declared folding rules put each value the sheet has no column for where the
team would have typed it:

- **address**: province, city and district join the address column, in the order a Chinese address
  is written (`江苏省南京市鼓楼区宁海路街道 北京西路6号`); an order abroad keeps its lines in the order
  of its country (`1 Main St, Springfield, IL, 62701, US`), with its postcode and country.  A part the
  address already holds is not repeated.
- **amount**: a sheet with one amount column takes the amount the team means (`table.amount`: payable
  or paid; by default the one its header names, else the other), never nothing.
- **phone**: with no country column, a phone abroad is written in its international form (`+1 415 555
  0100`), so it is read, validated and dialled for the right country.

Every other non-empty value with no column is *unplaced*: counted per field in the run's result and
kept in the journal (the orders a run creates keep theirs in their creation record), so that when the
team adds the column later, the next sync fills it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import pandas as pd
import phonenumbers

from sheetsync.model.fields import FIELDS
from sheetsync.model.states import key_of_word

REGION_PARTS: Final = ("province", "city", "district")
ABROAD_PARTS: Final = ("address", "district", "city", "province", "postcode", "country")
"""An address abroad, line by line as it is written there (street first, country last)."""
AMOUNTS: Final = ("amount_payable", "amount_paid")
NOT_COUNTED: Final = frozenset({"order_id"})
"""Fields never unplaced: the order's id is the tool's.  The channel is counted like any field: a sheet without a
channel column does not show it, though the journal knows which channel brought each order."""
Amount = Literal["payable", "paid"]


@dataclass(slots=True)
class Folded:
    """The records fitted to the sheet's columns, and what of them has no place."""

    records: pd.DataFrame
    unplaced: dict[str, pd.Series] = field(default_factory=dict)
    """field -> its non-empty values (index: the records') that no column or rule took."""
    folded: dict[str, int] = field(default_factory=dict)
    """field -> how many records' values a rule put into another column."""


def fold(records: pd.DataFrame, columns: Collection[str], *, amount: Amount | None = None,
         default_country: str = "CN", status_words: Mapping[str, str] | None = None) -> Folded:
    """`records` fitted to a sheet with `columns` (see the module docstring); `records` is not changed.
    `status_words` (state key -> the desk's word) turns a mapping's canonical status (`paid`) into the desk's word;
    a status that is no key (a team's own mapping naming its words) stays as it is."""
    out = records
    folded: dict[str, int] = {}
    placed: dict[str, np.ndarray] = {}
    """field -> the records whose value of it a rule put into a column (or that column already held)."""
    have = set(columns)

    def writable() -> pd.DataFrame:
        nonlocal out
        if out is records:
            out = records.copy()
        return out

    if status_words and "status" in records.columns and records["status"].notna().any():
        said = records["status"]
        desk_words = set(status_words.values())
        words = {v: status_words.get(v) or (v if v in desk_words else status_words.get(key_of_word(v) or "", v))
                 for v in said.dropna().unique().tolist()}
        if any(k != v for k, v in words.items()):
            writable()["status"] = said.map(words).astype("str")
    if "address" in have and "address" in records.columns:
        parts = [p for p in (*REGION_PARTS, "postcode", "country") if p in records.columns and p not in have]
        if parts:
            joined, used = _addresses(records, parts, default_country)
            if any(mask.any() for mask in used.values()):
                writable()["address"] = joined
                placed.update(used)
                folded.update({p: int(m.sum()) for p, m in used.items() if m.any()})
    if "phone" in have and "country" not in have and {"phone", "country"} <= set(records.columns):
        international = _international(records["phone"], records["country"], default_country)
        if international is not None:
            writable()["phone"] = international
            placed["country"] = placed.get("country", np.zeros(len(records), dtype=bool)) | \
                international.str.startswith("+").fillna(False).to_numpy(dtype=bool)
    unplaced: dict[str, pd.Series] = {}
    present = [a for a in AMOUNTS if a in have]
    if len(present) == 1:
        column = present[0]
        other = AMOUNTS[1 - AMOUNTS.index(column)]
        if other in records.columns:
            preferred = column if amount is None else f"amount_{amount}"
            second = other if preferred == column else column
            first = records[preferred] if preferred in records.columns else pd.Series(None, index=records.index, dtype="str")
            chosen = first.fillna(records[second]) if second in records.columns else first
            moved = int((chosen.notna() & ~_same(chosen, records[column] if column in records.columns else None)).sum())
            if column in records.columns:  # the column's own amount, where the one the team means replaced it
                own = records[column]
                displaced = own[~_same(own, chosen)].dropna()
                if len(displaced):
                    unplaced[column] = displaced
            writable()[column] = chosen
            if moved:
                folded[other] = moved
    for name in records.columns:
        if name in have or name in NOT_COUNTED or name not in FIELDS:  # `_line`: a record's own bookkeeping
            continue
        values = records[name]
        if name in placed:
            values = values[~placed[name]]
        if name in AMOUNTS and len(present) == 1:  # the one amount column holds it, or holds the other one
            values = values[~_same(values, out[present[0]])]
        values = values.dropna()
        if len(values):
            unplaced[name] = values
    return Folded(out, unplaced, folded)


def _same(a: pd.Series, b: pd.Series | None) -> np.ndarray:
    if b is None:
        return np.zeros(len(a), dtype=bool)
    return np.asarray(((a == b).fillna(False) | (a.isna() & b.isna())).to_numpy(dtype=bool))


def _addresses(records: pd.DataFrame, parts: list[str], default_country: str) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """The address of every record with its `parts` (fields the sheet has no column for) folded in, and for each
    part the records whose value is now in the address (folded, or there already)."""
    abroad = _abroad(records, default_country)
    street = records["address"]
    values = {p: records[p] for p in parts}
    out: list[str | None] = []
    used = {p: np.zeros(len(records), dtype=bool) for p in parts}
    rows = zip(street.tolist(), abroad.tolist(), *(values[p].tolist() for p in parts), strict=True)
    for at, (street_text, far, *found) in enumerate(rows):
        have = dict(zip(parts, found, strict=True))
        text = street_text if isinstance(street_text, str) else ""
        if far:
            lines = [text] if text else []
            for part in ABROAD_PARTS[1:]:
                value = have.get(part)
                if isinstance(value, str) and value:
                    if value not in text:
                        lines.append(value)
                    used[part][at] = True
            out.append(", ".join(lines) or None)
            continue
        head = ""
        for part in REGION_PARTS:
            value = have.get(part)
            if isinstance(value, str) and value:
                if value not in text and value not in head:
                    head += value
                used[part][at] = True
        out.append((head + text) or None)
    return pd.Series(out, index=records.index, dtype="str"), used


def _region_of(country: str, default: str) -> str:
    """`steps.rules.phone.region_of`, imported when first asked: the rules' package (and their conditions' SQL
    parser) is a run's to load, not that of an import's preview, which accounts its records through this module."""
    from sheetsync.steps.rules.phone import region_of

    return region_of(country, default)


def _abroad(records: pd.DataFrame, default_country: str) -> np.ndarray:
    if "country" not in records.columns:
        return np.zeros(len(records), dtype=bool)
    codes, uniques = pd.factorize(records["country"], use_na_sentinel=True)
    far = np.array([_region_of(str(u), default_country) not in ("CN", "") for u in uniques] + [False], dtype=bool)
    return np.asarray(far[codes], dtype=bool)


def _international(phones: pd.Series, countries: pd.Series, default_country: str) -> pd.Series | None:
    """Phones abroad in their international form (`+1 415-555-0100`), for a sheet with no country column; None
    when no phone changes.  A phone that does not parse for its country is left as it is (the rule flags it)."""
    far = _abroad(pd.DataFrame({"country": countries}), default_country)
    todo = far & phones.notna().to_numpy() & ~phones.fillna("").str.startswith("+").to_numpy()
    if not todo.any():
        return None
    out = phones.copy()
    for at in np.flatnonzero(todo).tolist():
        region = _region_of(str(countries.iat[at]), default_country)
        try:
            number = phonenumbers.parse(str(phones.iat[at]), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            out.iat[at] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return out
