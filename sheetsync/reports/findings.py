"""`validate --out FILE`: every finding of the rules written to a file a person opens (.xlsx, .csv) or a program
reads (.json), however many there are; the terminal shows the first ones.

Every value is written as text (XlsxWriter's `write_string`, `csv_safe` in a CSV): a finding quotes what a cell
holds, and `=HYPERLINK(...)` typed into an order must not become a formula in the findings file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, field_said, t
from sheetsync.reports.rejects import csv_safe

COLUMNS: Final = ("row", "order_id", "code", "level", "column", "message")


def write_findings(findings: Sequence[dict[str, Any]], path: Path, lang: Lang) -> Path:
    """Write `findings` (as `sheetsync validate` gives them) to `path`; its suffix (.xlsx, .csv, .json) says how."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".json"):
        raise ConfigError(t("validate.bad_out", lang, path=path), t("validate.bad_out.hint", lang))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        path.write_text(json.dumps(list(findings), ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
        return path
    headers = [t(f"validate.col.{name}", lang) for name in COLUMNS]
    rows = [[_cell(f, name, lang) for name in COLUMNS] for f in findings]
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh, lineterminator="\r\n")
            out.writerow(headers)
            out.writerows([csv_safe(v) for v in row] for row in rows)
        return path
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(t("validate.sheet", lang))
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    sheet.freeze_panes(1, 0)
    for col, width in enumerate((8, 22, 18, 8, 14, 60)):
        sheet.set_column(col, col, width)
    for r, row in enumerate([headers, *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value, bold if r == 0 else None)
    book.close()
    return path


def _cell(finding: dict[str, Any], name: str, lang: Lang) -> str:
    value = finding.get(name)
    if value is None:
        return ""
    if name == "level":
        return t(f"validate.level.{value}", lang)
    if name == "column":
        return field_said(str(value), lang)
    return str(value)

