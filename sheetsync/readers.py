"""Reading input files (shop exports, carrier files, legacy data) into text tables.

Every cell is read as text, so digits and leading zeros survive; which row is the header
is decided later, against a mapping's headers.  Encodings are detected: a BOM (UTF-8,
UTF-16), then strict UTF-8, then GB18030 (the superset of GBK and GB2312 that Chinese
Excel and shop backends write), then charset-normalizer's best guess.  A file cut in the
middle of its last line keeps every complete line; the cut one is reported, not lost.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import python_calamine
from pyarrow import csv as pacsv

from .errors import UnreadableInput

WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_SUFFIXES: Final = frozenset({".csv", ".tsv", ".txt"})
_DELIMITERS: Final = (",", "\t", ";", "|")


@dataclass(slots=True)
class RawTable:
    """One sheet or text file as read: `frame` is all text with positional columns;
    `lines[i]` is the 1-based line (or sheet row) of `frame.iloc[i]` in the source."""

    path: Path
    sheet: str | None
    frame: pd.DataFrame
    lines: list[int]
    encoding: str | None = None
    broken_lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path}" + (f" [{self.sheet}]" if self.sheet else "")


def read_file(path: Path, *, sheet: str | None = None, all_sheets: bool = False, encoding: str = "auto",
              delimiter: str | None = None) -> list[RawTable]:
    """The tables of one input file: a text file gives one; a workbook its first sheet,
    the named `sheet`, or with `all_sheets` every sheet that holds data."""
    suffix = path.suffix.lower()
    try:
        if suffix in WORKBOOK_SUFFIXES:
            return _read_workbook(path, sheet, all_sheets)
        return [_read_text(path, encoding, delimiter)]
    except UnreadableInput:
        raise
    except (OSError, ValueError, csv.Error, python_calamine.CalamineError, pd.errors.ParserError) as exc:
        raise UnreadableInput(f"{path}: {type(exc).__name__}: {exc}") from None


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str, bytes]:
    """Text of `data`, the encoding used, and the undecodable tail of a file cut mid-character."""
    if encoding != "auto":
        return _decode_with(data, encoding)
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _decode_with(data, name)
    for name in ("utf-8", "gb18030"):
        try:
            return _decode_with(data, name)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ValueError("the text encoding could not be recognised (tried UTF-8, GB18030)")
    return str(best), best.encoding, b""


def _decode_with(data: bytes, name: str) -> tuple[str, str, bytes]:
    """Decode strictly; an error inside the last line only (a cut file) gives that line back as bytes."""
    try:
        return data.decode(name), name, b""
    except UnicodeDecodeError as exc:
        last_newline = data.rfind(b"\n")
        if last_newline < 0 or exc.start <= last_newline:
            raise
        return data[: last_newline + 1].decode(name), name, data[last_newline + 1 :]


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_text(path: Path, encoding: str, delimiter: str | None) -> RawTable:
    data = path.read_bytes()
    try:
        text, used, tail = decode(data, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableInput(f"{path}: not readable as {encoding}: {exc}") from None
    sep = delimiter or ("\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text))
    frame = _parse_csv_arrow(text, sep)
    if frame is None:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        width = max((len(r) for r in rows), default=0)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width), dtype="str")
        frame = frame.where(frame != "", None)
    broken = [(len(frame) + 1, tail.decode(used, errors="replace"))] if tail else []
    return RawTable(path, None, frame, list(range(1, len(frame) + 1)), used, broken)


def _parse_csv_arrow(text: str, sep: str) -> pd.DataFrame | None:
    """Every field as text, parsed by pyarrow (fast, and no Python object per cell); None when the
    file's rows do not all have the first row's width (the csv module then takes it, row by row)."""
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=sep), [])
    names = [f"c{i}" for i in range(len(first))]
    if not names:
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid:
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame.columns = range(len(names))
    return frame


def _read_workbook(path: Path, sheet: str | None, all_sheets: bool) -> list[RawTable]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    names = book.sheet_names
    if sheet is not None and sheet not in names:
        raise UnreadableInput(f"{path} has no sheet '{sheet}' (it has: {', '.join(names)})")
    wanted = [sheet] if sheet else (names if all_sheets else names[:1])
    out = []
    for name in wanted:
        data = book.get_sheet_by_name(name)
        rows = data.to_python(skip_empty_area=False)
        if not rows or not any(v not in ("", None) for row in rows for v in row):
            continue
        first_row = data.start[0] if data.start else 0
        frame = pd.DataFrame([[_cell_text(v) for v in row] for row in rows], dtype="str")
        out.append(RawTable(path, name, frame, list(range(first_row + 1, first_row + 1 + len(rows)))))
    return out


def _cell_text(value: object) -> str | None:
    """A workbook cell as the text a person sees: whole numbers without `.0`, dates in ISO form."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)
