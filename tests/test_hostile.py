"""Hostile input through the console entry point, under a memory limit: the right exit code, a message naming the
file and the fix, bounded memory, and nothing written."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from sheetsync.desk.new import init_desk

LIMIT = 6 * 1024**3
"""6 GB of address space for the command under test (DuckDB reserves some at start; a stray far cell asks 550 GB)."""


def sheetsync(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    env = {**os.environ, "SHEETSYNC_LANG": "zh"}
    return subprocess.run([sys.executable, "-m", "sheetsync", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=limited)


def _stray_cell_book(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("订单")
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    sheet.write_string(1048575, 16383, "x")  # Ctrl+End far away: one stray cell at XFD1048576
    book.close()


def test_a_stray_cell_at_the_end_of_the_order_sheet_is_named_not_a_crash(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    book = tmp_path / "orders.xlsx"
    _stray_cell_book(book, ["订单号", "状态"], [["SS-1", "待确认"]])
    before = book.read_bytes()
    for command in (["sync"], ["check"], ["validate"]):
        run = sheetsync(*command, cwd=tmp_path)
        assert run.returncode == 6, (command, run.returncode, run.stderr[-500:])
        assert "XFD1048576" in run.stderr and "Traceback" not in run.stderr
    assert book.read_bytes() == before


def test_a_stray_cell_in_an_inbox_export_is_named_and_the_other_files_are_taken(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    folder = tmp_path / "inbox" / "shop"
    folder.mkdir(parents=True)
    _stray_cell_book(folder / "a_bad.xlsx", ["订单号", "收货人"], [["P-1", "王芳"]])
    (folder / "b_good.csv").write_text("订单号,收货人\nP-2,李伟\n", encoding="utf-8")
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "shop.yaml").write_text("label: 店\nsheet: 订单\nfields:\n  channel_order_id: 订单号\n"
                                                     "  customer_name: 收货人\n", encoding="utf-8")
    with (tmp_path / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: shop, path: inbox/shop/*, mapping: shop}\n")
    run = sheetsync("sync", cwd=tmp_path)
    assert run.returncode == 6 and "XFD1048576" in run.stderr, run.stderr[-500:]
    assert "P-2" not in run.stderr
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "orders.xlsx")).get_sheet_by_name("订单").to_python()
    assert any("李伟" in [str(v) for v in row] for row in rows)  # the good file was taken
    aside = tmp_path / ".sheetsync" / "set-aside" / "shop" / "a_bad.xlsx"
    assert aside.exists() and not (folder / "a_bad.xlsx").exists()  # set aside: it never blocks the next runs
    assert sheetsync("sync", cwd=tmp_path).returncode == 0
    run = sheetsync("import", str(aside), "--auto", cwd=tmp_path)
    assert run.returncode == 6 and "XFD1048576" in run.stderr
    shutil.rmtree(folder)


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the broken package is made on purpose
def test_a_package_that_is_no_valid_xlsx_is_named_for_what_it_is(tmp_path: Path) -> None:
    import zipfile

    init_desk(tmp_path, "zh")
    book = tmp_path / "orders.xlsx"
    shutil.copy(Path(__file__).parent / "data" / "legacy" / "old_erp.xls", book)  # an .xls under a new name
    run = sheetsync("sync", cwd=tmp_path)
    assert run.returncode == 6 and ".xls" in run.stderr and "另存为 .xlsx" in run.stderr
    book.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    run = sheetsync("sync", cwd=tmp_path)
    assert run.returncode == 6 and "密码" in run.stderr
    init = tmp_path / "adopt"
    init.mkdir()
    shutil.copy(book, init / "team.xlsx")
    run = sheetsync("init", "--from", "team.xlsx", cwd=init)
    assert run.returncode == 6 and "密码" in run.stderr and "Traceback" not in run.stderr
    good = tmp_path / "good.xlsx"
    init_desk(tmp_path / "g", "zh")
    shutil.copy(tmp_path / "g" / "orders.xlsx", good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(book, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")  # a second member of the same name
    run = sheetsync("sync", cwd=tmp_path)
    assert run.returncode == 6 and "同名" in run.stderr


def test_a_yaml_anchor_bomb_or_a_huge_yaml_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    init_desk(tmp_path, "zh")
    config = tmp_path / "sheetsync.yaml"
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    config.write_text(config.read_text(encoding="utf-8") + "\n".join(bomb) + "\n", encoding="utf-8")
    run = sheetsync("check", cwd=tmp_path)
    assert run.returncode == 2 and "别名" in run.stderr
    config.write_text("lang: zh\nrules: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")  # the loader recurses
    run = sheetsync("check", cwd=tmp_path)
    assert run.returncode == 2 and "嵌套" in run.stderr and "sheetsync.yaml:2:" in run.stderr, run.stderr[-500:]
    config.write_text("# " + "x" * (3 * 1024 * 1024) + "\n", encoding="utf-8")
    run = sheetsync("check", cwd=tmp_path)
    assert run.returncode == 2 and "字节" in run.stderr and len(run.stderr) < 2000


def test_a_stray_cell_far_below_a_large_sheet_is_told_from_the_sheets_size(tmp_path: Path) -> None:
    """A sheet part too large to count its cells (past 8 MB): a `<dimension>` reaching row 1,048,576 while the part
    holds about 60,000 rows' worth of XML is a stray cell, named by its row; the same rows without it pass."""
    import zipfile

    from sheetsync.errors import UnreadableInput
    from sheetsync.runtime.extents import check_extents

    def book(path: Path, last: int) -> None:
        rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>订单内容{r}</t></is></c>'
                                                  for c in "ABCDEFGHIJ") + "</row>" for r in range(1, 60_001))
        if last > 60_000:
            rows += f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>x</t></is></c></row>'
        sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                 f'2006/main"><dimension ref="A1:J{last}"/><sheetData>{rows}</sheetData></worksheet>')
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("xl/worksheets/sheet1.xml", sheet)
        with zipfile.ZipFile(path) as package:
            assert package.getinfo("xl/worksheets/sheet1.xml").file_size > 8_000_000

    stray, plain = tmp_path / "stray.xlsx", tmp_path / "plain.xlsx"
    book(stray, 1_048_576)
    book(plain, 60_000)
    with pytest.raises(UnreadableInput) as caught:
        check_extents(stray, "zh")
    assert "1048576" in caught.value.message and "Ctrl+End" in (caught.value.hint or "")
    check_extents(plain, "zh")


def test_rows_that_would_go_past_the_last_row_of_a_sheet_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    from sheetsync.config import load_config
    from sheetsync.errors import UnreadableInput
    from sheetsync.model.cells import AppendBlock
    from sheetsync.stores.xlsx import XlsxStore

    init_desk(tmp_path, "zh")
    book = tmp_path / "orders.xlsx"
    before = book.read_bytes()
    store = XlsxStore(load_config(tmp_path / "sheetsync.yaml"))
    with pytest.raises(UnreadableInput) as caught:
        store.write([], AppendBlock(1_048_576, [1, 2], [["SS-1", "王芳"], ["SS-2", "李伟"]]))
    assert "1,048,576" in caught.value.message
    assert book.read_bytes() == before


def test_an_import_preview_of_a_large_export_refuses_a_line_past_the_bound(tmp_path: Path) -> None:
    """The preview samples a large text file (past 4 MB) instead of reading it whole: the lines it takes are
    bounded all the same, and the full import, reading every line, refuses it too."""
    init_desk(tmp_path, "zh")
    export = tmp_path / "legacy.csv"
    rows = "".join(f"P-{i},客户{i},浙江省杭州市西湖区文三路{i}号\n" for i in range(120_000))
    export.write_text("订单号,收货人,收货地址\nP-x,王芳," + "长" * 800_000 + "\n" + rows, encoding="utf-8")
    assert export.stat().st_size > 4 << 20
    for args in (["import", str(export), "--auto", "--preview"], ["import", str(export), "--auto"]):
        run = sheetsync(*args, cwd=tmp_path)
        assert run.returncode == 6 and "第 2 行" in run.stderr and "1,048,576" in run.stderr, run.stderr[-600:]
