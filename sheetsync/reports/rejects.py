"""The rejects file: every row a run could not take, with its file, line and reason.

By default a workbook whose cells are all text (written as strings, never as formulas or
numbers), so a value like `=HYPERLINK(...)` stays inert and a clerk can fix the rows and drop
the file in again.  As CSV (UTF-8 with a BOM, which Excel and WPS need to see UTF-8), a value a
spreadsheet would run as a formula gets a leading `'` (OWASP's advice for CSV injection), except
values that are plainly a number (`-5`, `+3.5`) or a phone number (`+86 138 1234 5678`): they
cannot call anything, and must still read as what they are.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd

from sheetsync.channels.apply import Reject
from sheetsync.i18n import Lang

HEADERS = {"zh": ("文件", "行号", "原因"), "en": ("file", "line", "reason")}
"""The first columns of a rejects file: where a row came from and why it was not taken."""


CELL_CHARACTERS: Final = 32_767
"""The most characters a cell holds (Excel's limit)."""
SOURCE_COLUMNS: Final = 250
"""The source columns a rejects sheet shows one by one; the rest of a wider export are folded into one last cell
(`name=value; ...`): Excel has 16,384 columns, and nobody reads more than a few hundred."""
MORE: Final = "…"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER: Final = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?$")
_PHONE: Final = re.compile(r"^\+\d[\d ()\-]{5,22}$")


def write_rejects(folder: Path, rejects: Sequence[Reject], lang: Lang, stamp: str, run_id: int) -> Path:
    """Write `rejects` to `folder/rejects-RUN-STAMP.xlsx` (`runtime.files.file_stamp`: the same clock as the
    run's backup), one sheet per source file; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_rejects_xlsx(folder / f"rejects-{run_id}-{stamp}.xlsx", rejects, lang)


def write_rejects_xlsx(path: Path, rejects: Sequence[Reject], lang: Lang) -> Path:
    """Write `rejects` to the workbook `path`, one sheet per source file, every cell text; returns `path`."""
    import xlsxwriter  # only when a workbook is made: most runs never import it

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#FCE4D6", "num_format": "@"})
    by_file: dict[str, list[Reject]] = {}
    for reject in rejects:
        by_file.setdefault(reject.file, []).append(reject)
    if not by_file:
        by_file[""] = []
    used: set[str] = set()
    sheets: list[tuple[str, list[str], list[Reject]]] = []
    for file, items in by_file.items():
        name = _sheet_name(Path(file).stem, used)
        sheet = book.add_worksheet(name)
        columns = _columns(items)
        headers = [*HEADERS[lang], *columns[:SOURCE_COLUMNS], *([MORE] if len(columns) > SOURCE_COLUMNS else [])]
        for c, header in enumerate(headers):
            sheet.write_string(0, c, header, head)
        # every column is text, so a value typed into an empty cell stays text too
        sheet.set_column(0, 0, 28, text)
        sheet.set_column(1, 1, None, text)
        sheet.set_column(2, 2, 30, text)
        sheet.set_column(3, max(3, len(headers) - 1), None, text)
        sheet.freeze_panes(1, 3)
        sheets.append((name, headers, items))
    book.close()
    for name, _, items in sheets:
        if items:
            _append_rows(path, name, _rows(items, _columns(items)))
    return path


def _append_rows(path: Path, sheet: str, rows: list[list[str]]) -> None:
    """Add `rows` below the header of `sheet`, as text cells (empty ones left out), by the same in-place
    writer as the order table's appended rows: xlsxwriter, a Python call per cell, took 1.4 s for the
    27,000 rejected rows of a million-row import; the writer's bulk path builds them in one query."""
    from sheetsync.model.cells import AppendBlock
    from sheetsync.model.values import ColumnCells
    from sheetsync.stores.xlsx.patch import patch_xlsx

    # a cell holds 32,767 characters (Excel's limit; xlsxwriter cut longer text the same way): the CSV
    # rejects (`--rejects x.csv`) keep such a value whole
    columns = [pd.Series(column, dtype="str").replace("", None).str.slice(0, CELL_CHARACTERS)
               for column in zip(*rows, strict=True)]
    block = AppendBlock(2, list(range(1, len(columns) + 1)),
                        by_column=[ColumnCells(f"rejects_{j}", column) for j, column in enumerate(columns)])
    patched = path.with_name(f".{path.name}.part")
    try:
        patch_xlsx(path, patched, sheet, [], appends=block)
        os.replace(patched, path)
    finally:
        patched.unlink(missing_ok=True)


def write_rejects_csv(path: Path, rejects: Sequence[Reject], lang: Lang) -> Path:
    """Write `rejects` to the CSV file `path` (UTF-8 with BOM, CRLF), formula-like values escaped; the
    columns are file, line, reason and every source column met (in the order met)."""
    columns = _columns(rejects)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow([csv_safe(h) for h in (*HEADERS[lang], *columns)])
        out.writerows([csv_safe(v) for v in row] for row in _rows(rejects, columns, None))
    return path


def csv_safe(value: str) -> str:
    """`value` as a CSV cell no spreadsheet runs as a formula: a leading `'` before `=`, `+`, `-`, `@`,
    tab or carriage return, unless the value is plainly a number or a phone number."""
    if not value.startswith(_FORMULA_START) or (_NUMBER.match(value) and any(c.isdigit() for c in value)):
        return value
    if _PHONE.match(value) and 7 <= sum(c.isdigit() for c in value) <= 15:
        return value
    return "'" + value


def _columns(rejects: Sequence[Reject]) -> list[str]:
    columns: dict[str, None] = {}
    for item in rejects:
        columns.update(dict.fromkeys(item.values))
    return list(columns)


def _rows(rejects: Sequence[Reject], columns: list[str], shown: int | None = SOURCE_COLUMNS) -> list[list[str]]:
    """The rows of a rejects sheet; past `shown` source columns, the rest of each row in one cell (`name=value`)."""
    out = []
    for item in rejects:
        cells = [item.values.get(c) or "" for c in columns]
        row = [item.file, str(item.line), item.reason]
        if shown is not None and len(cells) > shown:
            rest = "; ".join(f"{c}={v}" for c, v in zip(columns[shown:], cells[shown:], strict=True) if v)
            row += [*cells[:shown], rest]
        else:
            row += cells
        out.append(row)
    return out


def _sheet_name(stem: str, used: set[str]) -> str:
    """A sheet name Excel and every writer accept, made from a file's name: no `[]:*?/\\` nor control characters,
    no `'` at either end, not the reserved `History`, at most 31 characters, unique in the book."""
    base = "".join("_" if c in "[]:*?/\\" or ord(c) < 32 or 127 <= ord(c) < 160 else c for c in stem)[:28]
    base = base.strip("'").strip() or "rejects"
    if base.casefold() == "history":
        base = "history_"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base[:25]}~{n}"
    used.add(name.lower())
    return name
