"""Approval tiers: which tier an order falls in, whose names in its approver cell count, whether it is approved.

People sign by writing their names in the `approver` cell, separated by `、` `,` `，` `/` `;` or
spaces.  Only names listed for the order's tier count; a tier listing `roles:` counts each role
once (two signatures = two different roles).  The first tier whose condition holds applies; when
none does, the last one does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sheetsync.steps.workflow.compiled import Tier

SIGNATURE_SEPARATORS = r"[、,，/;；\s]+"


@dataclass(slots=True)
class Approval:
    """Per row (positions of the table): the tier, the signatures it needs and has, and the verdict."""

    tier: np.ndarray
    needed: np.ndarray
    valid: np.ndarray
    approved: np.ndarray
    invalid: dict[int, list[str]] = field(default_factory=dict)
    """position -> names that do not count for the row's tier (only where the tier needs signatures)."""
    signers: dict[int, list[str]] = field(default_factory=dict)
    """position -> names that count."""


def split_names(cell: str | None) -> list[str]:
    """The names written in an approver cell, in order, without repeats."""
    names = [n for n in re.split(SIGNATURE_SEPARATORS, cell or "") if n]
    return list(dict.fromkeys(names))


def add_name(cell: str | None, name: str) -> str:
    """The approver cell with `name` added (`、` between names), unchanged if it is there already."""
    names = split_names(cell)
    if name in names:
        return cell or name
    return f"{cell.strip()}、{name}" if cell and cell.strip() else name


def tier_of(tiers: tuple[Tier, ...], hits: pd.DataFrame) -> np.ndarray:
    """The index of the first tier whose conditions hold, per row (the last tier where none does)."""
    n = len(hits)
    chosen = np.full(n, len(tiers) - 1, dtype="int64")
    decided = np.zeros(n, dtype=bool)
    for index, tier in enumerate(tiers):
        match = np.ones(n, dtype=bool)
        for condition in (tier.when, tier.up_to):
            if condition is not None:
                match &= hits[condition.name].to_numpy()
        take = match & ~decided
        chosen[take] = index
        decided |= take
    return chosen


def approve(tiers: tuple[Tier, ...], hits: pd.DataFrame, approver: pd.Series | None, *,
            judge: np.ndarray | None = None) -> Approval:
    """Tier, signatures and verdict of every row; `judge` (bool per row) limits where names are checked
    one by one (the rows in or leaving the approval state): elsewhere only the count matters."""
    n = len(hits)
    if not tiers:
        ones = np.ones(n, dtype=bool)
        return Approval(np.full(n, -1), np.zeros(n, dtype="int64"), np.zeros(n, dtype="int64"), ones)
    tier = tier_of(tiers, hits)
    needed = np.array([t.signatures for t in tiers], dtype="int64")[tier]
    valid = np.zeros(n, dtype="int64")
    result = Approval(tier, needed, valid, needed <= 0)
    if approver is None:
        return result
    cells = approver.to_numpy(dtype=object, na_value=None)
    signed = np.flatnonzero((needed > 0) & pd.notna(cells) & (approver.astype("str").str.strip() != "").fillna(False).to_numpy())
    if not len(signed):
        return result
    parts = pc.split_pattern_regex(pa.array(cells[signed], type=pa.large_string()), SIGNATURE_SEPARATORS)
    names = pc.list_flatten(parts).to_numpy(zero_copy_only=False).astype(object)
    owners = signed[pc.list_parent_indices(parts).to_numpy()]
    keep = names != ""
    pairs = pd.DataFrame({"pos": owners[keep], "name": names[keep], "tier": tier[owners[keep]]})
    roster = pd.DataFrame([(i, name, role) for i, t in enumerate(tiers) for name, role in t.signers.items()],
                          columns=["tier", "name", "role"])
    pairs = pairs.merge(roster, on=["tier", "name"], how="left")
    counted = pairs.dropna(subset=["role"]).drop_duplicates(["pos", "role"])
    counts = counted.groupby("pos").size()
    valid[counts.index.to_numpy()] = counts.to_numpy()
    result.approved = valid >= needed
    watched = (pairs if judge is None else pairs[judge[pairs["pos"].to_numpy()]]).drop_duplicates(["pos", "name"])
    for pos, name, uncounted in zip(watched["pos"].tolist(), watched["name"].tolist(), watched["role"].isna().tolist(),
                                    strict=True):
        (result.invalid if uncounted else result.signers).setdefault(pos, []).append(name)
    return result
