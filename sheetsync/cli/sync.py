"""The commands of one desk's table: `check`, `validate`, `sync`, `history`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import sheetsync
from sheetsync.cli import render
from sheetsync.cli.common import ConfigOption, ForceOption, JsonOption, NowOption, emit_json, load, out, safe, shown
from sheetsync.config import DEFAULT_CONFIG
from sheetsync.errors import EXIT_USAGE
from sheetsync.i18n import t
from sheetsync.run.clock import parse_now


def check(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
    rules: Annotated[bool, typer.Option("--rules", help="Check the rules alone (their conditions compiled).")] = False,
) -> int:
    """Validate the configuration, its rules and the workbook's headers; writes nothing."""
    loaded = load(config)
    result = sheetsync.check(loaded, rules_only=rules)
    if json_out:
        emit_json(result.to_dict())
    else:
        render.show_check(out, result, loaded.language)
    return 0


def validate(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    now: Annotated[str | None, typer.Option("--now", help="The time the rules see (ISO), for dates in the future.")] = None,
    json_out: JsonOption = False,
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write every finding to FILE.xlsx, .csv or .json.")]
    = None,
) -> int:
    """Run the rules over the table and print the findings; writes nothing but --out. Exit 3 when any is an error."""
    loaded = load(config)
    result = sheetsync.validate(loaded, now=parse_now(now, loaded.tz))
    if out_file is not None:
        from sheetsync.reports.findings import write_findings

        write_findings(result.findings, out_file, loaded.language)
    if json_out:
        emit_json(result.to_dict())
    else:
        shown(lambda: render.show_validate(out, result, loaded.language))
        if out_file is not None:
            out.print(t("validate.written", loaded.language, n=len(result.findings), path=safe(out_file)))
    return result.exit_code


def sync(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    json_out: JsonOption = False,
    force: ForceOption = False,
    now: NowOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 3 when any error-level anomaly is found.")] = False,
    strict_alerts: Annotated[bool, typer.Option("--strict-alerts", help="Exit 5 when an alert could not be sent.")] = False,
) -> int:
    """Run one sync: read the table, assign ids, detect edits, pull, validate, advance, write back what changed."""
    loaded = load(config)
    result = sheetsync.sync(loaded, dry_run=dry_run, force=force, now=parse_now(now, loaded.tz), strict=strict,
                      strict_alerts=strict_alerts)
    if json_out:
        emit_json(result.to_dict())
    else:
        shown(lambda: render.show_sync(out, result, loaded.language))
    return result.exit_code


def history(
    order_id: Annotated[str, typer.Argument(help="The order_id to show.")],
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
) -> int:
    """Print every recorded change of one order, oldest first.  Exit 2 when the journal knows no such order."""
    loaded = load(config)
    entries = sheetsync.history(loaded, order_id)
    if json_out:
        emit_json(render.history_json(entries))
    else:
        shown(lambda: render.show_history(out, order_id, entries, loaded.language))
    return 0 if entries else EXIT_USAGE


def rebuild(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
    now: NowOption = None,
) -> int:
    """Rebuild a lost journal from the sheet as it is: every row becomes its own base (nothing flagged), the files
    now in the inboxes count as seen.  Writes no cell."""
    from sheetsync.run.commands import rebuild_journal

    loaded = load(config)
    result = rebuild_journal(loaded, parse_now(now, loaded.tz))
    if json_out:
        emit_json(result.to_dict())
    else:
        if result.damaged:
            out.print(t("rebuild.damaged", loaded.language, path=safe(result.damaged)))
        out.print(t("rebuild.done", loaded.language, rows=result.rows, keys=result.natural_keys, files=result.files))
    return 0
