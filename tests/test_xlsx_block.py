"""Appended rows built by DuckDB from canonical text (`xlsx_block.py`) against the same rows built
value by value in Python: the sheet parts must come out byte for byte the same, but for the order
in which new cell formats (a fill, a date format) were numbered."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import libreoffice_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsx_fixtures import cell_style, cell_xml, part, values

from sheetsync.model.cells import KEEP, AppendBlock, CellWrite, TextColumn
from sheetsync.model.values import ColumnCells
from sheetsync.stores.xlsx.patch import patch_xlsx

DATA = Path(__file__).parent / "data"
FEATURES = DATA / "features_xlsxwriter.xlsx"  # rows 2-21 hold data, formatted in columns A-H
ORDERS = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"
FIELDS = ["order_id", "phone", "amount_payable", "created_at", "status", "note"]  # columns A-F

TEXT = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["SS-1", 'a<b & "c"', "x\x01y", "_x000D_", "=1+2", " lead", "tail ", "\ufffe", "多行\n文本", ""]),
)
MONEY = st.one_of(
    st.none(),
    st.sampled_from(["0", "-5", "1299.5", "0.01", "1,299.00", "¥12", "abc", "1e3", "007", "12.10"]),
    st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False).map(lambda d: format(d.normalize(), "f")),
)
DATETIME = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)).map(
        lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.sampled_from(["2024/1/5", "昨天", "2024-02-30 00:00:00", "1900-02-28 12:00:00", "1900-03-01 00:00:00"]),
)
KINDS = {"amount_payable": MONEY, "created_at": DATETIME}


def _columns(rows: list[dict[str, str | None]]) -> list[ColumnCells]:
    frame = pd.DataFrame(rows, columns=FIELDS, dtype="str")
    return [ColumnCells(f, frame[f]) for f in FIELDS]


def _both(tmp_path: Path, columns: list[ColumnCells], writes: list[CellWrite]) -> tuple[Path, Path]:
    """The block written from its text (DuckDB) and from its values (Python)."""
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    patch_xlsx(FEATURES, fast, "订单", writes, appends=AppendBlock(22, list(range(1, 7)), by_column=columns))
    as_values = [list(c) for c in columns]
    patch_xlsx(FEATURES, slow, "订单", writes, appends=AppendBlock(22, list(range(1, 7)), by_column=as_values))
    return fast, slow


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({f: KINDS.get(f, TEXT) for f in FIELDS}), min_size=1, max_size=12),
       fills=st.lists(st.tuples(st.integers(0, 11), st.sampled_from([1, 2, 5, 6]),
                                st.sampled_from(["FFC7CE", "C6EFCE", None]), st.booleans()), max_size=4))
def test_rows_from_text_are_the_rows_from_values(tmp_path: Path, rows: list[dict[str, str | None]],
                                                 fills: list[tuple[int, int, str | None, bool]]) -> None:
    columns = _columns(rows)
    assert all(isinstance(c, TextColumn) for c in columns)
    writes = [CellWrite(22 + i % len(rows), col, "改" if value else KEEP, fill) for i, col, fill, value in fills]
    try:
        fast, slow = _both(tmp_path, columns, writes)
    except ValueError as exc:  # a date before the workbook's first day: both refuse it, naming the cell
        assert "appended cell D" in str(exc)
        with pytest.raises(ValueError, match="appended cell D"):
            patch_xlsx(FEATURES, tmp_path / "slow.xlsx", "订单", writes,
                       appends=AppendBlock(22, list(range(1, 7)), by_column=[list(c) for c in columns]))
        return
    assert _resolved(fast) == _resolved(slow)


def _resolved(path: Path) -> bytes:
    """The sheet part with each cell's format number replaced by that format's XML, its fill and
    number format spelled out."""
    styles = part(path, STYLES)
    fills = re.findall(rb"<fill>.*?</fill>|<fill/>", _between(styles, b"<fills", b"</fills>"))
    formats = dict(re.findall(rb'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))

    def spelled(xf: bytes) -> bytes:
        xf = re.sub(rb'fillId="(\d+)"', lambda m: b"fill=" + fills[int(m[1])], xf)
        return re.sub(rb'numFmtId="(\d+)"', lambda m: b"format=" + formats.get(m[1], m[1]), xf)

    xfs = [spelled(xf) for xf in re.findall(rb"<xf [^>]*?(?:/>|>.*?</xf>)", _between(styles, b"<cellXfs", b"</cellXfs>"))]
    return re.sub(rb' s="(\d+)"', lambda m: b" s=[" + xfs[int(m[1])] + b"]", part(path, ORDERS))


def _between(xml: bytes, start: bytes, end: bytes) -> bytes:
    return xml.split(start, 1)[1].split(end, 1)[0]


def test_a_large_block_reads_back_and_keeps_the_formats(tmp_path: Path) -> None:
    rows = [{"order_id": f"SS{i}", "phone": "13812345678" if i % 3 else None, "amount_payable": str(i) + ".5",
             "created_at": f"2026-11-{1 + i % 28:02d} 08:{i % 60:02d}:00", "status": "待发货", "note": "=HYPERLINK(1)"}
            for i in range(40_000)]
    columns = _columns(rows)
    fills = [CellWrite(22 + i, 5, KEEP, "FFC7CE") for i in range(0, 40_000, 7)]
    fast, slow = _both(tmp_path, columns, fills)
    assert _resolved(fast) == _resolved(slow)
    xml = part(fast, ORDERS)
    assert cell_style(xml, "E22") != cell_style(xml, "E23") == cell_style(part(FEATURES, ORDERS), "E21")
    assert b"<f" not in cell_xml(xml, "F40021") and b"=HYPERLINK(1)</t>" in cell_xml(xml, "F40021")
    read = values(fast, "订单")
    assert read[21][:6] == ["SS0", "", 0.5, dt.datetime(2026, 11, 1, 8, 0), "待发货", "=HYPERLINK(1)"]
    assert read[40020][:4] == ["SS39999", "", 39999.5, dt.datetime(2026, 11, 16, 8, 39)]  # 39999 % 3 == 0


@pytest.mark.libreoffice
def test_rows_built_by_the_query_open_in_libreoffice(tmp_path: Path, soffice: str) -> None:
    rows = [{"order_id": f"SS{i}", "phone": 'a<b & "c"' if i % 5 == 0 else "13812345678", "amount_payable": f"{i}.25",
             "created_at": "2026-11-01 08:30:00", "status": ("待发货" if i % 3 else " 待发货\u3000") if i % 2 else None,
             "note": "=1+2"}
            for i in range(2_000)]
    out = tmp_path / "block.xlsx"
    patch_xlsx(FEATURES, out, "订单", [CellWrite(22 + i, 5, KEEP, "FFC7CE") for i in range(0, 2_000, 3)],
               appends=AppendBlock(22, list(range(1, 7)), by_column=_columns(rows)))
    opened = libreoffice_csv(soffice, [out], tmp_path / "csv")[out]
    ours = values(out, "订单")
    assert len(opened) == len(ours) == 2_021
    assert opened[21 + 3][4] == ours[21 + 3][4] == " 待发货\u3000"  # white space at the edges is kept
    for i in (0, 1, 5, 1_999):
        line, read = opened[21 + i], ours[21 + i]
        assert line[0] == read[0] == f"SS{i}" and line[1] == read[1] and line[5] == read[5] == "=1+2"
        assert float(line[2].replace(",", "")) == read[2] == i + 0.25
        assert line[4] == (read[4] or "")


def test_the_edge_space_class_is_what_python_calls_space() -> None:
    """The query tells text needing `xml:space="preserve"` by an RE2 class; Python by `str.isspace`."""
    import pyarrow as pa

    from sheetsync.runtime.textops import SPACE_CLASS
    from sheetsync.runtime.textsql import connect

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    with connect() as con:
        con.register("chars_", pa.table({"c": pa.array(chars)}))
        found = con.sql(f"SELECT regexp_full_match(c, '[{SPACE_CLASS}]') FROM chars_").fetchnumpy()
    matched = [c for c, hit in zip(chars, found[next(iter(found))].tolist(), strict=True) if hit]
    assert matched == [c for c in chars if c.isspace()]
    assert len(matched) > 20


def test_text_keeps_its_spaces_and_only_edge_spaces_are_marked(tmp_path: Path) -> None:
    texts = [" lead", "tail ", "\u3000全角", "\t制表", "换行\n", "中 间", "a\u00a0b", "plain", "x\u2028"]
    rows = [{"order_id": f"SS{i}", "phone": None, "amount_payable": None, "created_at": None, "status": text, "note": None}
            for i, text in enumerate(texts)]
    fast, slow = _both(tmp_path, _columns(rows), [])
    assert _resolved(fast) == _resolved(slow)
    xml = part(fast, ORDERS)
    for i, text in enumerate(texts):
        marked = b'xml:space="preserve"' in cell_xml(xml, f"E{22 + i}")
        assert marked == (text != text.strip()), text
    assert [row[4] for row in values(fast, "订单")[21:]] == texts


def test_rows_a_person_formatted_ahead_are_filled_in_the_same_way(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "ahead.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet("订单")
    boxed = book.add_format({"border": 1})
    ws.write_row(0, 0, ["订单号", "手机", "下单时间"])
    ws.write_row(1, 0, ["SS1", "0138", "x"], boxed)
    for row in range(2, 5):
        for col in range(3):
            ws.write_blank(row, col, None, boxed)
    book.close()
    frame = pd.DataFrame({"order_id": ["SS2", None, "SS4", "SS5"], "phone": [None, "0139", "0140", "0141"],
                          "created_at": ["2026-11-01 08:00:00", None, "2026-11-02 00:00:00", "1900-02-10 00:00:00"]},
                         dtype="str")
    columns = [ColumnCells(f, frame[f]) for f in frame.columns]
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    writes = [CellWrite(4, 1, KEEP, "FFC7CE")]
    patch_xlsx(src, fast, "订单", writes, appends=AppendBlock(3, [1, 2, 3], by_column=columns))
    patch_xlsx(src, slow, "订单", writes, appends=AppendBlock(3, [1, 2, 3], by_column=[list(c) for c in columns]))
    assert _resolved(fast) == _resolved(slow)
    read = values(fast, "订单")
    assert [r[:2] for r in read[2:]] == [["SS2", ""], ["", "0139"], ["SS4", "0140"], ["SS5", "0141"]]
    assert read[2][2] == dt.datetime(2026, 11, 1, 8, 0) and read[5][2] == dt.date(1900, 2, 10)  # written by Python


def _needs_care(values: list[str]) -> bool:
    import pyarrow.compute as pc

    from sheetsync.stores.xlsx.block import _EDGE_SPACE, _ESCAPED, _ONE_BY_ONE

    found = pc.match_substring_regex(pa.array(values, pa.large_string()), "|".join((_ESCAPED, _ONE_BY_ONE, _EDGE_SPACE)))
    return bool(pc.any(found).as_py())


def test_the_byte_look_never_clears_a_column_a_pattern_would_flag() -> None:
    """Every character that is white space, a control character, or shares a first byte with one, at the
    start, the end and inside a value, beside `_x` and U+FFFE/U+FFFF: where the patterns flag the column,
    `_may_need_care` says to look."""
    from sheetsync.stores.xlsx.block import _may_need_care

    points = [*range(0x00, 0x100), *range(0x1680, 0x1690), *range(0x2000, 0x2070), *range(0x3000, 0x3010),
              0x4E00, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x1F600]
    missed = []
    for point in points:
        for value in (chr(point), "杭" + chr(point), chr(point) + "杭", "a" + chr(point) + "b", "_x00" + chr(point) + "1_"):
            column = [value, "plain", None]
            if _needs_care(column) and not _may_need_care(pa.chunked_array([pa.array(column[:1], pa.large_string()),
                                                                             pa.array(column[1:], pa.large_string())])):
                missed.append(value)
    assert missed == []
    assert not _may_need_care(pa.array(["浙江省杭州市", "13812345678", None, ""], pa.large_string()))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(st.sampled_from(
    ["a", "杭", " ", "\t", "\n", "\r", "\x01", "&", "<", '"', "_", "x", "0", "\u00a0", "\u3000", "\u3002", "\ufffe", "\u2028"]),
    max_size=6)), min_size=1, max_size=12))
def test_the_byte_look_of_any_column(values: list[str | None]) -> None:
    from sheetsync.stores.xlsx.block import _may_need_care

    if _needs_care([v for v in values if v is not None] or [""]):
        assert _may_need_care(pa.array(values, pa.large_string()))
