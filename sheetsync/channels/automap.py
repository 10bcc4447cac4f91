"""Matching a file's columns to canonical fields: by header (synonyms, as data) and by content.

The synonym table is data (`mappings/synonyms.yaml`, extended by a desk's own
`mappings/synonyms.yaml`); where a header says nothing (`列1`, empty, no header row at all) the
values speak: a column of 11-digit numbers starting with 1 is a mobile phone, one of dates is the
order time, one of long unique codes is the order number.  The result is an ordinary `Mapping`
(what the channels use) plus, for each column, what the match was based on and how sure it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, create_model

from sheetsync.channels.mapping import FieldRule, ItemsRule, Mapping
from sheetsync.channels.readers import RawTable
from sheetsync.config import PRESETS, load_preset, normalize_header, read_yaml, validate_yaml
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model import normalize
from sheetsync.model.fields import DATETIME_FIELDS, FIELDS, MONEY_FIELDS
from sheetsync.runtime import textops
from sheetsync.runtime.resources import data_dir

Basis = Literal["header", "synonym", "partial", "content"]
Purpose = Literal["import", "adopt"]

HEADER_ROWS: Final = 30
SAMPLE: Final = 1000
ITEM_PARTS: Final = ("sku", "name", "qty")
IMPORT_SKIPS: Final = frozenset({"order_id", "sla", "anomalies", "promised_by", "status_since"})
"""Fields an import never takes from a file: the tool computes them (a file's order number is the channel's)."""
KEY_PARTS: Final = ("created_at", "phone", "customer_name")
"""The order number of a file that has none: who called and when (as the 400-phone mapping does)."""
_CONFIDENCE: Final = {"header": 1.0, "team": 0.97, "synonym": 0.95}


_FieldSynonyms: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "_FieldSynonyms", __config__=ConfigDict(extra="forbid", frozen=True), **{f: (list[str], []) for f in FIELDS})
"""One key per canonical field, so an unknown field is reported at its own line of the file."""


class _ItemSynonyms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: list[str] = []
    name: list[str] = []
    qty: list[str] = []


class _SynonymFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: _FieldSynonyms = _FieldSynonyms()  # type: ignore[valid-type]  # a model made at import
    items: _ItemSynonyms = _ItemSynonyms()
    ignore: list[str] = []


@dataclass(frozen=True)
class Synonyms:
    """Normalised header text -> (target, confidence); a target is a field or `items.sku|name|qty`."""

    table: dict[str, list[tuple[str, float]]]
    ignore: frozenset[str]
    files: tuple[str, ...]

    def exact(self, header: str) -> list[tuple[str, float]]:
        return self.table.get(normalize_header(header), [])

    def partial(self, header: str) -> list[tuple[str, float]]:
        """Targets of the longest synonyms (two characters or more) that the header contains."""
        key = normalize_header(header)
        hits = [(len(s), target, conf) for s, targets in self.table.items() if len(s) >= 2 and s in key and s != key
                for target, conf in targets]
        if not hits:
            return []
        longest = max(h[0] for h in hits)
        return [(target, round(0.55 + 0.3 * longest / len(key), 2)) for n, target, _ in hits if n == longest]


def load_synonyms(config_dir: Path | None, lang: Lang) -> Synonyms:
    """The shipped synonym table, extended by `<config_dir>/mappings/synonyms.yaml` when there is one."""
    table: dict[str, list[tuple[str, float]]] = {}
    ignore: set[str] = set()
    files = [data_dir("mappings") / "synonyms.yaml"]
    team = config_dir / "mappings" / "synonyms.yaml" if config_dir else None
    if team is not None and team.is_file():
        files.append(team)
    for preset in PRESETS:
        for name, header in load_preset(preset).items():
            table.setdefault(normalize_header(header), []).append((name, _CONFIDENCE["header"]))
    for name in FIELDS:
        table.setdefault(normalize_header(name), []).append((name, _CONFIDENCE["header"]))
    for path in files:
        data = validate_yaml(_SynonymFile, read_yaml(path, lang), path, lang)
        confidence = _CONFIDENCE["team" if path == team else "synonym"]
        pairs = [(f, h) for f, headers in cast(BaseModel, data.fields).model_dump().items() for h in headers]
        pairs += [(f"items.{p}", h) for p, headers in data.items.model_dump().items() for h in headers]
        for target, header in pairs:
            entries = table.setdefault(normalize_header(str(header)), [])
            if all(existing != target for existing, _ in entries):
                entries.append((target, confidence))
        ignore.update(normalize_header(str(h)) for h in data.ignore)
    return Synonyms(table, frozenset(ignore), tuple(str(p) for p in files))


@dataclass(slots=True)
class ColumnMatch:
    """One source column: the field it feeds (None: unmatched), on what basis, how sure (0-1)."""

    index: int
    header: str
    field: str | None
    basis: Basis | None
    confidence: float
    note: str | None = None


@dataclass(slots=True)
class AutoMapping:
    """What `automap` found: the mapping (None when no order number could be found or made), the
    header row (index in the table read; None when the file has none), each column's match."""

    mapping: Mapping | None
    header_row: int | None
    headers: list[str]
    columns: list[ColumnMatch]
    missing: list[str] = field(default_factory=list)
    composed_key: list[str] = field(default_factory=list)

    @property
    def unmatched(self) -> list[str]:
        """Headers of the columns matched to nothing (columns with neither header nor values left out)."""
        return [c.header for c in self.columns if c.field is None and c.note != "empty"]

    @property
    def ready(self) -> bool:
        return self.mapping is not None

    def fields(self) -> dict[str, str]:
        """canonical field -> header text, for the columns matched to a field (not item parts)."""
        return {c.field: c.header for c in self.columns if c.field and c.field in FIELDS}

    def to_dict(self) -> dict[str, Any]:
        return {"header_row": self.header_row, "columns": [asdict(c) for c in self.columns], "unmatched": self.unmatched,
                "missing": self.missing, "composed_key": self.composed_key, "ready": self.ready,
                "day_first": self.mapping.day_first if self.mapping else None}


def find_header_row(frame: pd.DataFrame, synonyms: Synonyms) -> int | None:
    """The row (index) among the first 30 whose cells most look like known headers; when none does,
    the first row as wide as the table whose cells are mostly text that does not look like data (a
    title block above it may hold a date or a number, the header row itself a date or two); None
    when the first rows are data."""
    top = [[v for v in frame.iloc[i] if v is not None and not (isinstance(v, float) and v != v)
            and not (isinstance(v, str) and not v.strip())] for i in range(min(HEADER_ROWS, len(frame)))]
    best, best_score = None, 0.0
    for i, cells in enumerate(top):
        texts = [v for v in cells if isinstance(v, str)]
        score = sum(1.0 if synonyms.exact(v) else 0.4 if synonyms.partial(v) else 0.0 for v in texts)
        if score > best_score:
            best, best_score = i, score
    if best is not None and best_score >= 1:
        return best
    width = max((len(cells) for cells in top), default=0)
    for i, cells in enumerate(top):
        words = [v for v in cells if isinstance(v, str) and not _looks_like_data(v)]
        if len(words) >= 2 and len(cells) >= max(2, width // 2) and len(words) >= 0.7 * len(cells):
            return i
    return None


def _looks_like_data(value: str) -> bool:
    text = normalize.clean_text(pd.Series([value], dtype="str")).iloc[0]
    if not isinstance(text, str):
        return False
    return bool(textops.search(pd.Series([text], dtype="str"), r"^[+\-]?[\d.,:/ 年月日¥￥$-]+$|^1\d{10}$")[0])


def header_names(frame: pd.DataFrame, header_row: int | None) -> list[str]:
    """The name of each column as a mapping refers to it: its header text; `#3` for a column with no
    header (or a file with no header row); `备注#7` for the second column of the same header text."""
    row = frame.iloc[header_row] if header_row is not None else [None] * frame.shape[1]
    names: list[str] = []
    seen: set[str] = set()
    for i, value in enumerate(row):
        text = value.strip() if isinstance(value, str) else ""
        name = text or f"#{i + 1}"
        if normalize_header(name) in seen:
            name = f"{text}#{i + 1}"
        seen.add(normalize_header(name))
        names.append(name)
    return names


def with_header(raw: RawTable, header_row: int | None, names: list[str]) -> RawTable:
    """`raw` whose header row holds `names` (a header row is added above a file that has none), so that
    a mapping finds every column by its name."""
    if header_row is None:
        head = pd.DataFrame([names], columns=raw.frame.columns, dtype="str")
        frame = pd.concat([head, raw.frame], ignore_index=True)
        return RawTable(raw.path, raw.sheet, frame, np.concatenate([[0], raw.lines]).astype(np.int64), raw.encoding,
                        raw.broken_lines)
    for col, name in enumerate(names):
        if raw.frame.iat[header_row, col] != name:
            raw.frame.iat[header_row, col] = name
    return raw


def automap(raw: RawTable, synonyms: Synonyms, *, purpose: Purpose = "import", name: str = "auto",
            now: dt.datetime | None = None, header_row: int | None = None,
            fixed: dict[int, str | None] | None = None) -> AutoMapping:
    """Match the columns of `raw` to canonical fields; see the module docstring.  `header_row`: the index
    of the header row in `raw.frame` when it is known (`init --from --header-row N`), else it is looked for;
    `fixed`: column index -> field (None: no field), matches decided before (the team's own order number column)."""
    now = now or dt.datetime.now()
    h = find_header_row(raw.frame, synonyms) if header_row is None else header_row
    names = header_names(raw.frame, h)
    body = raw.frame.iloc[(h + 1 if h is not None else 0) :]
    sample = body.iloc[_spread(np.flatnonzero(body.notna().any(axis=1).to_numpy()), SAMPLE)]  # only the sample is copied
    candidates: list[tuple[float, int, str, Basis, str | None]] = []
    for col, header in enumerate(names):
        column = sample[sample.columns[col]] if col < sample.shape[1] else pd.Series([], dtype="str")
        values = normalize.clean_text(column).dropna()
        for target, confidence, basis in _by_header(header, synonyms, purpose, has_header=h is not None):
            confidence = _checked(target, confidence, values, now)
            candidates.append((confidence, col, target, basis, None))
        for target, confidence, note in _by_content(values, now):
            if purpose == "import" and target in IMPORT_SKIPS:
                continue
            candidates.append((confidence, col, target, "content", note))
    columns = [ColumnMatch(i, n, None, None, 0.0) for i, n in enumerate(names)]
    col_empty = lambda i: i >= sample.shape[1] or bool(sample[sample.columns[i]].isna().all())  # noqa: E731
    taken: set[str] = set()
    for col, chosen in (fixed or {}).items():
        if chosen is not None:
            columns[col] = ColumnMatch(col, names[col], chosen, "header", 1.0, "chosen")
            taken.add(chosen)
    for confidence, col, target, basis, note in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if columns[col].field is not None or target in taken or confidence < 0.5 or col in (fixed or {}):
            continue
        columns[col] = ColumnMatch(col, names[col], target, basis, round(confidence, 2), note)
        taken.add(target)
    for c in columns:
        if c.field is None and c.header.startswith("#") and col_empty(c.index):
            c.note = "empty"
        elif c.field is None:
            others = sorted({target for conf, col, target, _, _ in candidates if col == c.index and conf >= 0.5})
            c.note = ("also " + ", ".join(others)) if others else None
    return _assemble(raw, h, names, columns, sample, name, purpose)


def _spread(rows: np.ndarray, n: int) -> np.ndarray:
    """Of the positions `rows`, the first and a spread of the rest: `n` at most.  (The sample was taken
    from a copy of the table without its empty rows: a million-row file copied for 2,000 rows, 0.4 s.)"""
    if len(rows) <= n:
        return rows
    step = max(1, (len(rows) - n // 2) // (n // 2))
    return np.concatenate([rows[: n // 2], rows[n // 2 :: step][: n // 2]])


def _by_header(header: str, synonyms: Synonyms, purpose: Purpose, *, has_header: bool) -> list[tuple[str, float, Basis]]:
    if not has_header or header.startswith("#") or normalize_header(header) in synonyms.ignore:
        return []
    out: list[tuple[str, float, Basis]] = []
    for target, confidence in synonyms.exact(header):
        basis: Basis = "header" if confidence >= _CONFIDENCE["header"] else "synonym"
        out.append((target, confidence, basis))
    if not out:
        out = [(target, confidence, "partial") for target, confidence in synonyms.partial(header)]
    if purpose == "adopt":
        # a team's own sheet: a product column is the items column; quantities and codes are not fields
        out = [("items" if target == "items.name" else target, conf, basis) for target, conf, basis in out
               if target not in ("items.sku", "items.qty")]
    if purpose == "import":
        # a file's own order number is the channel's order number; the tool's fields are never imported
        out = [("channel_order_id" if target == "order_id" else target, conf - (0.1 if target == "order_id" else 0), basis)
               for target, conf, basis in out if target == "order_id" or target not in IMPORT_SKIPS]
    return out


def _checked(target: str, confidence: float, values: pd.Series, now: dt.datetime) -> float:
    """A header match of a date or amount field whose values are mostly not dates or amounts is doubtful."""
    if target == "phone" and len(values):
        mobiles = normalize.phone(normalize.restore_digits(values)[0])
        return confidence + 0.04 * float(textops.search(mobiles, r"^1[3-9]\d{9}$").mean())
    if not len(values) or (target not in DATETIME_FIELDS and target not in MONEY_FIELDS):
        return confidence
    if target in DATETIME_FIELDS:
        _, bad = normalize.datetimes(values, [], now)
    else:
        _, bad = normalize.money(values)
    return confidence if bad.mean() <= 0.2 else confidence * 0.5


_PROVINCE: Final = r"(省|自治区|^北京|^上海|^天津|^重庆)(市)?$"
_ADDRESS_MARKS: Final = r"[省市区县镇乡村路街道号弄栋室巷]"
_CARRIERS: Final = r"顺丰|中通|圆通|韵达|申通|京东|邮政|EMS|极兔|德邦|百世|天天|宅急送|SF|ZTO|YTO|STO|JD|DHL|FedEx|UPS"


def _by_content(values: pd.Series, now: dt.datetime) -> list[tuple[str, float, str | None]]:
    """(field, confidence, what the values look like) for a column's sample values."""
    if len(values) < 3:
        return []
    share = lambda pattern, v=values: float(textops.search(v, pattern).mean())  # noqa: E731
    restored, _ = normalize.restore_digits(values)
    phones = normalize.phone(restored)
    out: list[tuple[str, float, str | None]] = []
    mobile = share(r"^1[3-9]\d{9}$|^1\d\d\*{4}\d{4}$", phones)
    landline = share(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$|^\+\d[\d ()-]{6,}$", phones)
    if mobile + landline >= 0.8:
        return [("phone", 0.6 + 0.3 * (mobile + landline), "mobile" if mobile >= landline else "landline")]
    unique = values.nunique() / len(values)
    _, bad_dates = normalize.datetimes(values, [], now)
    separated = share(r"[-/.年月:]")
    if (~bad_dates).mean() >= 0.8 and separated >= 0.5:
        return [("created_at", 0.55 + 0.3 * float((~bad_dates).mean()), "dates")]
    _, bad_money = normalize.money(values)
    decimal = share(r"[.,]\d{1,2}$|^[¥￥$€£]|元$|RMB|,\d{3}")
    if (~bad_money).mean() >= 0.9 and decimal >= 0.5:
        return [("amount_payable", 0.55 + 0.25 * decimal, "amounts")]
    if share(r"^(?:SF|YT|ZTO|JD|JT|YD|STO|EMS|DPK|JDV|TT)\d{8,}$") >= 0.8:
        out.append(("tracking_no", 0.8, "tracking numbers"))
    if share(r"^[A-Za-z#]{0,4}[-_]?\d[\d-]{4,30}$") >= 0.9 and unique >= 0.97 and not _consecutive(values):
        out.append(("channel_order_id", 0.6 + 0.2 * unique, "unique order numbers"))
    if share(_PROVINCE) >= 0.8:
        out.append(("province", 0.7, "provinces"))
    elif share(r"^[\p{Han}]{2,12}(?:市|自治州|地区|盟)$") >= 0.8:
        out.append(("city", 0.6, "cities"))
    elif share(r"^[\p{Han}]{1,12}(?:区|县|旗|市)$") >= 0.8:
        out.append(("district", 0.55, "districts"))
    elif share(_ADDRESS_MARKS + r".*" + _ADDRESS_MARKS) >= 0.7 and float(values.str.len().mean()) >= 8:
        out.append(("address", 0.65, "addresses"))
    elif share(r"^[\p{Han}]{2,4}$|^[\p{Han}](?:先生|女士|小姐)$") >= 0.8 and values.nunique() >= max(3, 0.3 * len(values)):
        out.append(("customer_name", 0.55, "Chinese names"))
    if share(r"^\d{6}$") >= 0.9 and unique < 0.97:
        out.append(("postcode", 0.5, "postcodes"))
    if share(r"[×xX*]\s*\d+") >= 0.6:
        out.append(("items", 0.6, "items × quantities"))
    if share(_CARRIERS) >= 0.8:
        out.append(("carrier", 0.6, "carriers"))
    if values.nunique() <= 12 and share(r"已|待|完成|取消|关闭|发货|签收|paid|shipped|fulfilled|pending|refunded") >= 0.8:
        out.append(("status", 0.6, "statuses"))
    return out


def _consecutive(values: pd.Series) -> bool:
    """Row numbers (1, 2, 3 ...) look unique like order numbers but are not."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return len(numbers) == len(values) and bool((numbers.diff().dropna() == 1).mean() >= 0.9)


def _assemble(raw: RawTable, h: int | None, names: list[str], columns: list[ColumnMatch], sample: pd.DataFrame,
              name: str, purpose: Purpose) -> AutoMapping:
    by_target = {c.field: c for c in columns if c.field}
    if purpose == "adopt":
        return AutoMapping(None, h, names, columns, [] if "order_id" in by_target else ["order_id"])
    rules: dict[str, FieldRule] = {}
    parts = {p: by_target.pop(f"items.{p}").header for p in ITEM_PARTS if f"items.{p}" in by_target}
    items: ItemsRule | None = None
    if "qty" in parts or "sku" in parts:
        if "name" not in parts and "items" in by_target:
            match = by_target.pop("items")
            match.field = "items.name"
            parts["name"] = match.header
        items = ItemsRule(**{p: [h] for p, h in parts.items()})
    elif "items" in by_target:
        items = ItemsRule(column=[by_target["items"].header])
    elif "name" in parts:
        items = ItemsRule(column=[parts["name"]])
    for c in columns:
        if c.field and c.field.startswith("items.") and c.field.split(".")[1] not in parts:
            c.field, c.basis, c.confidence = None, None, 0.0
    for target, match in by_target.items():
        if target != "items":
            rules[target] = FieldRule(column=[match.header])
    region = {"province", "city", "district"}
    if "address" in rules and not region <= set(rules):
        rules["address"] = FieldRule(column=rules["address"].column, split=True)
    line_items = items is not None and bool(items.sku or items.qty)
    if line_items:
        key_header = by_target["channel_order_id"].header if "channel_order_id" in by_target else None
        for money in MONEY_FIELDS & set(rules):
            if key_header and _varies_within_orders(sample, names, key_header, rules[money].column[0]):
                rules[money] = FieldRule(column=rules[money].column, per="row")
    composed: list[str] = []
    missing: list[str] = []
    if "channel_order_id" not in rules:
        composed = [f for f in KEY_PARTS if f in rules]
        if len(composed) >= 2 and ("created_at" in composed or "phone" in composed):
            rules["channel_order_id"] = FieldRule(fields=composed, join=" / ")
        else:
            composed = []
            missing.append("channel_order_id")
    day_first = _day_first(sample, names, [r.column[0] for f, r in rules.items() if f in DATETIME_FIELDS and r.column])
    mapping = None
    if not missing:
        mapping = Mapping(name=name, description=f"matched by sheetsync import --auto from {raw.path.name}",
                          fields=rules, items=items, day_first=day_first, source=raw.path)
    return AutoMapping(mapping, h, names, columns, missing, composed)


def _varies_within_orders(sample: pd.DataFrame, names: list[str], key: str, column: str) -> bool:
    """Whether an amount differs between rows of one order in the sample: then it is per row (summed)."""
    k, c = sample[sample.columns[names.index(key)]], sample[sample.columns[names.index(column)]]
    pairs = pd.DataFrame({"k": normalize.clean_text(k), "c": normalize.clean_text(c)}).dropna()
    counts = pairs.groupby("k")["c"].nunique()
    return bool((counts > 1).any())


def _day_first(sample: pd.DataFrame, names: list[str], columns: list[str]) -> bool:
    """Day before month when some `a/b/YYYY` value can only be read that way (13/5/2024), and none
    the other way; month first otherwise (the American order shop exports use)."""
    votes: Counter[str] = Counter()
    for column in columns:
        values = normalize.clean_text(sample[sample.columns[names.index(column)]]).dropna()
        parts = values.str.extract(r"^(\d{1,2})[/-](\d{1,2})[/-]\d{4}").dropna().astype(int)
        votes["day"] += int((parts[0] > 12).sum())
        votes["month"] += int((parts[1] > 12).sum())
    return votes["day"] > 0 and votes["month"] == 0


def save_mapping(auto: AutoMapping, name: str, config_dir: Path, lang: Lang) -> Path:
    """Write the mapping as `<config_dir>/mappings/NAME.yaml` (loadable by `load_mapping`); an existing
    file is never overwritten.  Each field's line says what its match was based on."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    if auto.mapping is None:
        raise ConfigError(t("automap.not_ready", lang, missing=", ".join(auto.missing)), t("automap.not_ready.hint", lang))
    if not name or any(c in name for c in "/\\:") or name.startswith("."):
        raise ConfigError(t("automap.bad_name", lang, name=name))
    path = config_dir / "mappings" / f"{name}.yaml"
    if path.exists():
        raise ConfigError(t("config.exists", lang, path=path), t("automap.exists.hint", lang))
    mapping = auto.mapping
    data = CommentedMap()
    data["description"] = t("automap.saved_description", lang, file=mapping.source.name)
    if mapping.day_first:
        data["day_first"] = True
    fields = CommentedMap()
    basis = {c.field: c for c in auto.columns if c.field}
    for target, rule in mapping.fields.items():
        fields[target] = _rule_data(rule)
        match = basis.get(target)
        note = f"{match.basis} {match.confidence:.2f}" if match else "composed"
        fields.yaml_add_eol_comment(note, target)
    data["fields"] = fields
    if mapping.items is not None:
        data["items"] = {k: v for k, v in mapping.items.model_dump().items() if v}
    unmatched = [c.header for c in auto.columns if c.field is None]
    if unmatched:
        data.yaml_set_start_comment(t("automap.saved_unmatched", lang, headers=", ".join(unmatched)))
    path.parent.mkdir(parents=True, exist_ok=True)
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.default_flow_style = None
    yaml.width = 4096
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


def _rule_data(rule: FieldRule) -> Any:
    if rule.fields:
        return {"fields": list(rule.fields), "join": rule.join}
    out: dict[str, Any] = {"column": rule.column[0] if len(rule.column) == 1 else list(rule.column)}
    if rule.split:
        out["split"] = True
    if rule.per == "row":
        out["per"] = "row"
    return out["column"] if len(out) == 1 else out
