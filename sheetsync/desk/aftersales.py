"""The after-sales sheet of a new desk (`售后` / `After-sales`) and the hidden sheet of its reason lists.

One row per ticket.  Its 原因大类 column offers the tree's first levels; its 具体原因 column offers only the reasons
of the first level chosen in the same row: a dependent dropdown, made the way Excel, WPS and LibreOffice all honour.
The lists live on a hidden sheet (`售后原因` / `Reasons`): the first levels in column A, named `sheetsync_reasons`,
and the reasons of the n-th first level in the next columns, named `sheetsync_reason_n`; the second dropdown's list is
`INDIRECT("sheetsync_reason_" & MATCH(the row's first level, sheetsync_reasons, 0))`.  Names by position rather than
by the first level's text: a first level such as `物流/快递` or `Not as described` is no valid name.  The dropdowns
warn rather than refuse, so a pasted value is kept; the sync flags a reason that does not belong (REASON_MISMATCH).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Final

from sheetsync.config import load_config, load_preset
from sheetsync.config.reasons import DEFAULT_REASONS, ReasonTree, load_reasons
from sheetsync.desk.formats import HEADER_FORMAT, column_width, kind_formats
from sheetsync.i18n import Lang
from sheetsync.model.tickets import AFTERSALES_SHEETS, TICKET_FIELDS, kind_words
from sheetsync.run.commands import add_sheets
from sheetsync.runtime.columns import col_letters
from sheetsync.runtime.files import write_whole
from sheetsync.stores.xlsx.embed import Added
from sheetsync.stores.xlsx.patch import sheet_names

LIST_SHEETS: Final[dict[Lang, str]] = {"zh": "售后原因", "en": "Reasons"}
FIRSTS_NAME: Final = "sheetsync_reasons"
SECONDS_NAME: Final = "sheetsync_reason_"
TICKET_STATES: Final[dict[Lang, list[str]]] = {
    "zh": ["待审核", "待退件", "退件在途", "已收货", "已退款", "已换货", "已补发", "已关闭"],
    "en": ["To review", "Awaiting return", "Return in transit", "Received", "Refunded", "Exchanged", "Resent",
           "Closed"],
}
TICKET_WIDTHS: Final[dict[str, int]] = {"ticket_id": 18, "order_id": 20, "channel_ticket_id": 24, "channel_order_id": 28,
                                  "reason": 12, "sub_reason": 16, "return_tracking_no": 18, "photos": 30,
                                  "anomalies": 40, "note": 24}
LAST_ROW: Final = 1_048_575
AFTERSALES_BLOCK: Final = """
# 售后：一行一个售后单（退货、换货、仅退款、补发、维修），挂在它的订单上 / after-sales: one row per ticket
aftersales:
  sheet: {sheet}
  reasons: {reasons}     # 原因树：预设 retail_zh / autoparts_zh / retail_en，或相对本文件的 YAML 文件
  workflow: {workflow}   # 售后流程：预设 aftersales_zh / aftersales_en，或相对本文件的 YAML 文件 / the tickets' workflow
"""


def add_aftersales(config_file: Path, now: dt.datetime) -> list[str]:
    """`init --add-sheet after-sales`: the after-sales sheet and its hidden reason lists added to an existing desk's
    workbook through the in-place writer (nothing of the person's is rewritten), and `aftersales:` to its
    sheetsync.yaml when it lacks one.  Returns the sheets added (none when the workbook has them already and only
    the configuration was missing)."""
    config = load_config(config_file)
    lang = config.sheet_language
    reasons = (config.aftersales.reasons if config.aftersales else None) or DEFAULT_REASONS[lang]
    tree = load_reasons(reasons, config.base_dir, config.language)
    name = (config.aftersales.sheet if config.aftersales else None) or AFTERSALES_SHEETS[lang]
    added = [Added(name, "sheetsync_aftersales", "xl/worksheets/sheet1.xml"),
             Added(LIST_SHEETS[lang], "sheetsync_reasons", "xl/worksheets/sheet2.xml", hidden=True)]
    present = {n.casefold() for n in sheet_names(config.workbook_path)}
    done: list[str] = []
    if not (config.aftersales is None and {a.name.casefold() for a in added} <= present):
        done = add_sheets(config, aftersales_book(lang, tree, name), added, now)
    if config.aftersales is None:
        text = config_file.read_text(encoding="utf-8")
        write_whole(config_file, text.rstrip("\n") + "\n" + AFTERSALES_BLOCK.format(sheet=name, reasons=reasons,
                                                                                           workflow=f"aftersales_{lang}"))
    return done


def aftersales_book(lang: Lang, tree: ReasonTree, name: str | None = None) -> bytes:
    """A workbook holding only the after-sales sheet (first) and its lists (second), as XlsxWriter makes it."""
    import xlsxwriter

    with tempfile.TemporaryDirectory(prefix="sheetsync-aftersales-") as folder:
        made = Path(folder) / "aftersales.xlsx"
        # constant-memory mode: strings inline, so none points into a shared-strings part the person's workbook has
        workbook = xlsxwriter.Workbook(str(made), {"constant_memory": True, "tmpdir": folder, "strings_to_numbers": False,
                                                   "strings_to_formulas": False, "strings_to_urls": False})
        add_aftersales_sheets(workbook, lang, tree, workbook.add_format(HEADER_FORMAT), name)
        workbook.close()
        return made.read_bytes()


def add_aftersales_sheets(workbook: Any, lang: Lang, tree: ReasonTree, head: Any, name: str | None = None) -> None:
    """The after-sales sheet (named `name`, else by the language), then the hidden list sheet and its names, into
    an XlsxWriter `workbook` being made; `head` is the header format of the order sheet, so both read as one desk."""
    headers = load_preset(f"aftersales_{lang}")
    fields = list(TICKET_FIELDS)
    sheet = workbook.add_worksheet(name or AFTERSALES_SHEETS[lang])
    formats = kind_formats(workbook)
    for col, field in enumerate(fields):
        kind = TICKET_FIELDS[field][0]
        sheet.set_column(col, col, column_width(field, kind, TICKET_WIDTHS), formats[kind])
        sheet.write_string(0, col, headers[field], head)
    sheet.set_row(0, 22)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, 0, len(fields) - 1)
    reason, detail = fields.index("reason"), fields.index("sub_reason")
    first = f"${col_letters(reason + 1)}2"  # the row's own first level: relative row, fixed column
    warn = {"validate": "list", "error_type": "warning"}
    sheet.data_validation(1, fields.index("kind"), LAST_ROW, fields.index("kind"), {**warn, "source": kind_words(lang)})
    sheet.data_validation(1, fields.index("status"), LAST_ROW, fields.index("status"),
                          {**warn, "source": TICKET_STATES[lang]})
    sheet.data_validation(1, reason, LAST_ROW, reason, {**warn, "source": f"={FIRSTS_NAME}"})
    sheet.data_validation(1, detail, LAST_ROW, detail,
                          {**warn, "source": f'=INDIRECT("{SECONDS_NAME}"&MATCH({first},{FIRSTS_NAME},0))'})
    _list_sheet(workbook, lang, tree, headers["reason"])


def _list_sheet(workbook: Any, lang: Lang, tree: ReasonTree, heading: str) -> None:
    """The hidden sheet of the tree's lists (the first levels under `heading`) and the names the dropdowns use."""
    lists = workbook.add_worksheet(LIST_SHEETS[lang])
    quoted = "'" + LIST_SHEETS[lang].replace("'", "''") + "'"
    text = workbook.add_format({"num_format": "@"})
    columns = [[heading, *tree.firsts]]
    columns += [[name, *seconds] for name, seconds in tree.levels.items()]
    for row in range(max(len(c) for c in columns)):  # row by row: XlsxWriter's constant-memory mode writes so
        for col, column in enumerate(columns):
            if row < len(column):
                lists.write_string(row, col, column[row], text if row else None)
    workbook.define_name(FIRSTS_NAME, f"={quoted}!$A$2:$A${len(tree.firsts) + 1}")
    for number, seconds in enumerate(tree.levels.values(), start=1):
        letters = col_letters(number + 1)
        workbook.define_name(f"{SECONDS_NAME}{number}", f"={quoted}!${letters}$2:${letters}${max(len(seconds), 1) + 1}")
    lists.hide()
