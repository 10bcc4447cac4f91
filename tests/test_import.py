"""The legacy import: real messy files in their real encodings into the order table, every row accounted for."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRun, libreoffice_csv, read_sheet
from desks import OnStore

import sheetsync
from sheetsync import load_config
from sheetsync.channels.readers import read_file, sample_file
from sheetsync.config import Config
from sheetsync.desk.new import init_desk
from sheetsync.errors import ConfigError
from sheetsync.importing.importer import ImportResult, import_files
from sheetsync.journal.core import Journal
from sheetsync.reports.rejects import csv_safe
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

LEGACY = Path(__file__).parent / "data" / "legacy"
EXPORTS = Path(__file__).parent / "data" / "exports"
GOLDEN = Path(__file__).parent / "golden"
NOW = dt.datetime(2026, 11, 23, 9, 0)
FILES = sorted(str(p) for p in LEGACY.iterdir() if p.suffix != ".py")
SHOWN = ["order_id", "channel", "channel_order_id", "created_at", "customer_name", "phone", "province", "city", "district",
         "address", "items", "amount_payable", "status", "warehouse", "note"]
POS = str(LEGACY / "pos_2023_gbk.csv")


@pytest.fixture
def desk(tmp_path: Path) -> Config:
    init_desk(tmp_path / "desk", "zh")
    return load_config(tmp_path / "desk" / "sheetsync.yaml")


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, ImportResult, Path]:
    """A desk into which every legacy file was imported once (rejects as CSV); tests only read it."""
    folder = tmp_path_factory.mktemp("legacy") / "desk"
    init_desk(folder, "zh")
    config = load_config(folder / "sheetsync.yaml")
    rejects = folder / "rejects.csv"
    return config, import_files(config, FILES, rejects=rejects, now=NOW), rejects


def rows_of(config: Config) -> list[dict[str, str]]:
    frame = read_table(open_store(config), config).frame
    return [{f: ("" if frame.at[i, f] is None or frame.at[i, f] != frame.at[i, f] else str(frame.at[i, f]))
             for f in SHOWN if f in frame.columns} for i in frame.index]


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; SHEETSYNC_REGOLD=1 writes it instead (then review the diff)."""
    path = GOLDEN / name
    if os.environ.get("SHEETSYNC_REGOLD"):
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_text(encoding="utf-8")


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SHOWN, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def counts(result: ImportResult) -> tuple[int, int, int, int, int]:
    return result.read, result.imported, result.merged, result.duplicate, result.rejected


def by_file(result: ImportResult) -> dict[str, tuple[int, int, int, int, int]]:
    return {f"{Path(f.path).name}{f' [{f.sheet}]' if f.sheet else ''}": (f.read, f.imported, f.merged, f.duplicate, f.rejected)
            for f in result.files}


def test_legacy_files_become_the_golden_rows_and_rejects(everything: tuple[Config, ImportResult, Path]) -> None:
    config, result, rejects = everything
    golden("legacy_import.csv", as_csv(rows_of(config)))
    data = rejects.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    golden("legacy_rejects.csv", data.decode("utf-8-sig").replace(str(LEGACY.resolve()) + os.sep, "").replace("\r\n", "\n"))
    assert result.rejects_file == str(rejects) and result.errors == []


def test_every_file_and_sheet_accounts_for_every_row(everything: tuple[Config, ImportResult, Path]) -> None:
    _, result, _ = everything
    assert by_file(result) == {
        "excel_unicode.txt": (3, 3, 0, 0, 0),
        "float_phones.csv": (5, 4, 0, 0, 1),
        "old_erp.xls [销售单]": (3, 3, 0, 0, 0),
        "orders_two_sheets.xlsx [2023年]": (3, 3, 0, 0, 0),
        "orders_two_sheets.xlsx [2024年]": (2, 1, 0, 1, 0),
        "pos_2023_gbk.csv": (12, 8, 0, 2, 2),
        "shop_export_utf8bom.csv": (4, 3, 0, 1, 0),
        "useless_headers.csv": (5, 5, 0, 0, 0),
    }
    assert counts(result) == (37, 30, 0, 4, 3) and result.balanced
    assert {f.encoding for f in result.files if f.path.endswith((".csv", ".txt"))} == {"gb18030", "utf-8-sig", "utf-16", "utf-8"}


def test_importing_the_same_files_twice_changes_nothing(everything: tuple[Config, ImportResult, Path]) -> None:
    config, first, _ = everything
    before = hashlib.sha256(config.workbook_path.read_bytes()).hexdigest()
    again = import_files(config, FILES, now=NOW + dt.timedelta(hours=1))
    assert counts(again) == (37, 0, first.imported, 4, 3)
    assert not again.workbook_written and hashlib.sha256(config.workbook_path.read_bytes()).hexdigest() == before
    assert sheetsync.sync(config, now=NOW, dry_run=True).changes == []  # a sync after the import has nothing to do


def test_rows_already_in_the_table_are_merged_never_duplicated(make_desk: Callable[..., Config], on_store: OnStore) -> None:
    config = on_store(make_desk([{"order_id": "SS20231231-000001", "channel": "legacy", "channel_order_id": "XS20230105-001",
                                  "customer_name": "王芳", "note": "老顾客，送赠品"}])).config
    result = import_files(config, [POS], now=NOW)
    assert by_file(result)["pos_2023_gbk.csv"] == (12, 7, 1, 2, 2)
    rows = [r for r in rows_of(config) if r["channel_order_id"] == "XS20230105-001"]
    assert len(rows) == 1
    assert rows[0]["order_id"] == "SS20231231-000001" and rows[0]["note"] == "老顾客，送赠品"  # the person's note stays
    assert rows[0]["phone"] == "13812345678" and rows[0]["amount_payable"] == "1299"  # what the sheet lacked is filled


def test_duplicates_are_taken_once_and_a_disagreement_is_reported_and_kept(everything: tuple[Config, ImportResult, Path]) -> None:
    config, result, rejects = everything
    assert result.disagreements_total == 1
    assert result.disagreements == [{"channel": "legacy", "key": "XS20230105-004", "file": str(Path(POS).resolve()), "line": 9,
                                     "first_file": str(Path(POS).resolve()), "first_line": 5,
                                     "fields": {"status": ["已发货", "已完成"]}}]
    with rejects.open(encoding="utf-8-sig") as fh:
        kept = [r for r in csv.DictReader(fh) if r["行号"] == "9"]
    assert kept[0]["原因"].startswith("与 pos_2023_gbk.csv 第 5 行是同一订单") and kept[0]["状态"] == "已完成"
    assert [r["status"] for r in rows_of(config) if r["channel_order_id"] == "XS20230105-004"] == ["已发货"]  # the first taken


def test_phones_stored_as_floats_are_restored_or_flagged_and_a_lost_order_number_rejected(
        everything: tuple[Config, ImportResult, Path]) -> None:
    config, result, rejects = everything
    phones = {r["channel_order_id"]: r["phone"] for r in rows_of(config) if r["channel_order_id"].startswith("F-")}
    # every digit shown: restored; digits lost: the order is taken as it came and flagged, as a sync does
    assert phones == {"F-1": "13812345678", "F-2": "1.38e+10", "F-3": "13912345678", "F-4": "13712345678"}
    frame = read_table(open_store(config), config).frame
    assert "PHONE_INVALID" in str(frame.loc[frame["channel_order_id"] == "F-2", "anomalies"].iloc[0])
    with rejects.open(encoding="utf-8-sig") as fh:
        rejected = {r["行号"]: (r["原因"], r["手机"], r["订单号"]) for r in csv.DictReader(fh)
                    if r["文件"].endswith("float_phones.csv")}
    assert rejected == {"6": ("数字已丢失：订单号 是 6.93125E+18（被表格软件存成了科学计数法）", "13812345679", "6.93125E+18")}
    assert all(result.reasons[reason] == 1 for reason, _, _ in rejected.values())


def test_the_rejects_workbook_is_all_text_and_a_formula_stays_inert(desk: Config) -> None:
    result = import_files(desk, [POS], now=NOW)
    assert result.rejects_file is not None and Path(result.rejects_file).parent == desk.state_dir / "rejects"
    rows = read_sheet(Path(result.rejects_file), "pos_2023_gbk")
    assert [(r[1], r[2][:6]) for r in rows[1:]] == [("10", "缺少订单号（"), ("11", "日期无法识别"), ("9", "与 pos_")]
    assert all(isinstance(v, str) for row in rows for v in row)
    assert '=HYPERLINK("http://example.com","点我")' in rows[1]
    with zipfile.ZipFile(result.rejects_file) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    import openpyxl  # a value a clerk types into an empty cell is text too: every column is formatted as text

    written = openpyxl.load_workbook(result.rejects_file)["pos_2023_gbk"]
    assert any(cell.value is None for row in written.iter_rows(min_row=2) for cell in row)
    as_text = {c for d in written.column_dimensions.values() if d.number_format == "@" for c in range(d.min, d.max + 1)}
    assert as_text >= set(range(1, written.max_column + 1))
    assert all(cell.number_format == "@" for row in written.iter_rows(min_row=2) for cell in row if cell.value is not None)


def test_the_rejects_workbook_opens_in_libreoffice_as_written(soffice: str, tmp_path: Path) -> None:
    """The rows go into the rejects workbook through the in-place writer's bulk path: LibreOffice reads
    every value back as the text it was, edge spaces, a control character and a formula included, on
    each file's sheet."""
    from sheetsync.channels.apply import Reject
    from sheetsync.reports.rejects import write_rejects_xlsx

    odd = ["  两头空格  ", "tab\there", "=HYPERLINK(\"http://x\",\"y\")", "a&b<c>\"d\"", "_x000D_", "行\n换", "0013812345678"]
    rejects = [Reject("/in/one.csv", 2 + i, "原因", {"单号": f"A{i}", "备注": v, "空": None}) for i, v in enumerate(odd)]
    rejects.append(Reject("/in/two.csv", 5, "另一个", {"手机": "+86 138 0000 0000"}))
    book = write_rejects_xlsx(tmp_path / "rejects.xlsx", rejects, "zh")
    assert read_sheet(book, "one")[1:] == [["/in/one.csv", str(2 + i), "原因", f"A{i}", v, ""] for i, v in enumerate(odd)]
    assert read_sheet(book, "two") == [["文件", "行号", "原因", "手机"], ["/in/two.csv", "5", "另一个", "+86 138 0000 0000"]]
    long = write_rejects_xlsx(tmp_path / "long.xlsx", [Reject("/in/one.csv", 2, "原因", {"备注": "长" * 40_000})], "zh")
    assert read_sheet(long, "one")[1][3] == "长" * 32_767  # a cell's limit, as xlsxwriter cut it
    shown = libreoffice_csv(soffice, [book], tmp_path / "lo")[book]
    assert shown[0] == ["文件", "行号", "原因", "单号", "备注", "空"]
    assert shown[1:] == [["/in/one.csv", str(2 + i), "原因", f"A{i}", v, ""] for i, v in enumerate(odd)]


@pytest.mark.parametrize("value, written", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'), ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("\tX", "'\tX"), ("\rX", "'\rX"), ("--加急--", "'--加急--"), ("-￥79.80", "'-￥79.80"),
    ("+86 138 1234 5678", "+86 138 1234 5678"), ("+1 415-555-0134", "+1 415-555-0134"), ("-5", "-5"), ("+3.5", "+3.5"),
    ("-1,299.00", "-1,299.00"), ("王芳", "王芳"), ("", ""),
])
def test_csv_rejects_escape_formulas_but_numbers_and_phones_still_read_correctly(value: str, written: str) -> None:
    assert csv_safe(value) == written


def test_preview_writes_nothing_and_counts_like_the_import(desk: Config) -> None:
    before = desk.workbook_path.read_bytes()
    preview = import_files(desk, [POS], preview=True, now=NOW)
    assert desk.workbook_path.read_bytes() == before and not desk.journal_path.exists()
    assert preview.rejects_file is None and not (desk.state_dir / "rejects").exists()
    assert not preview.estimated and preview.sample[0]["channel_order_id"] == "XS20230105-001"
    assert preview.sample[0]["created_at"] == "2024-01-05 00:00:00" and preview.sample[0]["province"] == "浙江省"
    done = import_files(desk, [POS], now=NOW)
    assert counts(preview) == counts(done)
    assert counts(import_files(desk, [POS], preview=True, now=NOW)) == (12, 0, 8, 2, 2)  # now they would merge


def test_preview_of_a_large_file_samples_it_and_says_the_counts_are_estimates(desk: Config, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines = ["单号,下单时间,手机,金额"] + [f"N{i:07d},2024-01-{1 + i % 28:02d} 10:00,138{i:08d},{i % 500}.00"
                                           for i in range(120_000)]
    lines[5000] = "N0005000,2024-99-99,13800000000,1"  # one bad date: too rare to be sampled reliably
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    assert path.stat().st_size > 4 << 20
    started = time.perf_counter()
    result = import_files(desk, [str(path)], preview=True, now=NOW)
    assert time.perf_counter() - started < 2.0
    assert result.estimated and result.balanced
    assert result.read == 120_000 and 117_000 <= result.imported <= 120_000


def test_sampling_a_large_text_file_gives_exact_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "".join(f"{i},x\n" for i in range(2, 200_002)), encoding="utf-8")
    sample = sample_file(path, head=100, spread=10, rows_each=5, whole_below=1000)[0]
    assert not sample.complete and sample.lines == 200_001
    frame, lines = sample.table.frame, sample.table.lines
    assert all(int(frame.iat[i, 0]) == line for i, line in enumerate(lines) if i > 0)


def test_a_column_naming_the_channel_gives_each_row_its_channel(tmp_path: Path) -> None:
    init_desk(tmp_path / "desk", "zh")
    with (tmp_path / "desk" / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n")
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    import_files(config, [str(LEGACY / "shop_export_utf8bom.csv")], now=NOW)
    channels = {r["channel_order_id"]: r["channel"] for r in rows_of(config)}
    assert channels == {"6931245078213460001": "抖音", "6931245078213460003": "抖音", "6931245078213460002": "拼多多"}
    with Journal(config.journal_path) as journal:  # 抖音 is the desk's douyin channel: its pulls will find these orders
        assert set(journal.natural_keys("douyin")) == {"6931245078213460001", "6931245078213460003"}
        assert set(journal.natural_keys("拼多多")) == {"6931245078213460002"}


def test_a_named_mapping_combines_line_items_as_the_channel_does(desk: Config) -> None:
    result = import_files(desk, [str(EXPORTS / "pos_export.csv")], mapping="pos_csv", now=NOW)
    assert counts(result) == (15, 15, 0, 0, 0)
    rows = rows_of(desk)
    assert len(rows) == 6 and {r["channel"] for r in rows} == {"门店POS"}


def test_a_saved_match_imports_like_the_automatic_one(desk: Config) -> None:
    auto = import_files(desk, [POS], preview=True, save_mapping_as="old_pos", now=NOW)
    assert auto.saved_mapping == str(desk.base_dir / "mappings" / "old_pos.yaml")
    named = import_files(desk, [POS], preview=True, mapping="old_pos", now=NOW)
    assert counts(named) == counts(auto) and named.sample == auto.sample


def test_bad_combinations_of_options_are_usage_errors(desk: Config) -> None:
    with pytest.raises(ConfigError):
        import_files(desk, [POS], mapping="pos_csv", auto=True)
    with pytest.raises(ConfigError):
        import_files(desk, [POS], mapping="pos_csv", save_mapping_as="x")
    with pytest.raises(ConfigError):
        import_files(desk, [POS], rejects=Path("r.txt"))
    with pytest.raises(ConfigError):
        import_files(desk, [str(LEGACY / "nothing-*.csv")])
    with pytest.raises(ConfigError):
        import_files(desk, [POS], mapping="sf_waybills")  # a waybill mapping cannot import orders


def test_json_output_is_what_the_api_returned(desk: Config, run_cli: Callable[..., CliRun]) -> None:
    run = run_cli("import", POS, str(LEGACY / "float_phones.csv"), "-c", desk.source, "--preview", "--json", "--now",
                     "2026-11-23T09:00")
    assert run.code == 0
    api_result = import_files(desk, [POS, str(LEGACY / "float_phones.csv")], preview=True, now=NOW).to_dict()
    printed: dict[str, Any] = run.json()
    assert {k: v for k, v in printed.items() if k != "seconds"} == {k: v for k, v in api_result.items() if k != "seconds"}


def test_an_unreadable_file_exits_6_after_the_others_are_taken(desk: Config, run_cli: Callable[..., CliRun]) -> None:
    run = run_cli("import", str(EXPORTS / "corrupt_export.xlsx"), POS, "-c", desk.source, "--now", "2026-11-23T09:00")
    assert run.code == 6
    assert "corrupt_export.xlsx" in run.err and "读取 12 = 导入 8 + 合并 0 + 重复 2 + 拒收 2" in run.out
    assert len(rows_of(desk)) == 8


def test_usage_errors_exit_2(desk: Config, run_cli: Callable[..., CliRun]) -> None:
    assert run_cli("import", POS, "-c", desk.source, "--mapping", "pos_csv", "--auto").code == 2
    assert run_cli("import", "no-such-*.csv", "-c", desk.source).code == 2


def test_the_report_shows_the_match_and_the_accounting_line(desk: Config, run_cli: Callable[..., CliRun]) -> None:
    run = run_cli("import", str(LEGACY / "useless_headers.csv"), "-c", desk.source, "--preview", "--now", "2026-11-23T09:00")
    assert run.code == 0
    assert "按内容（mobile）" in run.out and "列4" in run.out
    assert "读取 5 = 导入 5 + 合并 0 + 重复 0 + 拒收 0" in run.out


def test_progress_is_reported_file_by_file_and_for_the_write(desk: Config) -> None:
    seen: list[tuple[str, int, int]] = []
    import_files(desk, [POS, str(LEGACY / "float_phones.csv")], now=NOW, progress=lambda *a: seen.append(a))
    assert seen == [("read", 0, 2), ("read", 1, 2), ("read", 2, 2), ("write", 0, 1), ("done", 1, 1)]


def test_workbook_rows_are_numbered_from_the_sheets_first_row(tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "c3.xlsx"))
    sheet = book.add_worksheet("S")
    sheet.write_string(2, 2, "订单号")
    sheet.write_string(3, 2, "A-1")
    book.close()
    table = read_file(tmp_path / "c3.xlsx")[0]
    assert table.lines[table.frame.index[table.frame[2] == "A-1"][0]] == 4


def test_a_file_whose_rows_are_all_rejected_writes_only_the_rejects(desk: Config, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("订单号,下单时间,手机\nB-1,2024-13-45,13812345678\nB-2,not a date,13812345679\n", encoding="utf-8")
    before = desk.workbook_path.read_bytes()
    result = import_files(desk, [str(path)], now=NOW)
    assert counts(result) == (2, 0, 0, 0, 2) and result.run_id is None
    assert desk.workbook_path.read_bytes() == before and result.rejects_file is not None
    assert [r[1] for r in read_sheet(Path(result.rejects_file), "bad")[1:]] == ["2", "3"]


def test_rejects_after_exact_copies_keep_their_line_and_the_values_the_file_had(desk: Config, tmp_path: Path) -> None:
    path = tmp_path / "copies.csv"
    path.write_text("订单号,下单时间,手机\n"
                    "C-1,2024-01-05,13812345670\n"
                    "C-1,2024-01-05,13812345670\n"  # an exact copy: counted, never reported
                    "C-1,2024-01-05,13812345670\n"
                    "C-2,not a date,13812345678.0\n"  # the phone is restored, the row rejected for its date
                    "C-3,2024-01-06,13812345679.0\n", encoding="utf-8")
    result = import_files(desk, [str(path)], now=NOW)
    assert counts(result) == (5, 2, 0, 2, 1)
    rows = read_sheet(Path(result.rejects_file or ""), "copies")
    assert [(r[1], r[3], r[5]) for r in rows[1:]] == [("5", "C-2", "13812345678.0")]
    assert {r["channel_order_id"]: r["phone"] for r in rows_of(desk)} == {"C-1": "13812345670", "C-3": "13812345679"}


@pytest.mark.parametrize("name", ["pos_2023_gbk.csv", "shop_export_utf8bom.csv", "excel_unicode.txt", "float_phones.csv"])
def test_large_text_files_read_streamed_give_what_the_careful_read_gives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetsync.channels import readers

    careful = read_file(LEGACY / name)[0]
    monkeypatch.setattr(readers, "STREAM_FROM", 0)
    streamed = read_file(LEGACY / name)[0]
    assert streamed.frame.equals(careful.frame) and streamed.encoding == careful.encoding
    assert streamed.lines.tolist() == careful.lines.tolist()


def test_exact_copies_are_found_by_hash_and_confirmed_value_by_value() -> None:
    import numpy as np
    import pandas as pd

    from sheetsync.importing import parse as importer_parse

    body = pd.DataFrame({0: ["ab", "a", "ab", None, None, "b"], 1: ["c", "bc", "c", None, "x", "a"]}, dtype="str")
    expected = [False, False, True, False, False, False]
    assert importer_parse._exact_copies(body, importer_parse._row_hashes(body)).tolist() == expected
    # every row given the same hash (a collision): the rows are still told apart by their values
    assert importer_parse._exact_copies(body, np.zeros(len(body), dtype=np.int64)).tolist() == expected


@pytest.mark.parametrize(("lang", "given", "label"), [("zh", None, "历史导入"), ("en", None, "legacy"),
                                                      ("zh", "legacy", "legacy"), ("zh", "门店", "门店")])
def test_imported_rows_are_marked_in_the_sheets_language_unless_a_channel_is_given(
        tmp_path: Path, lang: str, given: str | None, label: str) -> None:
    init_desk(tmp_path / "desk", lang)  # type: ignore[arg-type]
    config = load_config(tmp_path / "desk" / "sheetsync.yaml")
    result = import_files(config, [POS], channel=given, now=NOW)
    assert result.rows_appended == 8
    assert {r["channel"] for r in rows_of(config)} == {label}


def test_orders_imported_under_the_old_legacy_label_are_merged_not_doubled(make_desk: Callable[..., Config]) -> None:
    """A desk that imported before this version marks its rows `legacy`; importing the same file again matches
    them by their shop order numbers (the channel cell either label), and they keep their cell."""
    config = make_desk([{"order_id": f"SS20231231-00000{i}", "channel": "legacy", "channel_order_id": key,
                         "customer_name": "王芳"} for i, key in enumerate(["XS20230105-001", "XS20230105-002"], 1)])
    preview = import_files(config, [POS], preview=True, now=NOW)
    assert by_file(preview)["pos_2023_gbk.csv"][1:3] == (6, 2)
    import_files(config, [POS], now=NOW)
    rows = rows_of(config)
    assert [r["channel_order_id"] for r in rows].count("XS20230105-001") == 1
    assert {r["channel"] for r in rows if r["order_id"].startswith("SS20231231")} == {"legacy"}
    assert {r["channel"] for r in rows if not r["order_id"].startswith("SS20231231")} == {"历史导入"}
