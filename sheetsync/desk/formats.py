"""The formats of the sheets sheetsync makes (the order sheet of a new desk, the after-sales sheet): one header
style and one cell format per kind of field, so that every sheet of a desk reads as one."""

from __future__ import annotations

from typing import Any, Final

from sheetsync.model.fields import Kind

HEADER_FORMAT: Final[dict[str, object]] = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                                           "valign": "vcenter", "text_wrap": True}
KIND_FORMATS: Final[dict[Kind, str]] = {Kind.TEXT: "@", Kind.DATETIME: "yyyy-mm-dd hh:mm", Kind.MONEY: "#,##0.00"}


def kind_formats(workbook: Any) -> dict[Kind, Any]:
    """The cell format of each kind of field, added to an XlsxWriter `workbook` being made."""
    return {kind: workbook.add_format({"num_format": code}) for kind, code in KIND_FORMATS.items()}


def column_width(field: str, kind: Kind, widths: dict[str, int]) -> int:
    """A column's width: the field's own, else one that shows a date and time whole, else 12."""
    return widths.get(field, 18 if kind is Kind.DATETIME else 12)
