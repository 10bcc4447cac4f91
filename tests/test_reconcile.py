"""`sheetsync reconcile`: the sheet against real shop, finance and carrier exports, read-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CliRun
from desks import OnStore
from report_cli import assert_golden, with_report_commands

import sheetsync
from sheetsync.config import Config, load_config
from sheetsync.desk.new import init_desk
from sheetsync.reports.reconcile import KINDS, reconcile
from sheetsync.reports.rejects import csv_safe
from sheetsync.stores import open_store

EXPORTS = Path(__file__).parent / "data" / "exports"
NOW = dt.datetime(2026, 11, 23, 9, 0)
CHANNELS = """
channels:
  - {name: douyin, path: inbox/douyin/*, mapping: douyin}
  - {name: pdd, path: inbox/pdd/*, mapping: pinduoduo}
logistics:
  - {name: sf, path: inbox/sf/*, mapping: sf_waybills}
"""


def d(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0)


# The 抖店 orders of douyin_orders_later.csv as the sheet holds them, with one difference of each kind.
DESK = [
    {"order_id": "A1", "channel": "抖音", "channel_order_id": "6931245078213462188", "created_at": d(19), "customer_name": "张伟",
     "amount_payable": 1099, "amount_paid": 1199, "status": "已完成", "tracking_no": "SF1402345671206"},  # amount
    {"order_id": "A2", "channel": "抖音", "channel_order_id": "6931245078213473384", "created_at": d(18), "customer_name": "马超",
     "amount_payable": 180, "amount_paid": 180, "status": "备货中", "tracking_no": "JDX000123456789"},  # status
    {"order_id": "A3", "channel": "抖音", "channel_order_id": "6931245078213475546", "created_at": d(20), "customer_name": "胡军",
     "amount_payable": 467, "status": "审核中"},  # 审核中 is 待发货 to the shop: no difference
    {"order_id": "A4", "channel": "抖音", "channel_order_id": "6931245078213469905", "created_at": d(19), "customer_name": "周杰",
     "amount_payable": 258, "status": "已发货", "tracking_no": "YT7512345678900"},  # tracking
    {"order_id": "A5", "channel": "抖音", "channel_order_id": "6931245078213464477", "created_at": d(17), "customer_name": "刘洋",
     "phone": "15021457789", "amount_payable": 406, "amount_paid": 406, "status": "已完成", "tracking_no": "SF1401987654320"},
    {"order_id": "A6", "channel": "抖音", "channel_order_id": "6931245078213400000", "created_at": d(20), "customer_name": "吴昊",
     "amount_payable": 88, "status": "待确认"},  # not in the export
    {"order_id": "A6", "channel": "抖音", "channel_order_id": "6931245078213400001", "created_at": d(20), "customer_name": "吴昊",
     "amount_payable": 88, "status": "待确认"},  # the same order_id twice
    {"order_id": "A7", "channel": "抖音", "channel_order_id": "6931245078213464477", "created_at": d(17), "customer_name": "刘洋",
     "amount_payable": 406, "status": "已完成"},  # the same 抖店 order twice
    {"order_id": "SS20261121-000003", "channel": "400电话", "created_at": d(21), "customer_name": "上海明悦汽车配件有限公司",
     "amount_payable": 6060, "amount_paid": 6060, "status": "待确认"},  # finance received only 3000
    {"order_id": "SS20261120-000001", "channel": "400电话", "created_at": d(20), "customer_name": "王建国", "amount_payable": 966,
     "status": "异常关闭"},  # cancelled: finance need not have it
    {"order_id": "B1", "channel": "拼多多", "channel_order_id": "261119-158812345678902", "created_at": d(19),
     "customer_name": "何志强", "amount_payable": 248, "amount_paid": 248, "status": "已完成", "tracking_no": "SF1402345680977"},
]


@pytest.fixture
def desk(make_desk: Callable[..., Config], on_store: OnStore) -> Config:
    """The reconciled desk on the test's store: an .xlsx workbook or a Google Sheet."""
    config = on_store(make_desk(DESK)).config
    with config.source.open("a", encoding="utf-8") as fh:
        fh.write(CHANNELS)
    base = config.base_dir
    for folder, name in (("douyin", "douyin_orders_later.csv"), ("pdd", "pinduoduo_orders.csv"), ("sf", "sf_waybills.xlsx")):
        (base / "inbox" / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(EXPORTS / name, base / "inbox" / folder / name)
    (base / "exports").mkdir()
    shutil.copy(EXPORTS / "finance_export.csv", base / "exports" / "finance_export.csv")
    return load_config(config.source)


SOURCES = ["douyin", "pdd", "sf", "finance=exports/finance_export.csv", "finance_refunds=exports/finance_export.csv"]


def test_every_kind_of_difference_is_found_and_listed_as_the_golden_file(
        desk: Config, run_cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch) -> None:
    with_report_commands(monkeypatch)
    out = desk.base_dir / "对账.csv"
    args = [a for s in SOURCES for a in ("--against", s)]
    result = run_cli("reconcile", "-c", desk.source, *args, "--out", out, "--now", NOW.isoformat())
    assert result.code == 3, result.err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert_golden("reconcile.csv", out.read_text(encoding="utf-8-sig"))
    found = reconcile(desk, SOURCES, now=NOW)
    assert set(found.counts) == set(KINDS)
    by_kind = {k: [d for d in found.differences if d.kind == k] for k in KINDS}
    assert [(d.order_id, d.desk, d.other, d.delta) for d in by_kind["amount"] if d.source == "douyin"] == \
        [("A1", "1099", "1199", "-100")]
    assert [(d.order_id, d.desk, d.other) for d in by_kind["status"]] == [("A2", "备货中", "已完成")]
    assert [(d.order_id, d.desk, d.other) for d in by_kind["tracking"]] == [("A4", "YT7512345678900", "YT7512345678901")]
    payments = [(d.order_id, d.desk, d.other, d.delta) for d in by_kind["payment"]]
    assert ("SS20261121-000003", "6060", "3000", "3060") in payments
    duplicates = {(d.side, d.order_id, d.key) for d in by_kind["duplicate"]}
    assert ("desk", "A6", None) in duplicates and ("desk", "A5, A7", "6931245078213464477") in duplicates
    assert any(d.side == "source" and d.note == "identical_lines" and d.source == "pdd" for d in by_kind["duplicate"])
    missing_on_desk = {(d.source, d.key): d for d in by_kind["missing_on_desk"]}
    assert missing_on_desk[("finance=exports/finance_export.csv", "6.93125E+18")].note == "digits_lost"
    assert ("sf", "SF1402345670001") in missing_on_desk
    assert {d.order_id for d in by_kind["missing_in_source"] if d.source == "douyin"} == {"A6", "A7"}  # A7: a second A5
    assert "SS20261120-000001" not in {d.order_id for d in by_kind["missing_in_source"]}
    totals = {(x.source, x.channel): x for x in found.totals}
    assert totals[("finance=exports/finance_export.csv", "400电话")].difference == "3060"


def test_json_on_stdout_equals_what_the_api_returns(desk: Config, run_cli: Callable[..., CliRun],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with_report_commands(monkeypatch)
    result = run_cli("reconcile", "-c", desk.source, "-a", "douyin", "-a", "sf", "--json", "--now", NOW.isoformat())
    assert result.code == 3
    shown = result.json()
    expected = reconcile(desk, ["douyin", "sf"], now=NOW).to_dict()
    shown.pop("seconds"), expected.pop("seconds")
    assert shown == __import__("json").loads(__import__("json").dumps(expected, ensure_ascii=False, default=str))


def test_reconcile_reads_and_never_writes(desk: Config) -> None:
    sheetsync.sync(desk, now=NOW)  # the journal now exists and the inbox files are recorded as imported
    watched = [p for p in (desk.workbook_path, desk.journal_path, *desk.base_dir.glob("inbox/*/*")) if p.exists()]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in watched}
    mtimes = {p: p.stat().st_mtime_ns for p in watched}
    table = open_store(desk).sha256()  # the workbook's, or the Google Sheet's values
    reconcile(desk, SOURCES, now=NOW)
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in watched} == before
    assert {p: p.stat().st_mtime_ns for p in watched} == mtimes and open_store(desk).sha256() == table


def test_an_export_just_pulled_reconciles_without_difference(tmp_path: Path, run_cli: Callable[..., CliRun],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "pulled"
    init_desk(folder, "zh")
    with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n")
    (folder / "inbox" / "douyin").mkdir(parents=True)
    shutil.copy(EXPORTS / "douyin_orders_later.csv", folder / "inbox" / "douyin")
    config = load_config(folder / "sheetsync.yaml")
    sheetsync.sync(config, now=NOW)
    with_report_commands(monkeypatch)
    result = run_cli("reconcile", "-c", config.source, "--against", "douyin", "--now", NOW.isoformat())
    assert result.code == 0, result.out
    assert reconcile(config, ["douyin"], now=NOW).differences == []


def test_tolerance_takes_small_amount_differences_as_equal(desk: Config) -> None:
    exact = [d for d in reconcile(desk, ["finance=exports/finance_export.csv"], now=NOW).differences if d.kind == "amount"]
    assert [d.delta for d in exact] == ["-100"]
    tolerant = reconcile(desk, ["finance=exports/finance_export.csv"], tolerance=Decimal(100), now=NOW).differences
    assert [d for d in tolerant if d.kind == "amount"] == []


def test_xlsx_output_has_a_summary_and_one_text_sheet_per_kind(desk: Config, run_cli: Callable[..., CliRun],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    with_report_commands(monkeypatch)
    out = desk.base_dir / "out" / "对账.xlsx"
    args = [a for s in SOURCES for a in ("--against", s)]
    assert run_cli("reconcile", "-c", desk.source, *args, "-o", out, "--now", NOW.isoformat()).code == 3
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "来源中缺少", "表格中缺少", "金额不符", "实付实收不符", "状态不符", "运单号不符",
                               "退款不符", "重复", "未读入的行"]
    for sheet in book.worksheets:
        assert {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None} == {"s"}
    amounts = list(book["金额不符"].iter_rows(values_only=True))
    assert amounts[0][0] == "差异" and amounts[1][2] == "A1"


def test_json_output_file_is_the_result(desk: Config) -> None:
    from sheetsync.reports.reconcile_out import write_result

    result = reconcile(desk, ["sf"], now=NOW)
    path = write_result(result, desk.base_dir / "r.json", "zh")
    assert __import__("json").loads(path.read_text(encoding="utf-8"))["counts"] == result.counts


@pytest.mark.parametrize(("value", "written"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+cmd|'/c calc'!A1", "'+cmd|'/c calc'!A1"), ("@x", "'@x"), ("-x", "'-x"),
    ("\t=1", "'\t=1"), ("\r1", "'\r1"), ("-5", "-5"), ("+3.5", "+3.5"), ("+86 138 1234 5678", "+86 138 1234 5678"),
    ("-1e3", "-1e3"), ("王芳", "王芳"), ("", ""),
])
def test_csv_escapes_formula_like_text_but_not_plain_numbers_or_phones(value: str, written: str) -> None:
    assert csv_safe(value) == written


def test_a_source_the_configuration_does_not_know_is_a_usage_error(desk: Config, run_cli: Callable[..., CliRun],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with_report_commands(monkeypatch)
    result = run_cli("reconcile", "-c", desk.source, "--against", "taobao")
    assert result.code == 2 and "taobao" in result.err
    result = run_cli("reconcile", "-c", desk.source, "--against", "finance=exports/nothing-*.csv")
    assert result.code == 2 and "nothing-" in result.err
    result = run_cli("reconcile", "-c", desk.source, "--against", "sf", "--out", desk.base_dir / "r.txt")
    assert result.code == 2


def test_a_corrupt_source_file_exits_6_naming_it(desk: Config, run_cli: Callable[..., CliRun],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with_report_commands(monkeypatch)
    shutil.copy(EXPORTS / "corrupt_export.xlsx", desk.base_dir / "inbox" / "sf" / "broken.xlsx")
    result = run_cli("reconcile", "-c", desk.source, "--against", "sf")
    assert result.code == 6 and "broken.xlsx" in result.err
