"""New order desks: `sheetsync init` (an empty desk) and `sheetsync demo` (the bundled example).

A new workbook is made with XlsxWriter: sheetsync creates it, so no person's work can be
lost.  Existing workbooks are only ever patched in place (`stores/xlsx/patch.py`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Final

from sheetsync.config import load_preset
from sheetsync.config.reasons import DEFAULT_REASONS, ReasonTree, load_reasons
from sheetsync.desk.aftersales import AFTERSALES_BLOCK, add_aftersales_sheets
from sheetsync.desk.formats import HEADER_FORMAT, column_width, kind_formats
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model.fields import FIELDS, Kind
from sheetsync.model.tickets import AFTERSALES_SHEETS
from sheetsync.runtime.resources import data_dir

SHEET_NAMES: Final[dict[str, str]] = {"zh": "订单", "en": "Orders"}
STATUS_CHOICES: Final[dict[str, list[str]]] = {
    "zh": ["待确认", "审核中", "备货中", "已发货", "已完成", "异常关闭", "退款中", "已退款"],
    "en": ["Pending", "In review", "Picking", "Shipped", "Done", "Closed", "Refunding", "Refunded"],
}
PRIORITY_CHOICES: Final[dict[str, list[str]]] = {"zh": ["红", "黄", "绿"], "en": ["high", "normal", "low"]}
ORDER_WIDTHS: Final[dict[str, int]] = {"order_id": 20, "channel_order_id": 28, "address": 36, "items": 30, "anomalies": 40,
                                  "note": 24, "phone": 16, "tracking_no": 18}
_CONFIG: Final = """\
# sheetsync 订单台配置 / order desk configuration.  See README.md.
# 路径相对于本文件 / paths are relative to this file.  密钥不写在这里 / no secrets here.
table:
  backend: xlsx
  path: orders.xlsx
  sheet: {sheet}
  headers: {lang}        # 表头预设 zh / en，或 {{preset: zh, order_id: 你们的列名}}
lang: {lang}
journal: .sheetsync/journal.db
order_id:
  prefix: SS
  format: "{{prefix}}{{date:%Y%m%d}}-{{seq:06d}}"
backups: 10
"""


def create_order_workbook(
    path: Path, lang: Lang, rows: Sequence[Mapping[str, object]] = (), extra_headers: Sequence[str] = (),
    aftersales: ReasonTree | None = None,
) -> None:
    """An order table: canonical headers (then `extra_headers`, columns of the team's own), header
    style, widths, frozen header, filter, status and priority dropdowns, and `rows` (field -> value);
    with `aftersales`, the after-sales sheet and its reason lists (`desk/aftersales.py`)."""
    headers = load_preset(lang)
    fields = list(FIELDS)
    import xlsxwriter  # only when a workbook is made: most runs never import it

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet(SHEET_NAMES[lang])
    head = workbook.add_format(HEADER_FORMAT)
    formats = kind_formats(workbook)
    for col, field in enumerate(fields):
        kind = FIELDS[field][0]
        width = column_width(field, kind, ORDER_WIDTHS)
        sheet.set_column(col, col, width, formats[kind])
        sheet.write_string(0, col, headers[field], head)
    for offset, header in enumerate(extra_headers):
        sheet.set_column(len(fields) + offset, len(fields) + offset, 14, formats[Kind.TEXT])
        sheet.write_string(0, len(fields) + offset, header, head)
    for r, row in enumerate(rows, start=1):
        for key, value in row.items():
            col = fields.index(key) if key in FIELDS else len(fields) + list(extra_headers).index(key)
            kind = FIELDS[key][0] if key in FIELDS else Kind.TEXT
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, col, value, formats[Kind.DATETIME])
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(r, col, float(value), formats[kind])
            elif value is not None:
                sheet.write_string(r, col, str(value), formats[kind])
    last_col = len(fields) + len(extra_headers) - 1
    sheet.set_row(0, 22)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), last_col)
    for field, choices in (("status", STATUS_CHOICES[lang]), ("priority", PRIORITY_CHOICES[lang])):
        col = fields.index(field)
        sheet.data_validation(1, col, 1_048_575, col, {"validate": "list", "source": choices, "error_type": "warning"})
    if aftersales is not None:
        add_aftersales_sheets(workbook, lang, aftersales, head)
    workbook.close()


def init_desk(folder: Path, lang: Lang) -> list[Path]:
    """Create sheetsync.yaml, orders.xlsx and inbox/ in `folder`; existing files are never overwritten."""
    config, workbook, inbox = folder / "sheetsync.yaml", folder / "orders.xlsx", folder / "inbox"
    existing = [p for p in (config, workbook) if p.exists()]
    if existing:
        raise ConfigError(t("config.exists", lang, path=", ".join(map(str, existing))), t("config.exists.hint", lang))
    folder.mkdir(parents=True, exist_ok=True)
    create_order_workbook(workbook, lang, aftersales=load_reasons(DEFAULT_REASONS[lang], folder, lang))
    config.write_text(_CONFIG.format(sheet=SHEET_NAMES[lang], lang=lang) + AFTERSALES_BLOCK.format(
        sheet=AFTERSALES_SHEETS[lang], reasons=DEFAULT_REASONS[lang], workflow=f"aftersales_{lang}"), encoding="utf-8")
    inbox.mkdir(exist_ok=True)
    return [config, workbook, inbox]


DEMO_NOW = "2026-11-21T10:00"
"""The demo's clock: the morning after the day its exports were made, so that its orders are fresh and their
time limits (时效) show every colour; `sheetsync demo --now` sets another."""


def copy_demo(folder: Path, lang: Lang) -> Path:
    """Copy the bundled example desk to `folder` (which must not exist yet)."""
    if folder.exists():
        raise ConfigError(t("config.exists", lang, path=folder), t("config.exists.hint", lang))
    shutil.copytree(data_dir("example_workbooks") / "demo", folder)
    return folder / "sheetsync.yaml"
