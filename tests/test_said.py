"""What a channel said, kept as a hash (steps/said.py): a record brought again as it was is no news, and leaving it
out of the merge decides exactly what merging it decides."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import read_sheet
from desks import by_channel_order

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.desk.new import init_desk
from sheetsync.journal.core import Journal
from sheetsync.model.cells import CellWrite
from sheetsync.steps.said import fitting, quiet, said_hashes, standing_out
from sheetsync.stores.xlsx.patch import patch_xlsx

EXPORTS = Path(__file__).parent / "data" / "exports"
H = load_preset("zh")
DAY1 = dt.datetime(2026, 11, 21, 8, 0)
DAY2 = dt.datetime(2026, 11, 22, 8, 0)
UNCHANGED = "6931245078213469905"
"""杨磊's order: the same in both exports."""
CHANGED = "6931245078213461021"
"""李娜's order: shipped in the later export."""


def _records(**columns: list[str | None]) -> pd.DataFrame:
    keys = pd.Index([f"K{i}" for i in range(len(next(iter(columns.values()))))], dtype="str")
    return pd.DataFrame({name: pd.Series(values, index=keys, dtype="str") for name, values in columns.items()})


def test_the_hash_is_of_the_fields_by_name_whatever_their_order() -> None:
    one = _records(status=["待发货", "已发货"], phone=["13812345678", None])
    same = one[["phone", "status"]]
    assert (said_hashes(one) == said_hashes(same)).all()
    assert said_hashes(one)[0] != said_hashes(one)[1]
    other = one.assign(status=["待发货", "已完成"])
    assert said_hashes(other)[0] == said_hashes(one)[0] and said_hashes(other)[1] != said_hashes(one)[1]
    more = one.assign(note=pd.Series([None, None], index=one.index, dtype="str"))  # a field more, even empty
    assert (said_hashes(more) != said_hashes(one)).all()
    bookkeeping = one.assign(_line=[3, 4])  # a record's own columns are not what the channel said
    assert (said_hashes(bookkeeping) == said_hashes(one)).all()
    zh, ecommerce = fitting(None, "CN", {"shipped": "已发货"}), fitting(None, "CN", {"shipped": "已发出"})
    assert (said_hashes(one, zh) != said_hashes(one, ecommerce)).all()  # other words for the states: heard anew
    assert (said_hashes(one, zh) == said_hashes(one, fitting(None, "CN", {"shipped": "已发货"}))).all()


def test_a_record_is_quiet_only_with_the_hash_its_known_key_last_said() -> None:
    records = _records(status=["a", "b", "c", "d"])
    hashes = said_hashes(records)
    known = pd.DataFrame({"order_id": pd.array(["O0", "O1", "O2"], dtype="str"),
                          "said": pd.array([hashes[0], hashes[1] + 1, None], dtype="Int64")},
                         index=pd.Index(["K0", "K1", "K2"], dtype="str"))
    still, order_ids = quiet(records.index, hashes, known)
    assert still.tolist() == [True, False, False, False]  # K1 said otherwise, K2's word is forgotten, K3 is new
    assert order_ids.fillna("-").tolist() == ["O0", "O1", "O2", "-"]
    assert standing_out(pd.Series(["O0", "O9"], dtype="str"), pd.Series(["O0", "O1"], dtype="str")) == ["O9"]


@pytest.fixture
def desk(tmp_path: Path) -> Config:
    return _desk(tmp_path / "desk")


def _desk(folder: Path) -> Config:
    init_desk(folder, "zh")
    with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\ntimezone: Asia/Shanghai\n")
    return load_config(folder / "sheetsync.yaml")


def _drop(config: Config, export: str) -> None:
    folder = config.base_dir / "inbox" / "douyin"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXPORTS / export, folder / export)


def _said(config: Config) -> dict[str, int | None]:
    with Journal(config.journal_path) as journal:
        found = journal.said_keys("douyin")
    return {k: (None if pd.isna(v) else int(v)) for k, v in found["said"].items()}


def _edit(config: Config, writes: dict[tuple[str, str], str | None]) -> None:
    """Type into the sheet as a person would: (shop order number, field) -> value."""
    rows = read_sheet(config.workbook_path)
    header = rows[0]
    at = {str(r[header.index(H["channel_order_id"])]): i + 1 for i, r in enumerate(rows)}
    cells = [CellWrite(at[key], header.index(H[name]) + 1, value) for (key, name), value in writes.items()]
    tmp = config.workbook_path.with_suffix(".tmp.xlsx")
    patch_xlsx(config.workbook_path, tmp, "订单", cells)
    os.replace(tmp, config.workbook_path)


def _delete_row(config: Config, key: str) -> None:
    rows = read_sheet(config.workbook_path)
    header = rows[0]
    row = next(i for i, r in enumerate(rows) if str(r[header.index(H["channel_order_id"])]) == key) + 1
    tmp = config.workbook_path.with_suffix(".tmp.xlsx")
    patch_xlsx(config.workbook_path, tmp, "订单", [CellWrite(row, c, None) for c in range(1, len(header) + 1)])
    os.replace(tmp, config.workbook_path)


def test_a_later_export_merges_only_what_it_says_anew_and_keeps_what_it_said(desk: Config) -> None:
    _drop(desk, "douyin_orders.csv")
    sheetsync.sync(desk, now=DAY1)
    first = _said(desk)
    assert first and all(v is not None for v in first.values())  # every order's record is remembered
    _edit(desk, {(UNCHANGED, "status"): "备货中", (UNCHANGED, "phone"): "13900000000"})  # a person's words
    _drop(desk, "douyin_orders_later.csv")
    result = sheetsync.sync(desk, now=DAY2)
    later = _said(desk)
    assert later[UNCHANGED] == first[UNCHANGED] and later[CHANGED] != first[CHANGED]
    row = by_channel_order(desk)[UNCHANGED]
    assert (row["status"], str(row["phone"])) == ("备货中", "13900000000")  # the repeated record took nothing back
    assert not row["anomalies"] or "CONFLICT" not in str(row["anomalies"])  # and raised no conflict
    assert {c["field"] for c in result.changes if c["order_id"] == row["order_id"] and c["source"] == "channel"} == set()
    assert by_channel_order(desk)[CHANGED]["status"] == "已发货"


def _scenario(config: Config, forget: bool) -> tuple[list[list[Any]], list[Any]]:
    """Two exports with a person's edits and a deleted row between them, and edits just before the second;
    `forget`: the journal's hashes are dropped before the second export, so that every record of it is merged."""
    _drop(config, "douyin_orders.csv")
    outcomes: list[Any] = [sheetsync.sync(config, now=DAY1).changes_total]
    _edit(config, {(UNCHANGED, "phone"): "13900000000"})
    _delete_row(config, "6931245078213466630")
    outcomes.append(sheetsync.sync(config, now=DAY1 + dt.timedelta(hours=1)).deleted)
    if forget:
        with Journal(config.journal_path) as journal:
            journal.db.execute("UPDATE natural_keys SET said = NULL")
    _edit(config, {(UNCHANGED, "status"): "备货中", (CHANGED, "status"): "已取消", (CHANGED, "note"): "客户来电"})
    _drop(config, "douyin_orders_later.csv")
    result = sheetsync.sync(config, now=DAY2)
    outcomes += [sorted((c["order_id"], c["field"], c["old"], c["new"], c["source"]) for c in result.changes),
                 sorted(result.not_recreated), result.conflicts,
                 [(f["path"].rsplit("/", 1)[-1], f["new"], f["updated"], f["unchanged"], f["rejected"])
                  for f in result.files]]
    outcomes.append(sheetsync.sync(config, now=DAY2).changes_total)  # and the run after it finds nothing
    with Journal(config.journal_path) as journal:
        outcomes.append(sorted(journal.merge_bases().items()))
        outcomes.append(sorted((f.order_id, f.code, f.field) for f in journal.open_flags()))
    return read_sheet(config.workbook_path), outcomes


def test_leaving_out_what_is_no_news_decides_what_merging_it_decides(tmp_path: Path) -> None:
    quick_sheet, quick = _scenario(_desk(tmp_path / "quick"), forget=False)
    merged_sheet, merged = _scenario(_desk(tmp_path / "merged"), forget=True)
    assert quick == merged
    assert quick_sheet == merged_sheet
    assert quick[3] and quick[4] >= 1  # the scenario has a deleted order brought again and a conflict


def test_a_re_import_of_the_same_file_merges_nothing_and_keeps_a_persons_edit(desk: Config, tmp_path: Path) -> None:
    legacy = tmp_path / "old.csv"
    legacy.write_text("单号,下单时间,客户,手机,地址,金额,状态\n"
                      "A1,2024-01-05 09:00,王芳,13812345678,浙江省杭州市西湖区文三路1号,99.00,已完成\n"
                      "A2,2024-01-06 10:00,李伟,13912345678,上海市徐汇区宜山路700号,59.50,待发货\n", encoding="utf-8")
    first = sheetsync.import_(desk, [str(legacy)], now=DAY1)
    assert (first.imported, first.merged) == (2, 0)
    _edit(desk, {("A1", "customer_name"): "王芳芳"})
    again = sheetsync.import_(desk, [str(legacy)], now=DAY2)
    assert (again.imported, again.merged, again.read) == (0, 2, 2) and again.balanced
    assert by_channel_order(desk)["A1"]["customer_name"] == "王芳芳"
    with Journal(desk.journal_path) as journal:
        assert journal.said_keys("legacy")["said"].notna().all()


LEGACY = ("单号,下单时间,客户,手机,地址,金额,状态\n"
          "A1,2024-01-05 09:00,王芳,13812345678,浙江省杭州市西湖区文三路1号,99.00,已完成\n"
          "A2,2024-01-06 10:00,李伟,13912345678,上海市徐汇区宜山路700号,59.50,待发货\n"
          "A3,2024-01-07 11:00,张敏,13712345678,四川省成都市武侯区玉林路3号,18.00,已发货\n")


def _reimport(folder: Path, legacy: Path, *, calm: bool) -> tuple[Any, bytes, list[str]]:
    """An import, a person deleting one of its orders, cron's syncs, then the same file again; `calm`: the desk's calm
    is kept (else dropped, so that the re-import takes the full path).  The re-import's result, the workbook's bytes
    before it and the commands of the journal's runs."""
    config = _desk(folder)
    assert sheetsync.import_(config, [str(legacy)], now=DAY1).imported == 3
    _delete_row(config, "A2")
    for hour in (1, 2):  # the first records the deletion; the second finds nothing to change: the desk's calm
        sheetsync.sync(config, now=DAY1 + dt.timedelta(hours=hour))
    if not calm:
        with Journal(config.journal_path) as journal:
            journal.db.execute("DELETE FROM run_meta WHERE key = 'calm'")
    workbook = config.workbook_path.read_bytes()
    again = sheetsync.import_(config, [str(legacy)], now=DAY1 + dt.timedelta(hours=3))
    with Journal(config.journal_path) as journal:
        commands = [r[0] for r in journal.db.execute("SELECT command FROM runs ORDER BY id")]
    assert config.workbook_path.read_bytes() == workbook  # nothing to write either way
    return again, workbook, commands


def test_an_import_that_brings_no_news_to_a_calm_desk_rests_and_says_what_the_full_path_says(tmp_path: Path) -> None:
    legacy = tmp_path / "old.csv"
    legacy.write_text(LEGACY, encoding="utf-8")
    rests, _, rested_runs = _reimport(tmp_path / "calm", legacy, calm=True)
    full, _, full_runs = _reimport(tmp_path / "full", legacy, calm=False)
    assert rested_runs[-1] == "sync:untouched" and full_runs[-1] != "sync:untouched"
    assert any(n.startswith("导入的每一条记录都和上次说的一样") for n in rests.notices)
    assert not any(n.startswith("导入的每一条记录") for n in full.notices)
    for result in (rests, full):
        assert (result.read, result.imported, result.merged, result.rejected) == (3, 0, 3, 0) and result.balanced
        assert not result.workbook_written and result.exit_code == 0
    assert rests.run_id is not None


def test_an_import_with_news_takes_the_full_path_on_a_calm_desk(desk: Config, tmp_path: Path) -> None:
    legacy = tmp_path / "old.csv"
    legacy.write_text(LEGACY, encoding="utf-8")
    sheetsync.import_(desk, [str(legacy)], now=DAY1)
    sheetsync.sync(desk, now=DAY1 + dt.timedelta(hours=1))  # calm
    legacy.write_text(LEGACY.replace("18.00,已发货", "18.00,已完成"), encoding="utf-8")
    again = sheetsync.import_(desk, [str(legacy)], now=DAY1 + dt.timedelta(hours=2))
    assert again.workbook_written and (again.imported, again.merged) == (0, 3)
    assert by_channel_order(desk)["A3"]["status"] == "已完成"
    with Journal(desk.journal_path) as journal:
        assert journal.db.execute("SELECT command FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0] != "sync:untouched"


def test_the_lookups_over_an_imports_keys_leave_no_hash_table_on_its_index() -> None:
    """pandas keeps a table of a Python string per label on a text index it looks a label up in (an import's million
    keys: 55 MB for the whole run); the run's lookups go by Arrow and by position instead."""
    from sheetsync.model.normalize import clean_text, restore_digits
    from sheetsync.model.values import among, positions
    from sheetsync.runtime.textops import arrow_of

    keys = pd.Index([f"K{i}" for i in range(1000)], dtype="str")
    column = pd.Series(["1.38e+10", *["x"] * 999], index=keys, dtype="str")
    among(column, pd.Series(["x"], dtype="str"))
    positions(keys, keys)
    arrow_of(column)
    clean_text(column)
    restore_digits(column)
    said_hashes(pd.DataFrame({"status": column}))
    assert "_engine" not in keys._cache  # the table pandas would have kept
