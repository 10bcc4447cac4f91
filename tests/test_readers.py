"""Reading input files: encodings detected, every field text, ragged rows kept, cut files kept."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sheetsync.channels.readers import read_file
from sheetsync.errors import UnreadableInput

TEXT = "订单号,手机,金额\n0001,13812345678,199.00\n0002,0571-87654321,\n"


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""), ("gb18030", b""),
                                           ("utf-16-le", codecs.BOM_UTF16_LE)])
def test_encodings_are_detected_and_every_field_stays_text(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(bom + TEXT.encode(encoding))
    table = read_file(path)[0]
    assert table.frame.iloc[1].tolist()[:2] == ["0001", "13812345678"]
    assert table.frame.iloc[1, 2] == "199.00"
    assert table.frame.isna().iloc[2, 2]
    assert table.lines.tolist() == [1, 2, 3]


def test_rows_wider_than_the_header_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,extra\n5\n", encoding="utf-8")
    frame = read_file(path)[0].frame
    assert frame.shape == (4, 3)
    assert frame.iloc[2].tolist() == ["3", "4", "extra"]
    assert frame.iloc[3].tolist()[0] == "5"


def test_semicolons_and_tabs_are_sniffed(tmp_path: Path) -> None:
    (tmp_path / "eu.csv").write_text("Order;Total\n4821;1.299,00\n", encoding="utf-8")
    (tmp_path / "t.tsv").write_text("Order\tTotal\n1\t2\n", encoding="utf-8")
    assert read_file(tmp_path / "eu.csv")[0].frame.iloc[1].tolist() == ["4821", "1.299,00"]
    assert read_file(tmp_path / "t.tsv")[0].frame.iloc[1].tolist() == ["1", "2"]


def test_a_file_that_is_not_a_workbook_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"\x00\x01 not a zip")
    with pytest.raises(UnreadableInput, match=r"fake\.xlsx"):
        read_file(path)
