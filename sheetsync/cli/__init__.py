"""The command line: one module per command group registers its commands on `app`.

`main()` is the one place that turns a SheetsyncError into a message and an exit code;
any other exception is a bug: exit 1, with the traceback in the log file.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click
import typer

from sheetsync.cli import desk, importing, reports, sync, workflow
from sheetsync.cli.common import err, log_file, shown_lang
from sheetsync.errors import EXIT_BUG, SheetsyncError
from sheetsync.i18n import default_lang, t
from sheetsync.runtime import memory

app = typer.Typer(
    name="sheetsync",
    help="Keep a spreadsheet order table trustworthy: pull, validate, advance, write back. / 让订单表格可信。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(desk.init)
app.command()(desk.demo)
app.command()(sync.check)
app.command()(sync.validate)
app.command()(sync.sync)
app.command()(sync.history)
app.command("import")(importing.import_command)
app.command("reconcile")(reports.reconcile_command)
app.command("report")(reports.report_command)
app.command("queue")(workflow.queue)
app.command("approve")(workflow.approve)
app.command("unlock")(workflow.unlock)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a command and exit with its code (see errors.py for the codes)."""
    memory.fit_to_run(0)  # memory settings for a run of a sheet's size; `import` and large syncs say otherwise
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
        message, hint = exc.render(shown_lang())
        err.print(f"[bold red]✗[/bold red] {message}", highlight=False)
        if hint:
            err.print(f"  → {hint}", highlight=False)
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


def _report_bug(exc: Exception) -> int:
    log_path = log_file[-1] if log_file else Path(tempfile.gettempdir()) / "sheetsync-error.log"
    logging.getLogger("sheetsync").error("unexpected error", exc_info=exc)
    if not log_file:
        log_path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    lang = default_lang()
    err.print(f"[bold red]✗[/bold red] {t('bug', lang, problem=f'{type(exc).__name__}: {exc}')}", highlight=False)
    err.print(f"  → {t('bug.hint', lang, log=log_path)}", highlight=False)
    return EXIT_BUG
