"""The whole command line: one module per command group holds its commands (`COMMANDS`).

`main()` is the one place that turns a SheetsyncError into a message and an exit code;
any other exception is a bug: exit 1, with the traceback in the log file.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import click
import typer
from rich.markup import escape

from sheetsync.cli import leave
from sheetsync.cli.common import desk_lang, err, log_file, safe, shown_lang
from sheetsync.cli.help import render as render_help
from sheetsync.config import declared_lang, read_yaml
from sheetsync.errors import EXIT_BUG, EXIT_USAGE, SheetsyncError, explain_machine
from sheetsync.i18n import Lang, ask_lang, asked_lang, default_lang, t, unask
from sheetsync.runtime import memory

COMMANDS: Final = {
    "init": ("desk", "init"), "demo": ("desk", "demo"),
    "check": ("sync", "check"), "validate": ("sync", "validate"), "sync": ("sync", "sync"),
    "history": ("sync", "history"), "rebuild": ("sync", "rebuild"),
    "import": ("importing", "import_command"),
    "reconcile": ("reports", "reconcile_command"), "report": ("reports", "report_command"),
    "queue": ("workflow", "queue"), "approve": ("workflow", "approve"), "unlock": ("workflow", "unlock"),
    "channels": ("channels", "channels"), "journal": ("journal", "journal"),
}
"""Each command, in the order `--help` lists them: its module in `sheetsync.cli` and its function.  A command line
loads the module of the command it runs and no other (every command's module at once cost `import` and `report`
~0.3 s of pipeline they do not use); `app`, with every command, is made when asked for (`--help`, a usage error)."""


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            shown = version("sheetsync")
        except PackageNotFoundError:
            shown = "unknown"
        typer.echo(f"sheetsync {shown}")
        raise typer.Exit(0)


def _options(
    show_version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                      help="Print the version and exit."),
) -> None:
    """Keep a spreadsheet order table trustworthy: pull, validate, advance, write back."""


def command_line(names: Iterable[str] = COMMANDS) -> typer.Typer:
    """The command line with the commands `names` (all of them by default)."""
    made = typer.Typer(
        name="sheetsync",
        help="Keep a spreadsheet order table trustworthy: pull, validate, advance, write back.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    made.callback()(_options)
    for name in names:
        module, function = COMMANDS[name]
        made.command(name)(getattr(importlib.import_module(f"sheetsync.cli.{module}"), function))
    return made


def __getattr__(name: str) -> Any:
    """`app`: the whole command line, made when first asked for."""
    if name == "app":
        globals()["app"] = made = command_line()
        return made
    raise AttributeError(name)


def _kinds(exc: BaseException) -> set[str]:
    """The class names of `exc` and its bases: click's exceptions are known by name, so that the copy of click
    typer carries (typer 0.29: `typer._click`) is caught as well as the installed one."""
    return {cls.__name__ for cls in type(exc).__mro__}


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a command and exit with its code (see errors.py for the codes)."""
    memory.fit_to_run(0)  # memory settings for a run of a sheet's size; `import` and large syncs say otherwise
    asked, args = _take_lang(list(sys.argv[1:] if argv is None else argv))
    environment = os.environ.get("SHEETSYNC_LANG", "").lower()[:2]
    token = ask_lang(asked or ("en" if environment == "en" else "zh" if environment == "zh" else None))
    try:
        _main(args)
    finally:
        unask(token)
        desk_lang.clear()


def _main(args: list[str]) -> None:
    wanted = _help_wanted(args)
    if wanted is not None:
        _print_help(wanted or None, _help_lang(args))
        sys.exit(0)
    try:
        code = (command_line([args[0]]) if args and args[0] in COMMANDS else command_line())(args=args,
                                                                                             standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except SheetsyncError as exc:
        code = _explained(exc)
    except Exception as exc:  # the one place a bug becomes exit 1
        if _kinds(exc) & {"ClickException", "Exit", "Abort"}:
            code = _usage(exc)
        else:
            machine = explain_machine(exc)  # no space, a read-only folder, a damaged journal: not a bug
            code = _explained(machine) if machine is not None else _report_bug(exc)
    sys.exit(code if isinstance(code, int) else 0)


def _take_lang(args: list[str]) -> tuple[Lang | None, list[str]]:
    """The language `--lang zh|en` anywhere before `--` asks the messages in, and the arguments without it (but for
    `init`, where it is also the new desk's language)."""
    asked: Lang | None = None
    out: list[str] = []
    i = 0
    is_init = "init" in args[:1] or (len(args) > 1 and args[0].startswith("-") and "init" in args)
    while i < len(args):
        word = args[i]
        if word == "--":
            out += args[i:]
            break
        value = word.partition("=")[2] if word.startswith("--lang=") else (args[i + 1] if word == "--lang" and
                                                                            i + 1 < len(args) else None)
        if value in ("zh", "en"):
            asked = "en" if value == "en" else "zh"
            if is_init:
                out += args[i:i + (1 if "=" in word else 2)]
            i += 1 if "=" in word else 2
            continue
        out.append(word)
        i += 1
    return asked, out


def _help_wanted(args: list[str]) -> str | None:
    """The command whose help is asked for ("" for the app's), or None when no help is: a bare `sheetsync`, or
    `--help` before any `--`.  An unknown command with `--help` is left to the usage error."""
    before = args[: args.index("--")] if "--" in args else args
    names = [a for a in before if not a.startswith("-")]
    if not before or (not names and "--help" in before):
        return ""
    if "--help" not in before:
        return None
    return names[0] if names[0] in COMMANDS else None


def _print_help(command: str | None, lang: Lang) -> None:
    """The help of the app or of one command, as wide as the terminal."""
    typer.echo(render_help(typer.main.get_command(command_line()), command, lang, shutil.get_terminal_size((80, 24)).columns))


def _help_lang(args: list[str]) -> Lang:
    """The language of `--help`: `--lang`, else SHEETSYNC_LANG, else the desk's (`-c FILE` or ./sheetsync.yaml)."""
    if asked_lang():
        return shown_lang()
    path = Path("sheetsync.yaml")
    for i, word in enumerate(args):
        if word in ("-c", "--config") and i + 1 < len(args):
            path = Path(args[i + 1])
        elif word.startswith("--config="):
            path = Path(word.partition("=")[2])
    try:
        data = read_yaml(path, default_lang()) if path.is_file() else None
    except SheetsyncError:
        data = None
    return declared_lang(data) or default_lang()


def _explained(exc: SheetsyncError) -> int:
    message, hint = exc.render(shown_lang())
    err.print(f"[bold red]✗[/bold red] {safe(message, 4000)}", highlight=False)
    if hint:
        err.print(f"  → {safe(hint, 4000)}", highlight=False)
    return exc.exit_code


def _usage(exc: Exception) -> int:
    """A usage mistake (or the help asked for by a bare `sheetsync`): one line naming it and the fix, exit 2; no
    traceback, no log.  `exit_code` and `ctx` are click's, whichever copy raised it."""
    kinds = _kinds(exc)
    if "Exit" in kinds:
        return int(getattr(exc, "exit_code", 0) or 0)
    if "Abort" in kinds:
        return EXIT_USAGE
    ctx = getattr(exc, "ctx", None)
    if "NoArgsIsHelpError" in kinds and ctx is not None:
        _print_help(None, shown_lang())
        return 0
    lang = shown_lang()
    command = getattr(ctx, "command_path", "sheetsync") if ctx is not None else "sheetsync"
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    err.print(f"[bold red]✗[/bold red] {t('usage', lang, problem=escape(message))}", highlight=False)
    err.print(f"  → {t('usage.hint', lang, command=escape(command))}", highlight=False)
    return int(getattr(exc, "exit_code", EXIT_USAGE) or EXIT_USAGE)


def _user_log(text: str) -> Path:
    """Write a bug's traceback before any desk is known: to the user's own folder (`$XDG_STATE_HOME/sheetsync`, else
    `~/.local/state/sheetsync`, made private), never a shared fixed path; a planted symlink is not followed."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = Path(base) / "sheetsync"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="sheetsync-"))  # private to this user (0700)
    path = folder / "error.log"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        with os.fdopen(os.open(path, flags, 0o600), "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError:
        pass
    return path


def run() -> None:
    """The console script's whole command line: `main`, then `leave`."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_BUG)
    else:
        code = 0
    leave(code)


def _report_bug(exc: Exception) -> int:
    logging.getLogger("sheetsync").error("unexpected error", exc_info=exc)
    log_path = log_file[-1] if log_file else _user_log("".join(traceback.format_exception(exc)))
    lang = default_lang()
    err.print(f"[bold red]✗[/bold red] {t('bug', lang, problem=safe(f'{type(exc).__name__}: {exc}'))}", highlight=False)
    err.print(f"  → {t('bug.hint', lang, log=log_path)}", highlight=False)
    return EXIT_BUG
