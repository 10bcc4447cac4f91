"""The files around a run, through the console entry point: inboxes given by absolute paths (empty ones
included), and the names of the files a run leaves, all on one clock: the desk's."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import use_workflow

DATA = Path(__file__).parent / "data" / "exports"


def sheetsync(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m sheetsync ARGS` in a fresh process, as cron runs it."""
    return subprocess.run([sys.executable, "-m", "sheetsync", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, check=False, timeout=300)


def _desk(tmp_path: Path, channels: str, timezone: str = "Asia/Shanghai") -> Path:
    made = sheetsync("init", tmp_path / "desk", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    config = tmp_path / "desk" / "sheetsync.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f"timezone: {timezone}\n{channels}")
    return config


def test_an_absolute_inbox_that_matches_nothing_is_an_empty_inbox(tmp_path: Path) -> None:
    empty = tmp_path / "srv" / "exports" / "pdd"
    empty.mkdir(parents=True)
    config = _desk(tmp_path, f"channels:\n  - {{name: pdd, path: '{empty.as_posix()}/*.csv', mapping: pinduoduo}}\n"
                             f"  - {{name: gone, path: '{(tmp_path / 'nowhere').as_posix()}/*/*.csv', mapping: douyin}}\n")
    run = sheetsync("sync", "-c", config, "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["files"] == []
    shutil.copy(DATA / "pinduoduo_orders.csv", empty / "pdd.csv")
    run = sheetsync("sync", "-c", config, "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    files = json.loads(run.stdout)["files"]
    assert [Path(f["path"]).name for f in files] == ["pdd.csv"] and files[0]["new"] > 0


def test_a_runs_backup_and_rejects_file_are_named_on_the_desks_clock(tmp_path: Path) -> None:
    inbox = tmp_path / "desk" / "inbox" / "douyin"
    config = _desk(tmp_path, "channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n",
                   timezone="Pacific/Kiritimati")  # UTC+14: a name in UTC or in this machine's zone differs from it
    inbox.mkdir(parents=True)
    shutil.copy(DATA / "douyin_orders.csv", inbox / "douyin.csv")
    before = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).replace(tzinfo=None, microsecond=0)
    run = sheetsync("sync", "-c", config, "--json", "--now", "2026-01-02T03:04:05", cwd=tmp_path)
    after = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).replace(tzinfo=None)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["workbook_written"] and result["backup"] and result["rejects_file"]
    stamps = []
    for name in (Path(result["backup"]).name, Path(result["rejects_file"]).name):
        found = re.search(r"(\d{8}T\d{6})\d{6}\.xlsx$", name)
        assert found, name
        stamps.append(dt.datetime.strptime(found[1], "%Y%m%dT%H%M%S"))
    assert all(before <= stamp <= after for stamp in stamps), (stamps, before, after)  # not --now, not UTC


def test_a_persons_own_status_word_is_kept_and_flagged_through_the_console(tmp_path: Path) -> None:
    import python_calamine

    from sheetsync.config import load_config
    from sheetsync.model.cells import CellWrite
    from sheetsync.stores import open_store
    from sheetsync.stores.table import read_table

    demo = sheetsync("demo", tmp_path / "d", "--json", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    config_file = tmp_path / "d" / "sheetsync.yaml"
    use_workflow(config_file, "default_zh")
    first = sheetsync("sync", "-c", config_file, "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    config = load_config(config_file)
    store = open_store(config)
    table = read_table(store, config)
    row = int(table.frame.index[table.frame["status"].notna()][0])
    order_id = table.frame.at[row, "order_id"]
    store.write([CellWrite(row, table.columns["status"], "已打包")], header_row=table.header_row)  # a person types it
    second = sheetsync("sync", "-c", config_file, "--json", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["put_back"] == []
    sheet = python_calamine.CalamineWorkbook.from_path(str(config.workbook_path)).get_sheet_by_name("订单").to_python()
    header = sheet[table.header_row - 1]
    line = next(r for r in sheet if r[header.index("订单号")] == order_id)
    assert line[header.index("状态")] == "已打包" and "STATE_UNKNOWN" in str(line[header.index("异常")])


def _same_rows_other_bytes(path: Path, copy: Path) -> None:
    """The same export saved again: the same rows, other line endings (so other bytes: not skipped as seen)."""
    data = path.read_bytes()
    copy.write_bytes(data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n"))


def test_a_shop_repeating_itself_moves_nothing_and_flags_nothing(tmp_path: Path) -> None:
    for preset in ("default_zh", "ecommerce_zh", "default_en"):  # the shop says state keys, each desk writes its words
        desk = tmp_path / preset  # the example desk synced once without a workflow, then under this one
        shutil.copytree(Path(__file__).parent.parent / "example_workbooks" / "demo", desk)
        config = desk / "sheetsync.yaml"
        config.write_text(re.sub(r"(?m)^workflow:.*\n", "", config.read_text(encoding="utf-8")), encoding="utf-8")
        assert sheetsync("sync", "-c", config, "--json", cwd=tmp_path).returncode == 0
        use_workflow(config, preset)
        first = sheetsync("sync", "-c", config, "--json", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        flagged = json.loads(first.stdout)["anomalies"]
        assert json.loads(first.stdout)["moved"] or preset == "default_en", preset  # the workflow moved the orders on
        _same_rows_other_bytes(desk / "inbox" / "douyin" / "douyin_orders.csv", desk / "inbox" / "douyin" / "again.csv")
        again = sheetsync("sync", "-c", config, "--json", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        result = json.loads(again.stdout)
        if preset != "default_zh":  # the demo wrote default_zh's words; the shop's state keys land in this workflow's
            states = {"ecommerce_zh": {"待支付", "已支付", "已分仓", "已打单", "已发货", "已签收", "已关闭"},
                      "default_en": {"Pending", "In review", "Picking", "Shipped", "Done", "Cancelled"}}[preset]
            assert result["put_back"] == [] and result["anomalies"]["STATE_UNKNOWN"] < flagged["STATE_UNKNOWN"]
            assert {c["new"] for c in result["changes"] if c["field"] == "status"} <= states
            continue
        assert result["put_back"] == [] and result["anomalies"] == flagged, (preset, result["put_back"][:3])
        assert result["changes"] == [] and result["changes_total"] == 0, (preset, result["changes"][:3])  # carrier too
        assert [f["rows_read"] for f in result["files"] if f["path"].endswith("again.csv")] == [20]


def test_init_from_a_workbook_with_an_unnamed_column_writes_a_desk_its_own_check_accepts(tmp_path: Path) -> None:
    import xlsxwriter

    book_path = tmp_path / "team" / "orders.xlsx"
    book_path.parent.mkdir()
    book = xlsxwriter.Workbook(str(book_path))
    sheet = book.add_worksheet("订单")
    rows = [["订单编号", "下单时间", "客户姓名", "手机", ""],  # the last column's header cell is empty
            ["A-1001", "2026-11-20 10:00:00", "王芳", "13812345678", "浙江省杭州市西湖区文三路90号"],
            ["A-1002", "2026-11-21 11:30:00", "李雷", "13912345678", "江苏省南京市鼓楼区北京西路6号"],
            ["A-1003", "2026-11-22 09:15:00", "韩梅梅", "13712345678", "广东省广州市天河区体育西路1号"]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                sheet.write_string(r, c, value)
    book.close()
    adopted = sheetsync("init", "--from", book_path, "--add-columns", "--json", cwd=tmp_path)
    assert adopted.returncode == 0, adopted.stderr
    config_text = (book_path.parent / "sheetsync.yaml").read_text(encoding="utf-8")
    assert "'#" not in config_text and '"#' not in config_text
    checked = sheetsync("check", "-c", book_path.parent / "sheetsync.yaml", "--json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["absent"] == []
    synced = sheetsync("sync", "-c", book_path.parent / "sheetsync.yaml", "--json", cwd=tmp_path)
    assert synced.returncode == 0, synced.stderr
