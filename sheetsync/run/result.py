"""What one sync did, as the CLI prints it and `--json` says it: apart from the run itself, so that the untouched run
(`run/untouched.py`) and the command line's quick path show it without loading the pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sheetsync.errors import EXIT_EXTERNAL, EXIT_FINDINGS, EXIT_OK


@dataclass
class RunResult:
    """What one sync did; `exit_code` is 0, or 3 when findings need attention (`strict`)."""

    run_id: int | None
    dry_run: bool
    workbook: str
    rows: int
    assigned: list[dict[str, Any]] = field(default_factory=list)
    person_edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    anomalies: dict[str, int] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    changes_total: int = 0
    cells_written: int = 0
    rows_appended: int = 0
    workbook_written: bool = False
    backup: str | None = None
    notices: list[str] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    not_recreated: list[str] = field(default_factory=list)
    unmatched_waybills: list[dict[str, Any]] = field(default_factory=list)
    conflicts: int = 0
    rejects_file: str | None = None
    seconds: float = 0.0
    strict: bool = False

    errors: int = 0
    """Rows' anomalies at level error (with --strict, any makes the exit code 3)."""
    moved: dict[str, int] = field(default_factory=dict)
    """`old→new` -> how many orders the workflow moved that way."""
    put_back: list[dict[str, Any]] = field(default_factory=list)
    """Status moves people made that the workflow does not allow: put back and flagged."""
    alerts: list[dict[str, Any]] = field(default_factory=list)
    strict_alerts: bool = False
    unplaced: dict[str, int] = field(default_factory=dict)
    """field -> how many orders brought a value of it the sheet has no column (nor folding rule) for: kept in the
    journal, and filled in when the team adds the column."""
    folded: dict[str, int] = field(default_factory=dict)
    """field -> how many orders' values of it went into another column (province, city, district into the address)."""
    filled: dict[str, int] = field(default_factory=dict)
    """field -> how many cells of a column added since the last run were filled from what the journal kept."""
    status_list_added: list[str] = field(default_factory=list)
    """Status words written that the team's words lack, added to the status column's dropdown (`status_list: extend`)."""
    tickets: dict[str, Any] = field(default_factory=dict)
    """The after-sales sheet's part: ticket ids given, tickets flagged by code, cells changed (empty: no sheet)."""

    @property
    def exit_code(self) -> int:
        if self.strict_alerts and any(not a["ok"] for a in self.alerts):
            return EXIT_EXTERNAL
        return EXIT_FINDINGS if self.strict and self.errors else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data
