"""The source lines of a mapping's records, held as arrays, answer as the dict of lists they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sheetsync.channels.apply import OrderLines


def lines() -> OrderLines:
    keys = pd.Index(["A", "B", "C"], dtype="str")
    return OrderLines(keys, np.array([2, 3, 5]), np.array([1, 2, 1]), {"B": [3, 4]})


def test_order_lines_answer_like_a_dict_of_lists() -> None:
    found = lines()
    assert dict(found.items()) == {"A": [2], "B": [3, 4], "C": [5]}
    assert found["C"] == [5] and found["B"] == [3, 4] and list(found) == ["A", "B", "C"] and len(found) == 3
    assert found.multi() == {"B": [3, 4]}
    assert found.firsts(["C", "B", "A"]).tolist() == [5, 3, 2]
    assert found.counts(["C", "B", "A"]).tolist() == [1, 2, 1]
    with pytest.raises(KeyError):
        found.firsts(["Z"])


def test_order_lines_can_lose_a_record_and_have_a_records_lines_set() -> None:
    found = lines()
    assert found.pop("A", []) == [2] and found.pop("A", []) == [] and found.pop("Z", []) == []
    assert "A" not in found and len(found) == 2 and dict(found.items()) == {"B": [3, 4], "C": [5]}
    found.set_lines("B", [3])  # its later line became a record of its own
    assert found.multi() == {} and found.firsts(["B"]).tolist() == [3] and found.counts(["B", "C"]).tolist() == [1, 1]
    assert len(OrderLines.empty()) == 0 and dict(OrderLines.empty().items()) == {}


def test_firsts_and_counts_together_are_the_two_apart() -> None:
    found = lines()
    found.set_lines("C", [5, 9])
    everything = pd.Index(["A", "B", "C"], dtype="str")  # all the records, in order (no lookup)
    for keys in (everything, ["C", "A"], pd.Index(["B"], dtype="str")):
        firsts, counts = found.firsts_and_counts(keys)
        assert firsts.tolist() == found.firsts(keys).tolist() and counts.tolist() == found.counts(keys).tolist()
    assert [a.tolist() for a in found.firsts_and_counts(everything)] == [[2, 3, 5], [1, 2, 2]]
    with pytest.raises(KeyError):
        found.firsts_and_counts(["A", "Z"])
