"""The after-sales reason tree as data: a first level (安装类, 产品类, 物流类 ...) and, under each, the second-level
reasons a ticket may give (扭矩错误, 方向装反, 配件不匹配 ...).

A tree is YAML, shipped as presets in `templates/reasons/` (`retail_zh`, `autoparts_zh`, `retail_en`) and copied by
teams, named in sheetsync.yaml by `aftersales: {reasons: autoparts_zh}` or a file beside it:

    name: autoparts_zh
    other: 其他                       # the word for "other", at either level: the ticket then needs a description
    levels:
      安装类: [扭矩错误, 方向装反, 配件不匹配, 其他]
      产品类: [异响, 漏油, 尺寸不符, 其他]
      其他: []                        # a first level without a second

The workbook gets it as dependent dropdowns (the second level offers only the first's reasons); a sync flags a
second level that does not belong to its first, a reason the tree does not know, and an "other" left undescribed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sheetsync.config import Config, read_yaml, validate_yaml
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, Worded, t
from sheetsync.runtime.resources import data_dir

DEFAULT_REASONS: Final[dict[Lang, str]] = {"zh": "retail_zh", "en": "retail_en"}
"""The tree of a desk whose `aftersales:` names none."""
WORD_CHARS: Final = 100
"""The longest reason: a dropdown shows it whole, a list cell holds it."""


def _word(word: str) -> str:
    if not word.strip() or len(word) > WORD_CHARS or word != word.strip():
        raise Worded("reasons.bad_word", word=word, most=WORD_CHARS)
    return word


def _once(words: list[str]) -> list[str]:
    repeated = sorted({w for w in words if words.count(w) > 1})
    if repeated:
        raise Worded("reasons.repeated", words="、".join(repeated))
    return words


Word = Annotated[str, AfterValidator(_word)]
Seconds = Annotated[list[Word], AfterValidator(_once)]


class _Tree(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    other: str | None = None
    levels: dict[Word, Seconds] = Field(min_length=1)

    @model_validator(mode="after")
    def _other_is_a_reason(self) -> _Tree:
        if self.other is not None and self.other not in self.levels and not any(
                self.other in seconds for seconds in self.levels.values()):
            raise Worded("reasons.other_unused", other=self.other)
        return self


@dataclass(frozen=True, slots=True)
class ReasonTree:
    """Two levels of after-sales reasons; `other` is the word that asks for a description (None: no such word)."""

    name: str
    levels: dict[str, tuple[str, ...]]
    other: str | None
    source: Path

    @property
    def firsts(self) -> tuple[str, ...]:
        return tuple(self.levels)

    def problem(self, first: str | None, second: str | None, described: bool) -> str | None:
        """The anomaly code of one ticket's reason, None when it is right: REASON_UNKNOWN for a first level the
        tree does not have, REASON_MISMATCH for a second level not under its first (or given without a first),
        REASON_UNDESCRIBED for an "other" at either level without a description."""
        if not first:
            return "REASON_MISMATCH" if second else None
        seconds = self.levels.get(first)
        if seconds is None:
            return "REASON_UNKNOWN"
        if second and second not in seconds:
            return "REASON_MISMATCH"
        if self.other is not None and self.other in (first, second) and not described:
            return "REASON_UNDESCRIBED"
        return None


def presets_dir() -> Path:
    return data_dir("templates") / "reasons"


def presets() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


def desk_reasons(config: Config) -> ReasonTree | None:
    """The reason tree of a desk with an after-sales sheet (None without one); a bad tree is a ConfigError."""
    if config.aftersales is None:
        return None
    return load_reasons(config.aftersales.reasons or DEFAULT_REASONS[config.sheet_language], config.base_dir,
                        config.language)


def load_reasons(spec: str, config_dir: Path, lang: Lang) -> ReasonTree:
    """The tree `spec` names: a preset (`autoparts_zh`) or a YAML file relative to `config_dir`.  A problem raises
    ConfigError naming the file, the line and what is wrong."""
    preset = presets_dir() / f"{spec}.yaml"
    if "/" not in spec and "\\" not in spec and not spec.endswith((".yaml", ".yml")) and preset.is_file():
        path = preset
    else:
        path = Path(spec) if Path(spec).is_absolute() else config_dir / spec
        if not path.is_file():
            raise ConfigError(t("reasons.unknown", lang, name=spec, known=", ".join(presets()), path=path),
                              t("reasons.unknown.hint", lang))
    data = read_yaml(path, lang)
    tree = validate_yaml(_Tree, data, path, lang)
    return ReasonTree(tree.name or path.stem, {str(k): tuple(str(s) for s in v) for k, v in tree.levels.items()},
                      tree.other, path)
