"""The command line: each command parses, calls `api`, renders, and returns its exit code.

`main()` is the one place that turns a SheetsyncError into a message and an exit code;
any other exception is a bug: exit 1, with the traceback in the log file.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console

from sheetsync.cli import render as report
from sheetsync.config import DEFAULT_CONFIG, Config, load_config
from sheetsync.desk.new import copy_demo, init_desk
from sheetsync.errors import EXIT_BUG, SheetsyncError
from sheetsync.i18n import Lang, default_lang, t
from sheetsync.run import sync as api
from sheetsync.runtime import memory
from sheetsync.runtime.logs import log_to_state_dir

app = typer.Typer(
    name="sheetsync",
    help="Keep a spreadsheet order table trustworthy: pull, validate, advance, write back. / 让订单表格可信。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The desk's sheetsync.yaml.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]
LangOption = Annotated[str, typer.Option("--lang", help="zh or en.")]

_state: dict[str, Path] = {}


def _load(path: Path) -> Config:
    config = load_config(path)
    _state["log"] = log_to_state_dir(config.state_dir)
    return config


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _lang(value: str) -> Lang:
    if value not in ("zh", "en"):
        raise typer.BadParameter("zh | en", param_hint="--lang")
    return value  # type: ignore[return-value]


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the desk.")] = Path("."),
    lang: LangOption = "zh",
    from_: Annotated[Path | None, typer.Option("--from", help="Adopt this existing .xlsx order workbook as it is.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="With --from: the order sheet.")] = None,
    add_columns: Annotated[bool, typer.Option("--add-columns", help="With --from: append missing columns at the right.")] = False,
    json_out: JsonOption = False,
) -> int:
    """Create a new order desk, or with --from adopt an existing workbook (sheetsync.yaml beside it)."""
    if from_ is not None:
        from sheetsync.cli.importing import init_from

        return init_from(from_, sheet, add_columns, lang, json_out)
    language = _lang(lang)
    for path in init_desk(directory, language):
        out.print(f"  {path}")
    out.print(t("init.done", language, dir=directory))
    return 0


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to copy the example desk.")] = Path("sheetsync-demo"),
    json_out: JsonOption = False,
) -> int:
    """Copy the bundled example desk to DIR and run a sync on it."""
    lang = default_lang()
    config_file = copy_demo(directory, lang)
    config = _load(config_file)
    if not json_out:
        out.print(t("demo.copied", config.language, dir=directory))
    result = api.sync(config)
    if json_out:
        _print_json(result.to_dict())
    else:
        report.show_sync(out, result, config.language)
    return result.exit_code


@app.command()
def check(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
    rules: Annotated[bool, typer.Option("--rules", help="Check the rules alone (their conditions compiled).")] = False,
) -> int:
    """Validate the configuration, its rules and the workbook's headers; writes nothing."""
    loaded = _load(config)
    result = api.check(loaded, rules_only=rules)
    if json_out:
        _print_json(result.to_dict())
    else:
        report.show_check(out, result, loaded.language)
    return 0


@app.command()
def validate(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    now: Annotated[str | None, typer.Option("--now", help="The time the rules see (ISO), for dates in the future.")] = None,
    json_out: JsonOption = False,
) -> int:
    """Run the rules over the table and print the findings; writes nothing. Exit 3 when any is an error."""
    loaded = _load(config)
    result = api.validate(loaded, now=api.parse_now(now, loaded.tz))
    if json_out:
        _print_json(result.to_dict())
    else:
        report.show_validate(out, result, loaded.language)
    return result.exit_code


@app.command()
def sync(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    json_out: JsonOption = False,
    force: Annotated[bool, typer.Option("--force", help="Write even if a lock file says the workbook is open.")] = False,
    now: Annotated[str | None, typer.Option("--now", help="The run's clock, ISO 8601 (tests, replays).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 3 when any error-level anomaly is found.")] = False,
    strict_alerts: Annotated[bool, typer.Option("--strict-alerts", help="Exit 5 when an alert could not be sent.")] = False,
) -> int:
    """Run one sync: read the table, assign ids, detect edits, pull, validate, advance, write back what changed."""
    loaded = _load(config)
    result = api.sync(loaded, dry_run=dry_run, force=force, now=api.parse_now(now, loaded.tz), strict=strict,
                      strict_alerts=strict_alerts)
    if json_out:
        _print_json(result.to_dict())
    else:
        report.show_sync(out, result, loaded.language)
    return result.exit_code


@app.command()
def history(
    order_id: Annotated[str, typer.Argument(help="The order_id to show.")],
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
) -> int:
    """Print every recorded change of one order, oldest first."""
    loaded = _load(config)
    entries = api.history(loaded, order_id)
    if json_out:
        _print_json([_entry(e) for e in entries])
    else:
        report.show_history(out, order_id, entries, loaded.language)
    return 0


# commands defined in their own modules (they import this one lazily, for _load, out and _print_json)
from sheetsync.cli.importing import import_command  # noqa: E402
from sheetsync.cli.reports import reconcile_command, report_command  # noqa: E402
from sheetsync.cli.workflow import approve, queue, unlock  # noqa: E402

app.command("import")(import_command)
app.command("reconcile")(reconcile_command)
app.command("report")(report_command)
app.command("queue")(queue)
app.command("approve")(approve)
app.command("unlock")(unlock)


def _entry(e: api.HistoryEntry) -> dict[str, Any]:
    return {"run_id": e.run_id, "at": e.at, "command": e.command, "field": e.field, "old": e.old, "new": e.new,
            "source": e.source, "detail": e.detail}


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a command and exit with its code (see errors.py for the codes)."""
    _give_back_freed_memory()
    try:
        code = app(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.exceptions.Abort:
        code = EXIT_BUG
    except SheetsyncError as exc:
        err.print(f"[bold red]✗[/bold red] {exc.message}", highlight=False)
        if exc.hint:
            err.print(f"  → {exc.hint}", highlight=False)
        code = exc.exit_code
    except Exception as exc:  # the one place a bug becomes exit 1
        code = _report_bug(exc)
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The console script: `main`, then leave without the interpreter's teardown of pandas, Arrow and
    DuckDB (about 0.3 s, paid by every cron run); by then every file is written, synced and closed."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_BUG)
    else:
        code = 0
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say anyway
        pass
    os._exit(code)


def _give_back_freed_memory() -> None:
    """Memory settings for a run of a sheet's size (`memory.py`); `import` and large syncs say otherwise."""
    memory.fit_to_run(0)


def _report_bug(exc: Exception) -> int:
    log_path = _state.get("log") or Path(tempfile.gettempdir()) / "sheetsync-error.log"
    logging.getLogger("sheetsync").error("unexpected error", exc_info=exc)
    if "log" not in _state:
        log_path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    lang = default_lang()
    err.print(f"[bold red]✗[/bold red] {t('bug', lang, problem=f'{type(exc).__name__}: {exc}')}", highlight=False)
    err.print(f"  → {t('bug.hint', lang, log=log_path)}", highlight=False)
    return EXIT_BUG
