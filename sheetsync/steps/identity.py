"""Which rows are which order: new order_ids for rows people added, duplicates, deletions."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.model.values import among
from sheetsync.runtime.frames import counts


@dataclass(frozen=True, slots=True)
class Assigned:
    row: int
    order_id: str


def duplicate_ids(frame: pd.DataFrame) -> dict[str, list[int]]:
    """order_id -> the sheet rows that carry it, for ids on two or more rows."""
    ids = frame["order_id"]
    dup = counts(ids) > 1  # (pandas' duplicated: 0.5 s a million)
    out: dict[str, list[int]] = {}
    for row, order_id in ids[dup].items():
        out.setdefault(str(order_id), []).append(int(row))
    return out


def order_id_maker(fmt: str, prefix: str, day: dt.date, taken: Iterable[str],
                   reserve: Callable[[int], int]) -> Callable[[int], list[str]]:
    """A function giving `n` fresh order_ids; numbers come from `reserve` (the journal's sequence)
    and an id already in the table is skipped, so an id is never given twice.

    The ids it made are not remembered: each sequence number is reserved once, and a format that
    gives two numbers the same id (`{seq:.0e}`) is refused the first time it does."""
    used = taken if isinstance(taken, pd.Series) else pd.Series(list(taken), dtype="str")
    template = _partial(fmt, prefix=prefix, date=day)  # a million ids: the date is formatted once, not a million times
    numbered = _numbered(template)

    def make(n: int) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            need = n - len(out)
            first = reserve(need)
            made = numbered(first, need) if numbered else [template.format(seq=seq) for seq in range(first, first + need)]
            if len(used):  # the ids made that are in the table already, by Arrow (a set of a million ids: 0.6 s)
                there = among(pd.Series(made, dtype="str"), used)
                made = [c for c, skip in zip(made, there, strict=True) if not skip]
            out += made
        if not numbered and len(set(out)) < len(out):
            raise ValueError(f"the order_id format {fmt!r} gives different numbers the same id")
        return out

    return make


def highest_number(fmt: str, prefix: str, day: dt.date, ids: pd.Series) -> int:
    """The highest `{seq}` among `ids` made by the format (a team's own `YT2611-0317` for `YT2611-{seq:04d}`), 0
    when none is: new ids are numbered on from it, so a team's series goes on where its clerks left it.  A format
    with the run's `{date}` is the tool's own series (the journal's sequence numbers it): 0."""
    if "{date" in fmt:
        return 0
    template = _partial(fmt, prefix=prefix, date=day)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return 0
    at = [i for i, (_, name, _, _) in enumerate(parts) if name is not None]
    if len(at) != 1 or parts[at[0]][1] != "seq" or ids.empty:
        return 0
    head = "".join(literal for literal, _, _, _ in parts[: at[0] + 1])
    tail = "".join(literal for literal, _, _, _ in parts[at[0] + 1 :])
    text = pa.array(ids.dropna().astype("str").tolist() if ids.dtype != "str" else ids.dropna(), pa.large_string())
    found = pc.extract_regex(text, "^" + re.escape(head) + r"(?P<seq>\d{1,18})" + re.escape(tail) + "$")
    numbers = pc.cast(pc.struct_field(found, "seq"), pa.int64()) if found.null_count < len(found) else None
    return int(pc.max(numbers).as_py() or 0) if numbers is not None else 0


def _numbered(template: str) -> Callable[[int, int], list[str]] | None:
    """For a template whose only field is `{seq}`, `{seq:d}` or `{seq:0Nd}` (the usual ones): the ids of
    `count` numbers from `first`, made by Arrow (a million, one by one with `str.format`: 0.6 s).  Such
    ids are all different, as their numbers are.  None for any other template."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return None
    at = [i for i, (_, name, _, _) in enumerate(parts) if name is not None]
    if len(at) != 1 or parts[at[0]][1] != "seq" or parts[at[0]][3]:
        return None
    padded = re.fullmatch(r"(0(\d+))?d?", parts[at[0]][2] or "")
    if padded is None:
        return None
    width = int(padded[2]) if padded[2] else 0
    prefix = "".join(literal for literal, _, _, _ in parts[: at[0] + 1])  # a part's literal text comes before its field
    suffix = "".join(literal for literal, _, _, _ in parts[at[0] + 1 :])

    def ids(first: int, count: int) -> list[str]:
        digits = pa.array(np.arange(first, first + count, dtype=np.int64)).cast(pa.string())
        if width:
            digits = pc.utf8_lpad(digits, width, "0")
        return pc.binary_join_element_wise(prefix, digits, suffix, "").to_pylist()

    return ids


def _partial(fmt: str, **fixed: object) -> str:
    """`fmt` with the fields that name `fixed` values filled in and escaped, the others (seq) left
    as they were; `fmt` itself when it is not that simple (a nested field in a format spec)."""
    formatter = string.Formatter()
    out = []
    try:
        for literal, name, spec, conversion in formatter.parse(fmt):
            out.append(literal.replace("{", "{{").replace("}", "}}"))
            if name is None:
                continue
            if "{" in (spec or ""):
                return fmt
            if name.split(".")[0].split("[")[0] not in fixed:
                out.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
                continue
            value = formatter.convert_field(formatter.get_field(name, (), fixed)[0], conversion)
            out.append(format(value, spec or "").replace("{", "{{").replace("}", "}}"))
    except (ValueError, KeyError, AttributeError, IndexError):
        return fmt
    return "".join(out)


def assign_order_ids(frame: pd.DataFrame, make_ids: Callable[[int], list[str]], manual_channel: str) -> list[Assigned]:
    """Give every row without an order_id a new one, and channel `manual_channel` if it has none.

    Changes `frame` in place (it is the run's working copy) and returns what was given.
    """
    missing = frame.index[frame["order_id"].isna()]
    if len(missing) == 0:
        return []
    ids = make_ids(len(missing))
    frame.loc[missing, "order_id"] = ids
    if "channel" in frame.columns:
        no_channel = missing[frame.loc[missing, "channel"].isna()]
        frame.loc[no_channel, "channel"] = manual_channel
    return [Assigned(int(row), oid) for row, oid in zip(missing, ids, strict=True)]


def deleted_ids(frame: pd.DataFrame, known: Iterable[str]) -> list[str]:
    """Orders the journal knows that are no longer in the sheet: a person deleted their rows."""
    ids = pd.Series(known if isinstance(known, pd.Index) else list(known), dtype="str")  # an Index is not copied
    if ids.empty:  # a first import: nothing known, so nothing to look for among a million rows
        return []
    return sorted(ids[~among(ids, frame["order_id"])].tolist())
