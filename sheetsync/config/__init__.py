"""sheetsync.yaml: loaded safely with ruamel.yaml, validated by pydantic, errors pointing into the file.

ruamel.yaml's round-trip loader keeps each key's line and column, so a pydantic error
becomes `sheetsync.yaml:7:5: table.sheet: ...`.  Paths in the file are relative to it.
Secrets never live in the file: a channel names the environment variable holding them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from sheetsync.config.rules import RulesConfig, first_repeated
from sheetsync.config.workflow import AlertTarget
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, Worded, asked_lang, default_lang, t
from sheetsync.model.fields import FIELDS
from sheetsync.model.states import STATE_KEYS
from sheetsync.runtime import limits
from sheetsync.runtime.resources import data_dir

DEFAULT_CONFIG = "sheetsync.yaml"
YAML_BYTES = 2 * 1024 * 1024
"""The largest configuration, workflow or mapping file read (a real one is a few KB; parsing grows faster than its size)."""
YAML_ALIASES = 200
"""The most YAML aliases (`*name`) a file may use: enough for any desk, far too few for an anchor bomb."""
YAML_DEPTH = 64
"""The deepest nesting of mappings and lists a YAML file may have (a desk's is under ten; the loader recurses)."""
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\[\]{}]+", re.MULTILINE)
M = TypeVar("M", bound=BaseModel)
PRESETS = ("zh", "en")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableConfig(_Model):
    """Where the order table is: the workbook, its sheet, and how its headers are named."""

    backend: str = "xlsx"
    path: Path = Path("orders.xlsx")
    sheet: str = "订单"
    headers: str | dict[str, str] = "zh"
    header_row: int | None = Field(default=None, ge=1)
    allow_protected: bool = False
    """Write into a protected sheet (Excel's 保护工作表) anyway; by default a run that would write refuses."""
    allow_signed: bool = False
    """Write into a digitally signed workbook anyway (its signature is then invalid); by default refused."""
    status_list: Literal["extend", "keep"] = "extend"
    """When the tool would write a status word the team's words (`statuses:`) do not have: `extend` writes it and adds
    it to the status column's dropdown list (an inline list; a list kept in cells is left as it is), `keep` writes
    nothing of it (the order keeps its status, flagged STATUS_NOT_IN_LIST)."""
    amount: Literal["payable", "paid"] | None = None
    """Which amount a sheet with one amount column holds: `payable` or `paid`; by default the one its header is
    mapped to, else the other (steps/fold.py)."""
    spreadsheet: str | None = None
    """`backend: gsheets`: the Google Sheet, by its address (https://docs.google.com/spreadsheets/d/ID/edit) or its id."""
    credentials_env: str = "GOOGLE_APPLICATION_CREDENTIALS"
    """`backend: gsheets`: the environment variable holding the path of the service account's key file (never the key)."""
    endpoint: str = "https://sheets.googleapis.com"
    """`backend: gsheets`: the base of every API call (the tests point it at a local server)."""
    allow_http: bool = False
    """`backend: gsheets`: allow a plain http:// endpoint that is not a loopback address (never needed but for tests)."""
    requests_per_minute: int = Field(default=60, ge=1)
    """`backend: gsheets`: the desk's share of the Sheets API's per-user quota (a token bucket keeps under it)."""
    timeout: float = Field(default=60, gt=0)
    """`backend: gsheets`: seconds an API call may take before it counts as failed (and is tried again)."""


class OrderIdConfig(_Model):
    """How new order_ids look: `{prefix}`, `{date:...}` (the run's local date) and `{seq:...}`."""

    prefix: str = "SS"
    format: str = "{prefix}{date:%Y%m%d}-{seq:06d}"

    @field_validator("format")
    @classmethod
    def _format_works(cls, value: str) -> str:
        if "{seq" not in value:
            raise Worded("v.seq_required")
        try:
            value.format(prefix="P", date=dt.date(2026, 1, 2), seq=1)
        except (KeyError, ValueError, IndexError, AttributeError) as exc:
            raise Worded("v.bad_format", problem=str(exc)) from None
        return value


class ChannelConfig(_Model):
    """A source of orders (or of waybills, under `logistics:`)."""

    name: str
    kind: str = "file"
    path: str | None = None
    mapping: str | None = None
    label: str | None = None
    archive: str | None = None
    # the API kinds (shopify, woocommerce, doudian, kuaidi100): where, and the variables naming their secrets
    endpoint: str | None = None
    """The API's base URL (by default the platform's); plain http:// only to a loopback address or with allow_http."""
    allow_http: bool = False
    shop: str | None = None
    """shopify: the shop's myshopify.com domain."""
    api_version: str | None = None
    """shopify: the Admin API version, pinned (`2026-10`)."""
    url: str | None = None
    """woocommerce: the store's address."""
    token_env: str | None = None
    key_env: str | None = None
    secret_env: str | None = None
    app_key_env: str | None = None
    app_secret_env: str | None = None
    customer_env: str | None = None
    overlap: str = "10m"
    """How far back each run reads again from where the last one ended (an order updated at the window's edge, or a
    clock a little off, is still taken; what is taken twice is dropped)."""
    since: str = "30d"
    """How far back the first run of an API channel reads."""
    sign_method: Literal["md5", "hmac-sha256"] = "hmac-sha256"
    """doudian: how requests are signed."""

    @field_validator("overlap", "since")
    @classmethod
    def _durations(cls, value: str) -> str:
        parse_duration(value)
        return value


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|分钟|分|h|小时|时|d|天|日)\s*$")


def parse_duration(text: str) -> dt.timedelta:
    """`30m`, `48h`, `2d` (or `30分钟`, `48小时`, `2天`) -> a timedelta; anything else raises ValueError."""
    match = _DURATION.match(str(text))
    if not match:
        raise Worded("v.duration", value=text)
    amount, unit = float(match[1]), match[2]
    if unit in ("m", "min", "分钟", "分"):
        return dt.timedelta(minutes=amount)
    return dt.timedelta(hours=amount * (24 if unit in ("d", "天", "日") else 1))


class LimitsConfig(_Model):
    """`limits:`: the bounds on what is read from outside (runtime/limits.py), each optional."""

    member_bytes: int | None = Field(default=None, gt=0)
    member_ratio: int | None = Field(default=None, gt=1)
    cells: int | None = Field(default=None, gt=0)
    columns: int | None = Field(default=None, gt=0, le=16_384)
    cell_chars: int | None = Field(default=None, gt=0)
    line_bytes: int | None = Field(default=None, gt=0)
    fields: int | None = Field(default=None, gt=0)

    def bounds(self) -> limits.Limits:
        return limits.changed(**{k: v for k, v in self.model_dump().items() if v is not None})


class TicketIdConfig(_Model):
    """How after-sales tickets are numbered: `AS20261121-0001`."""

    prefix: str = "AS"
    format: str = "{prefix}{date:%Y%m%d}-{seq:04d}"


class AftersalesConfig(_Model):
    """`aftersales:`: the after-sales sheet of the desk's workbook (one row per ticket, tied to its order)."""

    sheet: str | None = None
    """The sheet's name: 售后 / After-sales by the desk's language."""
    reasons: str | None = None
    """The reason tree: a preset (`retail_zh`, `autoparts_zh`, `retail_en`) or a YAML file relative to this one."""
    ticket_id: TicketIdConfig = TicketIdConfig()
    workflow: str | None = None
    """The tickets' workflow: a preset (`aftersales_zh`, `aftersales_en`) or a file relative to this one; none: the
    status column is the team's to keep."""


class PostgresJournal(_Model):
    """`journal:` in PostgreSQL: a `postgresql://user@host/db` URL, or a mapping with the desk's schema and the
    variable holding the password.  The password itself is never here (libpq reads PGPASSWORD or ~/.pgpass)."""

    url: str
    desk: str = "sheetsync"
    """The PostgreSQL schema holding this desk's journal: each desk of one database has its own."""
    password_env: str | None = None
    """The environment variable holding the password (else PGPASSWORD or ~/.pgpass, as libpq reads them)."""

    @field_validator("url")
    @classmethod
    def _no_password(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in POSTGRES_SCHEMES:
            raise Worded("v.pg_url", value=parts.scheme)
        if parts.password is not None or any(k.lower() == "password" for k, _ in parse_qsl(parts.query)):
            raise Worded("v.pg_password")
        return value

    @field_validator("desk")
    @classmethod
    def _schema_name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
            raise Worded("v.pg_desk", value=value)
        return value


POSTGRES_SCHEMES = ("postgresql", "postgres")


def postgres_target(url: str, desk: str | None, password_env: str | None, lang: Lang) -> PostgresJournal:
    """A journal in PostgreSQL named on the command line (`journal copy --to`), checked as the YAML's would be."""
    try:
        return PostgresJournal(url=url, **({"desk": desk} if desk else {}), password_env=password_env)
    except ValidationError as exc:
        raise ConfigError("; ".join(_problem(e, lang) for e in exc.errors())) from None


def is_postgres_url(text: str) -> bool:
    return "://" in text and text.split("://", 1)[0] in POSTGRES_SCHEMES


def _journal_target(value: object) -> object:
    """`journal:` as written: a path, a PostgreSQL URL, or a mapping (a URL and more)."""
    if isinstance(value, str) and is_postgres_url(value):
        return PostgresJournal(url=value)
    return value


class Config(_Model):
    """One order desk."""

    table: TableConfig = TableConfig()
    journal: Annotated[Path | PostgresJournal, BeforeValidator(_journal_target)] = Path(".sheetsync/journal.db")
    lang: Lang | None = None
    order_id: OrderIdConfig = OrderIdConfig()
    manual_label: str | None = None
    backups: int = Field(default=10, ge=0)
    channels: list[ChannelConfig] = []
    logistics: list[ChannelConfig] = []
    promises: dict[str, str] = {}
    timezone: str | None = None
    rules: RulesConfig = RulesConfig()
    workflow: str | None = None
    """A preset (`default_zh`, `ecommerce_zh`, `default_en`) or a workflow file relative to this one."""
    statuses: dict[str, str] = {}
    """The team's own status words -> the state key each means (`待发货: paid`, keys in `model/states.py`): a
    shop's news is written in the team's words, and a workflow preset's states take them as their names."""

    @field_validator("statuses")
    @classmethod
    def _state_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for word, key in value.items():
            if key not in STATE_KEYS:
                raise Worded("v.state_key", word=word, key=key, keys=", ".join(STATE_KEYS))
        return value
    alerts: list[AlertTarget] = []
    limits: LimitsConfig = LimitsConfig()
    aftersales: AftersalesConfig | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise Worded("v.zone", value=value) from None
        return value

    @property
    def tz(self) -> dt.tzinfo | None:
        """The desk's time zone (times with an offset are turned into it); None: this machine's."""
        return ZoneInfo(self.timezone) if self.timezone else None

    @field_validator("promises")
    @classmethod
    def _durations(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            parse_duration(text)
        return value

    @field_validator("alerts")
    @classmethod
    def _unique_alerts(cls, value: list[AlertTarget]) -> list[AlertTarget]:
        dup = first_repeated([a.name for a in value])
        if dup:
            raise Worded("v.dup_alert", name=dup)
        return value

    @field_validator("channels", "logistics")
    @classmethod
    def _unique_names(cls, value: list[ChannelConfig]) -> list[ChannelConfig]:
        dup = first_repeated([c.name for c in value])
        if dup:
            raise Worded("v.dup_channel", name=dup)
        return value

    # Filled by load_config, not read from the file.
    source: Path = Field(default=Path(DEFAULT_CONFIG), exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    @property
    def sheet_language(self) -> Lang:
        """The desk's language: the words the tool writes into the sheet and the team's files (headers, flags,
        status words, the dashboard, rejects, alerts to the team's chat).  It never changes with the messages."""
        if self.lang:
            return self.lang
        preset = self.table.headers if isinstance(self.table.headers, str) else self.table.headers.get("preset", "zh")
        return "en" if preset == "en" else "zh"

    @property
    def language(self) -> Lang:
        """The language of the messages: the command line's (`--lang`, SHEETSYNC_LANG), else the desk's."""
        return asked_lang() or self.sheet_language

    @property
    def workbook_path(self) -> Path:
        return self.resolve(self.table.path)

    @property
    def table_where(self) -> str:
        """Where the order table is, as messages say it: the workbook's path, or the Google Sheet's address."""
        if self.table.backend == "gsheets" and self.table.spreadsheet:
            return self.table.spreadsheet
        return str(self.workbook_path)

    @property
    def journal_path(self) -> Path:
        """The SQLite journal's file (`.sheetsync/journal.db` when the journal is in PostgreSQL: nothing is there)."""
        return self.resolve(self.journal) if isinstance(self.journal, Path) else self.state_dir / "journal.db"

    @property
    def journal_in_postgres(self) -> PostgresJournal | None:
        return self.journal if isinstance(self.journal, PostgresJournal) else None

    @property
    def table_identity(self) -> str:
        """What the table is wherever the desk runs: the Google Sheet's id and sheet, or the workbook's file name
        and sheet (a journal in PostgreSQL refuses a desk of another table)."""
        if self.table.backend == "gsheets" and self.table.spreadsheet:
            found = re.search(r"/spreadsheets/d/([A-Za-z0-9_-]+)", self.table.spreadsheet)
            return f"gsheets:{found[1] if found else self.table.spreadsheet.strip()}/{self.table.sheet}"
        return f"xlsx:{self.table.path.name}/{self.table.sheet}"

    @property
    def state_dir(self) -> Path:
        """`.sheetsync/` beside the configuration: journal, backups, logs, locks."""
        return self.base_dir / ".sheetsync"

    @property
    def manual_channel(self) -> str:
        return self.manual_label or t("manual.label", self.sheet_language)

    def resolve(self, path: Path | str) -> Path:
        path = Path(path)
        return path if path.is_absolute() else self.base_dir / path

    def ticket_headers(self) -> dict[str, str]:
        """The after-sales sheet's headers by field (the language's preset)."""
        return load_preset(f"aftersales_{self.sheet_language}")

    def header_map(self) -> tuple[dict[str, str], frozenset[str]]:
        """canonical field -> header text, and the fields the file maps by name (they must exist)."""
        return resolve_headers(self.table.headers, self.sheet_language)


def load_preset(name: str) -> dict[str, str]:
    yaml = YAML(typ="safe")
    path = data_dir("templates") / "headers" / f"{name}.yaml"
    loaded: dict[str, str] = yaml.load(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in loaded.items()}


def resolve_headers(headers: str | dict[str, str], lang: Lang) -> tuple[dict[str, str], frozenset[str]]:
    """A preset name, or a mapping (optionally `preset:` plus overrides) -> field -> header text."""
    if isinstance(headers, str):
        preset, overrides = headers, {}
    else:
        overrides = dict(headers)
        preset = overrides.pop("preset", "") if "preset" in overrides else ""
    if preset and preset not in PRESETS:
        raise ValueError(t("config.bad_preset", lang, name=preset, known=", ".join(PRESETS)))
    unknown = [k for k in overrides if k not in FIELDS]
    if unknown:
        raise ValueError(t("config.bad_field", lang, name=unknown[0], known=", ".join(FIELDS)))
    mapping = load_preset(preset) if preset else {}
    mapping.update({k: str(v) for k, v in overrides.items()})
    if "order_id" not in mapping:  # every desk has one: a mapping that leaves it out means the preset's header
        text = load_preset(lang)["order_id"]
        used = {normalize_header(h) for h in mapping.values()}
        mapping["order_id"] = text if normalize_header(text) not in used else f"{text}(sheetsync)"
    seen: dict[str, str] = {}
    for field, header in mapping.items():
        key = normalize_header(header)
        if key in seen:
            raise ValueError(t("config.dup_header", lang, header=header, fields=f"{seen[key]}, {field}"))
        seen[key] = field
    return mapping, frozenset(overrides)


def normalize_header(text: str) -> str:
    """Header text as compared: full-width folded, white space dropped, case folded."""
    folded = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in str(text))
    return "".join(folded.split()).replace("\u3000", "").casefold()


def declared_lang(data: Any) -> Lang | None:
    """The language a desk's configuration (as read, not yet validated) declares: `lang:`, else an English header
    preset; None when it says none (as `Config.sheet_language` decides for a valid one)."""
    if not isinstance(data, dict):
        return None
    if data.get("lang") in PRESETS:
        return "en" if data["lang"] == "en" else "zh"
    table = data.get("table")
    return "en" if isinstance(table, dict) and table.get("headers") == "en" else None


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    """Read and validate a sheetsync.yaml; a problem raises ConfigError naming file, line, key and fix."""
    path = Path(path)
    lang = asked_lang() or default_lang()
    if not path.is_file():
        raise ConfigError(t("config.missing", lang, path=path), t("config.missing.hint", lang))
    data = read_yaml(path, lang)
    lang = asked_lang() or declared_lang(data) or lang  # the command line's language, else the desk's, say the problems
    config = validate_yaml(Config, data, path, lang, source=path.resolve())
    try:
        config.header_map()
    except ValueError as exc:
        line, col = locate(data, ("table", "headers"))
        raise ConfigError(t("config.field", lang, path=path, line=line, col=col, key="table.headers", problem=exc)) from None
    limits.use(config.limits.bounds())
    return config


def read_yaml(path: Path, lang: Lang) -> CommentedMap:
    """A YAML mapping, loaded safely (no tags are constructed), keys keeping their line numbers.  A file past
    `YAML_BYTES`, with more than `YAML_ALIASES` aliases (an anchor bomb expands to billions of nodes) or nesting
    deeper than `YAML_DEPTH`, is refused before it is loaded."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > YAML_BYTES:
        raise ConfigError(t("config.too_big", lang, path=path, size=size, limit=YAML_BYTES))
    text = path.read_text(encoding="utf-8-sig")
    aliases = len(_ALIAS.findall(text))
    if aliases > YAML_ALIASES:
        raise ConfigError(t("config.aliases", lang, path=path, n=aliases, limit=YAML_ALIASES))
    try:
        _check_depth(text, path, lang)
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        _full_width(text, path, lang)
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ConfigError(
            t("config.yaml", lang, path=path, line=line, col=col, problem=_yaml_problem(str(exc.problem or exc), lang)),
            t("config.yaml.hint", lang),
        ) from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        _full_width(text, path, lang)
        raise ConfigError(t("config.not_mapping", lang, path=path))
    return data


_FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?[^\s:#\"'：]+)(：)", re.MULTILINE)
_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("could not find expected ':'", "yaml.colon"), ("mapping values are not allowed", "yaml.mapping_here"),
    ("'\\t'", "yaml.tab"), ("expected <block end>", "yaml.indent"), ("quoted scalar", "yaml.quote"),
)


def _full_width(text: str, path: Path, lang: Lang) -> None:
    """ConfigError at the first key written with a full-width colon (`lang：zh`, the commonest slip of a Chinese
    input method), which YAML reads as no key at all."""
    found = _FULL_WIDTH_KEY.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        col = len(found.group(1)) + 1
        raise ConfigError(t("config.full_width", lang, path=path, line=line, col=col, char="：", ascii=":"),
                          t("config.full_width.hint", lang, char="：", ascii=":"))


def _yaml_problem(problem: str, lang: Lang) -> str:
    """The YAML parser's problem in `lang` (its commonest ones translated; the rest as the parser says them)."""
    duplicate = re.search(r'duplicate key "([^"]*)"', problem)
    if duplicate:
        return t("yaml.duplicate", lang, key=duplicate.group(1))
    for words, key in _YAML_PROBLEMS:
        if words in problem:
            return t(key, lang)
    return t("yaml.other", lang, problem=problem)


def _check_depth(text: str, path: Path, lang: Lang) -> None:
    """ConfigError when the YAML nests deeper than `YAML_DEPTH`, told from its parser's events (a flat walk: no
    node is built and no alias expanded) before the recursive loader sees it."""
    depth = 0
    for event in YAML(typ="rt").parse(text):
        name = type(event).__name__
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > YAML_DEPTH:
                mark = event.start_mark
                raise ConfigError(t("config.too_deep", lang, path=path, line=mark.line + 1, col=mark.column + 1,
                                    limit=YAML_DEPTH))
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1


def validate_yaml(model: type[M], data: CommentedMap, path: Path, lang: Lang, **extra: Any) -> M:
    """`data` as a `model`; a problem raises ConfigError pointing at the file, line and key."""
    try:
        return model.model_validate({**_plain(data), **extra})
    except ValidationError as exc:
        raise _explain(exc, data, path, lang, model) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def locate(data: Any, loc: tuple[int | str, ...]) -> tuple[int, int]:
    """1-based line and column of the deepest key of `loc` present in the loaded YAML."""
    line, col = 1, 1
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line, col = (x + 1 for x in node.lc.key(part))
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, col = (x + 1 for x in node.lc.item(part))
            node = node[part]
        else:
            break
    return line, col


def _explain(exc: ValidationError, data: Any, path: Path, lang: Lang, root: type[BaseModel]) -> ConfigError:
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line, col = locate(data, loc)
        key = ".".join(str(p) for p in loc) or "(top)"
        if error["type"] == "extra_forbidden":
            problem = t("config.extra", lang, allowed=", ".join(_allowed_keys(root, loc)))
        elif error["type"] == "missing":
            problem = t("config.missing_key", lang)
        else:
            problem = _problem(error, lang)
        lines.append(t("config.field", lang, path=path, line=line, col=col, key=key, problem=problem))
    return ConfigError("\n".join(lines))


_PYDANTIC: dict[str, str] = {
    "string_type": "p.string_type", "int_parsing": "p.int", "int_type": "p.int", "int_from_float": "p.int",
    "float_parsing": "p.float", "float_type": "p.float", "bool_parsing": "p.bool", "bool_type": "p.bool",
    "list_type": "p.list", "dict_type": "p.mapping", "model_type": "p.mapping", "model_attributes_type": "p.mapping",
    "literal_error": "p.literal", "greater_than": "p.greater", "greater_than_equal": "p.greater_equal",
    "less_than_equal": "p.less_equal",
}
"""pydantic's error types -> our words for them (the rest keep pydantic's English)."""


def _problem(error: Any, lang: Lang) -> str:
    """What is wrong with one value, in `lang`: our validators' own words, pydantic's common kinds translated."""
    context = error.get("ctx") or {}
    raised = context.get("error")
    if isinstance(raised, Worded):
        return raised.text.render(lang)
    key = _PYDANTIC.get(error["type"])
    if key is None:
        return str(error["msg"]).removeprefix("Value error, ")
    limit = context.get("gt", context.get("ge", context.get("le", "")))
    expected = str(context.get("expected", ""))
    return t(key, lang, expected=expected.replace(" or ", ", ") if lang == "zh" else expected, limit=limit)


def _allowed_keys(root: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    model = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        annotation = getattr(info, "annotation", None) if info else None
        inner = getattr(annotation, "__args__", (annotation,))
        nested = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nested is None:
            break
        model = nested
    return [name for name, info in model.model_fields.items() if not info.exclude]
