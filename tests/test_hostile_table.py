"""Every hostile or broken input, fed to every command that reads it, through the console entry point, under a
memory limit: the exit code, the message naming the file (and the bound or the fix), the command's own peak
memory, and nothing written or lost.

Set SHEETSYNC_HOSTILE_TABLE=FILE to have the table of cases, commands, codes and peak memory written to FILE.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import hostile_files as hf
import pytest

from sheetsync.desk.new import init_desk

ADDRESS_SPACE = 3 * 1024**3
"""3 GB of address space for each command (DuckDB and the Arrow allocator reserve some at start)."""
PEAK_MB = 300
"""The most memory any command may take on a hostile input: a plain failing command takes 160-180 MB here."""


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    suffix: str
    says: str  # a fragment of the message: the bound, the cell, or what the file really is


CASES = [
    Case("stray cell at XFD1048576", hf.stray_far_cell, ".xlsx", "XFD1048576"),
    Case("a cell typed at A1048576", hf.stray_row_cell, ".xlsx", "A1048576"),
    Case("zip bomb (600 MB sheet part)", hf.zip_bomb, ".xlsx", "压缩比"),
    Case("zip bomb, headers lying", hf.lying_zip_bomb, ".xlsx", "不是有效的 .xlsx"),
    Case("billion laughs in the sheet part", hf.billion_laughs, ".xlsx", "DOCTYPE"),
    Case("DOCTYPE in workbook.xml", hf.doctype_in_workbook, ".xlsx", "DOCTYPE"),
    Case("a 40,000-character cell", hf.long_cell_book, ".xlsx", "32,767"),
    Case("encrypted workbook", hf.encrypted, ".xlsx", "密码"),
    Case(".xls under an .xlsx name", hf.old_xls, ".xlsx", ".xls"),
    Case("two members of one name", hf.duplicate_members, ".xlsx", "同名"),
    Case("cut in half", hf.truncated, ".xlsx", "不是有效的 .xlsx"),
    Case("a 2 MB line", hf.long_line_csv, ".csv", "1,048,576"),
    Case("20,006 fields in a line", hf.wide_csv, ".csv", "16,384"),
    Case("a 40,000-character field", hf.long_cell_csv, ".csv", "32,767"),
]
MAPPING = "label: 店\nfields:\n  channel_order_id: 订单号\n  customer_name: 收货人\n  phone: 手机\n  address: 收货地址\n"


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str
    peak_mb: int


LAUNCHER = """
import os, resource, subprocess, sys
limit = int(sys.argv[1])
def limited():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, preexec_fn=limited)
_, status, usage = os.wait4(proc.pid, 0)
proc.returncode = os.waitstatus_to_exitcode(status)
print(proc.returncode, usage.ru_maxrss // 1024)
"""
"""A small process that starts the command and reports its exit code and peak RSS: a child forked straight from
the test process would count the test's own memory in its ru_maxrss."""


def sheetsync(*args: str, cwd: Path) -> Outcome:
    """One command in a fresh process under the address-space limit, with its own peak RSS."""
    env = {**os.environ, "SHEETSYNC_LANG": "zh"}
    done = subprocess.run([sys.executable, "-c", LAUNCHER, str(ADDRESS_SPACE), sys.executable, "-m", "sheetsync", *args],
                          cwd=cwd, env=env, capture_output=True, timeout=300)
    code, peak = (int(x) for x in done.stdout.split())
    return Outcome(code, done.stderr.decode("utf-8", "replace"), peak)


_STATE: tuple[str, ...] = (".sheetsync/journal.", ".sheetsync/run.lock", ".sheetsync/logs/")
"""What a refused run may touch: the journal it opened (nothing recorded), its lock, its log."""


def _digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its content (but the run's own state): what a command wrote or moved shows."""
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and not (name := p.relative_to(folder).as_posix()).startswith(_STATE)}


def _desk(folder: Path, channel: bool = False) -> Path:
    init_desk(folder, "zh")
    (folder / "mappings").mkdir(exist_ok=True)
    (folder / "mappings" / "shop.yaml").write_text(MAPPING, encoding="utf-8")
    if channel:
        with (folder / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
            fh.write("channels:\n  - {name: shop, path: inbox/shop/*, mapping: shop}\n")
    return folder


@dataclass
class Trial:
    case: Case
    role: str
    command: tuple[str, ...]
    folder: Path
    file: Path
    before: dict[str, str]
    expected: int = 6
    outcome: Outcome | None = None


def _trials(case: Case, source: Path, root: Path) -> list[Trial]:
    trials: list[Trial] = []

    def trial(role: str, command: tuple[str, ...], folder: Path, file: Path, expected: int = 6) -> None:
        trials.append(Trial(case, role, command, folder, file, _digest(folder), expected))

    if case.suffix == ".xlsx":
        for command in (("sync",), ("check",), ("validate",), ("report",), ("reconcile", "--against", "shop=shop.csv")):
            desk = _desk(root / f"desk-{command[0]}")
            (desk / "shop.csv").write_text(",".join(hf.HEADERS) + "\n" + ",".join(hf.ROW) + "\n", encoding="utf-8")
            shutil.copy(source, desk / "orders.xlsx")
            trial("the order workbook", command, desk, desk / "orders.xlsx")
        adopt = root / "adopt"
        adopt.mkdir()
        shutil.copy(source, adopt / "team.xlsx")
        trial("init --from", ("init", "--from", "team.xlsx"), adopt, adopt / "team.xlsx")
    inbox = _desk(root / "inbox", channel=True)
    (inbox / "inbox" / "shop").mkdir(parents=True)
    shutil.copy(source, inbox / "inbox" / "shop" / f"export{case.suffix}")
    trial("an inbox export", ("sync",), inbox, inbox / "inbox" / "shop" / f"export{case.suffix}")
    legacy = _desk(root / "import")
    shutil.copy(source, legacy / f"legacy{case.suffix}")
    trial("import", ("import", f"legacy{case.suffix}", "--auto"), legacy, legacy / f"legacy{case.suffix}")
    against = _desk(root / "against")
    shutil.copy(source, against / f"statement{case.suffix}")
    trial("reconcile --against", ("reconcile", "--against", f"shop=statement{case.suffix}"), against,
          against / f"statement{case.suffix}")
    return trials


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> list[Trial]:
    """Every case in every role, run two at a time (each command is a fresh process)."""
    made: list[Trial] = []
    for number, case in enumerate(CASES):
        root = tmp_path_factory.mktemp(f"case{number}")
        source = root / f"hostile{case.suffix}"
        case.make(source)
        made += _trials(case, source, root)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda tr: sheetsync(*tr.command, cwd=tr.folder), made))
    for tr, outcome in zip(made, outcomes, strict=True):
        tr.outcome = outcome
    table = os.environ.get("SHEETSYNC_HOSTILE_TABLE")
    if table:
        lines = ["| input | as | command | exit | peak MB |", "|---|---|---|---|---|"]
        lines += [f"| {tr.case.name} | {tr.role} | `{' '.join(tr.command)}` | {tr.outcome.code} | {tr.outcome.peak_mb} |"
                  for tr in made if tr.outcome]
        Path(table).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return made


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_input_gets_its_code_a_message_bounded_memory_and_nothing_written(
        case: Case, trials: list[Trial]) -> None:
    mine = [tr for tr in trials if tr.case is case]
    assert len(mine) >= 3
    for tr in mine:
        got = tr.outcome
        assert got is not None
        where = f"{case.name} as {tr.role}: {' '.join(tr.command)}"
        assert got.code == tr.expected, f"{where}: exit {got.code}\n{got.stderr[-1500:]}"
        assert "Traceback" not in got.stderr and "缺陷" not in got.stderr, where
        assert case.says in got.stderr, f"{where}: the message does not say {case.says!r}:\n{got.stderr[-1500:]}"
        assert tr.file.name in got.stderr, f"{where}: the message does not name the file:\n{got.stderr[-1500:]}"
        assert len(got.stderr) < 3000, where  # nothing of the file's content is echoed at length
        assert 0 < got.peak_mb <= PEAK_MB, f"{where}: peak {got.peak_mb} MB"
        after = _digest(tr.folder)
        if tr.role == "an inbox export":  # set aside with its reason: the only change the run made
            aside = f".sheetsync/set-aside/shop/{tr.file.name}"
            assert after.pop(aside) == tr.before.pop(tr.file.relative_to(tr.folder).as_posix()), where
            assert after.pop(f"{aside}.reason.txt")
            assert after == tr.before, where
            assert sheetsync("sync", cwd=tr.folder).code == 0, f"{where}: the next run is blocked"
        else:
            assert after == tr.before, where
