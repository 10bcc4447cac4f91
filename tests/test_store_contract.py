"""What every store must do, whatever holds the order table: the contract of the store door.

Each test gets a desk whose table holds the same rows, through `make_store`, parametrised over the
backends (`on_store`, tests/desks.py): the .xlsx workbook, and a Google Sheet of the local Sheets API.  The
tests use only what the run calls: read (the sheet as it is, mapped by the one shared step), read_sheet,
write (cells, appended rows, fills) with on_staged, sha256 and discard_leftovers.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from desks import Desk, OnStore

from sheetsync.config import Config
from sheetsync.model.cells import KEEP, AppendBlock, CellWrite
from sheetsync.stores import open_store
from sheetsync.stores.base import Store
from sheetsync.stores.table import read_table

ROWS = [
    {"order_id": "SS-1", "customer_name": "王芳", "phone": "013812345678", "postcode": "010010", "amount_payable": "199.90",
     "status": "待发货", "channel_order_id": "6912345678901234567"},
    {"order_id": "SS-2", "customer_name": "李雷", "phone": "0571-87654321", "postcode": None, "amount_payable": "88",
     "status": "已发货", "channel_order_id": None},
]
MakeStore = Callable[[], tuple[Store, Config]]


@pytest.fixture
def desk(make_desk: Callable[..., Config], on_store: OnStore) -> Desk:
    made = on_store(make_desk(ROWS))
    assert made.config.table.backend == made.backend
    return made


@pytest.fixture
def make_store(desk: Desk) -> MakeStore:
    return lambda: (open_store(desk.config), desk.config)


def test_read_gives_every_row_by_its_sheet_row_with_text_kept_as_text(make_store: MakeStore) -> None:
    store, config = make_store()
    table = read_table(store, config)
    frame = table.frame
    assert frame["order_id"].tolist() == ["SS-1", "SS-2"]
    assert frame.index.tolist() == table.row_numbers == [table.header_row + 1, table.header_row + 2]
    assert frame["phone"].tolist() == ["013812345678", "0571-87654321"]
    assert frame.at[table.header_row + 1, "postcode"] == "010010"
    assert frame.at[table.header_row + 1, "channel_order_id"] == "6912345678901234567"
    assert frame["postcode"].isna().tolist() == [False, True]
    assert {"order_id", "status", "phone"} <= set(table.columns) and table.last_row == table.header_row + 2


def test_no_writes_touch_nothing(make_store: MakeStore) -> None:
    store, _ = make_store()
    before = store.sha256()
    assert store.write([], None) is None
    assert store.sha256() == before


def test_written_cells_read_back_and_the_new_version_is_staged_before_it_is_in_place(make_store: MakeStore) -> None:
    store, config = make_store()
    table = read_table(store, config)
    old, staged = store.sha256(), []
    first = table.header_row + 1
    writes = [CellWrite(first, table.columns["status"], "已发货", "C6EFCE"),
              CellWrite(first, table.columns["customer_name"], "=HYPERLINK(\"http://x\")"),
              CellWrite(first + 1, table.columns["postcode"], "000123"),
              CellWrite(first + 1, table.columns["status"], KEEP, "FFC7CE")]

    def on_staged(sha: str) -> None:
        staged.append((sha, store.sha256()))

    written = store.write(writes, None, on_staged, header_row=table.header_row)
    assert written is not None and written.cells >= 3
    assert staged == [(written.sha256, old)]  # the journal learns the new version while the old is still in place
    assert store.sha256() == written.sha256 != old
    frame = read_table(store, config).frame
    assert frame.at[first, "status"] == "已发货" and frame.at[first + 1, "status"] == "已发货"
    assert frame.at[first, "customer_name"] == "=HYPERLINK(\"http://x\")"  # text, never a formula
    assert frame.at[first + 1, "postcode"] == "000123"


def test_appended_rows_follow_the_last_row(make_store: MakeStore) -> None:
    store, config = make_store()
    table = read_table(store, config)
    columns = [table.columns[f] for f in ("order_id", "phone", "status")]
    block = AppendBlock(table.last_row + 1, columns, rows=[["SS-3", "02012345678", "待确认"], ["SS-4", None, "待确认"]])
    assert store.write([], block, header_row=table.header_row) is not None
    after = read_table(store, config)
    assert after.frame["order_id"].tolist() == ["SS-1", "SS-2", "SS-3", "SS-4"]
    assert after.frame["phone"].iloc[2] == "02012345678" and after.frame["phone"].isna().iloc[3]
    assert after.last_row == table.last_row + 2


def test_a_failed_staging_leaves_the_table_as_it_was(make_store: MakeStore) -> None:
    store, config = make_store()
    table = read_table(store, config)
    before = store.sha256()

    def refuse(sha: str) -> None:
        raise RuntimeError("the journal could not stage")

    with pytest.raises(RuntimeError):
        store.write([CellWrite(table.header_row + 1, table.columns["status"], "已取消")], None, refuse)
    assert store.sha256() == before
    store.discard_leftovers()
    assert read_table(store, config).frame["status"].tolist() == ["待发货", "已发货"]


def test_another_sheet_is_read_as_text_or_is_none(make_store: MakeStore) -> None:
    store, _ = make_store()
    assert store.read_sheet("客户") is None
    sheet = store.read()
    assert sheet.name and sheet.where and not sheet.cells.empty


def test_a_word_the_status_dropdown_lacks_is_added_to_it_and_its_words_kept(make_store: MakeStore, desk: Desk) -> None:
    store, config = make_store()
    table = read_table(store, config)
    row, col = table.header_row + 1, table.columns["status"]
    offered = desk.choices(row + 1, col)
    assert offered is not None and "待复核" not in offered
    written = store.write([CellWrite(row, col, "待复核")], None, header_row=table.header_row, lists={(row, col): ["待复核"]})
    assert written is not None
    assert desk.choices(row, col) == desk.choices(row + 1, col) == [*offered, "待复核"]  # the rows below offer it too
    assert read_table(store, config).frame["status"].tolist() == ["待复核", "已发货"]
