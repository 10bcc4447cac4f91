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

from typing import Any, Final

from sheetsync.config import load_preset
from sheetsync.config.reasons import ReasonTree
from sheetsync.i18n import Lang
from sheetsync.model.fields import Kind
from sheetsync.model.tickets import TICKET_FIELDS, kind_words
from sheetsync.runtime.columns import col_letters

AFTERSALES_SHEETS: Final[dict[Lang, str]] = {"zh": "售后", "en": "After-sales"}
LIST_SHEETS: Final[dict[Lang, str]] = {"zh": "售后原因", "en": "Reasons"}
FIRSTS_NAME: Final = "sheetsync_reasons"
SECONDS_NAME: Final = "sheetsync_reason_"
TICKET_STATES: Final[dict[Lang, list[str]]] = {
    "zh": ["待审核", "待退件", "退件在途", "已收货", "已退款", "已换货", "已补发", "已关闭"],
    "en": ["To review", "Awaiting return", "Return in transit", "Received", "Refunded", "Exchanged", "Resent",
           "Closed"],
}
_WIDTHS: Final[dict[str, int]] = {"ticket_id": 18, "order_id": 20, "channel_ticket_id": 24, "channel_order_id": 28,
                                  "reason": 12, "sub_reason": 16, "return_tracking_no": 18, "photos": 30,
                                  "anomalies": 40, "note": 24}
LAST_ROW: Final = 1_048_575


def add_aftersales_sheets(workbook: Any, lang: Lang, tree: ReasonTree, head: Any) -> None:
    """The after-sales sheet, then the hidden list sheet and its names, into an XlsxWriter `workbook` being made;
    `head` is the header format of the order sheet, so both read as one desk."""
    headers = load_preset(f"aftersales_{lang}")
    fields = list(TICKET_FIELDS)
    sheet = workbook.add_worksheet(AFTERSALES_SHEETS[lang])
    formats = {
        Kind.TEXT: workbook.add_format({"num_format": "@"}),
        Kind.DATETIME: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        Kind.MONEY: workbook.add_format({"num_format": "#,##0.00"}),
    }
    for col, field in enumerate(fields):
        kind = TICKET_FIELDS[field][0]
        sheet.set_column(col, col, _WIDTHS.get(field, 18 if kind is Kind.DATETIME else 12), formats[kind])
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
    _list_sheet(workbook, lang, tree)


def _list_sheet(workbook: Any, lang: Lang, tree: ReasonTree) -> None:
    """The hidden sheet of the tree's lists and the names the dropdowns use."""
    lists = workbook.add_worksheet(LIST_SHEETS[lang])
    quoted = "'" + LIST_SHEETS[lang].replace("'", "''") + "'"
    text = workbook.add_format({"num_format": "@"})
    lists.write_string(0, 0, load_preset(f"aftersales_{lang}")["reason"])
    for row, name in enumerate(tree.firsts, start=1):
        lists.write_string(row, 0, name, text)
    workbook.define_name(FIRSTS_NAME, f"={quoted}!$A$2:$A${len(tree.firsts) + 1}")
    for number, (name, seconds) in enumerate(tree.levels.items(), start=1):
        lists.write_string(0, number, name)
        for row, second in enumerate(seconds, start=1):
            lists.write_string(row, number, second, text)
        column = col_letters(number + 1)
        workbook.define_name(f"{SECONDS_NAME}{number}", f"={quoted}!${column}$2:${column}${max(len(seconds), 1) + 1}")
    lists.hide()
