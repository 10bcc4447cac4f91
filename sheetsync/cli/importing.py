"""The `import` command: parse, call the library, render, return the exit code.

Plain functions with typer annotations, registered by `sheetsync.cli`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from sheetsync.cli.common import ConfigOption, JsonOption, NowOption, emit_json, err, load, out, safe, show_placement
from sheetsync.config import DEFAULT_CONFIG
from sheetsync.i18n import Lang, field_said, t
from sheetsync.importing.importer import ImportResult, import_files
from sheetsync.importing.importer import Progress as ProgressCallback
from sheetsync.run.clock import parse_now
from sheetsync.runtime import memory

SHOWN_ROWS = 3
SHOWN_DISAGREEMENTS = 10


FilesArgument = Annotated[list[str], typer.Argument(
    help="Files or globs (quoted): .csv .tsv .txt .xlsx .xls; every sheet of a workbook.", show_default=False)]
MappingOption = Annotated[str | None, typer.Option("--mapping", help="A mapping by name (mappings/NAME.yaml) or path.")]
AutoOption = Annotated[bool, typer.Option("--auto", help="Match headers by synonyms and content (default without --mapping).")]
ChannelOption = Annotated[str | None, typer.Option(
    "--channel", help="Channel of the imported rows, unless the mapping or a column names one; without it they are "
    "marked 历史导入 on a Chinese sheet, legacy on an English one.")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="Only this sheet of each workbook.")]
PreviewOption = Annotated[bool, typer.Option("--preview", help="Show the match, a sample and the counts; write nothing.")]
RejectsOption = Annotated[Path | None, typer.Option("--rejects", help="Where rows not taken go: .xlsx (all text) or .csv.")]
SaveOption = Annotated[str | None, typer.Option("--save-mapping", help="Save the automatic match as mappings/NAME.yaml.")]


def import_command(
    files: FilesArgument,
    config: ConfigOption = Path(DEFAULT_CONFIG),
    mapping: MappingOption = None,
    auto: AutoOption = False,
    channel: ChannelOption = None,
    sheet: SheetOption = None,
    preview: PreviewOption = False,
    rejects: RejectsOption = None,
    save_mapping: SaveOption = None,
    json_out: JsonOption = False,
    now: NowOption = None,
) -> int:
    """Import legacy order files into the order table: preview first, take everything that can be taken, lose nothing."""
    loaded = load(config)
    lang = loaded.language
    memory.fit_to_run(memory.LARGE_RUN)  # years of orders: mapping each large block anew would cost more than it saves
    with _progress(lang, enabled=out.is_terminal and not json_out) as progress:
        result = import_files(loaded, files, mapping=mapping, auto=auto, channel=channel, sheet=sheet, preview=preview,
                              rejects=rejects, save_mapping_as=save_mapping, now=parse_now(now, loaded.tz), progress=progress)
    if json_out:
        emit_json(result.to_dict())
    else:
        show_import(out, result, lang)
    for error in result.errors:
        err.print(f"[bold red]✗[/bold red] {error}", highlight=False)
    if result.errors:
        err.print(f"  → {t('pull.unreadable.hint', lang)}", highlight=False)
    return result.exit_code


@contextmanager
def _progress(lang: Lang, *, enabled: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar on a terminal: files read, then the run writing the table."""
    if not enabled:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(t("import.progress.read", lang), total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=t(f"import.progress.{stage}", lang), completed=done, total=total)

        yield update


def show_import(console: Console, result: ImportResult, lang: Lang) -> None:
    """The import's report: how columns were matched, per file counts, a sample, reasons, disagreements."""
    shown: set[tuple[str, ...]] = set()
    for explained in result.mappings:
        shape = tuple(f"{c['header']}={c['field']}" for c in explained["columns"])
        if shape not in shown and (result.preview or explained["mapping"] == "auto"):
            shown.add(shape)
            _show_mapping(console, explained, lang)
    title = t("import.title.preview" if result.preview else "import.title", lang)
    files = RichTable(title=title, title_justify="left")
    for n, name in enumerate(t("import.files.columns", lang).split(",")):
        files.add_column(name, justify="right" if 2 <= n <= 6 else "left")
    for f in result.files:
        note = f.error or f.skipped or ""
        files.add_row(safe(Path(f.path).name), safe(f.sheet or ""), str(f.read), str(f.imported), str(f.merged), str(f.duplicate),
                      str(f.rejected), note)
    console.print(files)
    if result.preview and result.sample:
        _show_sample(console, result.sample, lang)
    if result.reasons:
        console.print(f"[bold]{t('import.reasons', lang)}[/bold]")
        for reason, n in result.reasons.items():
            console.print(f"  {n:>6}  {reason}", highlight=False)
    if result.disagreements_total:
        console.print(f"[yellow]{t('import.disagreements', lang, n=result.disagreements_total)}[/yellow]")
        for d in result.disagreements[:SHOWN_DISAGREEMENTS]:
            fields = ", ".join(f"{f} {v[0]}→{v[1]}" for f, v in d["fields"].items())
            console.print("  " + t("import.disagreement", lang, key=d["key"], file=Path(d["file"]).name, line=d["line"],
                                   first_file=Path(d["first_file"]).name, first_line=d["first_line"], fields=fields),
                          highlight=False)
    if result.saved_mapping:
        console.print(t("import.saved_mapping", lang, path=result.saved_mapping, name=Path(result.saved_mapping).stem))
    for notice in result.notices:
        console.print(f"[yellow]! {notice}[/yellow]", highlight=False)
    if result.rejects_file:
        console.print(f"[yellow]{t('report.rejects', lang, path=result.rejects_file)}[/yellow]", highlight=False)
    show_placement(console, result.folded, result.unplaced, {}, lang)
    if not result.preview and result.run_id is not None:
        if result.workbook_written:
            console.print(t("report.workbook_written", lang, path=result.workbook, backup=result.backup or "-"))
        else:
            console.print(t("report.workbook_unchanged", lang))
    if result.estimated:
        console.print(f"[dim]{t('import.estimated', lang)}[/dim]")
    about = t("import.accounting.estimated", lang) if result.estimated else ""
    console.print(about + t("import.accounting", lang, read=result.read, imported=result.imported, merged=result.merged,
                            duplicate=result.duplicate, rejected=result.rejected), style="bold")
    console.print(t("report.took", lang, seconds=result.seconds), style="dim")


def _show_mapping(console: Console, explained: dict[str, Any], lang: Lang) -> None:
    mapping = t("import.mapping.auto", lang) if explained["mapping"] == "auto" else safe(explained["mapping"])
    grid = RichTable(title=t("import.mapping.title", lang, table=Path(explained["table"]).name, mapping=mapping,
                             line=explained["header_line"] or "-"), title_justify="left")
    for name in t("import.mapping.columns", lang).split(","):
        grid.add_column(name)
    for c in explained["columns"]:
        if c["field"] is None:
            continue
        grid.add_row(safe(c["header"]), _field(c["field"], lang), basis(c, lang), f"{c['confidence']:.2f}")
    console.print(grid)
    if explained["composed_key"]:
        console.print(t("import.composed", lang, fields=" / ".join(_field(f, lang) for f in explained["composed_key"])))
    if explained.get("day_first"):
        console.print(t("import.day_first", lang))
    if explained["unmatched"]:
        console.print(f"[dim]{t('import.unmatched', lang, headers=', '.join(explained['unmatched']))}[/dim]", highlight=False)


def basis(column: dict[str, Any], lang: Lang) -> str:
    basis = column["basis"] or "mapping"
    return t(f"import.basis.{basis}", lang, note=column.get("note") or "")


def _show_sample(console: Console, sample: list[dict[str, Any]], lang: Lang) -> None:
    """The first normalised records side by side, one line per field (a table is wider than it is long)."""
    rows = sample[:SHOWN_ROWS]
    fields = [f for f in rows[0] if f != "order_id" and any(r.get(f) for r in rows)]
    grid = RichTable(title=t("import.sample", lang), title_justify="left", show_header=False)
    grid.add_column(style="bold")
    for _ in rows:
        grid.add_column(overflow="fold")
    for name in fields:
        grid.add_row(_field(name, lang), *(safe(row.get(name) or "") for row in rows))
    console.print(grid)


def _field(name: str, lang: Lang) -> str:
    """A field (or the sample's `line`) as people call it."""
    return t("import.line", lang) if name == "line" else safe(field_said(name, lang))
