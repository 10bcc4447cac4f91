"""Benchmark of the Google Sheets store: `sheetsync sync` on a 100,000-row x 25-column order sheet held by a local
Sheets API (tests/gsheets_server.py, the fake the store's tests use), in alternating turns with two yardsticks.

    python benchmarks/gsheets_bench.py                       # 100k rows, 3 turns (five to six minutes on 2 cores)
    python benchmarks/gsheets_bench.py --rows 20000 --turns 2

The fake Sheets API runs in a process of its own (`python tests/gsheets_server.py`, driven over a pipe), so neither
its memory nor its CPU is counted in a measured command; each measured step is a fresh process
(`fresh_process.run_child`), its wall time taken from outside and its peak RSS its own (`resource`, POSIX only).
The sheet holds the orders `sync_bench.py` writes into its xlsx desks (same 25 fields, same values; dates as serial
numbers with a date format, amounts as numbers).  The desk's journal knows every row (a first sync adopted them; the
sheet as that sync left it is the starting point of every step).  Measured, each turn in this order:

- yardstick: a no-op `sheetsync sync` of an xlsx desk of the same rows (`sync_bench.build_desk`, its journal
  knowing every row), then `sheetsync sync`, no-op, of the Sheets desk: nothing changes;
- the xlsx desk, then the Sheets desk, pulling a 抖店 export that ships 500 known orders (status and tracking number:
  1,000 cells);
- yardstick: the same 500 orders shipped the way a gspread / gspread-pandas script does it: open the spreadsheet,
  read every value, change them, `worksheet.update()` of the whole range A1:Y100001;
- the xlsx desk, then the Sheets desk, pulling an export of 1,000 new orders (appended rows);
- yardstick: 1,000 rows like them appended by a whole-range `worksheet.update()` (the grid grown first).

Before each step that writes, the sheet is put back as the adoption left it and the desk is a fresh copy.  From the
fake's request log, per step: the Sheets API requests (the OAuth token request counted apart), the bytes the client
sent (request line, headers and body of every API request, as they reached the server; the bodies alone beside
them), the bytes it received, and the cells its writes carried.  Medians of the turns.  Targets: at most 1 values
read for a no-op and 1 read + metadata + re-read + 1 batchUpdate (4 requests) for a run that writes, at any size;
at least 20x fewer bytes sent than the whole-range write for the 1,000-cell change; peak RSS within 1.5x of the xlsx
store's for the same sync (the no-op, the 500 orders shipped, the 1,000 orders appended).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fresh_process import run_child
from sync_bench import CHANNELS, FIELDS, build_desk, write_export

HERE = Path(__file__).resolve().parent
SERVER = HERE.parent / "tests" / "gsheets_server.py"
SHEET = "订单"
KEY_VARIABLE = "SHEETSYNC_BENCH_SHEETS_KEY"
GOOGLE = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
T0 = dt.datetime(2026, 1, 1, 8, 0)
UPDATES = 500  # orders shipped by the export: status + tracking number, 1,000 cells
NEW = 1000  # new orders in the second export


def order_row(i: int) -> list[Any]:
    """Order i as `sync_bench.build_desk` writes it (no blank ids)."""
    when = T0 + dt.timedelta(minutes=i)
    return [f"SS20260101-{i:06d}", "抖音", str(6912345678901234567 + i), when, when + dt.timedelta(minutes=3), "王芳",
            f"C{i % 5000:05d}", f"138{i:08d}", "浙江省", "杭州市", "西湖区", f"文三路 {i % 500} 号", "310012", "中国",
            f"BB-{i % 100:03d}×2", 199.0 + i % 50, 199.0 + i % 50, "绿", "备货中", when, "杭州仓", "顺丰", f"SF{i:013d}",
            "正常", None]


def updated_rows(rows: int) -> range:
    """The orders the first export ships (spread over the sheet, as sync_bench's pull does)."""
    return range(2, rows, max(rows // UPDATES, 1))[:UPDATES]


# --- the fake Sheets API in its own process ------------------------------------------------------------------


class Server:
    """`python tests/gsheets_server.py` in a process of its own, driven one JSON line at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, encoding="utf-8", bufsize=1)
        self.base_url = self._answer()["base_url"]

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the fake Sheets API stopped (exit {self.process.poll()})")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise SystemExit(f"the fake Sheets API said: {answer['error']}")
        return answer

    def __call__(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, **args}, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self("stop")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def costs(log: list[dict[str, Any]]) -> dict[str, float]:
    """A step's requests, from the fake's log."""
    api = [r for r in log if r["path"] != "/token"]
    values = [r for r in api if r["method"] == "GET" and "/values" in r["path"]]
    return {
        "requests": len(api), "token": len(log) - len(api), "values_reads": len(values),
        "metadata": sum(1 for r in api if r["method"] == "GET" and "/values" not in r["path"]),
        "batch_updates": sum(1 for r in api if r["method"] == "POST" and r["path"].endswith(":batchUpdate")
                             and "/values" not in r["path"]),
        "value_writes": sum(1 for r in api if r["method"] in ("PUT", "POST") and "/values" in r["path"]),
        "failed": sum(1 for r in api if r["status"] != 200),
        "sent": sum(r["sent"] for r in api), "body": sum(r["body"] for r in api),
        "received": sum(r["received"] for r in api), "cells": sum(r.get("cells", 0) for r in api),
        "server": sum(r["seconds"] for r in log),
    }


# --- the measured steps, each in a fresh process -------------------------------------------------------------


def child(task: str, target: str) -> None:
    """Runs in a fresh process; prints {"seconds": s, "rss_mb": m}."""
    started = time.perf_counter()
    if task == "sync":  # the command line a person or cron runs, in this process
        from sheetsync.cli import main

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main(["sync", "-c", target])
            except SystemExit as exc:
                if exc.code not in (0, 3):
                    raise
    elif task == "gspread":  # a gspread script: read everything, change it in memory, write the whole range back
        import gspread
        from google.oauth2.service_account import Credentials
        from gspread.http_client import HTTPClient
        from gspread.utils import DateTimeOption, ValueRenderOption

        spec = json.loads(Path(target).read_text(encoding="utf-8"))
        base = spec["base_url"]

        class Local(HTTPClient):
            def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Any:
                return super().request(method, endpoint.replace(GOOGLE, base, 1), *args, **kwargs)

        credentials = Credentials.from_service_account_file(os.environ[KEY_VARIABLE], scopes=SCOPES)
        sheet = gspread.Client(credentials, http_client=Local).open_by_key(spec["spreadsheet"]).worksheet(SHEET)
        values = [list(r) for r in sheet.get(value_render_option=ValueRenderOption.unformatted,
                                             date_time_render_option=DateTimeOption.serial_number)]
        width = max(len(r) for r in values)
        values = [r + [""] * (width - len(r)) for r in values]
        status, tracking = FIELDS.index("status"), FIELDS.index("tracking_no")
        for i in spec["updates"]:
            values[i][status], values[i][tracking] = "已发货", f"SF{i:013d}X"
        for i in spec["new"]:
            row = order_row(i)
            row[FIELDS.index("status")], row[FIELDS.index("carrier")], row[FIELDS.index("tracking_no")] = "待发货", "", ""
            values.append(["" if v is None else (v - dt.datetime(1899, 12, 30)).total_seconds() / 86400
                           if isinstance(v, dt.datetime) else v for v in row])
        if len(values) > sheet.row_count:  # the grid grown first, as gspread-pandas' df_to_sheet does (one request)
            sheet.add_rows(len(values) - sheet.row_count)
        sheet.update(values, f"A1:{chr(64 + width)}{len(values)}")
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    os._exit(0)  # as the `sheetsync` command leaves (cli.run): without tearing the imported libraries down


# --- set-up --------------------------------------------------------------------------------------------------


def gsheets_desk(folder: Path, spreadsheet: str, base_url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inbox").mkdir(exist_ok=True)
    config = folder / "sheetsync.yaml"
    config.write_text(
        "table:\n  backend: gsheets\n"
        f"  spreadsheet: https://docs.google.com/spreadsheets/d/{spreadsheet}/edit\n"
        f"  sheet: {SHEET}\n  headers: zh\n  credentials_env: {KEY_VARIABLE}\n  endpoint: {base_url}\n"
        f"lang: zh\n{CHANNELS}", encoding="utf-8")
    return config


def load_sheet(server: Server, spreadsheet: str, rows: int, workdir: Path) -> None:
    from sheetsync.config import load_preset

    headers = load_preset("zh")
    path = workdir / "orders.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps([headers[f] for f in FIELDS], ensure_ascii=False) + "\n")
        for i in range(1, rows + 1):
            fh.write(json.dumps([{"date": v.isoformat()} if isinstance(v, dt.datetime) else v for v in order_row(i)],
                                ensure_ascii=False) + "\n")
    server("load", spreadsheet=spreadsheet, sheet=SHEET, path=str(path))
    path.unlink()


def measured(server: Server, task: str, target: Path) -> dict[str, float]:
    server("log", clear=True)
    figures = run_child(__file__, task, str(target))
    figures.update(costs(server("log", clear=True)["requests"]))
    return figures


# --- the run -------------------------------------------------------------------------------------------------


STEPS = [
    ("xlsx_noop", "xlsx store: sheetsync sync, no-op (yardstick)"),
    ("noop", "gsheets: sheetsync sync, no-op"),
    ("xlsx_change", "xlsx store: sync shipping 500 orders"),
    ("change", "gsheets: sync shipping 500 orders (1,000 cells)"),
    ("whole_change", "gspread whole-range write, same 500 orders (yardstick)"),
    ("xlsx_append", "xlsx store: sync appending 1,000 new orders"),
    ("append", "gsheets: sync appending 1,000 new orders"),
    ("whole_append", "gspread whole-range write, 1,000 rows appended (yardstick)"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows = args.rows
    workdir = Path(tempfile.mkdtemp(prefix="sheetsync-gsheets-bench-"))
    server = Server()
    try:
        spreadsheet = server("create", title="订单台", sheets=[SHEET])["spreadsheet"]
        os.environ[KEY_VARIABLE] = server("key_file", folder=str(workdir / "keys"))["path"]
        started = time.perf_counter()
        load_sheet(server, spreadsheet, rows, workdir)
        print(f"== {rows:,} rows x {len(FIELDS)} columns in the fake Sheets API ({time.perf_counter() - started:.1f} s"
              f" to load); {args.turns} turns", flush=True)

        known = gsheets_desk(workdir / "known", spreadsheet, server.base_url)
        adopt = measured(server, "sync", known)  # the first sync: the journal learns every row
        print(f"   adopting sync: {adopt['wall']:.1f} s, {adopt['requests']:.0f} API request(s), {adopt['cells']:,.0f}"
              " cells written", flush=True)
        again = measured(server, "sync", known)
        if again["batch_updates"]:
            raise SystemExit(f"a second sync still wrote {again['cells']:,.0f} cells: no no-op to measure")
        server("snapshot", spreadsheet=spreadsheet, name="adopted")
        xlsx = build_desk(workdir / "xlsx", rows, 0)  # sync_bench's desk of the same orders
        with xlsx.open("a", encoding="utf-8") as fh:
            fh.write(CHANNELS)
        (xlsx.parent / "inbox").mkdir()
        run_child(__file__, "sync", str(xlsx))  # its journal learns every row too
        for name, updates, new in (("change", updated_rows(rows), range(0)),
                                   ("append", range(0), range(rows + 1, rows + 1 + NEW))):
            write_export(workdir / f"{name}.csv", updates=updates, new=new)
            (workdir / f"{name}.json").write_text(json.dumps({
                "base_url": server.base_url, "spreadsheet": spreadsheet, "updates": list(updates), "new": list(new)}))

        results: dict[str, list[dict[str, float]]] = {key: [] for key, _ in STEPS}
        for turn in range(args.turns):
            results["xlsx_noop"].append(run_child(__file__, "sync", str(xlsx)))
            server("restore", name="adopted")  # the last turn's yardstick appended rows
            results["noop"].append(measured(server, "sync", known))
            for name in ("change", "append"):
                results[f"xlsx_{name}"].append(run_child(__file__, "sync", str(fresh_desk(xlsx, workdir / f"{name}.csv"))))
                server("restore", name="adopted")
                results[name].append(measured(server, "sync", fresh_desk(known, workdir / f"{name}.csv")))
                server("restore", name="adopted")
                results[f"whole_{name}"].append(measured(server, "gspread", workdir / f"{name}.json"))
            print(f"   turn {turn + 1}: " + ", ".join(f"{key} {results[key][-1]['wall']:.2f} s" for key, _ in STEPS),
                  flush=True)
        errors = server("errors")["errors"]
        if errors:
            raise SystemExit("the fake Sheets API failed:\n" + "\n".join(errors))
        report(results, rows, server("rss")["rss_mb"])
    finally:
        server.close()
        shutil.rmtree(workdir, ignore_errors=True)


def fresh_desk(config: Path, export: Path) -> Path:
    """A copy of the desk (its journal included) with the export in its inbox, in place of the last one."""
    desk = config.parent.with_name(config.parent.name + "-turn")
    shutil.rmtree(desk, ignore_errors=True)
    shutil.copytree(config.parent, desk)
    shutil.copy(export, desk / "inbox" / "douyin.csv")
    return desk / config.name


def size(n: float) -> str:
    return f"{n:,.0f} B" if n < 1e4 else f"{n / 1e3:,.0f} kB" if n < 1e7 else f"{n / 1e6:,.1f} MB"


def report(results: dict[str, list[dict[str, float]]], rows: int, server_rss: float) -> None:
    med = {key: {k: statistics.median(f[k] for f in figures) for k in figures[0]} for key, figures in results.items()}
    print(f"\n   {'':<58} {'wall: median (turns)':>27} {'server':>7} {'peak RSS':>9}  {'API requests':<17}"
          f" {'sent':>9} {'bodies':>9} {'received':>9} {'cells':>9}")
    for key, name in STEPS:
        m = med[key]
        turns = ", ".join(f"{f['wall']:.2f}" for f in results[key])
        line = f"   {name:<58} {m['wall']:6.2f} s ({turns:>17})"
        if key.startswith("xlsx"):
            line += f" {'':>7} {m['rss_mb']:6.0f} MB"
        else:
            kinds = (f"{m['values_reads']:.0f}v {m['metadata']:.0f}m {m['batch_updates']:.0f}b"
                     f" {m['value_writes']:.0f}w")
            line += (f" {m['server']:5.2f} s {m['rss_mb']:6.0f} MB  {m['requests']:2.0f}: {kinds:<13}"
                     f" {size(m['sent']):>9} {size(m['body']):>9} {size(m['received']):>9} {m['cells']:9,.0f}")
        print(line)
    print("   server: the fake Sheets API's time making its answers, within the wall time (its own process); API"
          " requests:\n   v values reads, m metadata reads, b spreadsheets.batchUpdate, w values writes (each run also"
          " asked the\n   token endpoint once, not counted); sent: request lines, headers and bodies; bodies: the"
          " bodies alone;\n   received: answers' bodies, uncompressed; cells: the cells the writes carried")
    print(f"   the fake Sheets API's own peak RSS: {server_rss:,.0f} MB (counted in no figure above)")
    print("\n   targets:")
    verdict = {True: "pass", False: "FAIL"}
    noop, change, append = med["noop"], med["change"], med["append"]
    worst = {key: {k: max(f[k] for f in results[key]) for k in ("requests", "batch_updates", "failed")}
             for key in ("noop", "change", "append")}
    print(f"   - no-op: {noop['requests']:.0f} request ({noop['values_reads']:.0f} values read, {noop['batch_updates']:.0f}"
          f" batchUpdate; most in a turn: {worst['noop']['requests']:.0f}; target 1 read):"
          f" {verdict[worst['noop']['requests'] <= 1 and worst['noop']['batch_updates'] == 0]}")
    for key, name, m in (("change", "1,000-cell change", change), ("append", "1,000 appended rows", append)):
        ok = worst[key]["requests"] <= 4 and worst[key]["batch_updates"] == 1 and not worst[key]["failed"]
        print(f"   - {name}: {m['requests']:.0f} requests ({m['values_reads']:.0f} values reads, the re-read included,"
              f" {m['metadata']:.0f} metadata, {m['batch_updates']:.0f} batchUpdate; most in a turn:"
              f" {worst[key]['requests']:.0f}; target 1 read + 2 write requests + 1 re-read): {verdict[ok]}")
    for name, m, whole in (("1,000-cell change", change, med["whole_change"]),
                           ("1,000 appended rows", append, med["whole_append"])):
        ratio = whole["sent"] / m["sent"]
        target = f" (target >= 20x): {verdict[ratio >= 20]}" if name.startswith("1,000-cell") else ""
        times = f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2f}x"
        print(f"   - bytes sent, {name}: {size(m['sent'])} against {size(whole['sent'])} for the whole-range write"
              f" ({times} the store's){target}; wall {m['wall']:.2f} s against {whole['wall']:.2f} s")
    for key in ("noop", "change", "append"):
        base = med[f"xlsx_{key}"]["rss_mb"]
        ratio = med[key]["rss_mb"] / base
        print(f"   - peak RSS, {dict(STEPS)[key].removeprefix('gsheets: ')}: {med[key]['rss_mb']:,.0f} MB, {ratio:.2f}x"
              f" the xlsx store's {base:,.0f} MB for the same run (target <= 1.5x): {verdict[ratio <= 1.5]}")
    print(f"   ({rows:,} rows; medians of {len(results['noop'])} turns)")


if __name__ == "__main__":
    main()
