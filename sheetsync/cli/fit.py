"""Tables that stay readable on any terminal: a table when it fits, one record per block when it does not.

A rich table squeezed into 80 columns (cmd.exe, a default PuTTY window) wraps a column one character per line
or cuts ids and times with `…`.  `show_rows` measures what each column needs (a Chinese character counts two;
a free-text column may wrap, down to `WRAP_MIN`); when the table would not fit, each row becomes a block: its
first values on one line, then each other value under its header, so that no id, time or value is ever cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

WRAP_MIN: Final = 16
"""The narrowest a free-text column (a message, a note) may wrap to inside a table."""


def show_rows(console: Console, title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str | Text]], *,
              wraps: Sequence[int] = (), right: Sequence[int] | range = (), lead: int = 1,
              styles: Sequence[str | None] | None = None) -> None:
    """`rows` under `headers`, as a table when it fits `console.width`, else as blocks.  `wraps`: the columns of
    free text (they may wrap); `right`: the columns of figures; `lead`: how many first values head a block."""
    if _fits(console.width, headers, rows, wraps):
        table = Table(title=title, title_justify="left", header_style="bold")
        for i, name in enumerate(headers):
            table.add_column(name, justify="right" if i in right else "left", no_wrap=i not in wraps,
                             overflow="fold")
        for n, row in enumerate(rows):
            table.add_row(*row, style=styles[n] if styles else None)
        console.print(table)
        return
    if title:
        console.print(Text(title, style="bold"))
    for n, row in enumerate(rows):
        style = styles[n] if styles else None
        head = Text("· ", style=style or "")
        for i, value in enumerate(row[:lead]):
            head.append_text(_text(value))
            if i < lead - 1:
                head.append("  ")
        console.print(head)
        for name, value in zip(headers[lead:], row[lead:], strict=False):
            shown = _text(value)
            if shown.plain.strip():
                line = Text(f"    {name}：" if _wide(name) else f"    {name}: ", style="dim")
                line.append_text(shown)
                console.print(line)


def _fits(width: int, headers: Sequence[str], rows: Sequence[Sequence[str | Text]], wraps: Sequence[int]) -> bool:
    need = 3 * len(headers) + 1  # the borders and the padding of a rich table
    for i, name in enumerate(headers):
        widest = max([cell_len(name), *(cell_len(_text(row[i]).plain) for row in rows if i < len(row))])
        need += min(widest, max(WRAP_MIN, cell_len(name))) if i in wraps else widest
    return need <= width


def _text(value: str | Text) -> Text:
    return value if isinstance(value, Text) else Text.from_markup(value)


def _wide(text: str) -> bool:
    return any(cell_len(c) == 2 for c in text)


_NO_LINE_START = frozenset("）)」』】》〉，。、；：！？,.;:!?%")
_NO_LINE_END = frozenset("（(「『【《〈")


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns (a CJK character counts two): breaks between CJK
    characters or at spaces, never inside a Latin word or number, and never leaves a closing bracket or
    punctuation at the start of a line or an opening one at the end (the line-breaking rules of Chinese
    typesetting; rich's own folding puts a lone `）` on the next line)."""
    tokens = re.findall(r"[\x21-\x7e]+| +|.", text)
    lines: list[list[str]] = [[]]
    used = 0
    for token in tokens:
        size = cell_len(token)
        if used + size > width and lines[-1] and not token.isspace():
            line, head = lines[-1], token
            carried: list[str] = []
            while len(line) > 1 and (head[0] in _NO_LINE_START or line[-1][-1] in _NO_LINE_END):
                head = line.pop()  # the character before goes along, so the pair stays on one line
                carried.insert(0, head)
            while line and line[-1].isspace():
                line.pop()
            lines.append(carried)
            used = cell_len("".join(carried))
        if token.isspace() and not lines[-1]:
            continue
        lines[-1].append(token)
        used += size
    return ["".join(line).rstrip() for line in lines if line] or [""]
