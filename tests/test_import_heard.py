"""A re-import normalises only the rows that are news: rows the journal says their channel said exactly so are left
out before the mapping (`importing/hearing.py`), and the desk ends exactly as when every row is normalised."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from postgres import PgDesk

from sheetsync import load_config
from sheetsync.config import Config
from sheetsync.desk.new import init_desk
from sheetsync.importing import importer, parse
from sheetsync.importing.importer import ImportResult, import_files
from sheetsync.journal.core import Journal
from sheetsync.steps.said import heard_hashes
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

NOW = dt.datetime(2026, 11, 23, 9, 0)
HEADERS = ["单据号", "销售时间", "会员姓名", "会员手机", "收货地址", "商品", "金额", "状态", "备注"]
CITIES = ["浙江省杭州市西湖区文三路90号", "广东省深圳市南山区科技园高新南七道6号", "上海市徐汇区宜山路700号",
          "四川省成都市武侯区武侯祠大街231号"]


def legacy_rows(n: int = 24) -> list[list[str]]:
    """A store's export: `n` orders, the 5th row's order twice (an exact copy), the 9th's twice with another amount
    (a copy that disagrees), and a row without an order number (rejected)."""
    rows = [[f"XS2023-{i:04d}", f"2024-01-{1 + i % 28:02d} 10:{i % 60:02d}", f"客户{i}", f"138{i:08d}",
             CITIES[i % len(CITIES)], f"BB-{i % 7:03d} 奶瓶×{1 + i % 3}", f"{100 + i}.50", "已完成", ""]
            for i in range(n)]
    rows.append(list(rows[5]))
    rows.append([*rows[9][:6], "1.00", *rows[9][7:]])
    rows.append(["", "2024-01-02", "无单号", "13900000000", CITIES[0], "BB-001 奶瓶×1", "9.90", "已完成", ""])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def new_desk(folder: Path) -> Config:
    init_desk(folder, "zh")
    return load_config(folder / "sheetsync.yaml")


def sheet(config: Config) -> list[dict[str, Any]]:
    frame = read_table(open_store(config), config).frame
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def accounts(result: ImportResult) -> tuple[Any, ...]:
    return result.read, result.imported, result.merged, result.duplicate, result.rejected, result.workbook_written


@contextmanager
def normalised() -> Iterator[list[int]]:
    """The rows each `apply_mapping` of the parse took, as a list that grows while the block runs."""
    taken: list[int] = []
    real = parse.apply_mapping

    def counting(*args: Any, **kwargs: Any) -> Any:
        mapped = real(*args, **kwargs)
        taken.append(mapped.rows_read)
        return mapped

    with mock.patch.object(parse, "apply_mapping", counting):
        yield taken


@contextmanager
def unheard() -> Iterator[None]:
    """Imports that never ask the journal: every row normalised and heard by the run, as before the hearing."""
    with mock.patch.object(importer, "_hearing", lambda config, now: nullcontext(None)):
        yield


def test_a_reimport_normalises_only_the_orders_of_several_rows(tmp_path: Path) -> None:
    config = new_desk(tmp_path / "desk")
    data = write_csv(tmp_path / "pos.csv", legacy_rows())
    first = import_files(config, [str(data)], now=NOW)
    assert accounts(first) == (27, 24, 0, 2, 1, True)
    workbook = config.workbook_path.read_bytes()
    with normalised() as taken:
        again = import_files(config, [str(data)], now=NOW + dt.timedelta(hours=1))
    # the exact copy is dropped before; the order of two rows that disagree (2 rows) and the row without a number
    # (rejected again, with its reason) are all that is normalised
    assert sum(taken) == 3
    assert accounts(again) == (27, 0, 24, 2, 1, False) and again.balanced
    assert config.workbook_path.read_bytes() == workbook
    assert first.disagreements_total == again.disagreements_total == 1 and again.reasons == first.reasons


def test_a_changed_row_is_news_and_the_rest_stay_unnormalised(tmp_path: Path) -> None:
    config = new_desk(tmp_path / "desk")
    rows = legacy_rows()
    import_files(config, [str(write_csv(tmp_path / "a.csv", rows))], now=NOW)
    rows[3][6] = "999.00"  # the 4th order's amount
    rows[7][2] = "改名的客户"  # the 8th order's customer
    with normalised() as taken:
        again = import_files(config, [str(write_csv(tmp_path / "b.csv", rows))], now=NOW)
    assert sum(taken) == 3 + 2
    assert accounts(again) == (27, 0, 24, 2, 1, True)
    by_key = {r["channel_order_id"]: r for r in sheet(config)}
    assert by_key["XS2023-0003"]["amount_payable"] == "999" and by_key["XS2023-0007"]["customer_name"] == "改名的客户"
    assert by_key["XS2023-0004"]["amount_payable"] == "104.5"


def test_a_persons_edit_and_deletion_stand_against_rows_left_out(tmp_path: Path) -> None:
    config = new_desk(tmp_path / "desk")
    data = write_csv(tmp_path / "pos.csv", legacy_rows())
    import_files(config, [str(data)], now=NOW)
    import openpyxl  # a person's edit and a deleted row, saved by another application's library

    book = openpyxl.load_workbook(config.workbook_path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    name_col, key_col = header.index("客户姓名") + 1, header.index("渠道订单号") + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, key_col).value == "XS2023-0002":
            ws.cell(row, name_col).value = "店员改过"
        if ws.cell(row, key_col).value == "XS2023-0011":
            deleted = row
    ws.delete_rows(deleted)
    book.save(config.workbook_path)
    with normalised() as taken:
        again = import_files(config, [str(data)], now=NOW)
    assert sum(taken) == 3
    by_key = {r["channel_order_id"]: r for r in sheet(config)}
    assert by_key["XS2023-0002"]["customer_name"] == "店员改过"  # the person's value stands
    assert "XS2023-0011" not in by_key  # a deleted order is not re-created
    assert again.merged == 24 and again.imported == 0


def test_a_run_between_the_asking_and_the_import_sends_it_back_to_read_everything(tmp_path: Path) -> None:
    """The journal was asked while the file was read (order 0003's row: as its channel last said it); another
    import changed 0003 before this one took the desk: its row is news again, so the file is read again and every
    row heard by the run, which gives 0003 this file's amount."""
    config = new_desk(tmp_path / "desk")
    rows = legacy_rows()
    import_files(config, [str(write_csv(tmp_path / "a.csv", rows))], now=NOW)
    rows[3][6] = "777.00"
    later = write_csv(tmp_path / "c.csv", rows)
    import_files(config, [str(later)], now=NOW)
    rows[3][6] = "555.00"
    other = write_csv(tmp_path / "b.csv", rows)
    came: list[ImportResult] = []

    def meanwhile(stage: str, done: int, total: int) -> None:
        if stage == "write" and not came:
            came.append(import_files(config, [str(other)], now=NOW))

    with normalised() as taken:
        again = import_files(config, [str(later)], now=NOW, progress=meanwhile)
    assert came and came[0].workbook_written
    # this import's first reading left 23 rows out (3 normalised), the other import 4, the second reading all 26
    assert sum(taken) == 3 + 4 + 26
    assert {r["channel_order_id"]: r for r in sheet(config)}["XS2023-0003"]["amount_payable"] == "777"
    assert accounts(again) == (27, 0, 24, 2, 1, True) and again.balanced


def test_several_files_are_normalised_whole(tmp_path: Path) -> None:
    config = new_desk(tmp_path / "desk")
    rows = legacy_rows()
    a, b = write_csv(tmp_path / "a.csv", rows[:12]), write_csv(tmp_path / "b.csv", rows[12:])
    import_files(config, [str(a), str(b)], now=NOW)
    with normalised() as taken:
        again = import_files(config, [str(a), str(b)], now=NOW)
    assert sum(taken) == 27  # the exact copy is in the other file
    assert not again.workbook_written and again.imported == 0


def test_the_hash_of_a_row_depends_on_how_it_becomes_a_record() -> None:
    rows = np.array([1, 2, -3], dtype=np.int64)
    a, b = heard_hashes(rows, "mapping A"), heard_hashes(rows, "mapping B")
    assert len(set(a.tolist())) == 3 and not set(a.tolist()) & set(b.tolist())
    assert heard_hashes(rows, "mapping A").tolist() == a.tolist()


def test_another_mapping_or_year_hears_every_row_anew(tmp_path: Path) -> None:
    config = new_desk(tmp_path / "desk")
    data = write_csv(tmp_path / "pos.csv", legacy_rows())
    import_files(config, [str(data)], now=NOW)
    with normalised() as taken:
        import_files(config, [str(data)], now=NOW.replace(year=2027))  # a date without its year would read otherwise
    assert sum(taken) == 26
    with normalised() as taken:
        import_files(config, [str(data)], now=NOW.replace(year=2027), channel="门店")  # another channel's orders
    assert sum(taken) == 26


EDITS = st.lists(st.tuples(st.sampled_from(["amount", "name", "drop", "copy", "add", "blank_key"]),
                           st.integers(0, 26)), max_size=6)


@settings(max_examples=8, deadline=None)
@given(edits=EDITS, person=st.booleans())
def test_heard_and_unheard_imports_leave_the_same_desk(edits: list[tuple[str, int]], person: bool) -> None:
    """Import a file, edit it at random (values, rows dropped, copied, added, an order number blanked), import it
    again: a desk whose imports ask the journal ends exactly as one whose imports normalise every row."""
    rows = legacy_rows()
    later = [list(r) for r in rows]
    for kind, at in edits:
        if not later:
            break
        i = at % len(later)
        if kind == "amount":
            later[i][6] = f"{at}.25"
        elif kind == "name":
            later[i][2] = f"改{at}"
        elif kind == "drop":
            later.pop(i)
        elif kind == "copy":
            later.insert(at % (len(later) + 1), list(later[i]))
        elif kind == "add":
            later.append([f"XS2024-{at:04d}", "2024-02-01", f"新{at}", f"139{at:08d}", CITIES[0], "BB-002 奶瓶×1",
                          "10", "已完成", ""])
        else:
            later[i][0] = ""
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        first, second = write_csv(base / "a.csv", rows), write_csv(base / "b.csv", later)
        outcomes = []
        for name, context in (("heard", nullcontext), ("unheard", unheard)):
            config = new_desk(base / name)
            with context():
                import_files(config, [str(first)], now=NOW)
                if person:
                    sheetsync_sync_with_a_person_edit(config)
                result = import_files(config, [str(second)], now=NOW)
            with Journal(config.journal_path, readonly=True) as journal:
                keys = sorted(journal.natural_keys("legacy").items())
            outcomes.append((accounts(result), result.reasons, sheet(config), keys))
        assert outcomes[0] == outcomes[1]


def sheetsync_sync_with_a_person_edit(config: Config) -> None:
    """A person changes the 3rd order's customer in the workbook (saved through openpyxl)."""
    import openpyxl

    book = openpyxl.load_workbook(config.workbook_path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.cell(4, header.index("客户姓名") + 1).value = "店员改过"
    book.save(config.workbook_path)


@pytest.mark.parametrize("ask", [True, False])
def test_all_rows_left_out_still_account_for_every_line(tmp_path: Path, ask: bool) -> None:
    config = new_desk(tmp_path / "desk")
    rows = legacy_rows()[:24]  # no copies, no rejects: every row can be left out
    data = write_csv(tmp_path / "pos.csv", rows)
    import_files(config, [str(data)], now=NOW)
    with nullcontext() if ask else unheard(), normalised() as taken:
        again = import_files(config, [str(data)], now=NOW)
    assert sum(taken) == (0 if ask else 24)
    assert accounts(again) == (24, 0, 24, 0, 0, False)
    assert [f.merged for f in again.files] == [24]


def test_a_desk_whose_journal_is_in_postgresql_hears_too(tmp_path: Path, pg: PgDesk) -> None:
    config = new_desk(tmp_path / "desk")
    pg.use(config.source)
    config = load_config(config.source)
    data = write_csv(tmp_path / "pos.csv", legacy_rows())
    first = import_files(config, [str(data)], now=NOW)
    with normalised() as taken:
        again = import_files(config, [str(data)], now=NOW)
    assert sum(taken) == 3
    assert accounts(first)[1] == 24 and accounts(again) == (27, 0, 24, 2, 1, False)
