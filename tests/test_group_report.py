"""`sheetsync report --desks`: several desks' KPIs side by side, from their sheetsync.yaml files or from every desk of
one PostgreSQL database; --json, the terminal, and a 看板 workbook a real LibreOffice opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun, libreoffice_csv
from postgres import PASSWORD_ENV, PgDesk

from sheetsync.config import Config

NOW = "2026-11-21T12:00"
Run = Callable[..., CliRun]


def order(n: int, **values: str) -> dict[str, str]:
    return {"order_id": f"SS-{n:04d}", "customer_name": f"客户{n}", "phone": f"138{n:08d}", "status": "待发货",
            **values}


# desk A: four orders of the period (two urgent), one shipped 10 hours after it was made, another 20; a promise due in
# the period kept and one broken; one order past its SLA; one with a phone the phone rule flags.  One older order.
DESK_A = [
    order(1, created_at="2026-11-20 08:00:00", priority="红", shipped_at="2026-11-20 18:00:00", status="已发货",
          promised_by="2026-11-21 08:00:00", delivered_at="2026-11-21 07:00:00"),
    order(2, created_at="2026-11-20 09:00:00", priority="加急", shipped_at="2026-11-21 05:00:00", status="已发货",
          promised_by="2026-11-21 09:00:00", delivered_at="2026-11-21 11:00:00"),
    order(3, created_at="2026-11-20 10:00:00", priority="绿", sla="已超时 3小时"),
    order(4, created_at="2026-11-21 10:00:00", phone="12345"),
    order(5, created_at="2026-10-01 10:00:00", priority="红"),
]
DESK_B = [order(11, created_at="2026-11-20 08:00:00", priority="黄"),
          order(12, created_at="2026-11-19 08:00:00", priority="紧急")]


def made(make_desk: Callable[..., Config], rows: list[dict[str, str]], name: str) -> Config:
    """A desk of `rows` whose one rule is the phone rule."""
    config = make_desk(rows, name=name)
    text = config.source.read_text(encoding="utf-8").replace("phone: {level: 'off'}", "phone: {level: 'error'}")
    config.source.write_text(text, encoding="utf-8")
    return config


def desks(make_desk: Callable[..., Config], run_cli: Run) -> tuple[Config, Config]:
    a, b = made(make_desk, DESK_A, "east"), made(make_desk, DESK_B, "west")
    for config in (a, b):
        assert run_cli("sync", "-c", config.source, "--now", NOW).code in (0, 3)
    return a, b


def test_the_desks_kpis_side_by_side_are_the_figures_of_their_sheets(make_desk: Callable[..., Config], run_cli: Run,
                                                                     tmp_path: Path, soffice: str) -> None:
    a, b = desks(make_desk, run_cli)
    run = run_cli("report", "--desks", a.source, b.source, "--now", NOW, "--json")
    assert run.code == 0, run.err
    east, west = run.json()["desks"]
    assert (east["desk"], west["desk"]) == ("east", "west")
    assert (east["orders"], east["urgent"], east["urgent_share"]) == (4, 2, 0.5)
    assert east["on_time_rate"] == 0.5 and east["ship_median_hours"] == 15.0 and east["shipped"] == 2
    assert east["past_sla"] == 1 and (east["anomaly_orders"], east["anomaly_rate"]) == (1, 0.25)
    assert east["returns"] is None and east["return_rate"] is None  # no after-sales sheet
    assert (west["orders"], west["urgent"], west["urgent_share"]) == (2, 1, 0.5)
    assert west["on_time_rate"] is None and west["ship_median_hours"] is None and west["anomaly_rate"] == 0.0

    shown = run_cli("report", "--desks", a.source, b.source, "--now", NOW, "--out", tmp_path / "group.xlsx")
    assert shown.code == 0, shown.err
    assert "加急订单占比" in shown.out and "50.0%" in shown.out and "group.xlsx" in shown.out
    rows = libreoffice_csv(soffice, [tmp_path / "group.xlsx"], tmp_path / "lo")[tmp_path / "group.xlsx"]
    table = {r[0]: r[1:3] for r in rows if r and r[0]}
    assert table["指标"] == ["east", "west"]
    assert table["订单数"] == ["4", "2"] and table["加急订单占比"] == ["50.0%", "50.0%"]
    assert table["准时率"] == ["50.0%", "—"]


def test_every_desk_of_a_postgresql_database_is_read_from_its_journal(make_desk: Callable[..., Config], run_cli: Run,
                                                                     pg: PgDesk, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = made(make_desk, DESK_A, "east"), made(make_desk, DESK_B, "west")
    for config, name in ((a, "east"), (b, "west")):
        pg.use(config.source, f"{pg.desk}_{name}")
        assert run_cli("sync", "-c", config.source, "--now", NOW).code in (0, 3)
    from_files = run_cli("report", "--desks", a.source, b.source, "--now", NOW, "--json")
    from_db = run_cli("report", "--desks", pg.url, "--password-env", PASSWORD_ENV, "--now", NOW, "--json")
    assert from_db.code == 0, from_db.err
    mine = [d for d in from_db.json()["desks"] if d["desk"].startswith(pg.desk)]
    assert [d["desk"] for d in mine] == [f"{pg.desk}_east", f"{pg.desk}_west"]
    assert mine[0]["table"] == "xlsx:orders.xlsx/订单"
    figures = ("orders", "urgent", "on_time_rate", "ship_median_hours", "past_sla", "anomaly_orders")
    for db_desk, file_desk in zip(mine, from_files.json()["desks"], strict=True):
        assert {k: db_desk[k] for k in figures} == {k: file_desk[k] for k in figures}

    # a manager's role that may only read the two journals sees them, and nothing else of the database
    reader, secret = f"r_{pg.desk}", f"pw-{pg.desk}"
    pg.execute(f"CREATE ROLE {reader} LOGIN PASSWORD '{secret}'")
    try:
        for name in ("east", "west"):
            pg.execute(f"GRANT USAGE ON SCHEMA {pg.desk}_{name} TO {reader};"
                       f" GRANT SELECT ON ALL TABLES IN SCHEMA {pg.desk}_{name} TO {reader}")
        monkeypatch.setenv("READER_PASSWORD", secret)
        url = pg.url.replace("//sheetsync@", f"//{reader}@")
        as_reader = run_cli("report", "--desks", url, "--password-env", "READER_PASSWORD", "--now", NOW, "--json")
        assert as_reader.code == 0, as_reader.err
        assert as_reader.json()["desks"] == mine
    finally:
        pg.execute(f"DROP OWNED BY {reader}; DROP ROLE {reader}")


def test_desks_needs_desks_and_its_dashboard_goes_to_a_new_workbook(run_cli: Run, tmp_path: Path) -> None:
    run = run_cli("report", "--desks")
    assert run.code == 2 and "sheetsync.yaml" in run.err
    run = run_cli("report", "--desks", tmp_path / "sheetsync.yaml", "--dashboard")
    assert run.code == 2 and "--out" in run.err
