"""The xlsx store: the order table in one sheet of an .xlsx workbook (see the package's docstring)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import fastexcel
import pandas as pd

from sheetsync.config import Config
from sheetsync.errors import ConfigError, TableChanged, TableLocked, UnreadableInput
from sheetsync.i18n import t
from sheetsync.model.cells import AppendBlock, CellWrite, SheetWrites
from sheetsync.runtime.files import copy_whole, file_sha256, file_stamp, fsync_dir
from sheetsync.runtime.locks import refuse_if_open
from sheetsync.stores.base import ColumnPick, Sheet, Written
from sheetsync.stores.xlsx.cells import MAX_ROW
from sheetsync.stores.xlsx.early import sheet_text, stamp_of, take_early
from sheetsync.stores.xlsx.embed import Added, add_sheets, embed
from sheetsync.stores.xlsx.patch import SheetEdit, patch_xlsx
from sheetsync.stores.xlsx.validation import column_choices, workbook_guards


class XlsxStore:
    """An order table in one sheet of an .xlsx file."""

    def __init__(self, config: Config, *, force: bool = False) -> None:
        self.config = config
        self.path = config.workbook_path
        self.sheet = config.table.sheet
        self.lang = config.language
        self.force = force
        self._read_stamp: tuple[int, int, int] | None = None
        """(inode, size, modification time in ns) of the file `read` read: a write goes ahead only onto that file."""

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

    def read(self, sheet: str | None = None, pick: ColumnPick | None = None) -> Sheet:
        """The order sheet (or the sheet named `sheet`) as it is: its used range as text, and the sheet row / column
        of its top-left cell; the columns `pick` leaves out, when given, hold their top rows alone (`early.sheet_text`)."""
        name = sheet or self.sheet
        if not self.path.is_file():
            raise UnreadableInput(t("table.not_found", self.lang, path=self.path))
        if sheet is not None and self._read_stamp is not None:
            self._unchanged(self._read_stamp)  # another sheet of the version this run read (and checked), or nothing
            text = sheet_text(self.path, name, self.lang, whole_package=False, pick=pick)
        else:
            self._read_stamp = self._stamp()
            text = take_early(self.path, name, self._read_stamp) or sheet_text(self.path, name, self.lang, pick=pick)
        table, first_row, first_col, date1904 = text.table, text.first_row, text.first_col, text.date1904
        del text  # the table is held here alone: pandas may free it as it goes
        if table is None:
            return Sheet(pd.DataFrame(), 1, 1, str(self.path), name, date1904)
        # Arrow's buffers are freed column by column as pandas takes them (`self_destruct`): the sheet is held once
        # at a time, not twice, at the read's peak
        frame = table.to_pandas(self_destruct=True, split_blocks=True)
        return Sheet(frame, first_row, first_col, str(self.path), name, date1904)

    # writing -------------------------------------------------------------

    def write(self, writes: Sequence[CellWrite], appends: AppendBlock | None = None,
              on_staged: Callable[[str], None] | None = None, *, header_row: int = 0,
              lists: Mapping[tuple[int, int], Sequence[str]] | None = None,
              widths: Mapping[int, float] | None = None, filter_to: tuple[int, int] | None = None,
              also: Sequence[SheetWrites] = ()) -> Written | None:
        """Patch the workbook atomically; `on_staged(sha256)` runs after the new file is complete
        and before it replaces the old one (the journal records the run as pending there).  `lists`: (row, column)
        of a cell -> words the inline dropdown list covering it must offer (added to it).  `also`: other sheets'
        cells (the after-sales sheet's), patched in the same pass."""
        others = [SheetEdit(w.sheet, w.writes) for w in also if w.writes]
        if not writes and appends is None and not others:
            return None
        self._room_for(writes, appends)

        def produce(out: BinaryIO) -> int:
            stats = patch_xlsx(self.path, out, self.sheet, writes, appends=appends, header_row=header_row,
                               refuse=self._refuse, lists=lists, widths=widths, filter_to=filter_to, also=others)
            return stats.cells_written + sum(o.cells_written for o in stats.also)

        return self._replace(produce, on_staged)

    def _room_for(self, writes: Sequence[CellWrite], appends: AppendBlock | None) -> None:
        """UnreadableInput (exit 6, nothing written) when new rows would go past the sheet's last row (1,048,576):
        a cell typed down there by mistake leaves no room below it."""
        height = 0
        if appends is not None:
            height = len(appends.by_column[0]) if appends.by_column else len(appends.rows)
        last = max([w.row for w in writes] + [appends.first_row + height - 1 if appends is not None else 0])
        if last > MAX_ROW:
            raise UnreadableInput(t("table.full", self.lang, path=self.path, sheet=self.sheet, last=f"{MAX_ROW:,}"),
                                  t("extent.stray_row.hint", self.lang, row=f"{MAX_ROW}"))

    def status_choices(self, row: int, col: int) -> tuple[str, ...] | None:
        """The words the dropdown of the cell at (`row`, `col`) allows (None: it has no readable list)."""
        return column_choices(self.path, self.sheet, col, row)

    def guards(self) -> list[str]:
        """`signed` and `protected` when the workbook carries a digital signature or its order sheet is protected:
        what a write would break or go around (read once, for `init --from` and `check`)."""
        return workbook_guards(self.path, self.sheet)

    def _refuse(self, what: str) -> None:
        """Stop a write into a protected sheet or a signed workbook unless the configuration allows it."""
        allowed = self.config.table.allow_protected if what == "protected" else self.config.table.allow_signed
        if not allowed:
            raise ConfigError(t(f"table.{what}", self.lang, path=self.path, sheet=self.sheet),
                              t(f"table.{what}.hint", self.lang))

    def put_sheet(self, name: str, made: bytes, on_staged: Callable[[str], None] | None = None) -> Written:
        """Add the first sheet of the workbook `made` (XlsxWriter's: the dashboard and its charts) as the sheet
        `name`, or replace the one the tool put there before; every other part is kept as it is (`embed.py`)."""
        if "signed" in workbook_guards(self.path, None):
            self._refuse("signed")

        def produce(out: BinaryIO) -> int:
            embed(self.path, made, name, out, self.lang)
            return 0  # no cell of the order sheet

        return self._replace(produce, on_staged)

    def add_sheets(self, made: bytes, added: Sequence[Added], on_staged: Callable[[str], None] | None = None) -> Written:
        """Add sheets of the workbook `made` (XlsxWriter's: the after-sales sheet and its hidden lists) after the
        person's own, with the names they use; every other part is kept as it is (`embed.add_sheets`)."""
        if "signed" in workbook_guards(self.path, None):
            self._refuse("signed")

        def produce(out: BinaryIO) -> int:
            add_sheets(self.path, made, added, out, self.lang)
            return 0

        return self._replace(produce, on_staged)

    def _replace(self, produce: Callable[[BinaryIO], int], on_staged: Callable[[str], None] | None) -> Written:
        """The new workbook made by `produce` (returning its count of cells written) beside the old one,
        synced, the old kept as a backup, then renamed into place: a kill at any moment leaves one of the two."""
        if not self.force:
            refuse_if_open(self.path, self.lang)
        expected = self._read_stamp or self._stamp()  # a writer that read nothing first guards from here on
        self._unchanged(expected)
        # a workbook that is a symlink (to a shared drive) is written through to its target, beside it, so the
        # link still points at the new version
        real = Path(os.path.realpath(self.path))
        tmp = real.with_name(f".{real.name}.{os.getpid()}.sheetsync-tmp")
        try:
            with tmp.open("wb") as out:
                cells = produce(out)
                out.flush()
                os.fsync(out.fileno())
            shutil.copymode(real, tmp)
            digest = file_sha256(tmp)
            self._unchanged(expected)
            backup = self._backup()
            if on_staged is not None:
                on_staged(digest)
            self._unchanged(expected)  # the last look before the rename: a person's save is never written over
            try:
                os.replace(tmp, real)
            except PermissionError as exc:
                raise TableLocked(
                    t("table.replace_failed", self.lang, path=self.path, problem=exc), t("table.replace_failed.hint", self.lang)
                ) from None
            fsync_dir(real.parent)
        finally:
            tmp.unlink(missing_ok=True)
        return Written(digest, backup, cells)

    stamp_of = staticmethod(stamp_of)

    def seen(self, stamp: tuple[int, int, int]) -> None:
        """The file this writer read is the one stamped `stamp` (`stamp_of`, taken before a writer that reads the
        workbook another way, like `init --from`, read it): a save after that moment stops the write."""
        self._read_stamp = stamp

    def _stamp(self) -> tuple[int, int, int]:
        return self.stamp_of(self.path)

    def _unchanged(self, expected: tuple[int, int, int]) -> None:
        """TableChanged (exit 4, nothing written) when the file at the path is no longer the one this run read: a
        person saved it meanwhile; the next run takes the person's version."""
        try:
            now = self._stamp()
        except FileNotFoundError:
            now = None
        if now != expected:
            raise TableChanged(t("table.changed", self.lang, path=self.path), t("table.changed.hint", self.lang))

    def discard_leftovers(self) -> None:
        """Remove temp files of a run that was killed while writing (call while holding the run lock)."""
        real = Path(os.path.realpath(self.path))
        for folder, name in {(self.path.parent, self.path.name), (real.parent, real.name)}:
            for leftover in folder.glob(f".{name}.*.sheetsync-tmp"):
                leftover.unlink(missing_ok=True)
        for part in (self.config.state_dir / "backups").glob(f".{self.path.stem}.*.part"):
            part.unlink(missing_ok=True)

    def _backup(self) -> Path | None:
        keep = self.config.backups
        if keep == 0:
            return None
        folder = self.config.state_dir / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = file_stamp(self.config.tz)
        target = folder / f"{self.path.stem}.{stamp}{self.path.suffix}"
        copy_whole(self.path, target)  # a backup that is there is whole: a killed copy leaves only a `.part`
        olds = sorted(folder.glob(f"{self.path.stem}.*{self.path.suffix}"))
        for old in olds[:-keep]:
            old.unlink(missing_ok=True)
        return target

    def sha256(self) -> str | None:
        return file_sha256(self.path) if self.path.is_file() else None


