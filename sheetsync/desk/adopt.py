"""Adopting a team's own order workbook (`sheetsync init --from EXISTING.xlsx`).

The sheet's headers are matched to canonical fields with the import's synonyms and content
rules, and a `sheetsync.yaml` is written beside the workbook whose `table.headers` maps the
team's own header texts: the workbook is used as it is.  Columns the tool needs and the sheet
lacks (order_id, status, sla, anomalies ...) are appended at the right of the header row only
when asked, through the in-place writer (the workbook is never rebuilt; the previous version is
kept in `.sheetsync/backups/`).  Rows without an order_id get one on the first sync.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from sheetsync.channels.automap import AutoMapping, Synonyms, automap, load_synonyms
from sheetsync.channels.readers import RawTable, read_file
from sheetsync.config import DEFAULT_CONFIG, Config, TableConfig, load_config, load_preset, normalize_header, resolve_headers
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model.cells import CellWrite
from sheetsync.model.fields import FIELDS
from sheetsync.stores.xlsx import XlsxStore

TOOL_COLUMNS: Final = ("order_id", "channel", "channel_order_id", "status", "status_since", "promised_by", "sla", "anomalies")
"""Columns sheetsync works with that a team's sheet may lack; `--add-columns` appends the missing ones."""
WRITABLE: Final = (".xlsx", ".xlsm")


@dataclass
class AdoptResult:
    """What `init --from` found and wrote."""

    workbook: str
    sheet: str
    header_row: int
    config: str
    headers: dict[str, str]
    columns: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    backup: str | None = None
    unnamed: list[str] = field(default_factory=list)
    """Columns whose content looked like a field but whose header cell is empty: left unmapped (`#16 (address)`),
    since a configuration names columns by their header text; give the cell a header to map it."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def adopt_workbook(path: Path, *, sheet: str | None = None, add_columns: bool = False, lang: Lang = "zh") -> AdoptResult:
    """Write `sheetsync.yaml` beside `path` mapping its own headers (see the module docstring); an existing
    configuration is never overwritten.  ConfigError (exit 2) when the sheet has no order id column and
    `add_columns` is not given, or has no header row at all."""
    if path.suffix.lower() not in WRITABLE:
        raise ConfigError(t("adopt.not_xlsx", lang, path=path), t("adopt.not_xlsx.hint", lang))
    target = path.parent / DEFAULT_CONFIG
    if target.exists():
        raise ConfigError(t("config.exists", lang, path=target), t("config.exists.hint", lang))
    synonyms = load_synonyms(path.parent, lang)
    raw, found = _best_sheet(read_file(path, sheet=sheet, all_sheets=sheet is None), synonyms, path, sheet, lang)
    name = raw.sheet or ""
    if found.header_row is None:
        raise ConfigError(t("adopt.no_header", lang, path=path, sheet=name))
    headers = found.fields()
    unnamed = {f: h for f, h in headers.items() if _placeholder(raw, found, h)}
    for unmapped in unnamed:  # a column matched by its content whose header cell is empty: `check` could not find it
        del headers[unmapped]
    if "order_id" not in headers and not add_columns:
        raise ConfigError(t("adopt.no_order_id", lang, path=path, sheet=name), t("adopt.no_order_id.hint", lang))
    header_row = int(raw.lines[found.header_row])
    result = AdoptResult(str(path), name, header_row, str(target), dict(headers),
                         columns=[asdict(c) for c in found.columns if c.note != "empty" and c.field not in unnamed],
                         unmatched=found.unmatched, unnamed=[f"{h} ({f})" for f, h in unnamed.items()])
    absent = [f for f in TOOL_COLUMNS if f not in headers]
    if add_columns and absent:
        texts = _new_headers(absent, found, lang)
        headers.update(texts)
        config = _config(path, target, name, headers, lang)
        store = XlsxStore(config)
        first = _first_free_column(raw)
        written = store.write([CellWrite(header_row, first + i, text) for i, text in enumerate(texts.values())])
        result.added = list(texts.values())
        result.headers = dict(headers)
        result.backup = str(written.backup) if written and written.backup else None
    else:
        _config(path, target, name, headers, lang)
        result.missing = absent
    target.write_text(_yaml(path, name, headers, lang), encoding="utf-8")
    load_config(target)
    return result


def _placeholder(raw: RawTable, found: AutoMapping, header: str) -> bool:
    """Whether `header` is the automatic match's name for a column with an empty header cell (`#16`)."""
    column = next((c for c in found.columns if c.header == header), None)
    if column is None or not header.startswith("#") or found.header_row is None:
        return False
    cell = raw.frame.iat[found.header_row, column.index]
    return cell is None or (isinstance(cell, float) and cell != cell) or not str(cell).strip()


def _best_sheet(tables: list[RawTable], synonyms: Synonyms, path: Path, sheet: str | None,
                lang: Lang) -> tuple[RawTable, AutoMapping]:
    """The named sheet, else the one whose headers match the most fields (the first of equals)."""
    if not tables:
        raise ConfigError(t("adopt.no_header", lang, path=path, sheet=sheet or "-"))
    scored = [(raw, automap(raw, synonyms, purpose="adopt")) for raw in tables]
    return max(scored, key=lambda pair: (len(pair[1].fields()), -tables.index(pair[0])))


def _new_headers(fields: list[str], found: AutoMapping, lang: Lang) -> dict[str, str]:
    """The preset header text of each field to add; one that the sheet already uses for another column
    gets a `(sheetsync)` suffix."""
    preset = load_preset(lang)
    taken = {normalize_header(h) for h in found.headers}
    out: dict[str, str] = {}
    for name in fields:
        text = preset[name]
        if normalize_header(text) in taken:
            text = f"{text}(sheetsync)"
        taken.add(normalize_header(text))
        out[name] = text
    return out


def _first_free_column(raw: RawTable) -> int:
    """1-based sheet column right of the last column holding anything (the frame starts at column A)."""
    filled = [i for i in range(raw.frame.shape[1]) if raw.frame[raw.frame.columns[i]].notna().any()]
    return (max(filled) + 2) if filled else 1


def _config(path: Path, target: Path, sheet: str, headers: dict[str, str], lang: Lang) -> Config:
    """The configuration as it will be loaded; a header problem (the same text for two fields) raises here,
    before anything is written."""
    try:
        resolve_headers(headers, lang)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    table = TableConfig(path=Path(path.name), sheet=sheet, headers=headers)
    return Config(table=table, lang=lang, source=target.resolve())


def _yaml(path: Path, sheet: str, headers: dict[str, str], lang: Lang) -> str:
    data = CommentedMap()
    table = CommentedMap(backend="xlsx", path=path.name, sheet=sheet)
    table["headers"] = CommentedMap((f, headers[f]) for f in sorted(headers, key=_field_order))
    table.yaml_add_eol_comment("标准字段: 表格里的列名 / canonical field: the sheet's own header", "headers")
    data["table"] = table
    data["lang"] = lang
    data["journal"] = ".sheetsync/journal.db"
    data["order_id"] = CommentedMap(prefix="SS", format="{prefix}{date:%Y%m%d}-{seq:06d}")
    data["backups"] = 10
    data.yaml_set_start_comment(
        "sheetsync 订单台配置：由 sheetsync init --from 按工作簿自己的表头生成 / order desk configuration made by\n"
        "sheetsync init --from from the workbook's own headers.  路径相对于本文件 / paths are relative to this file.")
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _field_order(name: str) -> int:
    return list(FIELDS).index(name)
