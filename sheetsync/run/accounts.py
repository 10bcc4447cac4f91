"""Every input file accounted for: rows read = new + updated + unchanged + rejected."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from sheetsync.channels.base import FileAccount, Pulled
from sheetsync.model.values import among
from sheetsync.steps.pull import Incorporated


def account_pulls(pulls: list[Pulled], pulled: Incorporated) -> list[FileAccount]:
    """Per input file: rows read = new + updated + unchanged + rejected."""
    accounts: list[FileAccount] = []
    for index, pull in enumerate(pulls):
        line_counts = getattr(pull.sources, "line_counts", None)
        if line_counts is not None:  # an import's million orders, counted by arrays
            _account_arrays(pull, index, pulled, *line_counts())
            accounts.extend(pull.files)
            continue
        created = {key for pull_index, _, keys, _, _ in pulled.new_keys if pull_index == index for key in keys.to_pylist()}
        accounts += count_lines(pull, index, pulled.outcome, created)
    return accounts


def count_lines(pull: Pulled, index: int, outcome: Mapping[tuple[int, str], str],
                created: Collection[str] = ()) -> list[FileAccount]:
    """Add each record's lines to its file's account under its outcome: `new` for a key in `created`, else
    `outcome[(index, key)]` (`updated`, `unchanged`: the default); the pull's accounts.  `index`: the pull's place
    in the run's pulls."""
    for key, sources in pull.sources.items():
        outcome_of = "new" if key in created else outcome.get((index, key), "unchanged")
        for file_index, lines in sources:
            account = pull.files[file_index]
            setattr(account, outcome_of, getattr(account, outcome_of) + len(lines))
    return list(pull.files)


def _account_arrays(pull: Pulled, index: int, pulled: Incorporated, keys: pd.Index, tables: np.ndarray,
                    counts: np.ndarray) -> None:
    """`account_pulls` for sources given as arrays: each key, its file (an index in `pull.files`) and its lines."""
    outcome = np.full(len(keys), 2)  # 0 new, 1 updated, 2 unchanged
    text = pd.Series(keys, dtype="str")
    for pull_index, _, made, _, _ in pulled.new_keys:
        if pull_index == index:
            outcome[among(text, made)] = 0
    names = ("new", "updated", "unchanged")
    if pulled.outcome:
        code_of = {name: code for code, name in enumerate(names)}
        rest = np.flatnonzero(outcome != 0)
        for i, key in zip(rest.tolist(), text.iloc[rest].tolist(), strict=True):
            outcome[i] = code_of[pulled.outcome.get((index, key), "unchanged")]
    for code, name in enumerate(names):
        mine = outcome == code
        sums = np.bincount(tables[mine], weights=counts[mine], minlength=len(pull.files))
        for account, n in zip(pull.files, sums.tolist(), strict=False):
            setattr(account, name, getattr(account, name) + int(n))
