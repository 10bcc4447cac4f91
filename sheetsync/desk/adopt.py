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
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np
from rich.cells import cell_len
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from sheetsync.channels.automap import AutoMapping, Synonyms, automap, load_synonyms
from sheetsync.channels.readers import RawTable, read_file
from sheetsync.config import (
    DEFAULT_CONFIG,
    Config,
    TableConfig,
    load_config,
    load_preset,
    normalize_header,
    read_yaml,
    resolve_headers,
)
from sheetsync.desk.zones import desk_zone
from sheetsync.errors import ConfigError, UnreadableInput
from sheetsync.i18n import Lang, t
from sheetsync.model.cells import CellWrite
from sheetsync.model.fields import DATETIME_FIELDS, FIELDS
from sheetsync.model.states import STATE_KEYS, key_of_word
from sheetsync.runtime.files import write_whole
from sheetsync.runtime.locks import RunLock
from sheetsync.stores.xlsx.store import XlsxStore
from sheetsync.stores.xlsx.validation import column_choices

TOOL_COLUMNS: Final = ("order_id", "channel", "channel_order_id", "status", "status_since", "promised_by", "sla", "anomalies")
"""Columns sheetsync works with that a team's sheet may lack; `--add-columns` appends the missing ones."""
WRITABLE: Final = (".xlsx", ".xlsm")
TEAM_ID_WORDS: Final = ("订单编号", "订单号", "订单id", "单号", "编号", "单据号", "单据编号", "销售单号", "出库单号",
                        "发货单号", "合同号", "大货单号", "orderno", "orderno.", "ordernumber", "order#", "orderid", "order",
                        "ref", "reference")
"""Header texts of a team's own order number, the likelier first (`订单编号` before `大货单号`)."""
SHOP_WORDS: Final = ("平台", "渠道", "外部", "原始", "网店", "线上", "店铺", "主订单", "交易", "淘宝", "天猫", "抖音", "抖店",
                     "拼多多", "京东", "微信", "小红书", "shop", "platform", "channel", "external", "marketplace", "amazon",
                     "shopify")
"""Words that make a number column the shop's (`平台单号`), never the team's order id."""
ORDER_SIGNS: Final = frozenset({"order_id", "channel_order_id", "created_at", "paid_at", "customer_name", "phone", "address",
                                "items", "amount_payable", "amount_paid", "status", "tracking_no"})
"""Fields of which a sheet of orders has at least two."""


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
    """Tool columns the sheet lacks and that were not added; `losses` says what each costs."""
    backup: str | None = None
    unnamed: list[str] = field(default_factory=list)
    """Columns whose content looked like a field but whose header cell is empty: left unmapped (`#16 (address)`),
    since a configuration names columns by their header text; give the cell a header to map it."""
    losses: dict[str, str] = field(default_factory=dict)
    """field -> what the team goes without while the sheet lacks its column (in the desk's language)."""
    order_id_column: str | None = None
    """The header of the team's own order number column taken as `order_id` (its values are never changed)."""
    id_format: str | None = None
    """The format new order ids follow when the team's own ids show a series (`YT2611-{seq:04d}`)."""
    next_id: str | None = None
    timezone: str | None = None
    repeated: list[str] = field(default_factory=list)
    """Header texts that stand twice: the later column is left unmapped (the store finds the first)."""
    guards: list[str] = field(default_factory=list)
    """`protected` (the sheet), `signed` (the workbook): sync refuses to write unless the configuration allows it."""
    statuses: dict[str, str] = field(default_factory=dict)
    """The team's status words (from the status column's dropdown and the values in use) -> the state key each means."""
    unknown_statuses: list[str] = field(default_factory=list)
    """Status words whose meaning could not be told: say it under `statuses:` (until then they are STATE_UNKNOWN)."""
    dropdown: list[str] | None = None
    """The words the status column's dropdown allows (None: it has none)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Source(Protocol):
    """Where a team's order sheet is, as adopting it reads and writes it: a workbook (`XlsxSource`) or a Google Sheet
    (`desk/gsheet.GsheetSource`).  The matching, the status words, the id format and the configuration's other keys
    are the same for both."""

    @property
    def where(self) -> str:
        """The workbook's path or the spreadsheet's address (messages, `AdoptResult.workbook`)."""
        ...

    @property
    def folder(self) -> Path:
        """Where sheetsync.yaml is written (and the team's synonyms are read from)."""
        ...

    def tables(self, sheet: str | None) -> list[RawTable]:
        """The named sheet, or every sheet, as text."""
        ...

    def dropdown(self, sheet: str, col: int, row: int) -> Sequence[str] | None:
        """The words the dropdown of a cell (1-based) offers; None: none."""
        ...

    def table(self, sheet: str, headers: dict[str, str], header_row: int | None) -> TableConfig:
        """The configuration's `table:` for the adopted sheet."""
        ...

    def table_yaml(self, sheet: str) -> CommentedMap:
        """Where the table is, as sheetsync.yaml says it (backend and its keys; `headers` follow)."""
        ...

    def guards(self, config: Config) -> list[str]:
        """What stops a sync from writing (`protected`, `signed`), allowed only when the configuration says so."""
        ...

    def append_headers(self, config: Config, raw: RawTable, sheet_row: int, texts: dict[str, str],
                       result: AdoptResult) -> None:
        """Write `texts` (field -> header) at the right of the header row; the result says what was added."""
        ...


@dataclass
class XlsxSource:
    """A workbook on disk: sheetsync.yaml goes beside it; headers are added through the in-place writer, onto the
    file as it was when adoption began (a save after that stops the write)."""

    path: Path
    read_at: tuple[int, int, int] | None = None

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def tables(self, sheet: str | None) -> list[RawTable]:
        return read_file(self.path, sheet=sheet, all_sheets=sheet is None)

    def dropdown(self, sheet: str, col: int, row: int) -> Sequence[str] | None:
        return column_choices(self.path, sheet, col, row)

    def table(self, sheet: str, headers: dict[str, str], header_row: int | None) -> TableConfig:
        return TableConfig(path=Path(self.path.name), sheet=sheet, headers=headers, header_row=header_row)

    def table_yaml(self, sheet: str) -> CommentedMap:
        return CommentedMap(backend="xlsx", path=self.path.name, sheet=sheet)

    def guards(self, config: Config) -> list[str]:
        return XlsxStore(config).guards()

    def append_headers(self, config: Config, raw: RawTable, sheet_row: int, texts: dict[str, str],
                       result: AdoptResult) -> None:
        _append_headers(config, raw, sheet_row, texts, result, self.read_at)


def adopt_workbook(path: Path, *, sheet: str | None = None, add_columns: bool = False, lang: Lang = "zh",
                   header_row: int | None = None, order_id_column: str | None = None) -> AdoptResult:
    """Write `sheetsync.yaml` beside `path` mapping its own headers (see the module docstring); an existing
    configuration is never overwritten.  The team's own order number column becomes `order_id` (or the one
    `order_id_column` names); a configuration is written even when the sheet lacks columns, and the result
    says what each missing one costs.  ConfigError (exit 2) when the sheet has no header row (`header_row`,
    1-based, says where it is) or nothing in it looks like orders."""
    if path.suffix.lower() not in WRITABLE:
        raise ConfigError(t("adopt.not_xlsx", lang, path=path), t("adopt.not_xlsx.hint", lang))
    target = path.parent / DEFAULT_CONFIG
    if target.exists() and add_columns:
        return _add_to_desk(path, target, lang)
    read_at = XlsxStore.stamp_of(path) if add_columns and not target.exists() else None  # a later save stops the write
    return adopt(XlsxSource(path, read_at), sheet=sheet, add_columns=add_columns, lang=lang, header_row=header_row,
                 order_id_column=order_id_column)


def adopt(source: Source, *, sheet: str | None = None, add_columns: bool = False, lang: Lang = "zh",
          header_row: int | None = None, order_id_column: str | None = None) -> AdoptResult:
    """Adopt the order sheet of `source` (see `adopt_workbook`)."""
    target = source.folder / DEFAULT_CONFIG
    if target.exists():
        raise ConfigError(t("config.exists", lang, path=target), t("adopt.exists.hint", lang))
    synonyms = load_synonyms(source.folder, lang)
    where = Path(source.where)
    tables = source.tables(sheet)
    raw, found = _best_sheet(tables, synonyms, where, sheet, lang, header_row)
    name = raw.sheet or ""
    if found.header_row is None:
        raise ConfigError(t("adopt.no_header", lang, path=source.where, sheet=name), t("adopt.no_header.hint", lang))
    chosen = _team_order_id(raw, found, order_id_column, lang)
    fixed: dict[int, str | None] = {} if chosen is None else {chosen: "order_id"}
    for _ in range(len(found.columns)):  # a column whose header does not say it is the shop's is no channel_order_id
        fixed.update({c.index: None for c in found.columns if c.field == "channel_order_id" and c.index != chosen
                      and not _shop_number(c.header)})
        if not any(found.columns[i].field != target for i, target in fixed.items()):
            break
        found = automap(raw, synonyms, purpose="adopt", header_row=found.header_row, fixed=fixed)
    headers = found.fields()
    recognised = sorted(ORDER_SIGNS & set(headers))
    if len(recognised) < 2:
        raise ConfigError(t("adopt.not_orders", lang, sheet=name, found=", ".join(headers[f] for f in recognised) or "-"),
                          t("adopt.not_orders.hint", lang))
    unnamed = {f: h for f, h in headers.items() if _placeholder(raw, found, h)}
    repeated = {f: h for f, h in headers.items() if f not in unnamed and _repeated(h)}
    for unmapped in (*unnamed, *repeated):  # `check` could not find them: the store finds a column by its header text
        del headers[unmapped]
    sheet_row = int(raw.lines[found.header_row])
    result = AdoptResult(source.where, name, sheet_row, str(target), dict(headers),
                         columns=[asdict(c) for c in found.columns if c.note != "empty" and c.field in headers],
                         unmatched=found.unmatched + [h.rsplit("#", 1)[0] for h in repeated.values()],
                         unnamed=[f"{h} ({f})" for f, h in unnamed.items()],
                         repeated=sorted({h.rsplit("#", 1)[0] for h in repeated.values()}))
    if "order_id" in headers:
        result.order_id_column = headers["order_id"]
        result.id_format, result.next_id = _team_id_format(_column_values(raw, found, headers["order_id"]))
    result.timezone = desk_zone(lang)
    if "status" in headers:
        _status_words(result, source, name, raw, found, headers["status"], sheet_row)
    result.guards = source.guards(_config(source, target, name, headers, lang, header_row))  # headers checked here
    absent = [f for f in TOOL_COLUMNS if f not in headers]
    if add_columns and absent and not result.guards:
        texts = _new_headers(absent, found, lang)
        headers.update(texts)
        source.append_headers(_config(source, target, name, headers, lang, header_row), raw, sheet_row, texts, result)
        result.headers = dict(headers)
    else:
        result.missing = absent
        preset = load_preset(lang)
        result.losses = {f: t("adopt.loss", lang, header=preset[f], loss=t(f"adopt.loss.{f}", lang)) for f in absent}
    write_whole(target, _yaml(source, name, headers, lang, result, header_row))
    load_config(target)
    return result


def _add_to_desk(path: Path, target: Path, lang: Lang) -> AdoptResult:
    """`init --from --add-columns` on a workbook already adopted: append the tool columns its sheet still
    lacks, and name them in the configuration's `table.headers` (comments and order kept)."""
    config = load_config(target)
    lang = config.language
    if config.workbook_path.resolve() != path.resolve():
        raise ConfigError(t("config.exists", lang, path=target), t("adopt.exists.hint", lang))
    read_at = XlsxStore.stamp_of(path)  # the workbook before it is read: a save after this stops the write
    raw, found = _best_sheet(read_file(path, sheet=config.table.sheet), load_synonyms(path.parent, lang), path,
                             config.table.sheet, lang, config.table.header_row)
    if found.header_row is None:
        raise ConfigError(t("adopt.no_header", lang, path=path, sheet=config.table.sheet), t("adopt.no_header.hint", lang))
    mapped, _ = config.header_map()
    present = {normalize_header(h) for h in found.headers}
    absent = [f for f in TOOL_COLUMNS if f not in mapped or normalize_header(mapped[f]) not in present]
    sheet_row = int(raw.lines[found.header_row])
    result = AdoptResult(str(path), config.table.sheet, sheet_row, str(target), dict(mapped),
                         guards=XlsxStore(config).guards())
    if not absent or result.guards:
        result.missing = absent
        return result
    # a column this command added before it was killed (the workbook written, sheetsync.yaml not yet) is taken,
    # not added a second time as a `(sheetsync)` column
    there = _added_before([f for f in absent if f not in mapped], found, mapped, lang)
    texts = {f: mapped[f] for f in absent if f in mapped}
    texts.update(_new_headers([f for f in absent if f not in mapped and f not in there], found, lang))
    texts = {f: texts[f] for f in absent if f in texts}
    if texts:
        _append_headers(config, raw, sheet_row, texts, result, read_at)
    named = {**there, **texts}
    data = read_yaml(target, lang)
    table = data.setdefault("table", CommentedMap())
    if isinstance(table.get("headers"), dict):
        for name, text in named.items():
            table["headers"].setdefault(name, text)
        out = io.StringIO()
        _writer().dump(data, out)
        write_whole(target, _without_losses(out.getvalue(), named, lang))
    load_config(target)
    result.headers = {**mapped, **named}
    return result


def _added_before(fields: list[str], found: AutoMapping, mapped: dict[str, str], lang: Lang) -> dict[str, str]:
    """The fields whose tool header (the preset's text, or with the `(sheetsync)` suffix) the sheet already has in a
    column no field of the configuration names: field -> that header."""
    preset = load_preset(lang)
    named = {normalize_header(h) for h in mapped.values()}
    headers = {normalize_header(h): h for h in found.headers if normalize_header(h) not in named}
    out: dict[str, str] = {}
    for name in fields:
        for text in (preset[name], f"{preset[name]}(sheetsync)"):
            if normalize_header(text) in headers:
                out[name] = headers.pop(normalize_header(text))
                break
    return out


def _without_losses(text: str, added: dict[str, str], lang: Lang) -> str:
    """sheetsync.yaml without the comment lines saying what the team goes without for the columns now added."""
    preset = load_preset(lang)
    gone = {t("adopt.loss", lang, header=preset[f], loss=t(f"adopt.loss.{f}", lang)) for f in added if f in preset}
    return "".join(line for line in text.splitlines(keepends=True) if line.lstrip("# ").rstrip("\n") not in gone)


def _append_headers(config: Config, raw: RawTable, sheet_row: int, texts: dict[str, str], result: AdoptResult,
                    read_at: tuple[int, int, int] | None) -> None:
    """Write `texts` (field -> header) at the right of the header row through the in-place writer, onto the file
    read at `read_at` only; the result says what was added and where the previous version is kept."""
    store = XlsxStore(config)
    if read_at is not None:
        store.seen(read_at)
    with RunLock(config.state_dir, config.language):  # never beside a sync of the same desk
        store.discard_leftovers()  # what a killed writer left beside the workbook
        first = _first_free_column(raw)
        like = first - 1 if first > 1 else None  # the team's last header cell lends its style to the new ones
        written = store.write([CellWrite(sheet_row, first + i, text, like=like) for i, text in enumerate(texts.values())],
                              widths={first + i: _width(field, text) for i, (field, text) in enumerate(texts.items())},
                              filter_to=(first - 1, first + len(texts) - 1))  # the team's filter takes them in
    result.added = list(texts.values())
    result.backup = str(written.backup) if written and written.backup else None


def _width(field: str, header: str) -> float:
    """A width that fits an added column's header and its content (a date and time needs 19 characters: at the
    default width it shows `###`)."""
    content = 19 if field in DATETIME_FIELDS else 10
    return float(max(cell_len(header), content) + 2)


def _writer() -> YAML:
    """ruamel's round-trip writer as a desk's YAML is written: Chinese as it is, no folded lines."""
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096
    return yaml


def _team_order_id(raw: RawTable, found: AutoMapping, named: str | None, lang: Lang) -> int | None:
    """The index of the team's own order number column: the one `named`, else the best of the columns whose
    header says order number (and not the shop's) and whose values are filled, unique and id-like."""
    if named is not None:
        wanted = normalize_header(named)
        at = next((c.index for c in found.columns if normalize_header(c.header) == wanted), None)
        if at is None:
            raise ConfigError(t("adopt.no_column", lang, name=named, headers=", ".join(h for h in found.headers
                                                                                      if not h.startswith("#"))))
        return at
    explicit = next((c.index for c in found.columns if c.field == "order_id" and c.basis != "content"), None)
    if explicit is not None:
        return explicit
    ranked: list[tuple[int, int]] = []
    for c in found.columns:
        key = normalize_header(c.header)
        if c.header.startswith("#") or _shop_number(c.header):
            continue
        rank = TEAM_ID_WORDS.index(key) if key in TEAM_ID_WORDS else \
            len(TEAM_ID_WORDS) if key.endswith(("单号", "编号", "订单号", "no", "no.", "number")) else None
        if rank is not None and _id_like(_column_values(raw, found, c.header)):
            ranked.append((rank, c.index))
    return min(ranked)[1] if ranked else None


def _status_words(result: AdoptResult, source: Source, sheet: str, raw: RawTable, found: AutoMapping, header: str,
                  sheet_row: int) -> None:
    """The team's status words, from the status column's dropdown (in its order) and the values in use, each
    with the state key it most likely means (`待发货` -> paid); the words of no known meaning are listed."""
    col = found.headers.index(header) + 1  # the frame starts at column A
    try:
        allowed = source.dropdown(sheet, col, sheet_row + 1)
    except (ConfigError, UnreadableInput, ValueError, KeyError):
        allowed = None
    result.dropdown = list(allowed) if allowed is not None else None
    words = list(dict.fromkeys([*(allowed or ()), *_column_values(raw, found, header)]))
    for word in words:
        key = key_of_word(word)
        if key is None:
            result.unknown_statuses.append(word)
        else:
            result.statuses[word] = key


def _shop_number(header: str) -> bool:
    """Whether a column's header says it holds a shop's order number (`平台单号`, `渠道订单号`), which a team's
    own numbers (`订单编号`, `大货单号`, a column of unique codes with no telling header) are not."""
    key = normalize_header(header)
    return any(w in key for w in SHOP_WORDS)


def _column_values(raw: RawTable, found: AutoMapping, header: str) -> list[str]:
    """The non-empty values below the header row of the column named `header`, as text."""
    assert found.header_row is not None
    index = found.headers.index(header)
    column = raw.frame.iloc[found.header_row + 1 :, index]
    return [str(v).strip() for v in column.tolist() if v is not None and not (isinstance(v, float) and v != v)
            and str(v).strip()]


def _id_like(values: list[str]) -> bool:
    """A column of order numbers: unique, without spaces, of at most 40 characters, not dates, and at least
    one value (a sheet with no order yet is known by its header)."""
    if not values:
        return False
    unique = len(set(values)) / len(values)
    shaped = sum(1 for v in values if re.fullmatch(r"[\w\-/#.]{1,40}", v) and not re.fullmatch(r"\d{4}-\d\d-\d\d.*", v))
    return unique >= 0.98 and shaped >= 0.9 * len(values)


def _team_id_format(values: list[str]) -> tuple[str | None, str | None]:
    """The format of the series the team's latest ids belong to (`YT2611-0317` -> `YT2611-{seq:04d}`) and the
    next id of it; (None, None) when the ids show no series (then the configured format is used)."""
    recent = [m for m in (re.fullmatch(r"(.*?)(\d+)", v) for v in values[-200:]) if m]
    if len(recent) < max(1, 0.6 * len(values[-200:])):
        return None, None
    stem = Counter(m[1] for m in recent).most_common(1)[0][0]
    series = [m[2] for m in recent if m[1] == stem]
    if len(series) < 0.6 * len(recent):
        return None, None
    widths = {len(d) for d in series}
    width = widths.pop() if len(widths) == 1 else 0  # zero-padded to one width: kept so
    escaped = stem.replace("{", "{{").replace("}", "}}")
    fmt = escaped + (f"{{seq:0{width}d}}" if width else "{seq}")
    highest = max(int(d) for d in series)
    return fmt, fmt.format(seq=highest + 1)


def _repeated(header: str) -> bool:
    """Whether `header` is the automatic match's name for the second column of the same header text (`合计#13`)."""
    text, _, number = header.rpartition("#")
    return bool(text) and number.isdigit()


def _placeholder(raw: RawTable, found: AutoMapping, header: str) -> bool:
    """Whether `header` is the automatic match's name for a column with an empty header cell (`#16`)."""
    column = next((c for c in found.columns if c.header == header), None)
    if column is None or not header.startswith("#") or found.header_row is None:
        return False
    cell = raw.frame.iat[found.header_row, column.index]
    return cell is None or (isinstance(cell, float) and cell != cell) or not str(cell).strip()


def _best_sheet(tables: list[RawTable], synonyms: Synonyms, path: Path, sheet: str | None,
                lang: Lang, header_row: int | None) -> tuple[RawTable, AutoMapping]:
    """The named sheet, else the one whose headers match the most fields (the first of equals); `header_row`
    (1-based) is where the header row of every sheet is."""
    if not tables:
        raise ConfigError(t("adopt.no_header", lang, path=path, sheet=sheet or "-"), t("adopt.no_header.hint", lang))
    scored = []
    for raw in tables:
        at = None
        if header_row is not None:
            hits = np.flatnonzero(np.asarray(raw.lines) == header_row)
            if not len(hits) or not raw.frame.iloc[int(hits[0])].notna().any():
                if sheet is not None or len(tables) == 1:
                    raise ConfigError(t("adopt.bad_header_row", lang, row=header_row, sheet=raw.sheet or "-"))
                continue
            at = int(hits[0])
        scored.append((raw, automap(raw, synonyms, purpose="adopt", header_row=at)))
    if not scored:
        raise ConfigError(t("adopt.bad_header_row", lang, row=header_row, sheet=sheet or "-"))
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


def _config(source: Source, target: Path, sheet: str, headers: dict[str, str], lang: Lang,
            header_row: int | None) -> Config:
    """The configuration as it will be loaded; a header problem (the same text for two fields) raises here,
    before anything is written."""
    try:
        resolve_headers(headers, lang)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    table = source.table(sheet, headers, header_row)
    return Config(table=table, lang=lang, source=target.resolve())


def _yaml(source: Source, sheet: str, headers: dict[str, str], lang: Lang, result: AdoptResult,
          header_row: int | None) -> str:
    data = CommentedMap()
    table = source.table_yaml(sheet)
    if header_row is not None:
        table["header_row"] = header_row
    table["headers"] = CommentedMap((f, headers[f]) for f in sorted(headers, key=_field_order))
    table.yaml_add_eol_comment("标准字段: 表格里的列名 / canonical field: the sheet's own header", "headers")
    for what in result.guards:
        key = f"allow_{what}"
        table[key] = False
        table.yaml_add_eol_comment(t(f"adopt.guard.{what}", lang, sheet=sheet), key)
    data["table"] = table
    data["lang"] = lang
    if result.timezone:
        data["timezone"] = result.timezone
    data["journal"] = ".sheetsync/journal.db"
    if result.statuses:
        data["statuses"] = CommentedMap(result.statuses)
        data.yaml_add_eol_comment("你们的状态词: 含义 / your status words: what each means (" + ", ".join(STATE_KEYS) + ")",
                                  "statuses")
        if result.unknown_statuses:
            data["statuses"].yaml_set_start_comment(t("adopt.unknown_statuses", lang, words="、".join(result.unknown_statuses)),
                                                    indent=2)
    if result.id_format:
        data["order_id"] = CommentedMap(format=result.id_format)
        data["order_id"].yaml_add_eol_comment(f"{result.next_id} …", "format")
    else:
        data["order_id"] = CommentedMap(prefix="SS", format="{prefix}{date:%Y%m%d}-{seq:06d}")
    data["backups"] = 10
    comment = ("sheetsync 订单台配置：由 sheetsync init --from 按工作簿自己的表头生成 / order desk configuration made by\n"
               "sheetsync init --from from the workbook's own headers.  路径相对于本文件 / paths are relative to this file.")
    if result.losses:
        comment += "\n" + "\n".join(f"{text}" for text in result.losses.values())
    data.yaml_set_start_comment(comment)
    out = io.StringIO()
    _writer().dump(data, out)
    return out.getvalue()


def _field_order(name: str) -> int:
    return list(FIELDS).index(name)
