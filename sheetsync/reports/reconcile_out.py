"""A reconciliation written out in full: .xlsx (a summary sheet, one sheet per kind, every cell text),
.csv (UTF-8 with BOM for Excel, formula-like text escaped) or .json (the result as the API returns it)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import astuple, fields
from pathlib import Path
from typing import Final

from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, field_said, t
from sheetsync.reports.reconcile import KINDS, Difference, ReconcileResult
from sheetsync.reports.rejects import HEADERS as REJECTS_HEADERS
from sheetsync.reports.rejects import csv_safe

COLUMNS: Final = tuple(f.name for f in fields(Difference))


def write_result(result: ReconcileResult, path: Path, lang: Lang) -> Path:
    """Write the whole result to `path`; its suffix (.xlsx, .csv, .json) says how."""
    suffix = path.suffix.lower()
    writers = {".xlsx": _xlsx, ".csv": _csv, ".json": _json}
    if suffix not in writers:
        raise ConfigError(t("reconcile.bad_out", lang, path=path), t("reconcile.bad_out.hint", lang))
    path.parent.mkdir(parents=True, exist_ok=True)
    writers[suffix](result, path, lang)
    return path


def headers(lang: Lang) -> list[str]:
    return [t(f"reconcile.col.{name}", lang) for name in COLUMNS]


def cells(d: Difference, lang: Lang) -> list[str]:
    """A difference as the texts of its columns (the kind and note in words)."""
    values = ["" if v is None else str(v) for v in astuple(d)]
    values[0] = t(f"reconcile.kind.{d.kind}", lang)
    if d.note in ("digits_lost", "identical_lines"):
        values[COLUMNS.index("note")] = t(f"reconcile.note.{d.note}", lang)
    if d.side:
        values[COLUMNS.index("side")] = t(f"reconcile.side.{d.side}", lang)
    if d.field:  # the field as people call it, not its key
        values[COLUMNS.index("field")] = field_said(d.field, lang)
    return values


def _json(result: ReconcileResult, path: Path, lang: Lang) -> None:
    path.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def _csv(result: ReconcileResult, path: Path, lang: Lang) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(headers(lang))
        out.writerows([csv_safe(v) for v in cells(d, lang)] for d in result.differences)


def _xlsx(result: ReconcileResult, path: Path, lang: Lang) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    summary = book.add_worksheet(t("reconcile.sheet.summary", lang))
    rows: list[list[str]] = [[t("reconcile.summary.workbook", lang), result.workbook],
                             [t("reconcile.summary.rows", lang), str(result.rows)],
                             [t("reconcile.summary.tolerance", lang), result.tolerance], []]
    rows += [[t("reconcile.summary.kind", lang), t("reconcile.summary.count", lang)]]
    rows += [[t(f"reconcile.kind.{kind}", lang), str(result.counts.get(kind, 0))] for kind in KINDS]
    rows += [[], [t("reconcile.summary.source", lang), t("reconcile.summary.records", lang),
                  t("reconcile.summary.matched", lang), t("reconcile.summary.rejected", lang)]]
    rows += [[s["source"], str(s["records"]), str(s["matched"]), str(s["rejected"])] for s in result.sources]
    if result.totals:
        rows += [[], [t(f"reconcile.total.{name}", lang) for name in ("source", "channel", "orders", "desk_paid",
                                                                       "source_paid", "difference")]]
        rows += [[x.source, x.channel or "—", str(x.orders), x.desk_paid, x.source_paid, x.difference] for x in result.totals]
    titles = {t("reconcile.summary.kind", lang), t("reconcile.summary.source", lang), t("reconcile.total.source", lang)}
    _rows(summary, rows, lambda row: bold if row and row[0] in titles else None)
    summary.set_column(0, 0, 28)
    summary.set_column(1, 5, 16)
    for kind in KINDS:
        found = [d for d in result.differences if d.kind == kind]
        if not found:
            continue
        sheet = book.add_worksheet(t(f"reconcile.kind.{kind}", lang)[:31])
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(COLUMNS) - 1, 16)
        _rows(sheet, [headers(lang), *(cells(d, lang) for d in found)], lambda row: None, header=bold)
    if result.rejected:
        sheet = book.add_worksheet(t("reconcile.sheet.rejected", lang))
        _rows(sheet, [[t("reconcile.summary.source", lang), *REJECTS_HEADERS[lang]],
                      *([r["source"], Path(r["file"]).name, str(r["line"]), r["reason"]] for r in result.rejected)],
              lambda row: None, header=bold)
    book.close()


def _rows(sheet: object, rows: Iterable[list[str]], style_of: object, header: object = None) -> None:
    """Every value as a text cell (never a number, a formula or a link)."""
    for r, row in enumerate(rows):
        style = header if header is not None and r == 0 else style_of(row)  # type: ignore[operator]
        for c, value in enumerate(row):
            sheet.write_string(r, c, value, style)  # type: ignore[attr-defined]
