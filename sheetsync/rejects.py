"""The rejects workbook: every row a run could not take, with its file, line and reason.

All cells are text (written as strings, never as formulas or numbers), so a value like
`=HYPERLINK(...)` stays inert and a clerk can fix the rows and drop the file in again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from .channels.apply import Reject
from .i18n import Lang

_HEADERS = {"zh": ("文件", "行号", "原因"), "en": ("file", "line", "reason")}


def write_rejects(folder: Path, rejects: Sequence[Reject], lang: Lang, now: dt.datetime, run_id: int) -> Path:
    """Write `rejects` to `folder/rejects-RUN-STAMP.xlsx`, one sheet per source file; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rejects-{run_id}-{now:%Y%m%dT%H%M%S}.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#FCE4D6", "num_format": "@"})
    by_file: dict[str, list[Reject]] = {}
    for reject in rejects:
        by_file.setdefault(reject.file, []).append(reject)
    used: set[str] = set()
    for file, items in by_file.items():
        sheet = book.add_worksheet(_sheet_name(Path(file).stem, used))
        columns: list[str] = []
        for item in items:
            columns.extend(c for c in item.values if c not in columns)
        headers = [*_HEADERS[lang], *columns]
        for c, header in enumerate(headers):
            sheet.write_string(0, c, header, head)
        for r, item in enumerate(items, start=1):
            row = [item.file, str(item.line), item.reason, *(item.values.get(c) or "" for c in columns)]
            for c, value in enumerate(row):
                sheet.write_string(r, c, value, text)
        sheet.freeze_panes(1, 3)
        sheet.set_column(0, 0, 28)
        sheet.set_column(2, 2, 30)
    book.close()
    return path


def _sheet_name(stem: str, used: set[str]) -> str:
    base = "".join("_" if c in "[]:*?/\\" else c for c in stem)[:28] or "rejects"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base[:25]}~{n}"
    used.add(name.lower())
    return name
