"""Mappings: how one source (a shop export, a carrier file) names things, as YAML in `mappings/`.

```yaml
label: 抖音                      # the channel cell; a channel's own `label:` overrides it
key: channel_order_id            # rows sharing it are one order (抖店 sub-orders, Shopify line items)
encoding: auto                   # or utf-8, gbk, gb18030, utf-16
fields:
  channel_order_id: [主订单编号, 订单编号]          # header synonyms, the first present wins
  phone: 收件人手机号
  address: {columns: [街道, 详细地址]}              # joined with a space
  amount_payable: {column: 订单应付金额, per: row}  # per row: summed over the order's rows
  status: {column: 订单状态, values: {待发货: 待确认, 已发货: 已发货}}
items: {sku: 商家编码, name: 选购商品, qty: 商品数量}  # -> "SKU×qty; SKU×qty"
```
A mapping may `extends:` another (its fields are overridden one by one).  A team's own
mapping lives beside its sheetsync.yaml (`mappings/NAME.yaml`) or is named by path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from sheetsync.config import read_yaml, validate_yaml
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model.fields import FIELDS
from sheetsync.model.tickets import TICKET_FIELDS
from sheetsync.runtime.resources import data_dir


def _names(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class FieldRule(BaseModel):
    """Where one canonical field comes from in the source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: list[str] = []
    columns: list[str] = []
    fields: list[str] = []
    join: str = " "
    values: dict[str, str] = {}
    formats: list[str] = []
    per: Literal["order", "row"] = "order"
    sign: Literal["any", "negative", "positive"] = "any"
    """An amount's rows taken by sign: `negative` takes only the rows below zero, as positive amounts (a finance
    export's refunds: the negative rows of an order number); `positive` only those above."""
    split: bool = False
    default: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, (str, list)):
            return {"column": _names(data)}
        if isinstance(data, dict) and isinstance(data.get("column"), str):
            return {**data, "column": [data["column"]]}
        return data

    @model_validator(mode="after")
    def _has_a_source(self) -> FieldRule:
        if not self.column and not self.columns and not self.fields and self.default is None:
            raise ValueError("give `column` (header synonyms), `columns` (joined), `fields` (other fields joined) or `default`")
        return self

    @property
    def headers(self) -> list[str]:
        return [*self.column, *self.columns]


class ItemsRule(BaseModel):
    """How the items cell is made: `SKU×qty; SKU×qty`, or a ready text column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: list[str] = []
    name: list[str] = []
    qty: list[str] = []
    column: list[str] = []

    _as_list = field_validator("sku", "name", "qty", "column", mode="before")(lambda v: _names(v))

    @property
    def headers(self) -> list[str]:
        return [*self.sku, *self.name, *self.qty, *self.column]


class Mapping(BaseModel):
    """One source's names for things."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    description: str = ""
    extends: str | None = None
    kind: Literal["orders", "waybills", "tickets"] = "orders"
    """orders (a shop's orders), waybills (a carrier's tracking, matched to orders and to return tickets), tickets
    (a shop's after-sales export: one row per after-sales request, its fields the after-sales sheet's)."""
    label: str | None = None
    encoding: str = "auto"
    delimiter: str | None = None
    sheet: str | None = None
    decimal_comma: bool | Literal["auto"] = "auto"
    day_first: bool = False
    key: str = "channel_order_id"
    match: list[str] = ["order_id", "channel_order_id", "phone+customer_name"]
    require: list[str] = []
    blanks: list[str] = ["-", "--", "---", "—", "——", "－", "无", "暂无", "N/A", "n/a", "NA", "null", "NULL", "None"]
    """Cells that mean "nothing here" in this source (抖店 writes `-` for an empty date or tracking number)."""
    fields: dict[str, FieldRule] = {}
    items: ItemsRule | None = None
    source: Path = Field(default=Path("."), exclude=True)

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, FieldRule], info: ValidationInfo) -> dict[str, FieldRule]:
        known = TICKET_FIELDS if info.data.get("kind") == "tickets" else FIELDS  # `kind` is validated before `fields`
        unknown = [f for f in value if f not in known]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a canonical field (the fields are: {', '.join(known)})")
        return value

    @model_validator(mode="after")
    def _key_is_mapped(self) -> Mapping:
        if self.extends:
            return self  # checked once merged with what it extends
        if self.key not in self.fields:
            raise ValueError(f"the key field '{self.key}' has no rule under fields:")
        for way in self.match if self.kind == "waybills" else []:
            missing = [f for f in way.split("+") if f not in self.fields]
            if missing:
                raise ValueError(f"match '{way}': the field '{missing[0]}' has no rule under fields:")
        return self

    def headers(self) -> list[str]:
        """Every header text this mapping knows (to find the header row)."""
        found = [h for rule in self.fields.values() for h in rule.headers]
        return found + (self.items.headers if self.items else [])


def find_mapping(name: str, config_dir: Path, lang: Lang) -> Path:
    """A mapping by path, by name beside the configuration (`mappings/NAME.yaml`), or shipped."""
    as_path = config_dir / name
    candidates = [as_path] if name in NOT_MAPPINGS else \
        [as_path, config_dir / "mappings" / f"{name}.yaml", data_dir("mappings") / f"{name}.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigError(t("mapping.unknown", lang, name=name, known=", ".join(shipped_mappings())))


NOT_MAPPINGS = frozenset({"synonyms"})
"""Files in `mappings/` that are not channel mappings: the header synonyms of `sheetsync import --auto`."""


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in data_dir("mappings").glob("*.yaml") if p.stem not in NOT_MAPPINGS)


def load_mapping(name: str, config_dir: Path, lang: Lang) -> Mapping:
    return _load(find_mapping(name, config_dir, lang).resolve(), lang, ())


def _load(path: Path, lang: Lang, seen: tuple[Path, ...]) -> Mapping:
    if path in seen:
        raise ConfigError(t("mapping.cycle", lang, path=path))
    data = read_yaml(path, lang)
    mapping = validate_yaml(Mapping, data, path, lang, source=path, name=data.get("name") or path.stem)
    if not mapping.extends:
        return mapping
    parent = _load(find_mapping(mapping.extends, path.parent, lang).resolve(), lang, (*seen, path))
    own = {k: getattr(mapping, k) for k in mapping.model_fields_set if k not in ("fields", "extends")}
    merged = parent.model_copy(update={**own, "fields": {**parent.fields, **mapping.fields}, "extends": None})
    return Mapping.model_validate(merged.model_dump() | {"source": path})
