"""The embedded store: the order table in an .xlsx workbook a person also works in.

Reading uses fastexcel (Rust calamine to Arrow), asking for every column as text so
phone numbers, postcodes and long order numbers keep every digit; it is faster and
leaner than python-calamine's list of Python objects (see the README's benchmark).
Writing patches the package in place (`xlsx_patch`): only the changed cells of the order
sheet are rewritten, every other part is copied byte for byte, and the new file replaces
the old atomically with the previous version kept in `.sheetsync/backups/`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import fastexcel
import pandas as pd

from sheetsync.config import Config, normalize_header
from sheetsync.errors import ConfigError, TableLocked, UnreadableInput
from sheetsync.i18n import t
from sheetsync.model.cells import AppendBlock, CellWrite
from sheetsync.model.values import canonical_column
from sheetsync.runtime.files import file_sha256, fsync_dir
from sheetsync.runtime.locks import refuse_if_open
from sheetsync.stores.base import Table, Written
from sheetsync.stores.xlsx.package import first_value_cell
from sheetsync.stores.xlsx.patch import patch_xlsx, read_book

HEADER_SEARCH_ROWS = 30


class XlsxStore:
    """An order table in one sheet of an .xlsx file."""

    def __init__(self, config: Config, *, force: bool = False) -> None:
        self.config = config
        self.path = config.workbook_path
        self.sheet = config.table.sheet
        self.lang = config.language
        self.force = force
        self.headers, self.required = config.header_map()
        self._header_row = 0

    # reading -------------------------------------------------------------

    def read_sheet(self, name: str) -> pd.DataFrame | None:
        """Another sheet of the workbook (a customers or inventory list) as text, its first row as the
        column names; None when the workbook has no such sheet."""
        try:
            reader = fastexcel.read_excel(self.path)
            if name not in reader.sheet_names:
                return None
            table = reader.load_sheet_by_name(name, dtypes="string").to_arrow()
        except (OSError, fastexcel.FastExcelError, ValueError) as exc:
            raise UnreadableInput(t("table.unreadable", self.lang, path=self.path, problem=exc)) from None
        return pd.DataFrame({str(c): pd.Series(table.column(c).to_pylist(), dtype="str") for c in table.column_names})

    def _raw(self) -> tuple[pd.DataFrame, int, int]:
        """The sheet's used range as text, and the sheet row / column of its top-left cell."""
        if not self.path.is_file():
            raise UnreadableInput(t("table.not_found", self.lang, path=self.path))
        try:
            with zipfile.ZipFile(self.path) as package:
                sheets = read_book(package, str(self.path)).sheets
                part = sheets.get(self.sheet)
                if part is None:
                    raise ConfigError(
                        t("table.no_sheet", self.lang, path=self.path, sheet=self.sheet, sheets=", ".join(sheets))
                    )
                first = first_value_cell(package, part)
            if first is None:
                return pd.DataFrame(), 1, 1
            sheet = fastexcel.read_excel(self.path).load_sheet_by_name(self.sheet, header_row=None, dtypes="string")
            frame = sheet.to_arrow().to_pandas()
        except (zipfile.BadZipFile, KeyError, OSError, fastexcel.FastExcelError, ValueError) as exc:
            raise UnreadableInput(
                t("table.unreadable", self.lang, path=self.path, problem=exc), t("table.unreadable.hint", self.lang)
            ) from None
        first_row, first_col = first
        row0 = frame.iloc[0]
        leading = next((i for i, v in enumerate(row0) if isinstance(v, str) and v != ""), 0)
        return frame, first_row, first_col - leading

    def _find_header(self, frame: pd.DataFrame, first_row: int) -> int:
        """Index in `frame` of the header row: configured, or the first row naming the order id column."""
        if self.config.table.header_row is not None:
            return self.config.table.header_row - first_row
        wanted = normalize_header(self.headers["order_id"])
        for i in range(min(HEADER_SEARCH_ROWS, len(frame))):
            if any(isinstance(v, str) and normalize_header(v) == wanted for v in frame.iloc[i]):
                return i
        raise ConfigError(
            t("table.no_header", self.lang, path=self.path, sheet=self.sheet, rows=HEADER_SEARCH_ROWS,
              header=self.headers["order_id"]),
            t("table.header_missing.hint", self.lang),
        )

    def read(self) -> Table:
        frame, first_row, first_col = self._raw()
        if frame.empty:
            raise ConfigError(
                t("table.no_header", self.lang, path=self.path, sheet=self.sheet, rows=HEADER_SEARCH_ROWS,
                  header=self.headers["order_id"]),
                t("table.header_missing.hint", self.lang),
            )
        h = self._find_header(frame, first_row)
        header_cells = frame.iloc[h] if 0 <= h < len(frame) else pd.Series(dtype="str")
        by_text: dict[str, int] = {}
        for i, text in enumerate(header_cells):
            if isinstance(text, str) and text.strip():
                by_text.setdefault(normalize_header(text), i)
        columns: dict[str, int] = {}
        for field, header in self.headers.items():
            index = by_text.get(normalize_header(header))
            if index is not None:
                columns[field] = index
        missing = [self.headers[f] for f in sorted(self.required | {"order_id"}) if f not in columns]
        if missing:
            raise ConfigError(
                t("table.header_missing", self.lang, path=self.path, sheet=self.sheet, headers=", ".join(missing)),
                t("table.header_missing.hint", self.lang),
            )
        mapped = set(columns.values())
        extra = {str(header_cells.iloc[i]): i + first_col for i in by_text.values() if i not in mapped}
        body = frame.iloc[h + 1 :, list(columns.values())]
        del frame  # the unmapped columns and the rows above the header are not needed any more
        body.columns = list(columns)
        header_row = first_row + h
        self._header_row = header_row
        body.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(body))
        body = pd.DataFrame({f: canonical_column(f, body[f]) for f in columns}, index=body.index)
        last_row = header_row + len(body)
        filled = body.notna().any(axis=1)
        if not filled.all():
            body = body[filled]
        return Table(
            frame=body,
            row_numbers=body.index.tolist(),
            columns={f: i + first_col for f, i in columns.items()},
            header_row=header_row,
            last_row=last_row,
            extra_headers=extra,
        )

    # writing -------------------------------------------------------------

    def write(self, writes: Sequence[CellWrite], appends: AppendBlock | None = None,
              on_staged: Callable[[str], None] | None = None) -> Written | None:
        """Patch the workbook atomically; `on_staged(sha256)` runs after the new file is complete
        and before it replaces the old one (the journal records the run as pending there)."""
        if not writes and appends is None:
            return None
        if not self.force:
            refuse_if_open(self.path, self.lang)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.sheetsync-tmp")
        try:
            with tmp.open("wb") as out:
                stats = patch_xlsx(self.path, out, self.sheet, writes, appends=appends, header_row=self._header_row)
                out.flush()
                os.fsync(out.fileno())
            shutil.copymode(self.path, tmp)
            digest = file_sha256(tmp)
            backup = self._backup()
            if on_staged is not None:
                on_staged(digest)
            try:
                os.replace(tmp, self.path)
            except PermissionError as exc:
                raise TableLocked(
                    t("table.replace_failed", self.lang, path=self.path, problem=exc), t("table.replace_failed.hint", self.lang)
                ) from None
            fsync_dir(self.path.parent)
        finally:
            tmp.unlink(missing_ok=True)
        return Written(digest, backup, stats.cells_written)

    def discard_leftovers(self) -> None:
        """Remove temp files of a run that was killed while writing (call while holding the run lock)."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.sheetsync-tmp"):
            leftover.unlink(missing_ok=True)

    def _backup(self) -> Path | None:
        keep = self.config.backups
        if keep == 0:
            return None
        folder = self.config.state_dir / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{self.path.stem}.{stamp}{self.path.suffix}"
        shutil.copy2(self.path, target)
        olds = sorted(folder.glob(f"{self.path.stem}.*{self.path.suffix}"))
        for old in olds[:-keep]:
            old.unlink(missing_ok=True)
        return target

    def sha256(self) -> str | None:
        return file_sha256(self.path) if self.path.is_file() else None


