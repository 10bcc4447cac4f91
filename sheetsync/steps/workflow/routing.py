"""Routing: the first rule whose condition holds fills its fields (warehouse, priority, ...), never over a value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheetsync.steps.workflow.compiled import Route


def first_route(routes: tuple[Route, ...], hits: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The index of the first matching rule per row (-1: none), looking only at `rows` (bool mask)."""
    chosen = np.full(len(hits), -1, dtype="int64")
    for index in range(len(routes) - 1, -1, -1):
        when = routes[index].when
        match = rows.copy() if when is None else rows & hits[when.name].to_numpy()
        chosen[match] = index
    return chosen


def apply_routes(work: pd.DataFrame, routes: tuple[Route, ...], chosen: np.ndarray) -> dict[str, dict[int, str]]:
    """Fill each row's empty fields from its rule; returns field -> {row: rule name} for what was filled.

    A field the sheet has no column for is not added; a value a person (or a channel) wrote stays."""
    filled: dict[str, dict[int, str]] = {}
    for index, route in enumerate(routes):
        rows = chosen == index
        if not rows.any():
            continue
        for field, value in route.set.items():
            if field not in work.columns:
                continue
            empty = rows & work[field].isna().to_numpy()
            if empty.any():
                labels = work.index[empty]
                work.loc[labels, field] = value
                filled.setdefault(field, {}).update(dict.fromkeys(labels.tolist(), route.name))
    return filled
