"""The first hour of three real-looking teams (example_workbooks/), through the command line as a clerk runs it:
init --from, check, sync, a pull, a later export, an import, queue, approve, report.  What the clerk would check
by eye is asserted: the team's ids kept, addresses whole, amounts present, statuses in the team's words, the shop's
news landed, and nothing lost (every non-empty value of every input record is in a cell or in the run's report)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import CliRun, libreoffice_csv

from sheetsync.channels.apply import apply_mapping
from sheetsync.channels.mapping import load_mapping
from sheetsync.channels.readers import read_file
from sheetsync.config import load_config
from sheetsync.journal.core import Journal
from sheetsync.steps.workflow.load import desk_workflow, status_words
from sheetsync.stores import open_store
from sheetsync.stores.table import read_table

EXAMPLES = Path(__file__).resolve().parent.parent / "example_workbooks"


@dataclass(frozen=True)
class Team:
    folder: str
    workbook: str
    lang: str
    channels: str
    """The lines a team adds to sheetsync.yaml for its shops (README: "Adopting your own workbook")."""
    mapping: dict[str, str]
    """channel name -> its mapping, to read the exports the way the desk does."""
    cancelled: str
    """The team's word for a cancelled order."""
    approve: str | None = None
    """An order in review the team's approver signs."""


TEAMS = [
    Team("shop_zh", "订单台.xlsx", "zh", "channels:\n  - {name: douyin, path: inbox/*.csv, mapping: douyin}\n",
         {"douyin": "douyin"}, "已取消"),
    Team("autoparts_zh", "汽配订单.xlsx", "zh",
         "workflow: default_zh\nchannels:\n  - {name: wechat, path: inbox/*.csv, mapping: wechat_shop}\n",
         {"wechat": "wechat_shop"}, "已取消", approve="YT2611-0002"),
    Team("crossborder_en", "orders.xlsx", "en",
         "channels:\n  - {name: shopify, path: inbox/shopify*.csv, mapping: shopify_csv}\n"
         "  - {name: woo, path: inbox/woo*.csv, mapping: woocommerce_csv}\n",
         {"shopify": "shopify_csv", "woo": "woocommerce_csv"}, "Cancelled"),
]


def _sheet(config_path: Path) -> pd.DataFrame:
    config = load_config(config_path)
    return read_table(open_store(config), config).frame


def _records(desk: Path, team: Team, folder: str, lang: str) -> dict[str, pd.DataFrame]:
    """channel -> the records of its export files in `folder`, read through its mapping, as the desk reads them."""
    out = {}
    for name, mapping_name in team.mapping.items():
        mapping = load_mapping(mapping_name, desk, lang)  # type: ignore[arg-type]
        prefix = {"shopify": "shopify", "woo": "woo"}.get(name, "")
        parts = [apply_mapping(raw, mapping, mapping.label or name, dt.datetime(2026, 11, 30), lang).records  # type: ignore[arg-type]
                 for path in sorted((desk / folder).glob(f"{prefix}*.csv")) for raw in read_file(path)]
        if parts:
            out[name] = pd.concat(parts)
    return out


def _nothing_lost(desk: Path, team: Team, records: dict[str, pd.DataFrame], result: dict[str, object]) -> None:
    """Every non-empty value of every record is in its order's row (in a cell, or folded into one) or was reported."""
    config = load_config(desk / "sheetsync.yaml")
    sheet = _sheet(desk / "sheetsync.yaml").set_index("order_id")
    words = status_words(config, desk_workflow(config))
    reported = {**dict(result.get("unplaced") or {}), **dict(result.get("folded") or {})}  # type: ignore[call-overload]
    with Journal(config.journal_path, readonly=True) as journal:
        for channel, frame in records.items():
            keys = journal.natural_keys(channel)
            for key, record in frame.iterrows():
                order_id = keys.get(str(key))
                assert order_id in sheet.index, (team.folder, channel, key)
                row = " ".join(str(v) for v in sheet.loc[order_id].dropna().tolist())
                for field, value in record.dropna().items():
                    if field in ("channel", "status") or not isinstance(value, str) or field.startswith("_"):
                        continue
                    placed = value in row or value.replace(" ", "") in row.replace(" ", "")
                    assert placed or field in reported, (team.folder, order_id, field, value, row)
                said = record.get("status")
                if isinstance(said, str):
                    assert sheet.at[order_id, "status"] in set(words.values()) | set(config.statuses), (order_id, said)


@pytest.mark.parametrize("team", TEAMS, ids=[t.folder for t in TEAMS])
def test_the_first_hour_of_a_team(team: Team, tmp_path: Path, run_cli: Callable[..., CliRun],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETSYNC_LANG", team.lang)
    desk = tmp_path / team.folder
    shutil.copytree(EXAMPLES / team.folder, desk)
    book = desk / team.workbook
    config = desk / "sheetsync.yaml"

    run = run_cli("init", "--from", book, "--lang", team.lang, "--json")
    assert run.code == 0, run.err
    adopted = run.json()
    assert adopted["order_id_column"] and adopted["statuses"] and adopted["timezone"]
    id_header = adopted["order_id_column"]
    before = _sheet(config)
    team_ids = before["order_id"].tolist()
    assert all(isinstance(i, str) and i for i in team_ids)
    assert run_cli("check", "-c", config).code == 0

    run = run_cli("sync", "-c", config, "--now", "2026-11-18T08:00", "--json")
    assert run.code == 0, run.err
    assert run.json()["assigned"] == []  # the team's ids are its own: none replaced, none added
    assert _sheet(config)["order_id"].tolist() == team_ids

    config.write_text(config.read_text(encoding="utf-8") + team.channels, encoding="utf-8")
    assert run_cli("check", "-c", config).code == 0
    run = run_cli("sync", "-c", config, "--now", "2026-11-20T08:00", "--json")
    assert run.code == 0, run.err
    pulled = run.json()
    assert pulled["put_back"] == [] and sum(f["new"] for f in pulled["files"]) > 0
    sheet = _sheet(config)
    assert sheet["order_id"].tolist()[: len(team_ids)] == team_ids
    new = sheet.iloc[len(team_ids):]
    assert new["order_id"].str.match(adopted["id_format"].split("{")[0]).all()  # new ids go on in the team's series
    assert new["amount_payable"].notna().all()
    address = new["address"].fillna("")
    if "province" not in sheet.columns:  # one address column: the province, city and district are in it
        assert address.str.contains("省|市").all(), address.tolist()
    _nothing_lost(desk, team, _records(desk, team, "inbox", team.lang), pulled)

    for export in (desk / "later").iterdir():
        shutil.copy(export, desk / "inbox" / export.name)
    run = run_cli("sync", "-c", config, "--now", "2026-11-20T09:00", "--json")
    assert run.code == 0, run.err
    later = run.json()
    assert later["put_back"] == [] and "ILLEGAL_MOVE" not in later["anomalies"]
    assert (_sheet(config)["status"] == team.cancelled).sum() > (sheet["status"] == team.cancelled).sum()  # news landed
    _nothing_lost(desk, team, _records(desk, team, "later", team.lang), later)

    legacy = next((desk / "legacy").iterdir())
    run = run_cli("import", legacy, "-c", config, "--now", "2026-11-20T10:00", "--json")
    assert run.code == 0, run.err
    imported = run.json()
    assert imported["imported"] + imported["rejected"] + imported["duplicate"] + imported["merged"] == imported["read"]
    assert imported["imported"] > 0
    after = _sheet(config)
    assert after["amount_payable"].iloc[-imported["imported"]:].notna().all()  # the old system's amounts land
    assert after["order_id"].tolist()[: len(team_ids)] == team_ids and after["order_id"].is_unique

    run = run_cli("queue", "-c", config, "--now", "2026-11-20T10:00", "--json")
    assert run.code == 0, run.err
    assert sum(len(g["orders"]) for g in run.json()) > 0
    if team.approve:
        run = run_cli("approve", team.approve, "--by", "华东经理", "-c", config, "--now", "2026-11-20T10:05", "--json")
        assert run.code == 0, run.err
        assert _sheet(config).set_index("order_id").at[team.approve, "approver"] == "华东经理"
    run = run_cli("report", "-c", config, "--now", "2026-11-20T10:10", "--json")
    assert run.code == 0, run.err
    assert run.json()["counts"]
    assert id_header in book.name or id_header  # the header named in sheetsync.yaml is the team's own


def test_the_shop_desk_keeps_its_summary_and_charts_and_opens_in_libreoffice(
        tmp_path: Path, run_cli: Callable[..., CliRun], soffice: str) -> None:
    desk = tmp_path / "shop_zh"
    shutil.copytree(EXAMPLES / "shop_zh", desk)
    book, config = desk / "订单台.xlsx", desk / "sheetsync.yaml"
    original = book.read_bytes()
    assert run_cli("init", "--from", book).code == 0
    config.write_text(config.read_text(encoding="utf-8") + TEAMS[0].channels, encoding="utf-8")
    assert run_cli("sync", "-c", config, "--now", "2026-11-20T08:00").code == 0
    backup = next((desk / ".sheetsync" / "backups").iterdir())
    assert backup.read_bytes() == original  # the previous version is kept as it was
    with zipfile.ZipFile(io.BytesIO(original)) as old, zipfile.ZipFile(book) as new:
        kept = [n for n in old.namelist() if n.startswith(("xl/charts/", "xl/drawings/")) or n == "xl/worksheets/sheet2.xml"]
        assert kept and all(old.read(n) == new.read(n) for n in kept)  # the summary sheet and its charts, byte for byte
    rows = libreoffice_csv(soffice, [book], tmp_path / "lo")[book]
    header = rows[1]
    assert header[:3] == ["订单编号", "下单时间", "客户姓名"] and len(rows) == 2 + 30 + 8
    assert rows[-1][header.index("状态")] == "待发货" and "省" in rows[-1][header.index("收货地址")]
