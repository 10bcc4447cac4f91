"""A read-only command reads only the columns it needs (`read_table(..., fields=...)`, the store's `pick`): the table
it gets holds exactly the values, rows and places the whole read gives for those fields, whether the sheet is read in
blocks (the tool's own inline strings) or whole (LibreOffice's shared strings), with the header under a title row,
columns in a person's order and a column of their own; the other columns' values are not held."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import libreoffice_convert

from sheetsync import load_config
from sheetsync.config import Config
from sheetsync.reports import kpi
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table
from sheetsync.stores.xlsx import rowblocks

ROWS = 3000
FIELDS = frozenset({"status", "created_at", "anomalies", "sla"})


def orders(count: int) -> list[dict[str, Any]]:
    return [{"order_id": f"SS20260101-{i:06d}", "channel": "抖音" if i % 2 else "淘宝", "customer_name": f"客户{i}",
             "phone": f"138{i:08d}", "address": f"浙江省杭州市西湖区文三路 {i} 号", "status": ("待确认", "已发货")[i % 2],
             "created_at": f"2026-01-{1 + i % 28:02d} 08:{i % 60:02d}:00", "anomalies": "ADDR_INCOMPLETE" if i % 7 == 0
             else None, "amount_payable": f"{100 + i}.50"} for i in range(1, count + 1)]


def both(config: Config, fields: frozenset[str]) -> tuple[Any, Any]:
    whole = read_table(open_store(config), config)
    picked = read_table(open_store(config), config, None, fields)
    return whole, picked


def same_for(whole: Any, picked: Any, fields: frozenset[str]) -> None:
    names = [f for f in whole.frame.columns if f in fields | {"order_id"}]
    assert list(picked.frame.columns) == names
    pd.testing.assert_frame_equal(picked.frame, whole.frame[names])
    assert picked.columns == {f: whole.columns[f] for f in names}
    assert picked.header_row == whole.header_row and picked.extra_headers == whole.extra_headers
    assert picked.row_numbers == whole.row_numbers
    assert picked.last_row <= whole.last_row  # the trailing rows of other columns alone may be left out


def test_blocks_read_holds_only_the_picked_columns(make_desk: Callable[..., Config],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_desk(orders(ROWS), extra_headers=["我的备注"])
    monkeypatch.setattr(rowblocks, "BLOCK_BYTES", 20_000)  # many blocks
    blocks: list[int] = []
    read = rowblocks.eager_text
    monkeypatch.setattr(rowblocks, "eager_text", lambda source, name: blocks.append(1) or read(source, name))
    whole, picked = both(config, FIELDS)
    assert len(blocks) > 8
    same_for(whole, picked, FIELDS)
    assert set(picked.frame.columns) == FIELDS | {"order_id"}
    assert picked.frame["status"].iloc[-1] == ("待确认" if ROWS % 2 == 0 else "已发货")
    # what the store held: the picked columns' values; of the others, the top rows alone (where the header is)
    sheet = open_store(config).read(None, _pick_of(config, FIELDS))
    header = sheet.cells.iloc[whole.header_row - sheet.first_row]
    for name, column in [*whole.columns.items(), *whole.extra_headers.items()]:
        values = sheet.cells.iloc[:, column - sheet.first_col]
        if name in picked.columns:
            assert values.notna().sum() == whole.frame[name].notna().sum() + 1, name
        else:
            assert values.iloc[rowblocks.HEAD_ROWS:].isna().all() and isinstance(header.iloc[column - sheet.first_col],
                                                                                  str), name


def _pick_of(config: Config, fields: frozenset[str]) -> Any:
    from functools import partial

    from sheetsync.stores.table import _picked, order_spec

    return partial(_picked, order_spec(config), config.language, fields | {"order_id"})


def test_a_header_under_a_title_and_columns_in_a_persons_order(tmp_path: Path, make_desk: Callable[..., Config],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import xlsxwriter

    config = make_desk(orders(10))
    whole = read_table(open_store(config), config)
    headers = {f: h for f, h in config.header_map()[0].items() if f in whole.columns}
    path = config.workbook_path
    path.unlink()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(config.table.sheet)
    sheet.write_string(0, 1, "二〇二六年一月 订单台账")  # a title row above the header
    order = ["我的记号", *reversed(list(headers))]
    sheet.write_row(2, 1, [headers.get(f, f) for f in order])
    for r, row in enumerate(orders(ROWS), start=3):
        sheet.write_row(r, 1, [f"记{r}" if f == "我的记号" else (row.get(f) or "") for f in order])
    sheet.write_string(ROWS + 10, 0, "a cell of a person's, far down on the left")
    book.close()
    monkeypatch.setattr(rowblocks, "BLOCK_BYTES", 30_000)
    whole, picked = both(config, FIELDS)
    same_for(whole, picked, FIELDS)
    assert len(picked.frame) == ROWS


def test_a_workbook_libreoffice_saved_is_read_whole_and_picked(tmp_path: Path, make_desk: Callable[..., Config],
                                                               soffice: str) -> None:
    config = make_desk(orders(400))
    saved = libreoffice_convert(soffice, config.workbook_path, tmp_path / "lo")
    shutil.copy(saved, config.workbook_path)
    config = load_config(config.base_dir / "sheetsync.yaml")
    whole, picked = both(config, FIELDS)
    same_for(whole, picked, FIELDS)
    assert len(picked.frame) == 400


def test_the_report_on_a_picked_read_says_what_the_whole_read_says(make_desk: Callable[..., Config],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    config = make_desk(orders(ROWS))
    monkeypatch.setattr(rowblocks, "BLOCK_BYTES", 20_000)
    args = (dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1), dt.datetime(2026, 1, 31))
    picked = kpi.read_desk(config, *args)
    monkeypatch.setattr(kpi, "read_table", lambda store, cfg, spec=None, fields=None: read_table(store, cfg, spec))
    whole = kpi.read_desk(config, *args)
    assert picked[0].to_dict() == whole[0].to_dict()
    assert picked[0].backlog and picked[0].counts
    assert len(picked[1].columns) < len(whole[1].columns)
