"""The terminal report: short, in the desk's language, rich on a terminal and plain in a log."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table as RichTable

from sheetsync.cli.common import safe, show_placement
from sheetsync.cli.fit import show_rows
from sheetsync.i18n import MESSAGES, Lang, code_said, field_said, t
from sheetsync.model.records import HistoryEntry
from sheetsync.run.result import RunResult

if TYPE_CHECKING:
    from sheetsync.run.inspect import CheckResult, ValidateResult


def show_sync(console: Console, result: RunResult, lang: Lang) -> None:
    title = t("report.title.dry" if result.dry_run else "report.title", lang)
    grid = RichTable(title=title, show_header=False, title_justify="left")
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    grid.add_row(t("report.rows", lang), str(result.rows))
    grid.add_row(t("report.new_ids", lang), str(len(result.assigned)))
    grid.add_row(t("report.person_edits", lang), str(len(result.person_edits)))
    grid.add_row(t("report.cells", lang), str(result.cells_written if not result.dry_run else len(result.changes)))
    grid.add_row(t("report.appended", lang), str(result.rows_appended))
    grid.add_row(t("report.duplicates", lang), str(len(result.duplicates)))
    console.print(grid)
    show_codes(console, result.anomalies, lang)
    if result.tickets.get("assigned"):
        console.print(t("report.tickets.assigned", lang, n=len(result.tickets["assigned"]),
                        ids=safe(t("rule.list", lang).join(result.tickets["assigned"][:10]))), highlight=False)
    tickets = result.tickets
    if tickets.get("new") or tickets.get("moved") or tickets.get("orders_following") or tickets.get("returns"):
        moved = t("rule.list", lang).join(f"{k} {v}" for k, v in tickets.get("moved", {}).items()) or "-"
        console.print(t("report.tickets.done", lang, new=tickets.get("new", 0), moved=safe(moved),
                        orders=tickets.get("orders_following", 0), returns=tickets.get("returns", 0)), highlight=False)
    show_codes(console, tickets.get("anomalies", {}), lang, title=t("report.tickets.anomalies", lang))
    read = [f for f in result.files if not f.get("seen")]
    if read:
        taken = [[safe(Path(f["path"]).name), str(f["rows_read"]), str(f["new"]), str(f["updated"]), str(f["unchanged"]),
                  str(f["rejected"]), safe(f["error"] or f["skipped"] or "")] for f in read]
        show_rows(console, t("report.files", lang), t("report.files.columns", lang).split(","), taken,
                  wraps=(6,), right=(1, 2, 3, 4, 5))
    seen = [safe(Path(f["path"]).name) for f in result.files if f.get("seen")]
    if seen:  # an inbox a cron run finds again every few minutes: one line, not a table of zeros
        names = t("rule.list", lang).join(seen[:8]) + (" …" if len(seen) > 8 else "")
        console.print(t("report.seen_files", lang, n=len(seen), names=names), style="dim", highlight=False)
    if result.rejects_file:
        console.print(f"[yellow]{t('report.rejects', lang, path=safe(result.rejects_file))}[/yellow]")
    show_placement(console, result.folded, result.unplaced, result.filled, lang)
    if result.status_list_added:
        console.print(t("report.list_added", lang, words="、".join(result.status_list_added)), highlight=False)
    if result.unmatched_waybills:
        numbers = safe(", ".join(str(w.get("tracking_no")) for w in result.unmatched_waybills[:10]))
        console.print(f"[yellow]{t('report.unmatched', lang, n=len(result.unmatched_waybills), numbers=numbers)}[/yellow]")
    if result.not_recreated:
        console.print(f"[yellow]{t('report.not_recreated', lang, ids=safe(', '.join(result.not_recreated[:20])))}[/yellow]")
    for alert in result.alerts:
        if not alert.get("ok"):
            said = t("report.alert_failed", lang, target=safe(alert.get("target")), problem=safe(alert.get("error")))
            console.print(f"[yellow]{said}[/yellow]", highlight=False)
    for notice in result.notices:
        console.print(f"[yellow]! {safe(notice, 2000)}[/yellow]")
    if result.deleted:
        console.print(f"[yellow]{t('report.deleted', lang)}: {safe(', '.join(result.deleted))}[/yellow]")
    for order_id, rows in result.duplicates.items():
        said = t("report.duplicate", lang, order_id=safe(order_id), rows=t("rule.list", lang).join(map(str, rows)))
        console.print(f"[red]{said}[/red]", highlight=False)
    if result.dry_run and result.changes:
        console.print(t("report.would_write", lang))
        for c in result.changes[:50]:
            console.print(f"  {safe(c['order_id'])} {c['field']} (r{c['row']}): {safe(c['old'])} → {safe(c['new'])}")
        if len(result.changes) > 50:
            console.print(f"  … +{len(result.changes) - 50}")
    elif not result.dry_run:
        if result.workbook_written:
            console.print(t("report.workbook_written", lang, path=safe(result.workbook), backup=safe(result.backup or "-")))
        else:
            console.print(t("report.workbook_unchanged", lang))
    console.print(t("report.took", lang, seconds=result.seconds), style="dim")


def show_codes(console: Console, counts: dict[str, int], lang: Lang, title: str | None = None) -> None:
    """Rows per anomaly code, each code with its few words (the cell in the sheet says the whole)."""
    if counts:
        show_rows(console, title or t("report.anomalies", lang), t("report.anomalies.columns", lang).split(","),
                  [[code, code_said(code, lang), str(n)]
                   for code, n in counts.items()], right=(2,), wraps=(1,))


def show_validate(console: Console, result: ValidateResult, lang: Lang, shown: int = 50) -> None:
    """Counts per code, then the first `shown` findings with their sheet row."""
    if not result.findings:
        console.print(f"[green]✓[/green] {t('validate.clean', lang, rows=result.rows)}")
        return
    console.print(t("validate.summary", lang, rows=result.rows, n=len(result.findings), errors=result.errors))
    show_codes(console, result.counts, lang)
    style = {"error": "red", "warn": "yellow", "info": "dim"}
    findings = result.findings[:shown]
    show_rows(console, None, [t(k, lang) for k in ("validate.row", "validate.order", "validate.code", "validate.level",
                                                   "validate.message")],
              [[str(f["row"]), safe(f["order_id"]), f["code"], t(f"validate.level.{f['level']}", lang),
                safe(f["message"], 1000)] for f in findings],
              wraps=(4,), lead=3, styles=[style.get(f["level"]) for f in findings])
    if len(result.findings) > shown:
        console.print(t("validate.more", lang, n=len(result.findings) - shown), style="dim")


def show_check(console: Console, result: CheckResult, lang: Lang) -> None:
    console.print(f"[green]✓[/green] {t('check.ok', lang, path=safe(result.config))}")
    if result.rules:
        console.print(t("check.rules", lang, n=len(result.rules)))
    if not result.mapped:  # `check --rules`: the workbook was not read
        return
    console.print(t("check.table", lang, sheet=safe(result.sheet), row=result.header_row, rows=result.rows))
    console.print(t("check.mapped", lang, n=len(result.mapped)))
    if result.absent:
        console.print(t("check.absent", lang, fields=", ".join(result.absent)), style="dim")
    if result.extra:
        console.print(t("check.extra", lang, headers=safe(", ".join(result.extra), 2000)))
    for c in result.channels:
        kind = t(f"check.kind.{c['kind']}", lang) if f"check.kind.{c['kind']}" in MESSAGES else c["kind"]
        console.print(t("check.channel", lang, name=c["name"], mapping=c["mapping"], kind=kind, files=c["files"]))
    if result.warnings:
        console.print(f"[yellow]{t('check.warnings', lang)}[/yellow]")
        for warning in result.warnings:
            console.print(f"  [yellow]![/yellow] {safe(warning, 2000)}", highlight=False)


def history_json(entries: list[HistoryEntry]) -> list[dict[str, object]]:
    """`history --json`: each change as an object."""
    return [{"run_id": e.run_id, "at": e.at, "command": e.command, "field": e.field, "old": e.old, "new": e.new,
             "source": e.source, "detail": e.detail} for e in entries]


def show_history(console: Console, order_id: str, entries: list[HistoryEntry], lang: Lang) -> None:
    if not entries:
        console.print(t("history.none", lang, order_id=safe(order_id)))
        return
    rows = []
    for e in entries:
        field = t("history.created", lang) if e.field == "*" else field_said(e.field, lang)
        said = t(f"history.source.{e.source}", lang) if f"history.source.{e.source}" in MESSAGES else e.source
        source = f"{said} ({e.detail})" if e.detail else said
        new = _created(e.new, lang) if e.field == "*" else safe(e.new)
        rows.append([str(e.run_id), _minute(e.at), safe(field), safe(e.old), new, safe(source)])
    show_rows(console, t("history.title", lang, order_id=safe(order_id)), t("history.columns", lang).split(","), rows,
              wraps=(3, 4, 5), lead=3)


def _minute(at: str) -> str:
    """`2026-12-07T09:30:12+08:00` as people read it on a narrow terminal: `2026-12-07 09:30+08:00` (the run
    number tells two runs of one minute apart; `--json` keeps the seconds)."""
    return re.sub(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d):\d\d(?:\.\d+)?", r"\1 \2", at)


def _created(values: str | None, lang: Lang) -> str:
    """A new order's first entry: its fields as people call them, one after another (the journal keeps JSON)."""
    try:
        fields = json.loads(values or "{}")
    except ValueError:
        return safe(values)
    if not isinstance(fields, dict):
        return safe(values)
    separator = "；" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    return safe(separator.join(f"{field_said(k, lang)}{colon}{v}" for k, v in fields.items() if v not in (None, "")), 3000)
