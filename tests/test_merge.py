"""The three-way merge, by example and by property (hypothesis): a person's edit is never lost,
and merging the same incoming twice changes nothing."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.steps.diff import differs
from sheetsync.steps.merge import merge

FIELDS = ["status", "phone", "tracking_no"]
VALUE = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "0571", "13812345678"]))


def frame(rows: list[dict[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FIELDS, index=range(2, 2 + len(rows)), dtype="str")


def test_untouched_cell_takes_incoming() -> None:
    result = merge(frame([{"status": "待确认"}]), frame([{"status": "待确认"}]), frame([{"status": "已发货"}]))
    assert result.frame.loc[2, "status"] == "已发货" and result.conflicts == []


def test_person_edit_survives_unchanged_channel_value() -> None:
    result = merge(frame([{"phone": "13900001111"}]), frame([{"phone": "13812345678"}]), frame([{"phone": "13812345678"}]))
    assert result.frame.loc[2, "phone"] == "13900001111" and result.conflicts == []


def test_both_changed_keeps_the_sheet_and_reports_a_conflict() -> None:
    result = merge(frame([{"phone": "13900001111"}]), frame([{"phone": "13812345678"}]), frame([{"phone": "13700000000"}]))
    assert result.frame.loc[2, "phone"] == "13900001111"
    assert [(c.field, c.sheet, c.incoming) for c in result.conflicts] == [("phone", "13900001111", "13700000000")]


def test_missing_incoming_value_changes_nothing() -> None:
    result = merge(frame([{"tracking_no": "SF1"}]), frame([{"tracking_no": None}]), frame([{"tracking_no": None}]))
    assert result.frame.loc[2, "tracking_no"] == "SF1" and result.conflicts == []


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_persons_edit_is_never_lost(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 6))
    sheet, base, incoming = (frame(data.draw(st.lists(st.fixed_dictionaries({f: VALUE for f in FIELDS}),
                                                       min_size=n, max_size=n))) for _ in range(3))
    result = merge(sheet, base, incoming)
    for field in FIELDS:
        edited = differs(sheet[field], base[field])
        assert not differs(result.frame.loc[edited, field], sheet.loc[edited, field]).any()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_merging_the_same_incoming_twice_changes_nothing(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 6))
    sheet, base, incoming = (frame(data.draw(st.lists(st.fixed_dictionaries({f: VALUE for f in FIELDS}),
                                                       min_size=n, max_size=n))) for _ in range(3))
    first = merge(sheet, base, incoming)
    second = merge(first.frame, first.base, incoming)
    for field in FIELDS:
        assert not differs(second.frame[field], first.frame[field]).any()
        assert not differs(second.base[field], first.base[field]).any()
    assert second.conflicts == []
