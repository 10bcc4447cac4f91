"""How much of anything read from outside sheetsync takes in: the bounds checked before the expensive work.

Files arrive unattended (a shop's export, a colleague's save, a legacy dump), so every reader checks what it is
about to lay out in memory against these bounds first and refuses past them (exit 6, naming the file, the place
and the bound) instead of allocating until the machine kills the process.  The defaults are generous for real
desks (a million rows, Excel's own 32,767-character cells, 16,384 columns); a desk may change them under
`limits:` in sheetsync.yaml.  They are one value for the process (a run serves one desk), set when the desk's
configuration is loaded.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True, slots=True)
class Limits:
    member_bytes: int = 4 << 30
    """Uncompressed size of one member of a workbook's zip package (a million rows of 40 columns is ~2 GB)."""
    member_ratio: int = 100
    """How many times a member may inflate its compressed size, once it is past `ratio_from` bytes: sheets written
    by Excel, WPS and LibreOffice inflate 5-20 times; a zip bomb hundreds or thousands of times."""
    ratio_from: int = 64 << 20
    cells: int = 40_000_000
    """Cells of a sheet's used range (rows × columns): the readers lay the whole range out."""
    columns: int = 4_000
    cell_chars: int = 32_767
    """Characters in one cell: Excel's own limit; nothing a person or a shop's export holds is longer."""
    line_bytes: int = 1 << 20
    """Bytes in one line of a text export."""
    fields: int = 16_384
    """Fields in one line of a text export (Excel's column limit)."""


DEFAULT: Final = Limits()
_current: ContextVar[Limits] = ContextVar("sheetsync_limits", default=DEFAULT)


def current() -> Limits:
    return _current.get()


def use(limits: Limits) -> None:
    """Make `limits` the bounds of this process (of this context) from now on."""
    _current.set(limits)


def changed(**bounds: int) -> Limits:
    """The defaults with some `bounds` changed (the `limits:` section of a desk)."""
    return replace(DEFAULT, **bounds)


def first_long_cell(table: pa.Table, cap: int) -> tuple[int, int] | None:
    """(row, column), 0-based, of the first text cell of `table` longer than `cap` characters; None when there is
    none.  Vectorised: a column's lengths and their maximum cost milliseconds at 100,000 rows."""
    import pyarrow as pa  # here, not above: loading the configuration (these bounds) must not load Arrow, so that
    from pyarrow import compute as pc  # the untouched run (`run/untouched.py`) starts in a fraction of a second

    for number, column in enumerate(table.columns):
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > cap:
            return pc.index(pc.greater(lengths, cap), True).as_py(), number
    return None
