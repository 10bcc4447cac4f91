"""The workflow's commands (`queue`, `approve`, `unlock`): typer functions that `sheetsync.cli` registers.

Each parses, calls `run.commands`, renders and returns its exit code, as the other commands do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sheetsync.cli.common import ConfigOption, ForceOption, JsonOption, NowOption, emit_json, load, out, safe
from sheetsync.cli.fit import show_rows
from sheetsync.config import DEFAULT_CONFIG
from sheetsync.errors import EXIT_FINDINGS, EXIT_USAGE
from sheetsync.i18n import Lang, t
from sheetsync.run import commands
from sheetsync.run.clock import parse_now
from sheetsync.steps.workflow.queue import QueueGroup


def queue(
    config: ConfigOption = Path(DEFAULT_CONFIG),
    group: Annotated[str | None, typer.Option("--group", "-g", help="Only this group (e.g. a warehouse).")] = None,
    json_out: JsonOption = False,
    now: NowOption = None,
) -> int:
    """Print the open orders of each group in working order: breached first, then by time left to the
    promise, priority classes (红/黄/绿 or A/B/C) breaking ties.  Writes nothing."""
    loaded = load(config)
    groups = commands.queues(loaded, parse_now(now, loaded.tz), group)
    if json_out:
        emit_json([g.to_dict() for g in groups])
    else:
        show_queues(out, groups, loaded.language)
    return 0


def approve(
    order_ids: Annotated[list[str] | None, typer.Argument(help="The orders to sign.")] = None,
    by: Annotated[str, typer.Option("--by", help="The signer's name, as the approval tiers list it.")] = "",
    config: ConfigOption = Path(DEFAULT_CONFIG),
    group: Annotated[str | None, typer.Option("--group", "-g", help="With --all: the group whose orders to sign.")] = None,
    all_orders: Annotated[bool, typer.Option("--all", help="Sign every order in review (of --group) NAME may sign.")] = False,
    json_out: JsonOption = False,
    now: NowOption = None,
    force: ForceOption = False,
) -> int:
    """Sign orders: add NAME to their approver cell, writing the sheet (journaled).  The next sync
    lets an order leave review once it has enough valid signatures."""
    if not by.strip():
        raise typer.BadParameter("--by NAME", param_hint="--by")
    loaded = load(config)
    result = commands.approve_orders(loaded, by, order_ids or [], group=group, all_in_group=all_orders,
                                     now=parse_now(now, loaded.tz), force=force)
    outcomes = {s.outcome for s in result.signatures}
    code = EXIT_USAGE if "not_found" in outcomes else EXIT_FINDINGS if "not_in_review" in outcomes else 0
    if json_out:
        emit_json(result.to_dict())
        return code
    lang = loaded.language
    for s in result.signatures:
        key = f"workflow.approve.{s.outcome}"
        style = {"signed": "green", "already": "dim"}.get(s.outcome, "yellow")
        out.print(f"[{style}]{t(key, lang, order_id=s.order_id, name=by, tier=s.tier or '')}[/{style}]", highlight=False)
    return code


def unlock(
    order_id: Annotated[str, typer.Argument(help="The order whose address may be changed again.")],
    by: Annotated[str, typer.Option("--by", help="Who unlocks it.")] = "",
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the journal).")] = "",
    config: ConfigOption = Path(DEFAULT_CONFIG),
    json_out: JsonOption = False,
    now: NowOption = None,
) -> int:
    """Unlock an order's locked fields (the address, from the lock state on): the next sync keeps a
    person's change to them instead of putting it back.  Journaled with who and why."""
    if not by.strip():
        raise typer.BadParameter("--by NAME", param_hint="--by")
    if not reason.strip():
        raise typer.BadParameter("--reason TEXT", param_hint="--reason")
    loaded = load(config)
    done = commands.unlock_order(loaded, order_id, by.strip(), reason.strip(), parse_now(now, loaded.tz))
    if json_out:
        emit_json({"order_id": done.order_id, "by": done.by, "reason": done.reason, "id": done.id})
    else:
        out.print(t("workflow.unlock.done", loaded.language, order_id=done.order_id, by=done.by, reason=done.reason))
    return 0


def show_queues(console: Console, groups: list[QueueGroup], lang: Lang) -> None:
    if not groups:
        console.print(t("queue.none", lang))
        return
    colours = {3: "red", 2: "red", 1: "yellow"}
    for group in groups:
        rows = []
        for e in group.entries:
            style = colours.get(e.level, "green")
            left = "-" if e.hours_left is None else t("queue.hours", lang, h=f"{e.hours_left:.1f}")
            stay = "-" if e.hours_in_state is None else t("queue.hours", lang, h=f"{e.hours_in_state:.1f}")
            rows.append([safe(e.order_id or str(e.row)), safe(e.customer or ""), safe(e.shop_order or ""), safe(e.status),
                         f"[{style}]{e.sla}[/{style}]", left, safe(e.priority), stay])
        show_rows(console, group_title(group, lang), t("queue.columns", lang).split(","), rows, right=(5, 7), lead=2)


def group_title(group: QueueGroup, lang: Lang) -> str:
    if group.unknown:
        return t("queue.unknown", lang, n=len(group.entries))
    return t("queue.title", lang, group=group.name or t("queue.ungrouped", lang), n=len(group.entries))
