"""Checking a condition: parse with sqlglot, accept only whitelisted nodes, type every node.

A condition is refused here, at configuration load, or never: whatever passes has a type
for every node, a canonical field for every column and a typed value for every literal,
so the SQL and the reference evaluator never meet anything unexpected.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final, NoReturn

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from sheetsync.conditions.errors import describe, function_before, unclosed_at
from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.model.values import parse_datetime


class FieldType(StrEnum):
    """How a condition reads a field's cells; MONEY and NUMBER are both exact decimals."""

    TEXT = "text"
    MONEY = "money"
    DATETIME = "datetime"
    NUMBER = "number"
    BOOLEAN = "boolean"


Type = FieldType | None
"""The type of an expression: MONEY is folded into NUMBER; None is the type of NULL."""

MAX_DIGITS: Final = 12
SCALE: Final = 6
MICRO: Final = Decimal(1).scaleb(-SCALE)
LIMIT: Final = Decimal(10) ** MAX_DIGITS
"""Numbers are decimals with at most 6 places and magnitude below 10**12; anything else is NULL."""

NUMBER_PATTERN: Final = rf"-?[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,{SCALE}}})?"
DATETIME_PATTERN: Final = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
"""The text a money or datetime cell must match in full to be read (RE2 and Python alike)."""

FUNCTIONS: Final = ("LENGTH", "LOWER", "UPPER", "TRIM", "COALESCE", "ABS", "ROUND", "SUBSTR")
COMPARISONS: Final[dict[type[exp.Expr], str]] = {
    exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=",
}
ARITHMETIC: Final[dict[type[exp.Expr], str]] = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
_ORDERED: Final = (FieldType.TEXT, FieldType.NUMBER, FieldType.DATETIME)
_ALLOWED: Final[dict[type[exp.Expr], frozenset[str]]] = {
    cls: frozenset(args.split())
    for cls, args in [
        (exp.Paren, "this"), (exp.Not, "this"), (exp.Neg, "this"), (exp.And, "this expression"),
        (exp.Or, "this expression"), *((c, "this expression") for c in (*COMPARISONS, *ARITHMETIC)),
        (exp.In, "this expressions"), (exp.Between, "this low high"), (exp.Like, "this expression negate"),
        (exp.Is, "this expression negate"), (exp.Column, "this"), (exp.Identifier, "this quoted"),
        (exp.Literal, "this is_string"), (exp.Null, ""), (exp.Boolean, "this"), (exp.Length, "this"),
        (exp.Lower, "this"), (exp.Upper, "this"), (exp.Trim, "this"), (exp.Abs, "this"),
        (exp.Coalesce, "this expressions is_nvl is_null"), (exp.Round, "this decimals"),
        (exp.Substring, "this start length"),
    ]
}
"""The whole language: these node types with these arguments, nothing else."""


@dataclass(frozen=True)
class Plan:
    """A checked tree: `types`, `columns` (canonical field) and `constants` (typed literal) by node id."""

    tree: exp.Expr
    types: Mapping[int, Type]
    columns: Mapping[int, str]
    constants: Mapping[int, object]
    field_types: Mapping[str, FieldType]


def expression_type(field_type: FieldType) -> FieldType:
    return FieldType.NUMBER if field_type is FieldType.MONEY else field_type


def parse_number(text: str) -> Decimal | None:
    """A decimal in range with at most 6 places, else None."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= LIMIT or value != value.quantize(MICRO):
        return None
    return value.quantize(MICRO)


def check(text: str, *, name: str, fields: Mapping[str, FieldType], lang: Lang,
          aliases: Mapping[str, str] | None = None) -> Plan:
    """The checked plan of condition `text`; a ConfigError naming `name`, the position and the fix otherwise."""
    return _Checker(text, name, fields, lang, aliases or {}).run()


class _Checker:
    def __init__(self, text: str, name: str, fields: Mapping[str, FieldType], lang: Lang, aliases: Mapping[str, str]) -> None:
        self.text, self.name, self.fields, self.lang, self.aliases = text, name, fields, lang, aliases
        self.types: dict[int, Type] = {}
        self.columns: dict[int, str] = {}
        self.constants: dict[int, object] = {}
        self.offsets: dict[int, int] = {}
        self.tokens: list[tuple[int, str]] = []

    def run(self) -> Plan:
        tree = self._parse()
        self._refuse_unlisted(tree)
        try:
            kind = self._type(tree)
        except RecursionError:
            self._fail(0, t("cond.too_deep", self.lang))
        if kind is not FieldType.BOOLEAN:
            self._fail(self._offset(tree), t("cond.not_condition", self.lang, kind=self._kind(kind)))
        used = {self.columns[i]: self.fields[self.columns[i]] for i in self.columns}
        return Plan(tree, self.types, self.columns, self.constants, used)

    # parsing -------------------------------------------------------------------------------

    def _parse(self) -> exp.Expr:
        if not self.text.strip():
            self._fail(0, t("cond.empty", self.lang))
        try:
            tokens = sqlglot.tokenize(self.text)
        except TokenError:
            self._fail(unclosed_at(self.text), t("cond.unclosed", self.lang))
        self.tokens = [(token.start, token.text.upper()) for token in tokens]
        for token in tokens:
            if token.token_type is TokenType.SEMICOLON:
                self._fail(token.start, t("cond.statements", self.lang))
        try:
            trees = sqlglot.parse(self.text)
        except ParseError as error:
            self._fail(*self._parse_problem(error))
        except RecursionError:
            self._fail(0, t("cond.too_deep", self.lang))
        if len(trees) != 1 or trees[0] is None:
            self._fail(0, t("cond.empty", self.lang))
        tree = trees[0]
        keywords = [tk for tk in tokens if tk.token_type in (TokenType.NULL, TokenType.TRUE, TokenType.FALSE)]
        constants = [n for n in tree.walk(bfs=False) if isinstance(n, exp.Null | exp.Boolean)]
        self.offsets = {id(node): token.start for node, token in zip(constants, keywords, strict=False)}
        return tree

    def _parse_problem(self, error: ParseError) -> tuple[int, str]:
        first = error.errors[0] if error.errors else {}
        token = str(first.get("highlight") or "")
        line, col = int(first.get("line") or 1), int(first.get("col") or 1)
        starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        offset = starts[min(line, len(starts)) - 1] + max(col - len(token), 0)
        description = str(first.get("description", ""))
        if "number of provided arguments" in description:
            return offset, t("cond.arguments", self.lang, func=function_before(self.text, offset))
        key = "cond.incomplete" if description.startswith("Required keyword") else "cond.syntax"
        return offset, t(key, self.lang, token=token)

    def _refuse_unlisted(self, tree: exp.Expr) -> None:
        for node in tree.walk(bfs=False):
            allowed = _ALLOWED.get(type(node))
            if allowed is None:
                self._refuse(node)
            extra = [(k, v) for k, v in node.args.items() if v and k not in allowed]
            if not extra:
                continue
            if isinstance(node, exp.Func):
                name = self._function_name(node)
                self._fail(self._keyword_before(node, name), t("cond.arguments", self.lang, func=name))
            arg, value = extra[0]
            if isinstance(node, exp.Column):
                self._refuse(node)
            if isinstance(value, exp.Expr) and type(value) not in _ALLOWED:
                self._refuse(value)
            self._fail(self._offset(node), t("cond.not_allowed", self.lang, what=f"{node.key.upper()} {arg.upper()}",
                                             functions=", ".join(FUNCTIONS)))

    def _refuse(self, node: exp.Expr) -> NoReturn:
        if isinstance(node, exp.Alias):
            alias = node.args.get("alias")
            at = self._offset(alias) if isinstance(alias, exp.Expr) else self._offset(node)
            self._fail(at, t("cond.syntax", self.lang, token=self.text[at:].split()[0] if self.text[at:].split() else ""))
        if isinstance(node, exp.Func):
            name = self._function_name(node)
            self._fail(self._keyword_before(node, name), t("cond.unknown_function", self.lang, func=name,
                                                           known=", ".join(FUNCTIONS)))
        labels = {exp.Select: "SELECT", exp.Subquery: "SELECT", exp.Star: "*", exp.DPipe: "||", exp.Mod: "%",
                  exp.Placeholder: "?", exp.Window: "OVER"}
        what = labels.get(type(node), node.key.upper())
        if isinstance(node, exp.Column):
            what = ".".join(part.name for part in node.parts)
        self._fail(self._keyword_before(node, what), t("cond.not_allowed", self.lang, what=what,
                                                       functions=", ".join(FUNCTIONS)))

    def _keyword_before(self, node: exp.Expr, word: str) -> int:
        """Where the keyword of a node without a position of its own (CAST, SELECT, ||, OVER) is written:
        inside the span of its operands, else the nearest one before, else after."""
        if "start" in node.meta:
            return self._offset(node)
        metas = [n.meta for n in node.walk() if "start" in n.meta]
        first = min((m["start"] for m in metas), default=len(self.text))
        last = max((m["end"] for m in metas), default=len(self.text))
        found = [start for start, text in self.tokens if text == word.upper()]
        inside = [at for at in found if first <= at <= last]
        before = [at for at in found if at < first]
        after = [at for at in found if at > last]
        return inside[0] if inside else before[-1] if before else after[0] if after else self._offset(node)

    def _function_name(self, node: exp.Expr) -> str:
        if isinstance(node, exp.Anonymous):
            return str(node.this)
        meta = node.meta
        if "start" in meta and "end" in meta:
            return self.text[meta["start"]: meta["end"] + 1]
        return node.sql_name() if isinstance(node, exp.Func) else node.key.upper()

    # typing --------------------------------------------------------------------------------

    def _type(self, node: exp.Expr) -> Type:
        kind = self._type_of(node)
        self.types[id(node)] = kind
        return kind

    def _type_of(self, node: exp.Expr) -> Type:
        cls = type(node)
        boolean = FieldType.BOOLEAN
        if cls is exp.Paren:
            return self._type(node.this)
        if cls in (exp.And, exp.Or):
            op = "AND" if cls is exp.And else "OR"
            self._expect(node.this, boolean, op)
            self._expect(node.expression, boolean, op)
            return boolean
        if cls is exp.Not:
            self._expect(node.this, boolean, "NOT")
            return boolean
        if cls in COMPARISONS:
            self._compare([node.this, node.expression], COMPARISONS[cls], ordered=cls not in (exp.EQ, exp.NEQ))
            return boolean
        if cls is exp.Between:
            self._compare([node.this, node.args["low"], node.args["high"]], "BETWEEN", ordered=True)
            return boolean
        if cls is exp.In:
            if not node.expressions:
                self._fail(self._keyword_before(node, "IN"), t("cond.incomplete", self.lang, token="IN"))
            self._unify([node.this, *node.expressions], "IN")
            return boolean
        if cls is exp.Like:
            if self._unify([node.this, node.expression], "LIKE", default=FieldType.TEXT) is not FieldType.TEXT:
                self._operand_error(node.this, "LIKE", FieldType.TEXT, self.types[id(node.this)])
            return boolean
        if cls is exp.Is:
            if not isinstance(node.expression, exp.Null):
                self._refuse(node)
            self._type(node.expression)
            self._unify([node.this], "IS NULL")
            return boolean
        if cls in ARITHMETIC:
            self._expect(node.this, FieldType.NUMBER, ARITHMETIC[cls])
            self._expect(node.expression, FieldType.NUMBER, ARITHMETIC[cls])
            return FieldType.NUMBER
        if cls is exp.Neg:
            self._expect(node.this, FieldType.NUMBER, "-")
            return FieldType.NUMBER
        if cls is exp.Column:
            return self._column(node)
        if cls is exp.Literal:
            return self._literal(node)
        if cls is exp.Null:
            return None
        if cls is exp.Boolean:
            self.constants[id(node)] = bool(node.this)
            return boolean
        return self._function(node)

    def _function(self, node: exp.Expr) -> Type:
        name = self._function_name(node).upper()
        if isinstance(node, exp.Coalesce):
            return self._unify([node.this, *node.expressions], name)
        if isinstance(node, exp.Abs | exp.Round):
            self._expect(node.this, FieldType.NUMBER, name)
            if isinstance(node, exp.Round):
                self._integer(node.args.get("decimals"), name, 2, 0, SCALE)
            return FieldType.NUMBER
        self._expect(node.this, FieldType.TEXT, name)
        if isinstance(node, exp.Length):
            return FieldType.NUMBER
        if isinstance(node, exp.Substring):
            if node.args.get("start") is None:
                self._fail(self._offset(node), t("cond.arguments", self.lang, func=name))
            self._integer(node.args.get("start"), name, 2, 1, 10**9)
            self._integer(node.args.get("length"), name, 3, 0, 10**9)
        return FieldType.TEXT

    def _integer(self, node: exp.Expr | None, func: str, position: int, low: int, high: int) -> None:
        if node is None:
            return
        text = str(node.this) if isinstance(node, exp.Literal) and not node.is_string else ""
        if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
            self._fail(self._offset(node), t("cond.integer", self.lang, func=func, arg=position, low=low, high=high))
        self.types[id(node)] = FieldType.NUMBER
        self.constants[id(node)] = int(text)

    def _column(self, node: exp.Expr) -> Type:
        ident = node.this
        raw, quoted = str(ident.this), bool(ident.args.get("quoted"))
        field = self._resolve(raw, quoted)
        if field is None:
            known = [*self.fields, *self.aliases]
            close = difflib.get_close_matches(raw.lower(), known, n=1)
            hint = t("cond.did_you_mean", self.lang, field=close[0]) if close else None
            self._fail(self._offset(node), t("cond.unknown_field", self.lang, field=raw, known=", ".join(known)), hint)
        self.columns[id(node)] = field
        return expression_type(self.fields[field])

    def _resolve(self, raw: str, quoted: bool) -> str | None:
        names = [raw] if quoted else [raw, raw.lower()]
        for name in names:
            if name in self.fields:
                return name
        for name in names:
            target = self.aliases.get(name)
            if target is not None and target in self.fields:
                return target
        if not quoted:
            folded = {alias.casefold(): target for alias, target in self.aliases.items()}
            target = folded.get(raw.casefold())
            if target is not None and target in self.fields:
                return target
        return None

    def _literal(self, node: exp.Expr) -> Type:
        if node.is_string:
            self.constants[id(node)] = str(node.this)
            return FieldType.TEXT
        value = parse_number(str(node.this))
        if value is None:
            self._fail(self._offset(node), t("cond.bad_number", self.lang, value=node.this, digits=MAX_DIGITS, scale=SCALE))
        self.constants[id(node)] = value
        return FieldType.NUMBER

    def _expect(self, node: exp.Expr, want: FieldType, op: str) -> None:
        got = self._unify([node], op, default=want)
        if got is not want:
            self._operand_error(node, op, want, got)

    def _compare(self, nodes: Sequence[exp.Expr], op: str, *, ordered: bool) -> None:
        for node in nodes:
            if isinstance(_unwrap(node), exp.Null):
                self._fail(self._offset(node), t("cond.null_compare", self.lang, op=op))
        kind = self._unify(nodes, op)
        if kind is None:
            self._fail(self._offset(nodes[0]), t("cond.null_compare", self.lang, op=op))
        if ordered and kind not in _ORDERED:
            self._fail(self._offset(nodes[0]), t("cond.unordered", self.lang, op=op, kind=self._kind(kind)))

    def _unify(self, nodes: Sequence[exp.Expr], op: str, default: Type = None) -> Type:
        """The one type of `nodes`; bare string literals and NULLs take it from the others (a date-time literal)."""
        bare = [n for n in nodes if isinstance(_unwrap(n), exp.Null) or _is_string(_unwrap(n))]
        bare_ids = {id(n) for n in bare}
        target: Type = None
        for node in nodes:
            if id(node) in bare_ids:
                continue
            kind = self._type(node)
            if target is None:
                target = kind
            elif kind is not None and kind is not target:
                self._fail(self._offset(node), t("cond.mismatch", self.lang, op=op, left=self._kind(target),
                                                 right=self._kind(kind)))
        if target is None:
            target = FieldType.TEXT if any(_is_string(_unwrap(n)) for n in bare) else default
        for node in bare:
            self._coerce(node, target, op)
        return target

    def _coerce(self, node: exp.Expr, target: Type, op: str) -> None:
        inner = _unwrap(node)
        for n in (node, inner):
            self.types[id(n)] = target if isinstance(inner, exp.Null) else (target or FieldType.TEXT)
        if isinstance(inner, exp.Null):
            return
        text = str(inner.this)
        if target is FieldType.DATETIME:
            value = parse_datetime(text)
            if value is None:
                self._fail(self._offset(inner), t("cond.bad_datetime", self.lang, value=text))
            self.constants[id(inner)] = value
        elif target in (FieldType.TEXT, None):
            self.constants[id(inner)] = text
        else:
            self._fail(self._offset(inner), t("cond.mismatch", self.lang, op=op, left=self._kind(target),
                                              right=self._kind(FieldType.TEXT)))

    def _operand_error(self, node: exp.Expr, op: str, want: FieldType, got: Type) -> NoReturn:
        self._fail(self._offset(node), t("cond.operand", self.lang, op=op, kind=self._kind(want), actual=self._kind(got)))

    # reporting -----------------------------------------------------------------------------

    def _kind(self, kind: Type) -> str:
        return t(f"cond.kind.{kind or 'null'}", self.lang)

    def _offset(self, node: exp.Expr) -> int:
        starts = [n.meta["start"] for n in node.walk() if "start" in n.meta]
        starts += [self.offsets[id(n)] for n in node.walk() if id(n) in self.offsets]
        return min(starts, default=0)

    def _fail(self, offset: int, problem: str, hint: str | None = None) -> NoReturn:
        raise ConfigError(describe(self.text, offset, self.name, problem, self.lang), hint or t("cond.hint", self.lang))


def _unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _is_string(node: exp.Expr) -> bool:
    return isinstance(node, exp.Literal) and bool(node.is_string)
