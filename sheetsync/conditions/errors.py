"""How a refused condition is shown: rule name, line and column, the problem, and a caret under the spot."""

from __future__ import annotations

import re
import unicodedata

from sheetsync.i18n import Lang, t


def describe(text: str, offset: int, name: str, problem: str, lang: Lang) -> str:
    """The error message: rule name, line and column (1-based), the problem, the line with a caret under the spot."""
    offset = max(0, min(offset, len(text)))
    line_no = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start: end if end >= 0 else len(text)]
    col = offset - start + 1
    where = t("cond.at", lang, col=col) if "\n" not in text.strip("\n") else t("cond.at_line", lang, line=line_no, col=col)
    caret = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in line[: col - 1]) + "^"
    return t("cond.error", lang, name=name, where=where, problem=problem, line=line, caret=caret)


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def function_before(text: str, offset: int) -> str:
    names = re.findall(r"([A-Za-z_]\w*)\s*\(", text[:offset])
    return names[-1].upper() if names else "?"


def unclosed_at(text: str) -> int:
    """Where the quote or comment that is never closed opens (the tokenizer does not say)."""
    i = 0
    while i < len(text):
        if text.startswith("--", i):
            i = len(text) if text.find("\n", i) < 0 else text.find("\n", i)
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                return i
            i = close + 2
        elif text[i] in "'\"":
            quote, j = text[i], i + 1
            while True:
                close = text.find(quote, j)
                if close < 0:
                    return i
                if text.startswith(quote * 2, close):
                    j = close + 2
                    continue
                i = close + 1
                break
        else:
            i += 1
    return 0
