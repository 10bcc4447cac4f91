"""patch_xlsx on real workbooks: only the written cells change, every other part survives byte for byte.

Inputs: tests/data/features_xlsxwriter.xlsx (made by tests/data/make_feature_workbook.py),
tests/data/libreoffice_saved.xlsx (saved by LibreOffice), and small packages crafted here
for the cases those writers never produce (namespace prefixes, rows without `r`, shared
formulas, ZIP64).  Values are read back with python-calamine and with a real LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from xlsx_fixtures import (
    DECL,
    MAIN,
    RELS,
    build_package,
    cell_style,
    cell_xml,
    libreoffice_csv,
    local_extra_ids,
    part,
    raw_records,
    repack_zip64,
    rows_by_number,
    values,
)

from sheetsync.errors import UnreadableInput
from sheetsync.model.cells import KEEP, AppendBlock, CellWrite
from sheetsync.stores.xlsx.cells import col_letters
from sheetsync.stores.xlsx.patch import PatchStats, last_row_of, patch_xlsx
from sheetsync.stores.xlsx.ranges import extend_ranges
from sheetsync.stores.xlsx.sheet import SheetPatcher
from sheetsync.stores.xlsx.styles import StyleBook

DATA = Path(__file__).parent / "data"
FEATURES = DATA / "features_xlsxwriter.xlsx"
LIBREOFFICE = DATA / "libreoffice_saved.xlsx"
ORDERS = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"

FEATURE_WRITES = [
    CellWrite(3, 6, "=1+2"),
    CellWrite(4, 3, 123.45),
    CellWrite(5, 4, dt.datetime(2026, 12, 24, 18, 30)),
    CellWrite(6, 5, "退款", "FFC7CE"),
    CellWrite(7, 2, "+86 138 0013 8000"),
    CellWrite(8, 6, "-5"),
    CellWrite(9, 6, "@x"),
    CellWrite(10, 6, "\tx"),
    CellWrite(11, 7, 1),
    CellWrite(12, 1, KEEP, "ffc7ce"),
    CellWrite(12, 6, None),
    CellWrite(22, 1, "SS20261102-000021"),
    CellWrite(22, 2, "013800000021"),
    CellWrite(22, 3, Decimal("1234.50")),
    CellWrite(22, 4, dt.datetime(2026, 11, 30, 8, 15)),
    CellWrite(22, 5, "待发货"),
    CellWrite(23, 1, "SS20261102-000022"),
    CellWrite(23, 2, "000123"),
    CellWrite(23, 3, 7),
    CellWrite(23, 4, dt.date(2026, 12, 1)),
    CellWrite(23, 5, "已发货", "C6EFCE"),
]
TABLE_WRITES = [
    CellWrite(2, 3, 88),
    CellWrite(22, 1, "SS20261102-000021"),
    CellWrite(22, 3, 10.5),
    CellWrite(23, 1, "SS20261102-000022"),
    CellWrite(23, 2, "013800000022"),
]
LIBREOFFICE_WRITES = [
    CellWrite(3, 3, 99),
    CellWrite(4, 5, "已签收", "FFEB9C"),
    CellWrite(22, 1, "SS20261102-000021"),
    CellWrite(22, 2, "013900000021"),
    CellWrite(22, 3, 50),
    CellWrite(22, 4, dt.datetime(2026, 12, 1, 10, 0)),
]

BLOCK = AppendBlock(
    22,
    [1, 2, 3, 4, 5, 6],
    [
        ["SS20261102-000021", "013800000021", Decimal("1234.50"), dt.datetime(2026, 11, 30, 8, 15), "待发货", "=1+2"],
        ["SS20261102-000022", "000123", 7, dt.date(2026, 12, 1), "已发货", None],
        ["SS20261102-000023", None, 2.5, None, 'a<b & "c"', "x\x01y_x000D_"],
    ],
)
BLOCK_WRITES = [CellWrite(3, 3, 77.5), CellWrite(23, 5, KEEP, "C6EFCE"), CellWrite(24, 2, "覆盖", "FFC7CE")]

PREFIXED_SHEET = (
    DECL + f'<x:worksheet xmlns:x="{MAIN}" xmlns:r="{RELS}"><x:dimension ref="A1:C4"/><x:sheetData>'
    '<x:row><x:c t="inlineStr"><x:is><x:t>订单号</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>手机</x:t></x:is>'
    '</x:c><x:c t="inlineStr"><x:is><x:t>金额</x:t></x:is></x:c></x:row>\n'
    '<x:row><x:c t="inlineStr"><x:is><x:t>A2</x:t></x:is></x:c><x:c s="1" t="inlineStr"><x:is><x:t>0138</x:t>'
    '</x:is></x:c><x:c s="1"><x:v>1.5</x:v></x:c></x:row>\n'
    '<x:row r="3"/>\n'
    '<x:row spans="1:3" r="4"><x:c r="A4" t="inlineStr"><x:is><x:t>A4</x:t></x:is></x:c><x:c r="C4" s="1">'
    "<x:v>3</x:v></x:c>"
    '</x:row>\n</x:sheetData><x:autoFilter ref="A1:C4"/></x:worksheet>'
)
PREFIXED_STYLES = (
    DECL + f'<x:styleSheet xmlns:x="{MAIN}"><x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="0.0"/>'
    '</x:numFmts><x:fonts count="1"><x:font><x:sz val="11"/><x:name val="Calibri"/></x:font></x:fonts>'
    '<x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill><x:fill><x:patternFill '
    'patternType="gray125"/></x:fill></x:fills><x:borders count="1"><x:border/></x:borders>'
    '<x:cellStyleXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></x:cellStyleXfs>'
    '<x:cellXfs count="2"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<x:xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></x:cellXfs>'
    '<x:cellStyles count="1"><x:cellStyle name="Normal" xfId="0" builtinId="0"/></x:cellStyles>'
    '<x:dxfs count="1"><x:dxf><x:fill><x:patternFill><x:bgColor rgb="FFFF0000"/></x:patternFill></x:fill></x:dxf>'
    '</x:dxfs><x:extLst><x:ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:slicerStyles defaultSlicerStyle="SlicerStyleLight1"/></x:ext></x:extLst></x:styleSheet>'
)
PREFIXED_WRITES = [
    CellWrite(2, 3, 9.75),
    CellWrite(2, 5, "new"),
    CellWrite(3, 2, "x"),
    CellWrite(4, 2, "mid", "FFFF00"),
    CellWrite(4, 3, dt.date(2026, 1, 2)),
    CellWrite(6, 1, "A6"),
]


def shared_formula_sheet(si_ref: str = "D2:D6") -> str:
    rows = []
    for r in range(2, 7):
        formula = f'<f t="shared" ref="{si_ref}" si="0">B2*2</f>' if r == 2 else '<f t="shared" si="0"/>'
        rows.append(f'<row r="{r}"><c r="B{r}"><v>{r}</v></c><c r="D{r}">{formula}<v>{2 * r}</v></c></row>')
    return DECL + f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'


@dataclass(frozen=True)
class Patched:
    src: Path
    out: Path
    sheet: str
    stats: PatchStats


@pytest.fixture(scope="session")
def patched(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Patched]:
    """Every scenario patched once; the LibreOffice test opens them all in one run."""
    root = tmp_path_factory.mktemp("patched")
    prefixed = root / "prefixed_src.xlsx"
    build_package(prefixed, PREFIXED_SHEET, PREFIXED_STYLES)
    zip64 = root / "zip64_src.xlsx"
    repack_zip64(FEATURES, zip64)
    shared = root / "shared_src.xlsx"
    build_package(shared, shared_formula_sheet())
    shuffled = FEATURE_WRITES[:]
    random.Random(7).shuffle(shuffled)
    scenarios = {
        "features": (FEATURES, "订单", shuffled),
        "table": (FEATURES, "订单表", TABLE_WRITES),
        "libreoffice": (LIBREOFFICE, "订单", LIBREOFFICE_WRITES),
        "prefixed": (prefixed, "订单", PREFIXED_WRITES),
        "zip64": (zip64, "订单", [CellWrite(2, 6, "改"), CellWrite(22, 1, "SS20261102-000021")]),
        "shared": (shared, "订单", [CellWrite(2, 4, "手工")]),
    }
    out = {}
    for name, (src, sheet, writes) in scenarios.items():
        target = root / f"{name}.xlsx"
        out[name] = Patched(src, target, sheet, patch_xlsx(src, target, sheet, writes))
    target = root / "block.xlsx"
    out["block"] = Patched(FEATURES, target, "订单", patch_xlsx(FEATURES, target, "订单", BLOCK_WRITES, appends=BLOCK))
    return out


@pytest.fixture(scope="session")
def libreoffice(patched: dict[str, Patched], tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[list[str]]]:
    """(scenario, sheet) -> rows as LibreOffice shows them after opening the patched file."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    books = {p.out: name for name, p in patched.items()}
    csv = libreoffice_csv(soffice, list(books), tmp_path_factory.mktemp("lo"))
    return {(books[book], sheet): rows for (book, sheet), rows in csv.items()}


def untouched_members_identical(p: Patched) -> None:
    before, after = raw_records(p.src), raw_records(p.out)
    assert list(before) == list(after), "member order changed"
    for name in before:
        if name not in p.stats.parts_rewritten:
            assert after[name] == before[name], f"{name} was not copied byte for byte"


# --- the feature-rich XlsxWriter workbook -------------------------------------------------


def test_only_the_order_sheet_and_styles_are_rewritten_and_all_else_is_copied_raw(
    patched: dict[str, Patched],
) -> None:
    p = patched["features"]
    assert p.stats.parts_rewritten == (ORDERS, "xl/workbook.xml", STYLES)
    untouched_members_identical(p)
    assert part(p.out, "xl/sharedStrings.xml") == part(FEATURES, "xl/sharedStrings.xml")
    # XlsxWriter sets fullCalcOnLoad; the one change: the autofilter's hidden name grows with the appended rows
    assert _filter_database_grown(part(FEATURES, "xl/workbook.xml"), part(p.out, "xl/workbook.xml"), 21, 23)
    assert zipfile.ZipFile(p.out).testzip() is None
    assert (p.stats.old_last_row, p.stats.new_last_row, p.stats.rows_appended) == (21, 23, 2)
    assert p.stats.cells_written == len(FEATURE_WRITES)


def _filter_database_grown(before: bytes, after: bytes, old_last: int, new_last: int) -> bool:
    """`after` is `before` with the `_xlnm._FilterDatabase` range ending at `new_last` instead of `old_last`."""
    name = re.compile(rb"(_xlnm\._FilterDatabase[^>]*>[^<]*\$)(\d+)(<)")
    found = name.search(before)
    return found is not None and int(found[2]) == old_last and \
        name.sub(lambda m: m[1] + str(new_last).encode() + m[3], before) == after


def test_rows_without_writes_keep_their_exact_bytes(patched: dict[str, Patched]) -> None:
    p = patched["features"]
    before, after = rows_by_number(part(FEATURES, ORDERS)), rows_by_number(part(p.out, ORDERS))
    for row in [1, 2, *range(13, 22)]:
        assert after[row] == before[row]
    assert sorted(after) == list(range(1, 24))


def test_every_feature_of_the_sheet_survives(patched: dict[str, Patched]) -> None:
    xml = part(patched["features"].out, ORDERS)
    etree.fromstring(xml)
    for marker in [
        b'<pane ySplit="1"',
        b'hidden="1"',
        b'<mergeCell ref="J1:L1"/>',
        b'<drawing r:id="rId1"/>',
        b'<legacyDrawing r:id="rId2"/>',
        b"<x14:sparklineGroups",
        b"<x14:dataValidation ",
        b"<dataValidations",
        b"<conditionalFormatting",
        b"<x14:dataBar",
        b"<extLst>",
        b"<xm:f>\xe8\xae\xa2\xe5\x8d\x95!C2:C21</xm:f><xm:sqref>K3</xm:sqref>",
    ]:
        assert marker in xml, marker


def test_ranges_ending_at_the_last_row_grow_with_appended_rows(patched: dict[str, Patched]) -> None:
    xml = part(patched["features"].out, ORDERS)
    assert b'<dimension ref="A1:L23"/>' in xml
    assert b'<autoFilter ref="A1:H23"/>' in xml
    assert b'<conditionalFormatting sqref="C2:C23">' in xml
    assert b'<conditionalFormatting sqref="E2:E23">' in xml
    assert b'sqref="E2:E23"><formula1>' in xml
    assert b"<xm:sqref>C2:C23</xm:sqref>" in xml  # 2010 data bar
    assert b"<xm:sqref>F2:F23</xm:sqref>" in xml  # 2010 validation
    assert b"<xm:sqref>K3</xm:sqref>" in xml  # a sparkline's cell is not a range of rows


def test_text_is_always_text_never_a_formula(patched: dict[str, Patched]) -> None:
    xml = part(patched["features"].out, ORDERS)
    for ref in ["F3", "B7", "F8", "F9", "F10", "B23"]:
        cell = cell_xml(xml, ref)
        assert b't="inlineStr"' in cell and b"<f" not in cell
    assert b"<f" not in cell_xml(xml, "G11")
    rows = values(patched["features"].out, "订单")
    assert rows[2][5] == "=1+2"
    assert rows[6][1] == "+86 138 0013 8000"
    assert [rows[7][5], rows[8][5], rows[9][5]] == ["-5", "@x", "\tx"]
    assert rows[1][1] == "013800000001" and rows[22][1] == "000123"


def test_numbers_dates_and_appended_rows_read_back(patched: dict[str, Patched]) -> None:
    rows = values(patched["features"].out, "订单")
    assert rows[3][2] == 123.45
    assert rows[4][3] == dt.datetime(2026, 12, 24, 18, 30)
    assert rows[5][4] == "退款"
    assert rows[10][6] == 1
    assert rows[11][5] == ""
    assert rows[21][:5] == ["SS20261102-000021", "013800000021", 1234.5, dt.datetime(2026, 11, 30, 8, 15), "待发货"]
    assert rows[22][:5] == ["SS20261102-000022", "000123", 7, dt.date(2026, 12, 1), "已发货"]
    assert b"<v>1234.50</v>" in part(patched["features"].out, ORDERS)


def test_appended_rows_are_formatted_like_the_last_row(patched: dict[str, Patched]) -> None:
    before, after = part(FEATURES, ORDERS), part(patched["features"].out, ORDERS)
    for col in "ABCDFGH":
        assert cell_style(after, f"{col}22") == cell_style(before, f"{col}21"), col
    assert cell_xml(after, "H22") == b'<c r="H22" s="%d"/>' % cell_style(before, "H21")


def test_fills_are_added_once_and_reused(patched: dict[str, Patched]) -> None:
    p = patched["features"]
    sheet, styles = part(p.out, ORDERS), etree.fromstring(part(p.out, STYLES))
    ns = {"m": MAIN}
    xfs = styles.findall("m:cellXfs/m:xf", ns)
    fills = styles.findall("m:fills/m:fill", ns)
    assert styles.find("m:cellXfs", ns).get("count") == str(len(xfs))
    assert styles.find("m:fills", ns).get("count") == str(len(fills))
    before_fills = len(etree.fromstring(part(FEATURES, STYLES)).findall("m:fills/m:fill", ns))
    assert len(fills) == before_fills + 2  # FFC7CE (used twice) and C6EFCE

    def fill_rgb(ref: str) -> str:
        xf = xfs[cell_style(sheet, ref)]
        assert xf.get("applyFill") == "1"
        return fills[int(xf.get("fillId"))].find("m:patternFill/m:fgColor", ns).get("rgb")

    assert fill_rgb("E6") == fill_rgb("A12") == "FFFFC7CE"
    assert fill_rgb("E23") == "FFC6EFCE"
    assert xfs[cell_style(sheet, "A12")].get("borderId") == xfs[cell_style(before := part(FEATURES, ORDERS), "A12")].get(
        "borderId"
    )
    assert cell_style(sheet, "D5") == cell_style(before, "D5")  # already a date format: kept


# --- a table, a LibreOffice file, a hand-made prefixed sheet, ZIP64 ----------------------


def test_a_table_ending_at_the_last_row_grows_with_it(patched: dict[str, Patched]) -> None:
    p = patched["table"]
    assert p.stats.parts_rewritten == ("xl/worksheets/sheet2.xml", "xl/tables/table1.xml")
    untouched_members_identical(p)
    table = part(p.out, "xl/tables/table1.xml")
    assert b'ref="A1:G23"' in table and b'<autoFilter ref="A1:G23"/>' in table
    assert b'<tableParts count="1">' in part(p.out, "xl/worksheets/sheet2.xml")
    assert b'<conditionalFormatting sqref="C2:C23">' in part(p.out, "xl/worksheets/sheet2.xml")
    rows = values(p.out, "订单表")
    assert rows[1][2] == 88 and rows[21][0] == "SS20261102-000021" and rows[22][1] == "013800000022"


def test_a_libreoffice_file_is_patched_and_asked_to_recalculate(patched: dict[str, Patched]) -> None:
    p = patched["libreoffice"]
    assert p.stats.parts_rewritten == ("xl/workbook.xml", STYLES, ORDERS)
    untouched_members_identical(p)
    workbook_before, workbook_after = part(LIBREOFFICE, "xl/workbook.xml"), part(p.out, "xl/workbook.xml")
    assert _filter_database_grown(workbook_before, workbook_after.replace(b' fullCalcOnLoad="1"', b""), 21, 22)
    assert b'fullCalcOnLoad="1"' in workbook_after.split(b"<calcPr", 1)[1]
    xml = part(p.out, ORDERS)
    assert b'<autoFilter ref="A1:F22"></autoFilter>' in xml and b'sqref="E2:E22"' in xml
    rows = values(p.out, "订单")
    assert rows[2][2] == 99 and rows[3][4] == "已签收"
    assert rows[21][:4] == ["SS20261102-000021", "013900000021", 50, dt.datetime(2026, 12, 1, 10, 0)]


def test_a_sheet_with_a_namespace_prefix_and_implied_positions(patched: dict[str, Patched]) -> None:
    p = patched["prefixed"]
    xml = part(p.out, ORDERS)
    etree.fromstring(xml)
    assert re.search(rb"<(c|row|v|is|t|f)[\s>/]", xml) is None, "an element lost its prefix"
    assert b'<x:row r="3"><x:c r="B3" s="1" t="inlineStr">' in xml  # a cell made in an empty row: formatted as above
    assert b'<x:c r="A4" t="inlineStr"><x:is><x:t>A4</x:t></x:is></x:c><x:c r="B4"' in xml  # inserted in order
    assert b'<x:autoFilter ref="A1:C6"/>' in xml and b'<x:dimension ref="A1:E6"/>' in xml
    assert values(p.out, "订单") == [
        ["订单号", "手机", "金额", "", ""],
        ["A2", "0138", 9.75, "", "new"],
        ["", "x", "", "", ""],
        ["A4", "mid", dt.date(2026, 1, 2), "", ""],
        ["", "", "", "", ""],
        ["A6", "", "", "", ""],
    ]
    styles = part(p.out, STYLES)
    root = etree.fromstring(styles)
    assert [etree.QName(e).localname for e in root] == [
        "numFmts",
        "fonts",
        "fills",
        "borders",
        "cellStyleXfs",
        "cellXfs",
        "cellStyles",
        "dxfs",
        "extLst",
    ]
    assert b'<x:numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>' in styles
    assert b'<x:fills count="3">' in styles and b'<x:cellXfs count="4">' in styles
    assert b"<fill" not in styles and b"<xf " not in styles


def test_zip64_members_are_copied_raw_and_stay_readable(patched: dict[str, Patched]) -> None:
    p = patched["zip64"]
    assert 0x0001 in local_extra_ids(p.src, "xl/sharedStrings.xml")
    untouched_members_identical(p)
    assert zipfile.ZipFile(p.out).testzip() is None
    rows = values(p.out, "订单")
    assert rows[1][5] == "改" and rows[21][0] == "SS20261102-000021"


def test_overwriting_a_shared_formula_master_hands_the_formula_on(patched: dict[str, Patched]) -> None:
    xml = part(patched["shared"].out, ORDERS)
    assert b'<c r="D2" t="inlineStr">' in xml and xml.count(b"<f") == 4
    assert b'<c r="D3"><f t="shared" ref="D3:D6" si="0">B3*2</f><v>6</v></c>' in xml
    assert b'<c r="D4"><f t="shared" si="0"/><v>8</v></c>' in xml


@pytest.mark.parametrize(
    ("writes", "master"),
    [
        ([CellWrite(2, 4, 1), CellWrite(3, 4, 2)], b'<c r="D4"><f t="shared" ref="D4:D6" si="0">B4*2</f>'),
        ([CellWrite(2, 4, KEEP, "FFC7CE")], b'<f t="shared" ref="D2:D6" si="0">B2*2</f>'),
        ([CellWrite(2, 4, 1), CellWrite(3, 4, KEEP, "FFC7CE")], b'<f t="shared" ref="D3:D6" si="0">B3*2</f>'),
    ],
)
def test_the_next_dependent_that_keeps_its_formula_becomes_the_master(
    tmp_path: Path, writes: list[CellWrite], master: bytes
) -> None:
    src = tmp_path / "shared.xlsx"
    build_package(src, shared_formula_sheet(), PREFIXED_STYLES.replace("x:", "").replace("xmlns:x=", "xmlns="))
    patch_xlsx(src, tmp_path / "out.xlsx", "订单", writes)
    assert master in part(tmp_path / "out.xlsx", ORDERS)


@pytest.mark.libreoffice
def test_libreoffice_opens_every_patched_file_with_the_expected_values(
    libreoffice: dict[tuple[str, str], list[list[str]]],
) -> None:
    orders = libreoffice[("features", "订单")]
    assert orders[2][5] == "=1+2" and orders[6][1] == "+86 138 0013 8000" and orders[8][5] == "@x"
    assert orders[3][2] == "123.45" and orders[3][6] == "139.50"  # the person's formula recalculated
    assert orders[4][3] == "2026-12-24 18:30"
    assert orders[21][:5] == ["SS20261102-000021", "013800000021", "1,234.50", "2026-11-30 08:15", "待发货"]
    assert orders[22][:5] == ["SS20261102-000022", "000123", "7.00", "2026-12-01 00:00", "已发货"]
    table = libreoffice[("table", "订单表")]
    assert table[1][2] == "88.00" and table[22][:2] == ["SS20261102-000022", "013800000022"]
    lo = libreoffice[("libreoffice", "订单")]
    assert lo[2][2] == "99.00" and lo[2][5] == "111.87"
    assert lo[21][:4] == ["SS20261102-000021", "013900000021", "50.00", "2026-12-01 10:00"]
    assert libreoffice[("libreoffice", "汇总")][0][1] != ""
    prefixed = libreoffice[("prefixed", "订单")]
    assert prefixed[1] == ["A2", "0138", "9.8", "", "new"] and prefixed[3][:3] == ["A4", "mid", "2026-01-02"]
    assert libreoffice[("zip64", "订单")][1][5] == "改"
    assert [row[3] for row in libreoffice[("shared", "订单")][1:]] == ["手工", "6", "8", "10", "12"]
    block = libreoffice[("block", "订单")]
    assert block[2][2] == "77.50"
    assert block[21][:6] == ["SS20261102-000021", "013800000021", "1,234.50", "2026-11-30 08:15", "待发货", "=1+2"]
    assert block[22][:5] == ["SS20261102-000022", "000123", "7.00", "2026-12-01 00:00", "已发货"]
    assert block[23][:6] == ["SS20261102-000023", "覆盖", "2.50", "", 'a<b & "c"', "x\x01y_x000D_"]


# --- more behaviour on small files ------------------------------------------------------


def test_styles_stay_byte_identical_when_no_new_format_is_needed(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    stats = patch_xlsx(FEATURES, out, "订单", [CellWrite(2, 6, "文本"), CellWrite(3, 4, dt.datetime(2026, 1, 1))])
    assert stats.parts_rewritten == (ORDERS,)
    assert part(out, STYLES) == part(FEATURES, STYLES)


def test_a_date_in_a_cell_without_a_date_format_gets_one(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    patch_xlsx(FEATURES, out, "订单", [CellWrite(2, 6, dt.datetime(2026, 1, 2, 3, 4)), CellWrite(3, 6, dt.date(2026, 1, 2))])
    styles = etree.fromstring(part(out, STYLES))
    ns = {"m": MAIN}
    codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.findall("m:numFmts/m:numFmt", ns)}
    xfs = styles.findall("m:cellXfs/m:xf", ns)
    sheet = part(out, ORDERS)
    assert codes[xfs[cell_style(sheet, "F2")].get("numFmtId")] == "yyyy-mm-dd hh:mm"
    assert codes[xfs[cell_style(sheet, "F3")].get("numFmtId")] == "yyyy-mm-dd"
    rows = values(out, "订单")
    assert rows[1][5] == dt.datetime(2026, 1, 2, 3, 4) and rows[2][5] == dt.date(2026, 1, 2)


def test_control_characters_are_escaped_and_read_back(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    text = "a\x00b\x01c\rd\ne_x000D_f"
    patch_xlsx(FEATURES, out, "订单", [CellWrite(2, 6, text)])
    cell = cell_xml(part(out, ORDERS), "F2")
    assert b"_x0000_" in cell and b"_x000D_" in cell and b"_x005F_x000D_" in cell
    etree.fromstring(part(out, ORDERS))
    assert values(out, "订单")[1][5] == text
    patch_xlsx(FEATURES, out, "订单", [CellWrite(2, 6, "a\ufffeb\udc80c")])
    assert values(out, "订单")[1][5] == "abc"


def test_booleans_and_1904_dates(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "1904.xlsx"
    book = xlsxwriter.Workbook(str(src), {"date_1904": True})
    book.add_worksheet("订单").write_row(0, 0, ["a", "b"])
    book.close()
    out = tmp_path / "out.xlsx"
    patch_xlsx(src, out, "订单", [CellWrite(2, 1, True), CellWrite(2, 2, dt.date(2026, 3, 1))])
    assert b"<v>44620</v>" in part(out, ORDERS)  # 2026-03-01 counted from 1904-01-01
    assert values(out, "订单")[1] == [True, dt.date(2026, 3, 1)]


def test_an_empty_sheet_gets_its_rows_and_a_header_never_styles_appended_rows(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "empty.xlsx"
    book = xlsxwriter.Workbook(str(src))
    book.add_worksheet("订单")
    bold = book.add_format({"bold": True, "bg_color": "#DDDDDD"})
    book.add_worksheet("表头").write_row(0, 0, ["订单号", "手机"], bold)
    titled = book.add_worksheet("标题")
    titled.write_string(0, 0, "十一月订单", bold)
    titled.write_row(1, 0, ["订单号", "手机"], bold)
    book.close()
    assert b"<sheetData/>" in part(src, ORDERS)
    out = tmp_path / "out.xlsx"
    stats = patch_xlsx(src, out, "订单", [CellWrite(2, 2, "013800000001"), CellWrite(1, 1, "订单号")])
    assert (stats.old_last_row, stats.new_last_row) == (0, 2)
    assert values(out, "订单") == [["订单号", ""], ["", "013800000001"]]
    plain = b'<c r="A%d" t="inlineStr"><is><t>SS1</t></is></c>'
    patch_xlsx(src, out, "表头", [CellWrite(2, 1, "SS1")])
    assert cell_xml(part(out, "xl/worksheets/sheet2.xml"), "A2") == plain % 2
    patch_xlsx(src, out, "标题", [CellWrite(3, 1, "SS1")], header_row=2)
    assert cell_xml(part(out, "xl/worksheets/sheet3.xml"), "A3") == plain % 3


def test_rows_a_person_formatted_ahead_are_filled_in_not_duplicated(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "ahead.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet("订单")
    boxed = book.add_format({"border": 1})
    ws.write_row(0, 0, ["订单号", "手机"])
    ws.write_row(1, 0, ["SS1", "0138"], boxed)
    for row in range(2, 6):
        ws.write_blank(row, 0, None, boxed)
        ws.write_blank(row, 1, None, boxed)
    ws.data_validation("B2:B2", {"validate": "length", "criteria": "<", "value": 20})
    ws.data_validation("A2:A6", {"validate": "length", "criteria": "<", "value": 30})
    book.close()
    out = tmp_path / "out.xlsx"
    stats = patch_xlsx(src, out, "订单", [CellWrite(3, 1, "SS2"), CellWrite(4, 2, "0139")])
    assert (stats.old_last_row, stats.new_last_row, stats.rows_appended) == (2, 4, 2)
    xml = part(out, ORDERS)
    assert sorted(rows_by_number(xml)) == [1, 2, 3, 4, 5, 6]
    assert cell_style(xml, "A3") == cell_style(xml, "B3") == cell_style(xml, "B4") == cell_style(xml, "A2")
    assert b'sqref="A2:A6"' in xml and b'sqref="B2"' in xml  # neither ended at a multi-row last row
    assert values(out, "订单") == [["订单号", "手机"], ["SS1", "0138"], ["SS2", ""], ["", "0139"]]
    assert last_row_of(out, "订单") == 4


def test_writes_in_any_order_leave_cells_in_column_order(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    writes = [CellWrite(5, c, f"v{c}") for c in (12, 9, 11, 10)]
    patch_xlsx(FEATURES, out, "订单", writes)
    refs = re.findall(rb'<c r="([A-Z]+)5"', rows_by_number(part(out, ORDERS))[5])
    assert refs == [b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H", b"I", b"J", b"K", b"L"]
    assert b'spans="1:12"' in rows_by_number(part(out, ORDERS))[5]


@pytest.mark.parametrize("size", [1, 7, 100, 4096])
def test_chunk_boundaries_do_not_change_the_result(size: int) -> None:
    xml = part(FEATURES, ORDERS)
    grouped: dict[int, dict[int, CellWrite]] = {}
    for write in FEATURE_WRITES:
        grouped.setdefault(write.row, {})[write.col] = write

    def run(chunk: int) -> bytes:
        out = io.BytesIO()
        styles = StyleBook(lambda: part(FEATURES, STYLES), "styles")
        chunks: Iterator[bytes] = (xml[i : i + chunk] for i in range(0, len(xml), chunk))
        SheetPatcher(grouped, styles, date1904=False, where="sheet").run(chunks, out.write)
        return out.getvalue()

    assert run(size) == run(len(xml))


def test_only_ranges_ending_at_the_last_row_are_extended() -> None:
    tail = (
        b'<dataValidations count="1"><dataValidation type="whole" error="must be > 5" '
        b'sqref="A2:A10 C5 D3:E10 F10 G:G 2:10"><formula1>5</formula1></dataValidation></dataValidations>'
        b'<conditionalFormatting sqref="B2:B9"><cfRule type="expression"><formula>B2>$B$10</formula></cfRule>'
        b'</conditionalFormatting><mergeCells count="1"><mergeCell ref="H2:H10"/></mergeCells>'
    )
    assert extend_ranges(tail, 10, 12) == tail.replace(b"A2:A10 C5 D3:E10 F10 G:G 2:10", b"A2:A12 C5 D3:E12 F10 G:G 2:12")


def test_last_row_of_counts_rows_with_values() -> None:
    assert last_row_of(FEATURES, "订单") == 21
    assert last_row_of(LIBREOFFICE, "汇总") == 1


# --- what is refused --------------------------------------------------------------------


def test_a_file_that_is_not_a_zip_is_unreadable(tmp_path: Path) -> None:
    bad = tmp_path / "orders.xlsx"
    bad.write_text("订单号,手机\n", encoding="utf-8")
    with pytest.raises(UnreadableInput, match=r"orders\.xlsx"):
        patch_xlsx(bad, tmp_path / "out.xlsx", "订单", [CellWrite(2, 1, "x")])


def test_a_truncated_or_damaged_package_is_unreadable(tmp_path: Path) -> None:
    data = FEATURES.read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableInput, match=r"truncated\.xlsx"):
        patch_xlsx(truncated, tmp_path / "out.xlsx", "订单", [CellWrite(2, 1, "x")])
    damaged = tmp_path / "damaged.xlsx"
    info = zipfile.ZipFile(FEATURES).getinfo(ORDERS)
    start = info.header_offset + 30 + len(info.filename.encode()) + 40
    damaged.write_bytes(data[:start] + bytes(b ^ 0x5A for b in data[start : start + 200]) + data[start + 200 :])
    with pytest.raises(UnreadableInput, match=r"damaged\.xlsx"):
        patch_xlsx(damaged, tmp_path / "out.xlsx", "订单", [CellWrite(2, 1, "x")])


def test_a_missing_sheet_names_the_sheets_there_are(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="'订单', '订单表', 'Lists'") as error:
        patch_xlsx(FEATURES, tmp_path / "out.xlsx", "Orders", [CellWrite(2, 1, "x")])
    assert "features_xlsxwriter.xlsx" in str(error.value) and "'Orders'" in str(error.value)


def test_a_part_with_a_doctype_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "entity.xlsx"
    sheet = PREFIXED_SHEET.replace(DECL, DECL + '<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>')
    build_package(src, sheet, PREFIXED_STYLES)
    with pytest.raises(UnreadableInput, match="DOCTYPE"):
        patch_xlsx(src, tmp_path / "out.xlsx", "订单", [CellWrite(2, 1, "x")])


def test_writes_a_cell_cannot_hold_are_refused(tmp_path: Path) -> None:
    for bad in [CellWrite(0, 1, "x"), CellWrite(1, 16385, "x"), CellWrite(2, 1, float("nan")), CellWrite(2, 1, "x", "red")]:
        with pytest.raises(ValueError):
            patch_xlsx(FEATURES, tmp_path / "out.xlsx", "订单", [bad])


# --- AppendBlock: columnar appended rows --------------------------------------------------


def test_an_append_block_reads_back_formatted_like_the_last_row_with_writes_on_top(patched: dict[str, Patched]) -> None:
    p = patched["block"]
    assert (p.stats.old_last_row, p.stats.new_last_row, p.stats.rows_appended) == (21, 24, 3)
    assert p.stats.cells_written == 1 + 6 + 5 + 5  # row 3; the block's values; 覆盖 on a blank of the block
    untouched_members_identical(p)
    rows = values(p.out, "订单")
    assert rows[2][2] == 77.5
    assert rows[21][:6] == ["SS20261102-000021", "013800000021", 1234.5, dt.datetime(2026, 11, 30, 8, 15), "待发货", "=1+2"]
    assert rows[22][:6] == ["SS20261102-000022", "000123", 7, dt.date(2026, 12, 1), "已发货", ""]
    assert rows[23][:6] == ["SS20261102-000023", "覆盖", 2.5, "", 'a<b & "c"', "x\x01y_x000D_"]
    before, after = part(FEATURES, ORDERS), part(p.out, ORDERS)
    for row in (22, 23, 24):
        for col in "ACDFGH":
            assert cell_style(after, f"{col}{row}") == cell_style(before, f"{col}21"), f"{col}{row}"
    assert cell_style(after, "E23") != cell_style(before, "E21") and cell_style(after, "E24") == cell_style(before, "E21")
    assert cell_style(after, "B24") != cell_style(before, "B21")  # the write's fill
    assert cell_xml(after, "D24") == b'<c r="D24" s="%d"/>' % cell_style(before, "D21")  # None: the format, no value
    assert cell_xml(after, "H22") == b'<c r="H22" s="%d"/>' % cell_style(before, "H21")  # a column the block has not
    f22 = cell_xml(after, "F22")
    assert b't="inlineStr"' in f22 and b"<f" not in f22


def test_an_append_block_is_written_as_the_same_rows_given_as_cell_writes(patched: dict[str, Patched], tmp_path: Path) -> None:
    out = tmp_path / "writes.xlsx"
    as_writes = [
        CellWrite(BLOCK.first_row + i, col, value)
        for i, row in enumerate(BLOCK.rows)
        for col, value in zip(BLOCK.columns, row, strict=True)
        if value is not None
    ]
    stats = patch_xlsx(FEATURES, out, "订单", as_writes + BLOCK_WRITES)
    assert part(out, ORDERS) == part(patched["block"].out, ORDERS)
    assert part(out, STYLES) == part(patched["block"].out, STYLES)
    assert stats.rows_appended == patched["block"].stats.rows_appended


def test_ranges_grow_to_the_end_of_an_append_block(patched: dict[str, Patched], tmp_path: Path) -> None:
    xml = part(patched["block"].out, ORDERS)
    assert b'<dimension ref="A1:L24"/>' in xml and b'<autoFilter ref="A1:H24"/>' in xml
    assert b'<conditionalFormatting sqref="C2:C24">' in xml and b"<xm:sqref>F2:F24</xm:sqref>" in xml
    out = tmp_path / "table.xlsx"
    patch_xlsx(FEATURES, out, "订单表", [], appends=AppendBlock(22, [1, 3], [["SS1", 1], ["SS2", 2]]))
    assert b'ref="A1:G23"' in part(out, "xl/tables/table1.xml")
    assert values(out, "订单表")[22][:3] == ["SS2", "", 2]


def test_an_append_block_must_start_after_the_last_row_with_data(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    for first in (21, 5):
        with pytest.raises(ValueError, match="after"):
            patch_xlsx(FEATURES, out, "订单", [], appends=AppendBlock(first, [1], [["x"], ["y"]]))
    stats = patch_xlsx(FEATURES, out, "订单", [CellWrite(2, 1, "x")], appends=AppendBlock(22, [1], []))
    assert (stats.rows_appended, stats.new_last_row) == (0, 21)


def test_an_append_block_fills_in_rows_a_person_formatted_ahead(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "ahead.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet("订单")
    boxed = book.add_format({"border": 1})
    ws.write_row(0, 0, ["订单号", "手机"])
    ws.write_row(1, 0, ["SS1", "0138"], boxed)
    for row in range(2, 4):
        ws.write_blank(row, 0, None, boxed)
        ws.write_blank(row, 1, None, boxed)
    book.close()
    out = tmp_path / "out.xlsx"
    block = AppendBlock(3, [1, 2], [["SS2", None], [None, "0139"], ["SS4", "0140"]])
    stats = patch_xlsx(src, out, "订单", [CellWrite(4, 1, KEEP, "FFC7CE")], appends=block)
    assert (stats.old_last_row, stats.new_last_row, stats.rows_appended) == (2, 5, 3)
    xml = part(out, ORDERS)
    assert sorted(rows_by_number(xml)) == [1, 2, 3, 4, 5]
    assert cell_style(xml, "B3") == cell_style(xml, "A5") == cell_style(xml, "A2")
    assert cell_style(xml, "A4") != cell_style(xml, "A2")
    assert values(out, "订单") == [["订单号", "手机"], ["SS1", "0138"], ["SS2", ""], ["", "0139"], ["SS4", "0140"]]
    with pytest.raises(ValueError, match="after"):
        patch_xlsx(src, out, "订单", [], appends=AppendBlock(2, [1], [["x"]]))


def test_an_append_block_in_a_prefixed_sheet_and_a_1904_workbook(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "prefixed.xlsx"
    build_package(src, PREFIXED_SHEET, PREFIXED_STYLES)
    out = tmp_path / "out.xlsx"
    patch_xlsx(src, out, "订单", [], appends=AppendBlock(5, [3, 1], [[1.5, "A5"], [None, "A6"]]))
    xml = part(out, ORDERS)
    assert b'<x:row r="5"><x:c r="A5" t="inlineStr"><x:is><x:t>A5</x:t></x:is></x:c>' in xml
    assert b'<x:c r="C5" s="1"><x:v>1.5</x:v></x:c></x:row>' in xml and b'<x:c r="C6" s="1"/>' in xml
    assert re.search(rb"<(c|row|v|is|t)[\s>/]", xml) is None
    assert values(out, "订单")[4:] == [["A5", "", 1.5], ["A6", "", ""]]
    src = tmp_path / "1904.xlsx"
    book = xlsxwriter.Workbook(str(src), {"date_1904": True})
    book.add_worksheet("订单").write_row(0, 0, ["a", "b", "c"])
    book.close()
    import pandas as pd

    timestamp = pd.Timestamp("2026-03-02 06:00")  # a datetime subclass, as pandas hands them out
    block = AppendBlock(2, [1, 2, 3], [[True, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 12)], [False, None, timestamp]])
    patch_xlsx(src, out, "订单", [], appends=block)
    assert b"<v>44620</v>" in part(out, ORDERS) and b"<v>44620.5</v>" in part(out, ORDERS)
    assert b"<v>44621.25</v>" in part(out, ORDERS)
    rows = [[True, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 12)], [False, "", dt.datetime(2026, 3, 2, 6)]]
    assert values(out, "订单")[1:] == rows


@pytest.mark.parametrize(
    ("block", "error", "match"),
    [
        (AppendBlock(22, [1, 2], [["a", 1], ["b", float("nan")]]), ValueError, "B23"),
        (AppendBlock(22, [1, 2], [["a", Decimal("inf")]]), ValueError, "B22"),
        (AppendBlock(22, [1], [[object()]]), TypeError, "A22"),
        (AppendBlock(22, [1], [[dt.date(1899, 1, 1)]]), ValueError, "first date"),
        (AppendBlock(22, [1, 2], [["a", 1], ["b"]]), ValueError, "row 23"),
        (AppendBlock(22, [1, 1], [["a", 1]]), ValueError, "distinct"),
        (AppendBlock(22, [0], [["a"]]), ValueError, "distinct"),
        (AppendBlock(0, [1], [["a"]]), ValueError, "outside"),
    ],
)
def test_append_blocks_a_sheet_cannot_hold_are_refused(
    tmp_path: Path, block: AppendBlock, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        patch_xlsx(FEATURES, tmp_path / "out.xlsx", "订单", [], appends=block)


VARIED_SHEET = (
    DECL + f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}" '
    'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"><sheetData>'
    '<row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t>h1</t></is></c><c r="B1" t="inlineStr"><is><t>h2</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>h3</t></is></c></row>\n'
    '<row r="2" spans="1:3" s="1" customFormat="1"><c r="A2" s="1"><v>1</v></c>\n  <c r="C2" s="1" cm="1"><v>3</v></c>\n'
    "</row>\n"
    "<row r='3' spans='2:4'><c r=\"B3\" t=\"inlineStr\" xr:uid=\"u\"><is><t>b</t></is></c><c r=\"D3\"/></row>"
    '<row r="4"><c r="A4"><v>4</v><extLst><ext uri="u"/></extLst></c><c r="B4" t="inlineStr"><is><r><rPr>'
    '<color rgb="FFFF0000"/></rPr><t>red</t></r></is></c></row>'
    '<row r="5"><c r="B5"><v>5</v></c><c r="A5"><v>6</v></c></row>'
    '<row r="6"><c s="1" r="A6"><v>1</v></c><c r="B6"><v>2</v></c></row>'
    '<row r="7"><c r="A7"><f>1+1</f><v>2</v></c><c r="B7"><v>2</v></c></row>'
    '<row r="8" spans="27:28"><c r="AA8"><v>1</v></c><c r="AB8"><v>2</v></c></row>'
    '<row r="9"><c r="A9"><v>9</v></c><c r="A9"><v>9</v></c></row>'
    '<row r="10"><c r="A9"><v>1</v></c><c r="C10"><v>2</v></c></row>'
    "</sheetData></worksheet>"
)
VARIED_WRITES = [
    CellWrite(2, 2, "b"),
    CellWrite(2, 4, 5),
    CellWrite(2, 3, KEEP, "FFFF00"),
    CellWrite(3, 1, "a"),
    CellWrite(3, 3, 1.5),
    CellWrite(3, 4, "d&<>"),
    CellWrite(3, 2, None),
    CellWrite(4, 1, 7),
    CellWrite(4, 2, "x"),
    CellWrite(5, 1, "y"),
    CellWrite(6, 2, 3),
    CellWrite(7, 1, "z"),
    CellWrite(8, 26, "z"),
    CellWrite(8, 28, dt.date(2026, 1, 2)),
    CellWrite(8, 29, "c"),
    CellWrite(9, 2, "w"),
    CellWrite(10, 2, "v"),
]


def random_sheet(seed: int, rows: int = 60) -> tuple[str, list[CellWrite]]:
    """Rows of sorted cells with assorted attributes, values and gaps, and writes on most of them."""
    rng = random.Random(seed)
    xml, writes = [], []
    for r in range(1, rows + 1):
        cols = sorted(rng.sample(range(1, 30), rng.randint(0, 8)))
        cells = []
        for c in cols:
            ref = f"{col_letters(c)}{r}"
            attrs = rng.choice(["", ' s="1"', ' t="inlineStr"', ' s="1" t="inlineStr"', ' t="b" cm="1"', ' s="0"'])
            if "inlineStr" in attrs:
                body = "<is><t>text &amp; more</t></is>"
            else:
                body = rng.choice(["", "<v>1</v>", "<v>2.5</v><extLst><ext uri=\"u\"/></extLst>"])
            cells.append(f'<c r="{ref}"{attrs}/>' if not body else f'<c r="{ref}"{attrs}>{body}</c>')
        gap = rng.choice(["", "", "\n  "])
        spans = rng.choice(["", f' spans="{cols[0]}:{cols[-1]}"' if cols else ""])
        style = rng.choice(["", ' s="1" customFormat="1"'])
        xml.append(f'<row r="{r}"{spans}{style}>{gap}{gap.join(cells)}{gap}</row>')
        for c in rng.sample(range(1, 32), rng.randint(0, 4)):
            value = rng.choice([KEEP, None, "x", 7, 1.25, dt.date(2026, 1, 2), True, "a<b"])
            writes.append(CellWrite(r, c, value, rng.choice([KEEP, KEEP, None, "FFFF00"])))
    return DECL + f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(xml)}</sheetData></worksheet>', writes


def test_the_fast_row_path_writes_the_same_bytes_as_the_general_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unprefixed_styles = PREFIXED_STYLES.replace("x:", "").replace("xmlns:x=", "xmlns=")
    varied = tmp_path / "varied.xlsx"
    build_package(varied, VARIED_SHEET, unprefixed_styles)
    cases = [
        (FEATURES, "订单", FEATURE_WRITES),
        (LIBREOFFICE, "订单", LIBREOFFICE_WRITES),
        (varied, "订单", VARIED_WRITES),
    ]
    for seed in range(5):
        sheet, writes = random_sheet(seed)
        build_package(tmp_path / f"random{seed}.xlsx", sheet, unprefixed_styles)
        cases.append((tmp_path / f"random{seed}.xlsx", "订单", writes))
    fast_rows: set[tuple[Path, int]] = set()
    by_refs = SheetPatcher._patch_row_by_refs

    def counting(self: SheetPatcher, row: bytes, number: int, writes: dict[int, CellWrite]) -> bytes | None:
        patched_row = by_refs(self, row, number, writes)
        if patched_row is not None:
            fast_rows.add((src, number))
        return patched_row

    def run(name: str) -> list[bytes]:
        nonlocal src
        outs = []
        for i, (src, sheet, writes) in enumerate(cases):
            out = tmp_path / f"{name}{i}.xlsx"
            patch_xlsx(src, out, sheet, writes)
            outs += [part(out, ORDERS), part(out, STYLES)]
        return outs

    src = FEATURES
    monkeypatch.setattr(SheetPatcher, "_patch_row_by_refs", counting)
    fast = run("fast")
    monkeypatch.setattr(SheetPatcher, "_patch_row_by_refs", lambda self, row, number, writes: None)
    assert run("general") == fast
    assert {(FEATURES, 4), (FEATURES, 12), (LIBREOFFICE, 3), (LIBREOFFICE, 4)} <= fast_rows
    assert {number for book, number in fast_rows if book == varied} == {2, 3, 4, 8}  # 5-7, 9, 10 take the general path
    assert sum(book.name.startswith("random") for book, _ in fast_rows) > 100
    xml = fast[4]
    etree.fromstring(xml)
    assert b'<row r="2" spans="1:4" s="1" customFormat="1"><c r="A2" s="1"><v>1</v></c><c r="B2" s="1" t="inlineStr">' in xml
    assert b'<row r="8" spans="26:29">' in xml and b'<c r="A4"><v>7</v><extLst><ext uri="u"/></extLst></c>' in xml


def test_a_block_given_by_column_writes_the_same_as_by_row(tmp_path: Path) -> None:
    by_row = AppendBlock(22, [1, 2, 3], [["SS-1", "013800000099", 5], ["SS-2", None, 6.5]])
    by_column = AppendBlock(22, [1, 2, 3], by_column=[["SS-1", "SS-2"], ["013800000099", None], [5, 6.5]])
    patch_xlsx(FEATURES, tmp_path / "rows.xlsx", "订单", [], appends=by_row)
    patch_xlsx(FEATURES, tmp_path / "cols.xlsx", "订单", [], appends=by_column)
    with zipfile.ZipFile(tmp_path / "rows.xlsx") as a, zipfile.ZipFile(tmp_path / "cols.xlsx") as b:
        assert {i.filename: a.read(i) for i in a.infolist()} == {i.filename: b.read(i) for i in b.infolist()}
    with pytest.raises(ValueError):
        patch_xlsx(FEATURES, tmp_path / "bad.xlsx", "订单", [], appends=AppendBlock(22, [1, 2], by_column=[["a"], ["b", "c"]]))


def test_appended_rows_leave_out_empty_cells_their_column_formats_anyway(tmp_path: Path) -> None:
    """An empty cell whose format is its column's adds nothing a reader shows: it is left out (a
    million-row import writes a fifth less XML).  An empty cell formatted unlike its column is kept,
    and a value written later into a left-out cell takes the column's format."""
    import xlsxwriter

    src = tmp_path / "cols.xlsx"
    book = xlsxwriter.Workbook(str(src))
    sheet = book.add_worksheet("订单")
    text = book.add_format({"num_format": "@"})
    money = book.add_format({"num_format": "#,##0.00"})
    yellow = book.add_format({"bg_color": "#FFFF00"})
    sheet.set_column(0, 1, 16, text)
    sheet.set_column(2, 2, 12, money)
    sheet.write_row(0, 0, ["订单号", "手机", "金额", "备注"])
    for r in (1, 2):
        sheet.write_string(r, 0, f"SS{r}", text)
        sheet.write_string(r, 1, "13800000000", text)
        sheet.write_number(r, 2, 12.5, money)
        sheet.write_blank(r, 3, None, yellow)
    book.close()
    xml = part(src, ORDERS)
    column_style = {col: cell_style(xml, f"{col}2") for col in "ABCD"}
    assert len(set(column_style.values())) == 3

    out = tmp_path / "out.xlsx"
    patch_xlsx(src, out, "订单", [CellWrite(4, 1, "SS3")],
               appends=AppendBlock(5, [1, 2, 3, 4], by_column=[["SS4", "SS5"], [None, None], [None, "7"], [None, None]]))
    xml = part(out, ORDERS)
    rows = rows_by_number(xml)
    for number in (4, 5, 6):
        assert b'r="B%d"' % number not in rows[number]  # empty, in its column's format: left out
        assert cell_style(xml, f"D{number}") == column_style["D"]  # empty, formatted unlike its column: kept
    assert b'r="C4"' not in rows[4] and b'r="C5"' not in rows[5]
    assert cell_style(xml, "C6") == column_style["C"]
    assert cell_style(xml, "A4") == cell_style(xml, "A5") == column_style["A"]

    again = tmp_path / "again.xlsx"
    patch_xlsx(out, again, "订单", [CellWrite(4, 2, "13900000000"), CellWrite(7, 1, "SS6")])
    xml = part(again, ORDERS)
    assert cell_style(xml, "B4") == column_style["B"]
    assert cell_style(xml, "D7") == column_style["D"] and b'r="B7"' not in rows_by_number(xml)[7]
    assert values(again, "订单")[3:] == [["SS3", "13900000000", "", ""], ["SS4", "", "", ""], ["SS5", "", "7", ""],
                                        ["SS6", "", "", ""]]


@pytest.mark.parametrize("level", [1, 6, 9])
def test_parts_are_deflated_by_isa_l_where_installed_and_read_back_by_zlib(level: int) -> None:
    import platform

    from sheetsync.stores.xlsx import zipped as xlsx_zip

    if platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64"):
        assert xlsx_zip._zlib.__name__ == "isal.isal_zlib"  # the dependency has wheels here: its speed is relied on
    data = ("<row>订单 SS1 ×3</row>" * 50_000).encode()
    member = xlsx_zip.deflate(data, level)
    raw = member.data.read()
    assert len(raw) == member.compressed_size < len(data) // 10
    assert zlib.decompress(raw, -15) == data and member.crc == zlib.crc32(data) and member.size == len(data)


def test_the_new_sheet_is_copied_into_the_package_by_the_kernel_or_by_python_alike(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rewritten sheet's deflated stream goes into the package by `os.copy_file_range`; where the
    file system refuses it (EXDEV, ENOSYS ...) Python copies it, and the package is byte for byte the same."""
    import errno
    import os

    writes = [CellWrite(2, 6, "文本"), CellWrite(3, 4, dt.datetime(2026, 1, 1))]
    calls: list[int] = []
    real = os.copy_file_range

    def counted(*args: int) -> int:
        calls.append(args[2])
        return real(*args)

    monkeypatch.setattr(os, "copy_file_range", counted)
    patch_xlsx(FEATURES, tmp_path / "kernel.xlsx", "订单", writes)
    assert calls  # the kernel copied the new sheet

    def refused(*args: int) -> int:
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refused)
    patch_xlsx(FEATURES, tmp_path / "python.xlsx", "订单", writes)
    monkeypatch.delattr(os, "copy_file_range")
    patch_xlsx(FEATURES, tmp_path / "old.xlsx", "订单", writes)
    kernel = (tmp_path / "kernel.xlsx").read_bytes()
    assert kernel == (tmp_path / "python.xlsx").read_bytes() == (tmp_path / "old.xlsx").read_bytes()
    assert values(tmp_path / "kernel.xlsx", "订单")[1][5] == "文本"


def test_appended_rows_grow_the_hidden_filter_database_name_and_a_summary_sheet_gets_recalculated(
        tmp_path: Path) -> None:
    """LibreOffice keeps the autofilter's range in `_xlnm._FilterDatabase` too: it grows with the autoFilter, or one
    LibreOffice save shrinks the filter back.  A summary sheet's formulas read the order sheet: the workbook asks to
    recalculate on open once the order sheet changed."""
    import xlsxwriter

    from sheetsync.model.cells import AppendBlock
    from sheetsync.stores.xlsx.patch import patch_xlsx

    src, out = tmp_path / "team.xlsx", tmp_path / "out.xlsx"
    book = xlsxwriter.Workbook(str(src))
    orders = book.add_worksheet("订单")
    orders.write_row(0, 0, ["订单号", "金额"])
    for r in range(1, 4):
        orders.write_row(r, 0, [f"A{r}", r * 10])
    orders.autofilter(0, 0, 3, 1)
    summary = book.add_worksheet("汇总")
    summary.write_formula(0, 0, "=SUM(订单!B:B)", None, 60)
    book.close()
    patch_xlsx(src, out, "订单", [], appends=AppendBlock(5, [1, 2], [["A4", "40"], ["A5", "50"]]))
    with zipfile.ZipFile(out) as package:
        workbook = package.read("xl/workbook.xml").decode()
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'_xlnm\._FilterDatabase"[^>]*>[^<]*\$B\$6<', workbook), workbook
    assert 'autoFilter ref="A1:B6"' in sheet
    assert 'fullCalcOnLoad="1"' in workbook


def test_formats_and_dropdowns_of_the_data_block_reach_rows_people_typed_below_the_last_run(tmp_path: Path) -> None:
    """The team's highlighting covers rows 2-4 (where the tool's last run ended); people typed rows 5-6 below it;
    this run appends rows 7-8: the conditional format and the dropdown cover every row from 2 to 8.  A format
    over a few rows in the middle of the data is the team's choice, and stays."""
    import xlsxwriter

    from sheetsync.model.cells import AppendBlock
    from sheetsync.stores.xlsx.patch import patch_xlsx

    src, out = tmp_path / "team.xlsx", tmp_path / "out.xlsx"
    book = xlsxwriter.Workbook(str(src))
    sheet = book.add_worksheet("订单")
    sheet.write_row(0, 0, ["订单号", "金额", "状态"])
    for r in range(1, 6):
        sheet.write_row(r, 0, [f"A{r}", r * 10, "待确认"])
    red = book.add_format({"bg_color": "#FFC7CE"})
    sheet.conditional_format("B2:B4", {"type": "cell", "criteria": ">", "value": 20, "format": red})
    sheet.conditional_format("A3:A4", {"type": "duplicate", "format": red})
    sheet.data_validation("C2:C4", {"validate": "list", "source": ["待确认", "已发货"]})
    book.close()
    patch_xlsx(src, out, "订单", [], appends=AppendBlock(7, [1, 2], [["A6", "60"], ["A7", "70"]]), header_row=1)
    with zipfile.ZipFile(out) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert 'sqref="B2:B8"' in xml and 'sqref="C2:C8"' in xml
    assert 'sqref="A3:A4"' in xml  # not from the top of the data: the team's own choice
