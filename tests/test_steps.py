"""The pure steps: ids for rows people added, duplicates, deletions, people's edits, the diff."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.model.records import CellChange, anomaly_cells
from sheetsync.steps.anomalies import duplicate_id_anomalies, fill_for
from sheetsync.steps.diff import diff, differs
from sheetsync.steps.edits import person_edits, row_hashes
from sheetsync.steps.identity import assign_order_ids, deleted_ids, duplicate_ids, order_id_maker


def frame(rows: dict[int, dict[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index").astype("str").where(lambda f: f.notna(), None)


def counter() -> object:
    state = {"next": 1}

    def reserve(n: int) -> int:
        first = state["next"]
        state["next"] += n
        return first

    return reserve


def test_rows_without_order_id_get_one_and_channel_manual() -> None:
    f = frame({2: {"order_id": "SS20261123-000001", "channel": "抖音"}, 3: {"order_id": None, "channel": None},
               4: {"order_id": None, "channel": "门店POS"}})
    make = order_id_maker("{prefix}{date:%Y%m%d}-{seq:06d}", "SS", dt.date(2026, 11, 23), f["order_id"].dropna(),
                          counter())  # type: ignore[arg-type]
    assigned = assign_order_ids(f, make, "手工")
    assert [(a.row, a.order_id) for a in assigned] == [(3, "SS20261123-000002"), (4, "SS20261123-000003")]
    assert f.loc[3, "channel"] == "手工"
    assert f.loc[4, "channel"] == "门店POS"


def test_order_id_maker_skips_ids_already_in_the_table() -> None:
    make = order_id_maker("{prefix}-{seq}", "X", dt.date(2026, 1, 1), ["X-1", "X-2"], counter())  # type: ignore[arg-type]
    assert make(2) == ["X-3", "X-4"]


def test_order_id_maker_never_gives_an_id_twice_across_calls() -> None:
    make = order_id_maker("{prefix}-{seq}", "X", dt.date(2026, 1, 1), ["X-3"], counter())  # type: ignore[arg-type]
    made = make(2) + make(3) + make(1)
    assert made == ["X-1", "X-2", "X-4", "X-5", "X-6", "X-7"]
    lossy = order_id_maker("{prefix}-{seq:.0e}", "X", dt.date(2026, 1, 1), [], counter())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same id"):
        lossy(20)


def test_duplicate_ids_name_every_row() -> None:
    f = frame({2: {"order_id": "A"}, 3: {"order_id": "B"}, 5: {"order_id": "A"}, 6: {"order_id": None}})
    assert duplicate_ids(f) == {"A": [2, 5]}
    anomalies = duplicate_id_anomalies(f)
    assert [(a.row, a.code) for a in anomalies] == [(2, "DUP_ORDER_ID"), (5, "DUP_ORDER_ID")]
    cells = anomaly_cells(f.index, anomalies, "en")
    assert cells[2].startswith("DUP_ORDER_ID ") and pd.isna(cells[3])
    assert fill_for(cells[2], {"DUP_ORDER_ID": "error"}) == "FFC7CE"
    assert fill_for(None, {}) is None


def test_deleted_ids_are_the_known_ones_missing_from_the_sheet() -> None:
    f = frame({2: {"order_id": "A"}, 3: {"order_id": "C"}})
    assert deleted_ids(f, ["A", "B", "C", "D"]) == ["B", "D"]


def test_row_hash_changes_with_any_value_and_not_with_row_position() -> None:
    a = frame({2: {"order_id": "A", "phone": "0571"}, 3: {"order_id": "B", "phone": None}})
    moved = a.iloc[::-1].set_axis([7, 9])
    assert row_hashes(a).tolist() == row_hashes(moved).tolist()[::-1]
    edited = a.copy()
    edited.loc[3, "phone"] = ""
    assert row_hashes(a)[3] != row_hashes(edited)[3]


def test_person_edits_are_found_against_base_values() -> None:
    f = frame({2: {"order_id": "A", "phone": "13900001111", "note": "x"}, 3: {"order_id": "NEW", "phone": "1"}})
    base = pd.DataFrame({"order_id": ["A", None], "phone": ["13812345678", None], "note": ["x", None]}, dtype="str")
    known = pd.DataFrame({"order_id": [True, False], "phone": [True, False], "note": [False, False]})  # no snapshot of NEW
    f.loc[2, "note"] = "a field the snapshot does not have is not an edit"
    assert person_edits(f, base, known) == [CellChange("A", "phone", "13812345678", "13900001111", "person")]


def test_diff_lists_changed_and_new_cells_only() -> None:
    before = frame({2: {"order_id": "A", "anomalies": None}, 3: {"order_id": None, "anomalies": None}})
    after = before.copy()
    after.loc[3, "order_id"] = "N"
    changes = diff(before, after, {"order_id": "tool"})
    assert [(c.row, c.field, c.old, c.new) for c in changes] == [(3, "order_id", None, "N")]


def test_differs_treats_two_missing_values_as_equal() -> None:
    a = pd.Series(["x", None, "y", None], dtype="str")
    b = pd.Series(["x", None, None, "z"], dtype="str")
    assert differs(a, b).tolist() == [False, False, True, True]


def test_created_by_answers_per_row_from_spans() -> None:
    from sheetsync.model.changes import CreatedBy

    who = CreatedBy()
    who.add(10, 13, "douyin")
    who.add(13, 13, "empty")  # a span of no rows is left out
    who.add(20, 22, "pdd")
    assert dict(who) == {10: "douyin", 11: "douyin", 12: "douyin", 20: "pdd", 21: "pdd"} and len(who) == 5
    assert who.get(9) is None and who.get(13) is None and 21 in who and 22 not in who
    channels = who.series(pd.Index([9, 12, 20, 30]))
    assert channels.isna().tolist() == [True, False, False, True] and channels.dropna().tolist() == ["douyin", "pdd"]


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from("AZ-_{}号0"), max_size=5), st.sampled_from(["", ":d", ":06d", ":03d", ":x", ":6d", "!r"]),
       st.text(st.sampled_from("AZ-_{}号0"), max_size=4), st.integers(1, 10**7), st.integers(1, 30))
def test_ids_of_the_usual_formats_are_made_by_arrow_exactly_as_str_format_makes_them(
        before: str, spec: str, after: str, first: int, count: int) -> None:
    escape = lambda text: text.replace("{", "{{").replace("}", "}}")  # noqa: E731
    fmt = escape(before) + "{seq" + spec + "}" + escape(after)
    make = order_id_maker(fmt, "SS", dt.date(2026, 11, 23), [], lambda n: first)
    assert make(count) == [fmt.format(seq=seq) for seq in range(first, first + count)]
