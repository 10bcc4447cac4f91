"""From the sheet as a store read it to the order table the run works on: one step for every store.

The header row is the configured one, or the first of the top rows that names the order_id column;
columns are found by their header text wherever a person moved them; each mapped column's values
are turned into their canonical text (`model/values.py`), so that a Google Sheet and a workbook give
the steps the same table.
"""

from __future__ import annotations

import pandas as pd

from sheetsync.config import Config, normalize_header
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model.values import canonical_column
from sheetsync.stores.base import Sheet, Store, Table

HEADER_SEARCH_ROWS = 30


def read_table(store: Store, config: Config) -> Table:
    """The desk's order table, read through `store`."""
    return table_of(store.read(), config)


def table_of(sheet: Sheet, config: Config) -> Table:
    """The order table of `sheet` (taken over: its cells are let go once the mapped columns are copied).
    A sheet without the configured headers is a ConfigError naming the sheet and the headers it lacks."""
    headers, required = config.header_map()
    lang = config.language
    frame, first_row, first_col = sheet.cells, sheet.first_row, sheet.first_col
    if frame.empty:
        raise _no_header(sheet, headers, lang)
    h = _header_index(sheet, config, headers["order_id"], lang, headers)
    header_cells = frame.iloc[h] if 0 <= h < len(frame) else pd.Series(dtype="str")
    by_text: dict[str, int] = {}
    for i, text in enumerate(header_cells):
        if isinstance(text, str) and text.strip():
            by_text.setdefault(normalize_header(text), i)
    columns: dict[str, int] = {}
    for field, header in headers.items():
        index = by_text.get(normalize_header(header))
        if index is not None:
            columns[field] = index
    missing = [headers[f] for f in sorted(required | {"order_id"}) if f not in columns]
    if missing:
        raise ConfigError(
            t("table.header_missing", lang, path=sheet.where, sheet=sheet.name, headers=", ".join(missing)),
            t("table.header_missing.hint", lang),
        )
    mapped = set(columns.values())
    extra = {str(header_cells.iloc[i]): i + first_col for i in by_text.values() if i not in mapped}
    body = frame.iloc[h + 1 :, list(columns.values())]
    sheet.cells = frame = pd.DataFrame()  # the unmapped columns and the rows above the header are not needed any more
    body.columns = list(columns)
    header_row = first_row + h
    body.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(body))
    body = pd.DataFrame({f: canonical_column(f, body[f], date1904=sheet.date1904) for f in columns}, index=body.index)
    last_row = header_row + len(body)
    filled = body.notna().any(axis=1)
    if not filled.all():
        body = body[filled]
    return Table(
        frame=body,
        row_numbers=body.index.tolist(),
        columns={f: i + first_col for f, i in columns.items()},
        header_row=header_row,
        last_row=last_row,
        extra_headers=extra,
    )


def _header_index(sheet: Sheet, config: Config, order_id_header: str, lang: Lang, headers: dict[str, str]) -> int:
    """Index in the sheet's cells of the header row: configured, or the first row naming the order id column."""
    if config.table.header_row is not None:
        return config.table.header_row - sheet.first_row
    wanted = normalize_header(order_id_header)
    frame = sheet.cells
    for i in range(min(HEADER_SEARCH_ROWS, len(frame))):
        if any(isinstance(v, str) and normalize_header(v) == wanted for v in frame.iloc[i]):
            return i
    raise _no_header(sheet, headers, lang)


def _no_header(sheet: Sheet, headers: dict[str, str], lang: Lang) -> ConfigError:
    return ConfigError(
        t("table.no_header", lang, path=sheet.where, sheet=sheet.name, rows=HEADER_SEARCH_ROWS, header=headers["order_id"]),
        t("table.no_header.hint", lang),
    )
