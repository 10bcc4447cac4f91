"""A desk whose order table is a Google Sheet: `sheetsync init --gsheet URL` sets up the tabs of a spreadsheet the team
already has (the order tab; the after-sales tab and its hidden reason lists), the way `desk/new.py` makes a workbook,
and writes `sheetsync.yaml` pointing at it.  Nothing of the team's is written over: a tab that holds values is refused.
`sheetsync init --from-gsheet URL` adopts such a sheet as it is, as `init --from` adopts a workbook (`desk/adopt.py`
through a `GsheetSource`): the same header matching, status words (from the status column's dropdown and the values
in use), id format, and `--add-columns` (the tool's columns appended right of the header row in one batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from ruamel.yaml.comments import CommentedMap

from sheetsync.channels.readers import RawTable
from sheetsync.config import DEFAULT_CONFIG, Config, TableConfig, load_config, load_preset
from sheetsync.config.reasons import DEFAULT_REASONS, ReasonTree, load_reasons
from sheetsync.desk.adopt import AdoptResult, adopt
from sheetsync.desk.aftersales import AFTERSALES_BLOCK, LIST_SHEETS, TICKET_STATES, TICKET_WIDTHS
from sheetsync.desk.formats import column_width
from sheetsync.desk.new import ORDER_WIDTHS, PRIORITY_CHOICES, SHEET_NAMES, STATUS_CHOICES
from sheetsync.errors import ConfigError, StoreFailed, UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.model.cells import CellWrite
from sheetsync.model.fields import FIELDS, Kind
from sheetsync.model.tickets import AFTERSALES_SHEETS, TICKET_FIELDS, kind_words
from sheetsync.runtime.columns import col_letters
from sheetsync.runtime.files import write_whole
from sheetsync.runtime.locks import RunLock
from sheetsync.stores.gsheets import GsheetsStore
from sheetsync.stores.gsheets.api import GOOGLE, SheetsApi, checked_endpoint, spreadsheet_id
from sheetsync.stores.gsheets.setup import Column, Tab, set_up

GSHEET_CONFIG: Final = """\
# sheetsync 订单台配置 / order desk configuration.  See README.md.
# 订单表在 Google 表格里 / the order table is a Google Sheet.  密钥不写在这里 / no secrets here.
table:
  backend: gsheets
  spreadsheet: {spreadsheet}
  sheet: {sheet}
  headers: {lang}        # 表头预设 zh / en，或 {{preset: zh, order_id: 你们的列名}}
  credentials_env: {variable}   # 这个环境变量存放服务账号密钥文件（JSON）的路径 / names the variable holding the key file's path
{endpoint}lang: {lang}
journal: .sheetsync/journal.db
order_id:
  prefix: SS
  format: "{{prefix}}{{date:%Y%m%d}}-{{seq:06d}}"
"""
_KIND_FORMATS: Final[dict[Kind, str]] = {Kind.TEXT: "text", Kind.DATETIME: "datetime", Kind.MONEY: "money"}


@dataclass
class GsheetInit:
    """What `init --gsheet` did."""

    config: str
    spreadsheet: str
    sheet: str
    added: list[str] = field(default_factory=list)
    """Tabs added to the spreadsheet."""
    formatted: list[str] = field(default_factory=list)
    """Tabs that were there, empty, and were set up in place."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def init_gsheet(folder: Path, address: str, lang: Lang, *, sheet: str | None = None, endpoint: str | None = None,
                credentials_env: str | None = None) -> GsheetInit:
    """Write `folder/sheetsync.yaml` for the Google Sheet at `address` and set its tabs up (one batch); an existing
    configuration is never overwritten, and none is left behind when the set-up fails."""
    target = folder / DEFAULT_CONFIG
    if target.exists():
        raise ConfigError(t("config.exists", lang, path=target), t("config.exists.hint", lang))
    sid = spreadsheet_id(address, lang)
    name = sheet or SHEET_NAMES[lang]
    if endpoint is not None:
        checked_endpoint(endpoint, False, lang)
    text = GSHEET_CONFIG.format(
        spreadsheet=f"https://docs.google.com/spreadsheets/d/{sid}/edit", sheet=_yaml_text(name), lang=lang,
        variable=credentials_env or "GOOGLE_APPLICATION_CREDENTIALS",
        endpoint=f"  endpoint: {endpoint}\n" if endpoint and endpoint.rstrip("/") != GOOGLE else "")
    text += AFTERSALES_BLOCK.format(sheet=AFTERSALES_SHEETS[lang], reasons=DEFAULT_REASONS[lang],
                                    workflow=f"aftersales_{lang}")
    folder.mkdir(parents=True, exist_ok=True)
    write_whole(target, text)
    try:
        config = load_config(target)
        tree = load_reasons(DEFAULT_REASONS[lang], folder, lang)
        done = set_up(SheetsApi(config), [order_tab(name, lang), *aftersales_tabs(lang, tree)])
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    (folder / "inbox").mkdir(exist_ok=True)
    return GsheetInit(str(target), config.table.spreadsheet or sid, name, done.added, done.formatted)


def order_tab(name: str, lang: Lang) -> Tab:
    """The order tab as a new workbook's order sheet: the canonical headers, status and priority dropdowns."""
    headers = load_preset(lang)
    choices = {"status": STATUS_CHOICES[lang], "priority": PRIORITY_CHOICES[lang]}
    return Tab(name, [Column(headers[f], _KIND_FORMATS.get(FIELDS[f][0]), column_width(f, FIELDS[f][0], ORDER_WIDTHS),
                             choices.get(f, ())) for f in FIELDS])


def aftersales_tabs(lang: Lang, tree: ReasonTree) -> list[Tab]:
    """The after-sales tab and its hidden reason lists.  A Sheets dropdown takes no INDIRECT: the first level offers
    the list tab's column A, the second every second-level reason (the sync flags one that does not belong to the
    row's first level: REASON_MISMATCH)."""
    headers = load_preset(f"aftersales_{lang}")
    lists = LIST_SHEETS[lang]
    seconds = list(dict.fromkeys(r for rs in tree.levels.values() for r in rs))
    columns = []
    for f in TICKET_FIELDS:
        kind = TICKET_FIELDS[f][0]
        base = Column(headers[f], _KIND_FORMATS.get(kind), column_width(f, kind, TICKET_WIDTHS))
        if f == "kind":
            base = Column(base.header, base.number_format, base.width, kind_words(lang))
        elif f == "status":
            base = Column(base.header, base.number_format, base.width, TICKET_STATES[lang])
        elif f == "reason":
            quoted = "'" + lists.replace("'", "''") + "'"
            base = Column(base.header, base.number_format, base.width,
                          choices_range=f"{quoted}!$A$2:$A${len(tree.firsts) + 1}")
        elif f == "sub_reason" and seconds:
            base = Column(base.header, base.number_format, base.width, seconds)
        columns.append(base)
    table = [[headers["reason"], *tree.firsts], *([n, *rs] for n, rs in tree.levels.items())]
    height = max(len(c) for c in table)
    rows = [[c[r] if r < len(c) else "" for c in table] for r in range(1, height)]
    list_tab = Tab(lists, [Column(c[0], "text", 14) for c in table], rows=rows, hidden=True, filter=False, frozen=False)
    return [Tab(AFTERSALES_SHEETS[lang], columns), list_tab]


def _yaml_text(text: str) -> str:
    """`text` as a YAML scalar: quoted when YAML would read it otherwise."""
    import json

    plain = text and not any(ch in text for ch in ":#{}[],&*!|>'\"%@`") and text.strip() == text
    return text if plain else json.dumps(text, ensure_ascii=False)


@dataclass
class GsheetSource:
    """A team's own Google Sheet as `init --from-gsheet` adopts it (`desk/adopt.Source`): read as the sheet shows its
    values, headers added through the gsheets store (one batch), the configuration written in `folder`."""

    address: str
    folder: Path
    lang: Lang
    endpoint: str | None = None
    credentials_env: str | None = None

    def __post_init__(self) -> None:
        self.id = spreadsheet_id(self.address, self.lang)
        self.api = SheetsApi(self._config(TableConfig(backend="gsheets", spreadsheet=self.id)))

    @property
    def where(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.id}/edit"

    def _config(self, table: TableConfig) -> Config:
        more: dict[str, Any] = {}
        if self.endpoint:
            more["endpoint"] = self.endpoint
        if self.credentials_env:
            more["credentials_env"] = self.credentials_env
        table = table.model_copy(update={"backend": "gsheets", "spreadsheet": self.where, **more})
        return Config(table=table, lang=self.lang, source=(self.folder / DEFAULT_CONFIG).resolve())

    def tables(self, sheet: str | None) -> list[RawTable]:
        names = [sheet] if sheet else [s["properties"]["title"] for s in self.api.metadata().get("sheets", [])
                                       if not s["properties"].get("hidden")]
        quoted = ["'" + n.replace("'", "''") + "'" for n in names]
        try:
            found = self.api.values(quoted, formatted=True)
        except StoreFailed:
            if sheet is None:
                raise
            raise UnreadableInput(f"{self.where} has no sheet '{sheet}'") from None
        out = []
        for name, values in zip(names, found, strict=True):
            rows = [[str(v) if v not in ("", None) else None for v in row] for row in values.get("values", [])]
            if not any(v is not None for row in rows for v in row):
                continue
            width = max(len(r) for r in rows)
            frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype="str")
            out.append(RawTable(Path(self.id), name, frame, np.arange(1, 1 + len(rows), dtype=np.int64)))
        return out

    def dropdown(self, sheet: str, col: int, row: int) -> Sequence[str] | None:
        return self.api.choices("'" + sheet.replace("'", "''") + f"'!{col_letters(col)}{row}")

    def table(self, sheet: str, headers: dict[str, str], header_row: int | None) -> TableConfig:
        return self._config(TableConfig(sheet=sheet, headers=headers, header_row=header_row)).table

    def table_yaml(self, sheet: str) -> CommentedMap:
        table = CommentedMap(backend="gsheets", spreadsheet=self.where, sheet=sheet,
                             credentials_env=self.credentials_env or "GOOGLE_APPLICATION_CREDENTIALS")
        if self.endpoint and self.endpoint.rstrip("/") != GOOGLE:
            table["endpoint"] = self.endpoint
        return table

    def guards(self, config: Config) -> list[str]:
        return []  # a protected range of a Google Sheet refuses the service account's write itself (exit 5, named)

    def append_headers(self, config: Config, raw: RawTable, sheet_row: int, texts: dict[str, str],
                       result: AdoptResult) -> None:
        filled = [i for i in range(raw.frame.shape[1]) if raw.frame[raw.frame.columns[i]].notna().any()]
        first = (max(filled) + 2) if filled else 1
        with RunLock(config.state_dir, config.language):  # never beside a sync of the same desk
            store = GsheetsStore(config)
            written = store.write([CellWrite(sheet_row, first + i, text) for i, text in enumerate(texts.values())])
        if written is not None and written.dropped:  # a person typed into those cells meanwhile: theirs stand
            raise ConfigError(t("gsheets.header_taken", self.lang, where=self.where, row=sheet_row))
        result.added = list(texts.values())


def adopt_gsheet(folder: Path, address: str, lang: Lang, *, sheet: str | None = None, endpoint: str | None = None,
                 credentials_env: str | None = None, add_columns: bool = False, header_row: int | None = None,
                 order_id_column: str | None = None) -> AdoptResult:
    """`init --from-gsheet`: adopt a team's own Google Sheet as `init --from` adopts a workbook (desk/adopt.py); the
    configuration is written in `folder`."""
    if endpoint is not None:
        checked_endpoint(endpoint, False, lang)
    folder.mkdir(parents=True, exist_ok=True)
    source = GsheetSource(address, folder, lang, endpoint, credentials_env)
    result = adopt(source, sheet=sheet, add_columns=add_columns, lang=lang, header_row=header_row,
                   order_id_column=order_id_column)
    (folder / "inbox").mkdir(exist_ok=True)
    return result
