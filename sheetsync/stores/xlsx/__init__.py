"""The embedded store: the order table in an .xlsx workbook a person also works in.

Reading uses fastexcel (Rust calamine to Arrow), asking for every column as text so
phone numbers, postcodes and long order numbers keep every digit; it is faster and
leaner than python-calamine's list of Python objects (see the README's benchmark).
Writing patches the package in place (`stores/xlsx/patch.py`): only the changed cells of the order
sheet are rewritten, every other part is copied byte for byte, and the new file replaces
the old atomically with the previous version kept in `.sheetsync/backups/`.

Nothing is loaded here but the names: `stores/xlsx/early.py`, which reads the order sheet before pandas is loaded,
lives in this package too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetsync.stores.xlsx.store import XlsxStore as XlsxStore


def __getattr__(name: str) -> Any:
    """`XlsxStore`, loaded when asked for."""
    if name == "XlsxStore":
        return importlib.import_module("sheetsync.stores.xlsx.store").XlsxStore
    raise AttributeError(name)
