"""Where the shipped data lives: `templates/`, `mappings/` and `example_workbooks/`.

In a wheel they are installed inside the package (`sheetsync/_data/`); in a source
checkout or an editable install they are read from the repository root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # sheetsync/, this file being in sheetsync/runtime/


def data_dir(name: str) -> Path:
    """The folder `name` (templates, mappings, example_workbooks) of the installed sheetsync."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"sheetsync is installed without its {name}/ folder")
