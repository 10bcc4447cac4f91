"""`sheetsync sync` on real workbooks: identity by order_id, people's edits, deletions, duplicates, safety."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet, write_sheet
from desks import OnStore, column_of, fill_of

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.model.cells import CellWrite
from sheetsync.runtime.locks import RunLock
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table
from sheetsync.stores.xlsx.patch import patch_xlsx

H = load_preset("zh")
NOW = dt.datetime(2026, 11, 23, 9, 30)


def edit(config: Config, *writes: CellWrite) -> None:
    """Change cells as a person would, without going through sync."""
    path = config.workbook_path
    tmp = path.with_suffix(".edit.xlsx")
    patch_xlsx(path, tmp, config.table.sheet, list(writes))
    os.replace(tmp, path)


def column(config: Config, field: str) -> list[object]:
    rows = read_sheet(config.workbook_path, config.table.sheet)
    index = rows[0].index(H[field])
    return [row[index] for row in rows[1:]]


def test_rows_added_by_hand_get_an_order_id_and_channel_manual(make_desk: Callable[..., Config], on_store: OnStore) -> None:
    desk = on_store(make_desk([{"order_id": "SS20261120-000001", "channel": "抖音", "customer_name": "王芳"},
                               {"customer_name": "刘洋", "phone": "18688889999"}, {"customer_name": "周敏"}]))
    result = sheetsync.sync(desk.config, now=NOW)
    assert [a["order_id"] for a in result.assigned] == ["SS20261123-000001", "SS20261123-000002"]
    assert column_of(desk, "order_id") == ["SS20261120-000001", "SS20261123-000001", "SS20261123-000002"]
    assert column_of(desk, "channel") == ["抖音", "手工", "手工"]
    assert column_of(desk, "customer_name") == ["王芳", "刘洋", "周敏"]
    assert column_of(desk, "phone")[1] == "18688889999"


def test_order_id_sequence_is_never_reused_even_after_a_deletion(make_desk: Callable[..., Config], on_store: OnStore) -> None:
    desk = on_store(make_desk([{"customer_name": "a"}, {"customer_name": "b"}]))
    sheetsync.sync(desk.config, now=NOW)
    desk.edit(CellWrite(3, 1, None), CellWrite(3, 6, None), CellWrite(3, 2, None))
    desk.edit(CellWrite(4, 6, "c"))
    sheetsync.sync(desk.config, now=NOW + dt.timedelta(days=1))
    assert column_of(desk, "order_id")[0] == "SS20261123-000001"
    assert column_of(desk, "order_id")[-1] == "SS20261124-000003"


def test_a_sync_with_nothing_to_do_does_not_touch_the_workbook(make_desk: Callable[..., Config], on_store: OnStore) -> None:
    desk = on_store(make_desk([{"order_id": "A1", "customer_name": "王芳", "phone": "0571-87654321"}]))
    config = desk.config
    sheetsync.sync(config, now=NOW)
    store = open_store(config)
    before = store.sha256()
    mtime = config.workbook_path.stat().st_mtime_ns if desk.backend == "xlsx" else None
    result = sheetsync.sync(config, now=NOW)
    assert not result.workbook_written
    assert result.changes == [] and result.person_edits == []
    assert store.sha256() == before
    if mtime is not None:
        assert config.workbook_path.stat().st_mtime_ns == mtime


def test_text_keeps_every_digit_and_leading_zero(tmp_path: Path, desk: Path) -> None:
    write_sheet(tmp_path / "desk" / "orders.xlsx", [
        [H["order_id"], H["phone"], H["postcode"], H["channel_order_id"], H["amount_payable"], H["created_at"]],
        ["A1", "0571-87654321", "010010", "6912345678901234567", 2000.5, None],
        ["A2", 13812345678, "000123", "000000000000000042", 0.1, "2026/1/5 13:00"],
    ])
    table = read_table(open_store(load_config(desk)), load_config(desk))
    assert table.frame["phone"].tolist() == ["0571-87654321", "13812345678"]
    assert table.frame["postcode"].tolist() == ["010010", "000123"]
    assert table.frame["channel_order_id"].tolist() == ["6912345678901234567", "000000000000000042"]
    assert table.frame["amount_payable"].tolist() == ["2000.5", "0.1"]
    assert table.frame["created_at"].tolist()[1] == "2026-01-05 13:00:00"


def test_sorting_the_sheet_by_hand_changes_nothing(make_desk: Callable[..., Config]) -> None:
    rows = [{"order_id": f"A{i}", "customer_name": f"客户{i}", "phone": f"1380000000{i}"} for i in range(5)]
    config = make_desk(rows)
    sheetsync.sync(config, now=NOW)
    resorted = make_desk(list(reversed(rows)), name="resorted")
    os.replace(resorted.workbook_path, config.workbook_path)
    result = sheetsync.sync(config, now=NOW)
    assert result.person_edits == [] and result.changes == [] and result.deleted == []
    assert not result.workbook_written


def test_columns_are_found_by_header_wherever_a_person_moved_them(tmp_path: Path, desk: Path) -> None:
    write_sheet(tmp_path / "desk" / "orders.xlsx", [
        ["跟进人", H["customer_name"], H["anomalies"], H["channel"], H["order_id"]],
        ["小李", "王芳", None, None, None],
        ["小张", "李强", None, "抖音", "X1"],
    ])
    config = load_config(desk)
    sheetsync.sync(config, now=NOW)
    rows = read_sheet(config.workbook_path)
    assert rows[1] == ["小李", "王芳", "", "手工", "SS20261123-000001"]
    assert rows[2] == ["小张", "李强", "", "抖音", "X1"]


def test_a_column_a_person_added_is_listed_and_never_touched(make_desk: Callable[..., Config],
                                                             run_cli: Callable[..., CliRun]) -> None:
    config = make_desk([{"customer_name": "王芳", "跟进人": "=1+1 不是公式"}, {"order_id": "B", "跟进人": "0012"}],
                       extra_headers=["跟进人"])
    checked = run_cli("check", "-c", config.source)
    assert checked.code == 0 and "跟进人" in checked.out
    sheetsync.sync(config, now=NOW)
    rows = read_sheet(config.workbook_path)
    assert [r[-1] for r in rows] == ["跟进人", "=1+1 不是公式", "0012"]


def test_a_missing_mapped_header_exits_2_naming_it(tmp_path: Path, run_cli: Callable[..., CliRun]) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    write_sheet(folder / "orders.xlsx", [["大货单号", "客户"], ["A", "王芳"]])
    (folder / "sheetsync.yaml").write_text("table:\n  headers: {preset: zh, order_id: 大货单号, priority: 急件标}\n",
                                           encoding="utf-8")
    result = run_cli("check", "-c", folder / "sheetsync.yaml")
    assert result.code == 2
    assert "急件标" in result.err and "大货单号" not in result.err.split("：", 1)[-1]


def test_team_header_names_work_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    write_sheet(folder / "orders.xlsx", [["大货单号", "急件标", "客户姓名", "渠道"], [None, "红", "王芳", None]])
    (folder / "sheetsync.yaml").write_text("table:\n  headers: {preset: zh, order_id: 大货单号, priority: 急件标}\n",
                                           encoding="utf-8")
    config = load_config(folder / "sheetsync.yaml")
    sheetsync.sync(config, now=NOW)
    assert read_sheet(config.workbook_path)[1] == ["SS20261123-000001", "红", "王芳", "手工"]


def test_header_below_a_title_row_is_found(tmp_path: Path, desk: Path) -> None:
    write_sheet(tmp_path / "desk" / "orders.xlsx", [["2026 年 11 月订单"], [], [H["order_id"], H["customer_name"]],
                                                    [None, "王芳"], ["B", "李强"]], start_row=1)
    config = load_config(desk)
    result = sheetsync.sync(config, now=NOW)
    assert result.rows == 2
    rows = read_sheet(config.workbook_path)  # calamine starts at the title, on sheet row 2
    assert rows[3][:2] == ["SS20261123-000001", "王芳"]
    assert rows[4][:2] == ["B", "李强"]


def test_a_persons_edit_is_journaled_as_person(make_desk: Callable[..., Config], on_store: OnStore) -> None:
    desk = on_store(make_desk([{"order_id": "A1", "phone": "13812345678", "customer_name": "王芳"}]))
    config = desk.config
    sheetsync.sync(config, now=NOW)
    desk.edit(CellWrite(2, 8, "13900001111"))
    result = sheetsync.sync(config, now=NOW)
    assert result.person_edits == [{"order_id": "A1", "field": "phone", "old": "13812345678", "new": "13900001111",
                                    "source": "person"}]
    assert column_of(desk, "phone") == ["13900001111"]
    history = sheetsync.history(config, "A1")
    assert [(h.field, h.old, h.new, h.source) for h in history] == [("phone", "13812345678", "13900001111", "person")]
    assert sheetsync.sync(config, now=NOW).person_edits == []


def test_a_deleted_row_is_reported_once_and_not_recreated(make_desk: Callable[..., Config]) -> None:
    config = make_desk([{"order_id": "A1", "customer_name": "王芳"}, {"order_id": "A2", "customer_name": "李强"}])
    sheetsync.sync(config, now=NOW)
    smaller = make_desk([{"order_id": "A1", "customer_name": "王芳"}], name="smaller")
    os.replace(smaller.workbook_path, config.workbook_path)
    result = sheetsync.sync(config, now=NOW)
    assert result.deleted == ["A2"]
    assert column(config, "order_id") == ["A1"]
    assert sheetsync.sync(config, now=NOW).deleted == []


def test_duplicate_order_ids_are_flagged_on_both_rows_and_neither_is_changed(make_desk: Callable[..., Config],
                                                                           on_store: OnStore) -> None:
    desk = on_store(make_desk([{"order_id": "A1", "customer_name": "王芳"}, {"order_id": "A1", "customer_name": "李强"},
                               {"order_id": "A2", "customer_name": "陈静"}]))
    config = desk.config
    result = sheetsync.sync(config, now=NOW)
    assert result.duplicates == {"A1": [2, 3]}
    anomalies = column_of(desk, "anomalies")
    assert str(anomalies[0]).startswith("DUP_ORDER_ID") and str(anomalies[1]).startswith("DUP_ORDER_ID")
    assert anomalies[2] == ""
    assert column_of(desk, "customer_name") == ["王芳", "李强", "陈静"]
    assert fill_of(desk, 2, "anomalies") == "FFC7CE"
    desk.edit(CellWrite(3, 1, "A3"))
    fixed = sheetsync.sync(config, now=NOW)
    assert fixed.duplicates == {}
    assert column_of(desk, "anomalies") == ["", "", ""]


def test_dry_run_writes_nothing_and_shows_the_changes(make_desk: Callable[..., Config],
                                                      run_cli: Callable[..., CliRun]) -> None:
    config = make_desk([{"customer_name": "王芳"}])
    path = config.workbook_path
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    result = run_cli("sync", "-c", config.source, "--dry-run", "--now", "2026-11-23T09:30")
    assert result.code == 0
    assert "SS20261123-000001" in result.out
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert not config.journal_path.exists()
    assert not (config.state_dir / "backups").exists()


def test_json_output_is_what_the_api_returned(make_desk: Callable[..., Config], run_cli: Callable[..., CliRun]) -> None:
    config = make_desk([{"customer_name": "王芳"}, {"order_id": "A", "customer_name": "李强"}])
    dry = run_cli("sync", "-c", config.source, "--dry-run", "--json", "--now", "2026-11-23T09:30")
    expected = sheetsync.sync(config, dry_run=True, now=NOW).to_dict()
    got = dry.json()
    for key in ("seconds",):
        got.pop(key), expected.pop(key)
    assert got == json.loads(json.dumps(expected, default=str))
    real = run_cli("sync", "-c", config.source, "--json", "--now", "2026-11-23T09:30")
    assert real.code == 0 and real.json()["workbook_written"] is True and real.err == ""
    history = run_cli("history", "SS20261123-000001", "-c", config.source, "--json")
    assert [e["field"] for e in history.json()] == ["order_id", "channel"]


def test_a_second_run_while_one_holds_the_table_exits_4(make_desk: Callable[..., Config],
                                                        run_cli: Callable[..., CliRun]) -> None:
    config = make_desk([{"customer_name": "王芳"}])
    with RunLock(config.state_dir, "zh"):
        result = run_cli("sync", "-c", config.source)
    assert result.code == 4
    assert str(os.getpid()) in result.err


def test_a_lock_left_by_a_dead_run_is_taken_over_and_said_so(make_desk: Callable[..., Config]) -> None:
    config = make_desk([{"customer_name": "王芳"}])
    config.state_dir.mkdir(parents=True, exist_ok=True)
    (config.state_dir / "run.lock.json").write_text(json.dumps({"pid": 999999, "host": "h", "since": "2026-11-23T09:00"}))
    result = sheetsync.sync(config, now=NOW)
    assert any("999999" in n for n in result.notices)
    assert result.workbook_written


@pytest.mark.parametrize("lock_name", ["~$orders.xlsx", ".~lock.orders.xlsx#"])
def test_a_workbook_open_in_excel_or_libreoffice_is_not_written(make_desk: Callable[..., Config],
                                                                run_cli: Callable[..., CliRun], lock_name: str) -> None:
    config = make_desk([{"customer_name": "王芳"}])
    (config.workbook_path.parent / lock_name).write_text("owner")
    before = config.workbook_path.read_bytes()
    result = run_cli("sync", "-c", config.source)
    assert result.code == 4 and lock_name in result.err
    assert config.workbook_path.read_bytes() == before
    forced = run_cli("sync", "-c", config.source, "--force")
    assert forced.code == 0
    assert column(config, "order_id")[0].startswith("SS")


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04 truncated"])
def test_a_corrupt_workbook_exits_6_naming_it(make_desk: Callable[..., Config], run_cli: Callable[..., CliRun],
                                             content: bytes) -> None:
    config = make_desk([{"customer_name": "王芳"}])
    config.workbook_path.write_bytes(content)
    result = run_cli("sync", "-c", config.source)
    assert result.code == 6
    assert "orders.xlsx" in result.err
    assert config.workbook_path.read_bytes() == content


def test_a_missing_sheet_is_a_configuration_error_listing_the_sheets(make_desk: Callable[..., Config],
                                                                      run_cli: Callable[..., CliRun]) -> None:
    config = make_desk([{"customer_name": "王芳"}])
    text = config.source.read_text(encoding="utf-8").replace("sheet: 订单", "sheet: 订单表")
    config.source.write_text(text, encoding="utf-8")
    result = run_cli("sync", "-c", config.source)
    assert result.code == 2 and "订单表" in result.err and "订单" in result.err


def test_backups_keep_the_previous_versions(make_desk: Callable[..., Config]) -> None:
    config = make_desk([{"customer_name": "王芳"}])
    text = config.source.read_text(encoding="utf-8").replace("backups: 10", "backups: 2")
    config.source.write_text(text, encoding="utf-8")
    config = load_config(config.source)
    originals = []
    for i in range(4):
        originals.append(config.workbook_path.read_bytes())
        edit(config, CellWrite(3 + i, 6, f"客户{i}"))
        originals[-1] = config.workbook_path.read_bytes()
        assert sheetsync.sync(config, now=NOW).workbook_written
    backups = sorted((config.state_dir / "backups").glob("orders.*.xlsx"))
    assert len(backups) == 2
    assert backups[-1].read_bytes() == originals[-1]


def test_the_journal_holds_the_exact_hash_of_every_row_it_left(make_desk: Callable[..., Config]) -> None:
    from sheetsync.journal.core import Journal
    from sheetsync.steps.edits import row_hashes
    from sheetsync.stores import open_store

    config = make_desk([{"order_id": f"A{i}", "customer_name": f"客户{i}"} for i in range(5)] + [{"customer_name": "新"}])
    sheetsync.sync(config, now=NOW)
    frame = read_table(open_store(config), config).frame
    expected = dict(zip(frame["order_id"], row_hashes(frame), strict=True))
    with Journal(config.journal_path) as journal:
        assert journal.base_hashes().to_dict() == {k: int(v) for k, v in expected.items()}
    edit(config, CellWrite(2, 6, "客户零"))
    sheetsync.sync(config, now=NOW)
    frame = read_table(open_store(config), config).frame
    with Journal(config.journal_path) as journal:
        assert journal.base_hashes().to_dict() == {k: int(v) for k, v in zip(frame["order_id"], row_hashes(frame), strict=True)}


def test_the_command_flushes_its_output_and_keeps_its_exit_code(desk: Path, tmp_path: Path) -> None:
    """`sheetsync` leaves with os._exit (cli.run): nothing printed may be lost and the code must be kept."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sheetsync", "sync", "-c", str(desk), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["rows"] == 0
    missing = subprocess.run([sys.executable, "-m", "sheetsync", "check", "-c", str(tmp_path / "none.yaml")],
                             capture_output=True, text=True, check=False, env={**os.environ, "SHEETSYNC_LANG": "en"})
    assert missing.returncode == 2 and "not found" in missing.stderr
