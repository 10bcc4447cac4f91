"""The `shopify` channel against the local GraphQL Admin API (`shopify_server.FakeShopify`: queries executed by
graphql-core, Shopify's cost rules and leaky bucket), through real HTTP: windows walked by cursor, line items paged,
fulfillments and refunds, the cost budget and THROTTLED waited out, an order updated while its window is walked, and
`channels test`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import CliRun, read_sheet
from desks import by_channel_order
from shopify_server import FakeShopify

import sheetsync
from sheetsync import load_config
from sheetsync.channels.shopify import ShopifyChannel
from sheetsync.config import Config, load_preset
from sheetsync.desk.new import init_desk
from sheetsync.journal.core import Journal

H = load_preset("zh")
UTC = dt.UTC


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The channel's waits, recorded instead of slept (the server's clock moves by them)."""
    waits: list[float] = []
    monkeypatch.setattr("sheetsync.channels.api._sleep", waits.append)
    return waits


@pytest.fixture
def fake(slept: list[float]) -> Iterator[FakeShopify]:
    with FakeShopify(clock=lambda: 1_000_000.0 + sum(slept)) as server:
        yield server
        assert server.server_errors == []


def _desk(tmp_path: Path, fake: FakeShopify, monkeypatch: pytest.MonkeyPatch) -> Config:
    init_desk(tmp_path / "desk", "zh")
    monkeypatch.setenv("SHOPIFY_TOKEN", "shpat_test")
    with (tmp_path / "desk" / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"channels:\n  - {{name: shop, kind: shopify, shop: example.myshopify.com, token_env: SHOPIFY_TOKEN, "
                 f"api_version: '2026-10', endpoint: '{fake.base_url}', since: 3d}}\ntimezone: Asia/Shanghai\n")
    return load_config(tmp_path / "desk" / "sheetsync.yaml")


def _now() -> dt.datetime:
    return dt.datetime.now(UTC).replace(microsecond=0)


def _order(fake: FakeShopify, name: str, when: dt.datetime, **more: object) -> str:
    return fake.add_order(**{"name": name, "created_at": when, "updated_at": when, "financial_status": "PAID",
                             "fulfillment_status": "UNFULFILLED", "email": f"{name[1:]}@example.com", "total": "59.90",
                             "currency": "USD", "shipping_address": {"name": "Ada Lovelace", "phone": "+44 20 7946 0958",
                                                                     "address1": "12 St James's Square", "city": "London",
                                                                     "zip": "SW1Y 4JH", "country": "United Kingdom",
                                                                     "country_code": "GB"},
                             "line_items": [{"title": "Mug", "sku": "MUG-1", "quantity": 2, "price": "29.95"}], **more})


def test_orders_land_with_their_items_tracking_and_statuses_and_a_second_run_changes_nothing(
        tmp_path: Path, fake: FakeShopify, monkeypatch: pytest.MonkeyPatch, slept: list[float]) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    _order(fake, "#1001", now - dt.timedelta(hours=5))
    _order(fake, "#1002", now - dt.timedelta(hours=4), fulfillment_status="FULFILLED",
           fulfillments=[{"company": "Royal Mail", "number": "RM123456785GB", "created_at": now - dt.timedelta(hours=1)}])
    _order(fake, "#1003", now - dt.timedelta(hours=3), cancelled_at=now - dt.timedelta(hours=2))
    _order(fake, "#1004", now - dt.timedelta(hours=2), financial_status="REFUNDED",
           refunds=[{"amount": "59.90", "created_at": now - dt.timedelta(hours=1)}])
    many = [{"title": f"Sticker {i}", "sku": f"ST-{i:03d}", "quantity": 1, "price": "1.00"} for i in range(300)]
    _order(fake, "#1005", now - dt.timedelta(hours=1), line_items=many)
    sheetsync.sync(config, now=now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None))
    rows = by_channel_order(config)
    assert set(rows) == {"#1001", "#1002", "#1003", "#1004", "#1005"}
    assert rows["#1001"]["status"] == "待确认" and rows["#1001"]["country"] == "GB" and "MUG-1×2" in str(rows["#1001"]["items"])
    assert rows["#1002"]["tracking_no"] == "RM123456785GB" and rows["#1002"]["carrier"] == "Royal Mail"
    assert rows["#1003"]["status"] == "异常关闭" and rows["#1004"]["status"] == "已退款"
    assert str(rows["#1005"]["items"]).count("ST-") == 300  # 300 line items, paged by the order's own cursor
    line_pages = [r for r in fake.requests if "lineItems(first: 250" in r.body.decode()]
    assert len(line_pages) >= 1
    assert all(c.requested <= 1000 for c in fake.cost_log)  # no query over Shopify's single-query limit
    with Journal(config.journal_path) as journal:
        assert json.loads(journal.cursor("shop") or "{}")["end"].startswith(now.strftime("%Y-%m-%dT%H:%M"))
    again = sheetsync.sync(load_config(config.source), now=(now + dt.timedelta(minutes=5)).astimezone(
        dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None))
    assert again.changes == [] and not again.workbook_written


def test_a_small_bucket_and_throttled_answers_are_waited_out_and_nothing_is_lost(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slept: list[float]) -> None:
    with FakeShopify(bucket=1000, restore_rate=50, clock=lambda: 1_000_000.0 + sum(slept)) as fake:  # time: the waits
        config = _desk(tmp_path, fake, monkeypatch)
        now = _now()
        for i in range(120):
            _order(fake, f"#{2000 + i}", now - dt.timedelta(hours=10) + dt.timedelta(minutes=i))
        fake.throttle_next()
        fake.fail_next(429, retry_after=2)
        sheetsync.sync(config, now=now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None))
        assert len(by_channel_order(config)) == 120
        assert 2.0 in slept and any(w > 0 for w in slept if w != 2.0)  # Retry-After honoured, THROTTLED waited out
        assert fake.server_errors == []


def test_an_order_updated_while_its_window_is_walked_is_taken_once_and_none_is_skipped(
        tmp_path: Path, fake: FakeShopify, monkeypatch: pytest.MonkeyPatch, slept: list[float]) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    ids = [_order(fake, f"#{3000 + i}", now - dt.timedelta(hours=6) + dt.timedelta(minutes=i)) for i in range(60)]
    fake.before_next(lambda: None)  # the first page as it is
    fake.before_next(lambda: fake.update_order(ids[3], updated_at=now - dt.timedelta(minutes=1), note="改地址"))
    sheetsync.sync(config, now=now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None))
    assert len(by_channel_order(config)) == 60  # the one moved within the window came again later, once; none skipped


def test_channels_test_reads_one_page_and_says_the_rate_limit(tmp_path: Path, fake: FakeShopify,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              run_cli: Callable[..., CliRun]) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    for i in range(30):
        _order(fake, f"#{4000 + i}", now - dt.timedelta(hours=2) + dt.timedelta(minutes=i))
    shown = run_cli("channels", "test", "-c", config.source, "--json")
    assert shown.code == 0, shown.err
    (found,) = shown.json()
    assert found["ok"] and found["channel"] == "shop" and 1 <= found["orders"] <= 30 and "points" in found["rate"]
    assert not config.journal_path.exists() or Journal(config.journal_path).cursor("shop") is None  # wrote nothing
    fake.revoke_token()
    failed = run_cli("channels", "test", "shop", "-c", config.source)
    assert failed.code == 5 and "401" in failed.out and "shpat_test" not in failed.out + failed.err


def test_the_channel_sizes_its_pages_by_what_shopify_says_they_cost(tmp_path: Path, fake: FakeShopify,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    slept: list[float]) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    for i in range(80):
        _order(fake, f"#{5000 + i}", now - dt.timedelta(hours=3) + dt.timedelta(minutes=i))
    channel = ShopifyChannel(config, config.channels[0], _mapping(config), lambda s: s)  # type: ignore[arg-type,return-value]
    window = channel.window(None, now)
    orders = channel.fetch(window)
    assert len(orders) == 80 and len(channel.costs) >= 2
    assert max(r for r, _ in channel.costs) <= 1000


def _mapping(config: Config) -> object:
    from sheetsync.channels.mapping import load_mapping

    return load_mapping("shopify_api", config.base_dir, config.language)


class _Killed(BaseException):
    """The process dying at a chosen moment (BaseException: nothing on the way catches it)."""


@pytest.mark.parametrize("moment", ["before_the_workbook_is_in_place", "before_the_journal_confirms"])
def test_a_run_killed_around_its_write_leaves_the_cursor_with_the_journal_and_the_next_run_takes_nothing_twice(
        moment: str, tmp_path: Path, fake: FakeShopify, monkeypatch: pytest.MonkeyPatch, slept: list[float]) -> None:
    from sheetsync.journal.core import Journal as JournalClass
    from sheetsync.stores.xlsx import XlsxStore

    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    local = now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    sheetsync.sync(config, now=local)  # an empty window: the journal exists, the cursor is set
    for i in range(5):
        _order(fake, f"#{6000 + i}", now + dt.timedelta(minutes=1 + i))
    later = local + dt.timedelta(minutes=10)
    with monkeypatch.context() as m:
        if moment == "before_the_workbook_is_in_place":
            def staged_then_killed(self: XlsxStore, *args: object, **kwargs: object) -> None:
                on_staged = args[2] if len(args) > 2 else kwargs.get("on_staged")
                assert callable(on_staged)
                on_staged("the new workbook's digest, never in place")
                raise _Killed
            m.setattr(XlsxStore, "write", staged_then_killed)
        else:
            def killed(self: JournalClass, run_id: int) -> None:
                raise _Killed
            m.setattr(JournalClass, "confirm", killed)
        with pytest.raises(_Killed):
            sheetsync.sync(load_config(config.source), now=later)
    with Journal(config.journal_path) as journal:
        assert journal.db.execute("SELECT count(*) FROM runs WHERE state='pending'").fetchone()[0] == 1
    after = sheetsync.sync(load_config(config.source), now=later + dt.timedelta(minutes=1))  # recovery, then the run
    rows = read_sheet(config.workbook_path)
    names = [r[rows[0].index(H["channel_order_id"])] for r in rows[1:]]
    assert sorted(names) == [f"#{6000 + i}" for i in range(5)]  # each order once
    if moment == "before_the_journal_confirms":  # the write had landed: kept, and the cursor with it
        assert after.changes == [] and not after.workbook_written
    else:  # rolled back, the cursor too: the window read again, its orders written now
        assert len(after.changes) == 5
    again = sheetsync.sync(load_config(config.source), now=later + dt.timedelta(minutes=2))
    assert again.changes == []


def test_an_order_updated_exactly_at_the_windows_edge_is_taken_once(tmp_path: Path, fake: FakeShopify,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   slept: list[float]) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    local = now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    _order(fake, "#7001", now)  # updated at the very second the first run's window ends
    first = sheetsync.sync(config, now=local)
    assert [f["rows_read"] for f in first.files if f["channel"] == "shop"] == [1]
    second = sheetsync.sync(load_config(config.source), now=local + dt.timedelta(minutes=1))  # its overlap reads it again
    assert [f["rows_read"] for f in second.files if f["channel"] == "shop"] == [0]  # dropped by (id, updatedAt)
    assert len(by_channel_order(config)) == 1 and second.changes == []


def test_500s_a_malformed_answer_and_a_timeout_are_tried_again_and_no_secret_is_kept_anywhere(
        tmp_path: Path, fake: FakeShopify, monkeypatch: pytest.MonkeyPatch, slept: list[float],
        run_cli: Callable[..., CliRun]) -> None:
    monkeypatch.setattr("sheetsync.channels.api.TIMEOUT", 0.5)
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    for i in range(3):
        _order(fake, f"#{8000 + i}", now - dt.timedelta(hours=1, minutes=i))
    fake.fail_next(500)
    fake.malformed_next()
    fake.delay_next(1.5)
    shown = run_cli("sync", "-c", config.source, "--json")
    assert shown.code == 0, shown.err
    assert len(by_channel_order(config)) == 3 and len(slept) >= 2  # the faults waited out
    kept = b"".join(p.read_bytes() for p in config.state_dir.rglob("*") if p.is_file()) + config.journal_path.read_bytes()
    assert b"shpat_test" not in kept and "shpat_test" not in shown.out + shown.err
