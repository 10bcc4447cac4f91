"""From the sheet as a store read it to the order table the run works on: one step for every store.

The header row is the configured one, or the first of the top rows that names the order_id column;
columns are found by their header text wherever a person moved them; each mapped column's values
are turned into their canonical text (`model/values.py`), so that a Google Sheet and a workbook give
the steps the same table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import partial

import pandas as pd

from sheetsync.config import Config, normalize_header
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model.fields import FIELDS, Kind
from sheetsync.model.tickets import AFTERSALES_SHEETS, TICKET_FIELDS, TICKET_REQUIRED
from sheetsync.model.values import canonical_column
from sheetsync.stores.base import Sheet, Store, Table

HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True, slots=True)
class TableSpec:
    """Which table of the workbook: the order sheet, or the after-sales sheet beside it."""

    sheet: str | None
    """The sheet's name; None: the store's own (the order sheet)."""
    headers: dict[str, str]
    """canonical field -> header text."""
    required: frozenset[str]
    """Fields whose column must exist."""
    key: str
    """The id field: its header finds the header row."""
    kinds: Mapping[str, Kind]
    header_row: int | None = None


def order_spec(config: Config) -> TableSpec:
    headers, required = config.header_map()
    return TableSpec(None, headers, required | {"order_id"}, "order_id", {f: k for f, (k, _) in FIELDS.items()},
                     config.table.header_row)


def ticket_spec(config: Config) -> TableSpec | None:
    """The after-sales sheet's table (None when the desk has none): its headers from the language's preset."""
    if config.aftersales is None:
        return None
    lang = config.sheet_language
    return TableSpec(config.aftersales.sheet or AFTERSALES_SHEETS[lang], config.ticket_headers(),
                     frozenset(TICKET_REQUIRED), "ticket_id", {f: k for f, (k, _) in TICKET_FIELDS.items()})


def read_table(store: Store, config: Config, spec: TableSpec | None = None,
               fields: Collection[str] | None = None) -> Table:
    """The desk's order table (or the table `spec` names, such as the after-sales sheet), read through `store`;
    `fields`: only these fields' columns (and the id's) are read and mapped, for a command that reads no other and
    writes nothing (the table's rows, positions and headers are those of the whole read; its `last_row` leaves out
    trailing rows that hold only other columns' values)."""
    spec = spec or order_spec(config)
    wanted = None if fields is None else frozenset(fields) | {spec.key}
    pick = None if wanted is None else partial(_picked, spec, config.language, wanted)
    return table_of(store.read(spec.sheet or None, pick), config, spec, wanted)


def _picked(spec: TableSpec, lang: Lang, wanted: frozenset[str], rows: list[list[str | None]], first_row: int,
            first_col: int) -> set[int] | None:
    """The sheet columns of the `wanted` fields, from the sheet's top `rows` (None: no header among them, every
    column is kept and the table's own read says what is wrong)."""
    head = Sheet(pd.DataFrame(rows, dtype="str"), first_row, first_col, "", "")
    try:
        h = _header_index(head, spec, lang)
    except ConfigError:
        return None
    if not 0 <= h < len(rows):
        return None
    columns = _header_columns(head.cells.iloc[h], spec.headers)[0]
    return {i + first_col for f, i in columns.items() if f in wanted}


def _header_columns(header_cells: pd.Series, headers: Mapping[str, str]) -> tuple[dict[str, int], dict[str, int]]:
    """(canonical field -> index of its header among `header_cells`, normalized header text -> its first index)."""
    by_text: dict[str, int] = {}
    for i, text in enumerate(header_cells):
        if isinstance(text, str) and text.strip():
            by_text.setdefault(normalize_header(text), i)
    columns: dict[str, int] = {}
    for field, header in headers.items():
        index = by_text.get(normalize_header(header))
        if index is not None:
            columns[field] = index
    return columns, by_text


def table_of(sheet: Sheet, config: Config, spec: TableSpec | None = None,
             fields: Collection[str] | None = None) -> Table:
    """The order table of `sheet` (or the table `spec` describes; taken over: its cells are let go once the mapped
    columns are copied); `fields`: only these fields' columns are mapped.  A sheet without the configured headers is
    a ConfigError naming the sheet and the headers it lacks."""
    spec = spec or order_spec(config)
    headers, required = spec.headers, spec.required
    lang = config.language
    frame, first_row, first_col = sheet.cells, sheet.first_row, sheet.first_col
    if frame.empty:
        raise _no_header(sheet, headers, lang, spec.key)
    h = _header_index(sheet, spec, lang)
    header_cells = frame.iloc[h] if 0 <= h < len(frame) else pd.Series(dtype="str")
    columns, by_text = _header_columns(header_cells, headers)
    missing = [headers[f] for f in sorted(required) if f not in columns]
    if missing:
        raise ConfigError(
            t("table.header_missing", lang, path=sheet.where, sheet=sheet.name, headers=", ".join(missing)),
            t("table.header_missing.hint", lang),
        )
    mapped = set(columns.values())
    extra = {str(header_cells.iloc[i]): i + first_col for i in by_text.values() if i not in mapped}
    if fields is not None:
        columns = {f: i for f, i in columns.items() if f in fields}
    body = frame.iloc[h + 1 :, list(columns.values())]
    sheet.cells = frame = pd.DataFrame()  # the unmapped columns and the rows above the header are not needed any more
    body.columns = list(columns)
    header_row = first_row + h
    body.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(body))
    body = pd.DataFrame({f: canonical_column(f, body[f], date1904=sheet.date1904, kind=spec.kinds.get(f))
                         for f in columns}, index=body.index)
    last_row = header_row + len(body)
    filled = body.notna().any(axis=1)
    if not filled.all():
        body = body[filled]
    return Table(
        frame=body,
        columns={f: i + first_col for f, i in columns.items()},
        header_row=header_row,
        last_row=last_row,
        extra_headers=extra,
    )


def _header_index(sheet: Sheet, spec: TableSpec, lang: Lang) -> int:
    """Index in the sheet's cells of the header row: configured, or the first row naming the id column."""
    if spec.header_row is not None:
        return spec.header_row - sheet.first_row
    wanted = normalize_header(spec.headers[spec.key])
    frame = sheet.cells
    for i in range(min(HEADER_SEARCH_ROWS, len(frame))):
        if any(isinstance(v, str) and normalize_header(v) == wanted for v in frame.iloc[i]):
            return i
    raise _no_header(sheet, spec.headers, lang, spec.key)


def _no_header(sheet: Sheet, headers: dict[str, str], lang: Lang, key: str = "order_id") -> ConfigError:
    return ConfigError(
        t("table.no_header", lang, path=sheet.where, sheet=sheet.name, rows=HEADER_SEARCH_ROWS, header=headers[key]),
        t("table.no_header.hint", lang),
    )
