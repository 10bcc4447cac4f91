"""Reading input files (shop exports, carrier files, legacy data) into text tables.

Every cell is read as text, so digits and leading zeros survive; which row is the header
is decided later, against a mapping's headers.  Encodings are detected: a BOM (UTF-8,
UTF-16), then strict UTF-8, then GB18030 (the superset of GBK and GB2312 that Chinese
Excel and shop backends write), then charset-normalizer's best guess.  A file cut in the
middle of its last line keeps every complete line; the cut one is reported, not lost.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import python_calamine
from pyarrow import csv as pacsv

from sheetsync.errors import UnreadableInput
from sheetsync.i18n import default_lang, t
from sheetsync.runtime import limits
from sheetsync.runtime.columns import col_letters
from sheetsync.runtime.extents import check_extents

WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_SUFFIXES: Final = frozenset({".csv", ".tsv", ".txt"})
_DELIMITERS: Final = (",", "\t", ";", "|")


@dataclass(slots=True)
class RawTable:
    """One sheet or text file as read: `frame` is all text with positional columns;
    `lines[i]` is the 1-based line (or sheet row) of `frame.iloc[i]` in the source (an int64 array:
    a million-row file's lines as a list were 36 MB of Python ints, turned into arrays again and again)."""

    path: Path
    sheet: str | None
    frame: pd.DataFrame
    lines: np.ndarray
    encoding: str | None = None
    broken_lines: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = np.asarray(self.lines, dtype=np.int64)

    @property
    def where(self) -> str:
        return f"{self.path}" + (f" [{self.sheet}]" if self.sheet else "")


@dataclass(slots=True)
class Sample:
    """Part of a table, to look at a large file quickly: `complete` when it is the whole table;
    `lines` is how many lines (sheet rows) the whole table has, to scale what the sample shows."""

    table: RawTable
    complete: bool
    lines: int


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


def sample_file(path: Path, *, sheet: str | None = None, all_sheets: bool = False, encoding: str = "auto",
                delimiter: str | None = None, head: int = 2000, spread: int = 100, rows_each: int = 80,
                whole_below: int = 4 << 20) -> list[Sample]:
    """The tables of one input file, sampled: a text file larger than `whole_below` bytes gives its
    first `head` lines plus `rows_each` lines at each of `spread` byte offsets spread evenly over the
    rest (line numbers exact); smaller text files and workbooks are read whole."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES or (path.is_file() and path.stat().st_size <= whole_below):
        return [Sample(t, True, len(t.lines) + len(t.broken_lines)) for t in
                read_file(path, sheet=sheet, all_sheets=all_sheets, encoding=encoding, delimiter=delimiter)]
    try:
        data = path.read_bytes()  # its lines are bounded in the pieces the sample takes (`_sample_text`)
        with _bounded_fields() as cap:
            try:
                return [_sample_text(path, data, encoding, delimiter, head, spread, rows_each)]
            except csv.Error as exc:
                if "field larger than field limit" not in str(exc):
                    raise
                _too_long_cell(path, "—", cap)
    except UnreadableInput:
        raise
    except (OSError, ValueError, csv.Error) as exc:
        raise UnreadableInput(f"{path}: {type(exc).__name__}: {exc}") from None


def _sample_text(path: Path, data: bytes, encoding: str, delimiter: str | None, head: int, spread: int,
                 rows_each: int) -> Sample:
    if encoding == "auto" and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        table = _read_text(path, encoding, delimiter)  # two-byte text cannot be cut at any byte: read it whole
        return Sample(table, True, len(table.lines) + len(table.broken_lines))
    total = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    head_end = _after_lines(data, 0, head)
    pieces: list[tuple[int, bytes]] = [(1, data[:head_end])]
    step = (len(data) - head_end) / max(spread, 1)
    previous, line = head_end, data.count(b"\n", 0, head_end) + 1
    for i in range(spread):
        start = data.find(b"\n", int(head_end + i * step)) + 1
        if start <= 0 or start < previous:
            continue
        line += data.count(b"\n", previous, start)  # line breaks are counted once, piece by piece
        end = _after_lines(data, start, rows_each)
        pieces.append((line, data[start:end]))
        line += data.count(b"\n", start, end)
        previous = end
    cap = limits.current().line_bytes
    for first_line, piece in pieces:
        length, at = _longest(_line_lengths(piece))
        if length > cap:
            _too_long_line(path, first_line + at, length, cap)
    text, used, _ = decode(b"".join(p for _, p in pieces), encoding)
    sep = delimiter or ("\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text))
    rows: list[list[str]] = []
    lines: list[int] = []
    for first_line, piece in pieces:
        piece_text = piece.decode(used, errors="replace")
        if first_line == 1 and piece_text.startswith("\ufeff"):
            piece_text = piece_text[1:]
        reader = csv.reader(io.StringIO(piece_text, newline=""), delimiter=sep)
        before = 0
        for row in reader:
            lines.append(first_line + before)
            rows.append(row)
            before = reader.line_num
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width), dtype="str")
    frame = frame.where(frame != "", None)
    return Sample(RawTable(path, None, frame, np.asarray(lines, dtype=np.int64), used), False, total)


def _after_lines(data: bytes, start: int, count: int) -> int:
    """The offset just after the `count`-th line break from `start` (or the end of `data`)."""
    at = start
    for _ in range(count):
        found = data.find(b"\n", at)
        if found < 0:
            return len(data)
        at = found + 1
    return at


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


STREAM_FROM: Final = 8 << 20
"""Text files larger than this (8 MB) are first tried straight from disk by pyarrow (`_read_streamed`)."""


def _read_text(path: Path, encoding: str, delimiter: str | None) -> RawTable:
    check_lines(path)
    if path.stat().st_size > STREAM_FROM:
        streamed = _read_streamed(path, encoding, delimiter)
        if streamed is not None:
            return streamed
    data = path.read_bytes()
    try:
        text, used, tail = decode(data, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableInput(f"{path}: not readable as {encoding}: {exc}") from None
    sep = delimiter or ("\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text))
    frame = _parse_csv_arrow(path, text, sep)
    if frame is None:
        rows = _csv_rows(path, text, sep)
        width = max((len(r) for r in rows), default=0)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width), dtype="str")
        frame = frame.where(frame != "", None)
    broken = [(len(frame) + 1, tail.decode(used, errors="replace"))] if tail else []
    return RawTable(path, None, frame, np.arange(1, len(frame) + 1, dtype=np.int64), used, broken)


def _read_streamed(path: Path, encoding: str, delimiter: str | None) -> RawTable | None:
    """A large text file parsed by pyarrow as it reads the file, transcoding on the way: no copy of the
    whole file as bytes, then as str, then again as UTF-8 (a million-row GBK export: ~500 MB less at the
    peak).  The encoding is told from the first megabyte (a BOM, strict UTF-8, else GB18030); None,
    and the careful reading of the whole file, for anything unusual: UTF-16, an undecodable byte further
    on, rows of another width, a line cut in the middle."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    head = head[: head.rfind(b"\n") + 1] or head
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        text, used, _ = decode(head, encoding)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None
    if used not in ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312"):
        return None
    sep = delimiter or ("\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text))
    names = _first_names(path, text, sep)
    if not names:
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, encoding="utf8" if used.startswith("utf-8") else used),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
        return None
    _check_cells(path, table)
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    del table
    frame.columns = range(len(names))
    return RawTable(path, None, frame, np.arange(1, len(frame) + 1, dtype=np.int64), used)


def _parse_csv_arrow(path: Path, text: str, sep: str) -> pd.DataFrame | None:
    """Every field as text, parsed by pyarrow (fast, and no Python object per cell); None when the
    file's rows do not all have the first row's width (the csv module then takes it, row by row)."""
    names = _first_names(path, text, sep)
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
    _check_cells(path, table)
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame.columns = range(len(names))
    return frame


def check_lines(path: Path) -> None:
    """UnreadableInput when a line of the text file at `path` is longer than the bound (`limits.line_bytes`),
    found without decoding: the line breaks of each megabytes-long piece are located by numpy.  A file no longer
    than the bound is not looked at."""
    cap = limits.current().line_bytes
    if path.stat().st_size <= cap:
        return
    with path.open("rb") as fh:
        carried, line = 0, 1  # the bytes of the line a piece ended in, and that line's number
        while piece := fh.read(16 << 20):
            lengths = _line_lengths(piece)
            lengths[0] += carried
            longest, at = _longest(lengths)
            if longest > cap:
                _too_long_line(path, line + at, longest, cap)
            carried, line = int(lengths[-1]), line + len(lengths) - 1


def _line_lengths(data: bytes) -> np.ndarray:
    """Bytes of each line of `data` (line breaks not counted; the last: what follows the last break), by numpy."""
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return np.diff(np.concatenate(([-1], breaks, [len(data)]))) - 1


def _longest(lengths: np.ndarray) -> tuple[int, int]:
    """(bytes, 0-based line number) of the longest of `lengths`."""
    at = int(lengths.argmax())
    return int(lengths[at]), at


def _too_long_line(path: Path, line: int, size: int, cap: int) -> NoReturn:
    lang = default_lang()
    raise UnreadableInput(t("read.long_line", lang, path=path, line=line, size=f"{size:,}", limit=f"{cap:,}"),
                          t("read.limit.hint", lang))


def _first_names(path: Path, text: str, sep: str) -> list[str]:
    """Positional names for the fields of the first line; UnreadableInput past the bound of fields per line."""
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=sep), [])
    _check_width(path, 1, len(first))
    return [f"c{i}" for i in range(len(first))]


def _check_width(path: Path, line: int, width: int) -> None:
    cap = limits.current().fields
    if width > cap:
        lang = default_lang()
        raise UnreadableInput(t("read.wide_line", lang, path=path, line=line, n=f"{width:,}", limit=f"{cap:,}"),
                              t("read.limit.hint", lang))


def _csv_rows(path: Path, text: str, sep: str) -> list[list[str]]:
    """The rows of a text file of ragged width, read by the csv module, each bounded in fields and characters."""
    fields = limits.current().fields
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    with _bounded_fields() as cap:
        try:
            for row in reader:
                if len(row) > fields:
                    _check_width(path, reader.line_num, len(row))
                rows.append(row)
        except csv.Error as exc:
            if "field larger than field limit" not in str(exc):
                raise
            _too_long_cell(path, t("read.at", default_lang(), line=reader.line_num + 1, n="?"), cap)
    return rows


@contextlib.contextmanager
def _bounded_fields() -> Iterator[int]:
    """The csv module's field size bound set to `limits.cell_chars` for a while (it is the module's, not a reader's)."""
    cap = limits.current().cell_chars
    previous = csv.field_size_limit(cap)
    try:
        yield cap
    finally:
        csv.field_size_limit(previous)


def _check_cells(path: Path, table: pa.Table) -> None:
    """UnreadableInput naming the line and field of the first cell longer than the bound (`limits.cell_chars`)."""
    cap = limits.current().cell_chars
    found = limits.first_long_cell(table, cap)
    if found is not None:
        _too_long_cell(path, t("read.at", default_lang(), line=found[0] + 1, n=found[1] + 1), cap)


def _too_long_cell(path: Path, where: str, cap: int) -> NoReturn:
    lang = default_lang()
    raise UnreadableInput(t("read.long_cell", lang, path=path, where=where, limit=f"{cap:,}"), t("read.limit.hint", lang))


def _read_workbook(path: Path, sheet: str | None, all_sheets: bool) -> list[RawTable]:
    check_extents(path, default_lang(), inflate=True)  # a stray far cell, a zip bomb: calamine would lay out GBs
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
        # with skip_empty_area=False the rows and columns start at A1, whatever the sheet's used range
        cap = limits.current().cell_chars
        try:
            frame = pd.DataFrame([[_cell_text(v, cap) for v in row] for row in rows], dtype="str")
        except _LongCell:
            far = next((r, c) for r, row in enumerate(rows) for c, v in enumerate(row)
                       if isinstance(v, str) and len(v) > cap)
            _too_long_cell(path, f"[{name}] {col_letters(far[1] + 1)}{far[0] + 1}", cap)
        out.append(RawTable(path, name, frame, np.arange(1, 1 + len(rows), dtype=np.int64)))
    return out


class _LongCell(Exception):
    """A cell past the bound of characters (located afterwards, off the fast path)."""


def _cell_text(value: object, cap: int = limits.DEFAULT.cell_chars) -> str | None:
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
    text = str(value)
    if len(text) > cap:
        raise _LongCell
    return text
