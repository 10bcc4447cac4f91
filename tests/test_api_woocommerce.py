"""The `woocommerce` channel against the local WooCommerce REST API v3 (`woo_server.FakeWooCommerce`), through real
HTTP: closed windows and pages, a store that ignores `modified_after` refused with its reason, Basic auth with the
query-string form when the header is dropped, an order changed while the window is walked, faults waited out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from desks import by_channel_order
from woo_server import FakeWooCommerce

import sheetsync
from sheetsync import load_config
from sheetsync.config import Config, load_preset
from sheetsync.desk.new import init_desk
from sheetsync.errors import ChannelFailed
from sheetsync.journal.core import Journal

H = load_preset("zh")


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr("sheetsync.channels.api._sleep", waits.append)
    return waits


def _desk(tmp_path: Path, fake: FakeWooCommerce, monkeypatch: pytest.MonkeyPatch) -> Config:
    init_desk(tmp_path / "desk", "zh")
    monkeypatch.setenv("WC_KEY", fake.key)
    monkeypatch.setenv("WC_SECRET", fake.secret)
    with (tmp_path / "desk" / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"channels:\n  - {{name: woo, kind: woocommerce, url: '{fake.base_url}', key_env: WC_KEY, "
                 "secret_env: WC_SECRET, since: 3d}\ntimezone: Asia/Shanghai\n")
    return load_config(tmp_path / "desk" / "sheetsync.yaml")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def _local(moment: dt.datetime) -> dt.datetime:
    """A GMT moment as the desk's clock (Asia/Shanghai) gives it to a run."""
    return moment + dt.timedelta(hours=8)


def _order(fake: FakeWooCommerce, when: dt.datetime, **more: object) -> int:
    fields: dict[str, object] = {
        "status": "processing", "total": "88.00", "currency": "CNY",
        "billing": {"first_name": "芳", "last_name": "王", "email": "wang@example.com", "phone": "13812345678"},
        "shipping": {"first_name": "芳", "last_name": "王", "address_1": "文三路 90 号", "city": "杭州市", "state": "浙江省",
                     "postcode": "310012", "country": "CN", "phone": "13812345678"},
        "line_items": [{"name": "T恤", "sku": "TS-01", "quantity": 1, "price": "88.00"}], **more}
    return fake.add_order(created=when, modified=when, **fields)


def test_orders_land_page_by_page_and_a_second_run_reads_from_the_cursor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                         slept: list[float]) -> None:
    with FakeWooCommerce() as fake:
        config = _desk(tmp_path, fake, monkeypatch)
        now = _now()
        ids = [_order(fake, now - dt.timedelta(hours=20) + dt.timedelta(minutes=i)) for i in range(130)]
        result = sheetsync.sync(config, now=_local(now))
        rows = by_channel_order(config)
        assert len(rows) == 130 and result.workbook_written
        first = rows[str(ids[0])]
        assert (first["customer_name"], first["city"], first["status"]) == ("芳 王", "杭州市", "待确认")
        assert first["postcode"] == "310012" and "TS-01" in str(first["items"])
        reads = [r for r in fake.requests if r.path.endswith("/orders")]
        assert all(r.query.get("dates_are_gmt") == ["true"] and r.query.get("status") == ["any"] for r in reads)
        future = (now + dt.timedelta(days=300)).isoformat()
        assert any(r.query.get("modified_after", [""])[0] > future for r in reads)  # the first run's check of the window
        fake.update_order(ids[5], modified=now + dt.timedelta(minutes=1), status="completed")
        later = sheetsync.sync(load_config(config.source), now=_local(now + dt.timedelta(minutes=5)))
        assert by_channel_order(config)[str(ids[5])]["status"] == "已完成"
        assert {c["field"] for c in later.changes} == {"status"}
        with Journal(config.journal_path) as journal:
            assert journal.cursor("woo") is not None
        assert fake.server_errors == []


def test_a_store_that_ignores_the_window_is_refused_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    slept: list[float]) -> None:
    with FakeWooCommerce(ignores_modified_after=True) as fake:
        config = _desk(tmp_path, fake, monkeypatch)
        _order(fake, _now() - dt.timedelta(hours=1))
        with pytest.raises(ChannelFailed, match="modified_after"):
            sheetsync.sync(config, now=_local(_now()))
        with Journal(config.journal_path) as journal:
            assert journal.cursor("woo") is None


def test_a_host_that_drops_the_authorization_header_is_read_with_the_query_string_form(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slept: list[float]) -> None:
    with FakeWooCommerce(drops_authorization=True) as fake:
        config = _desk(tmp_path, fake, monkeypatch)
        order = _order(fake, _now() - dt.timedelta(hours=1))
        fake.fail_next(503, retry_after=3)
        sheetsync.sync(config, now=_local(_now()))
        assert str(order) in by_channel_order(config) and 3.0 in slept
        assert any("consumer_key" in r.query for r in fake.requests)
        assert fake.server_errors == []


def test_an_order_changed_while_the_window_is_walked_skips_no_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   slept: list[float]) -> None:
    with FakeWooCommerce() as fake:
        config = _desk(tmp_path, fake, monkeypatch)
        now = _now()
        ids = [_order(fake, now - dt.timedelta(hours=20) + dt.timedelta(minutes=i)) for i in range(150)]
        calls: list[int] = []

        def change_once() -> None:  # while the second page is asked for, the 10th order changes: it leaves the window
            calls.append(1)
            if len(calls) == 3:
                fake.update_order(ids[9], modified=now + dt.timedelta(minutes=2), status="completed")
        for _ in range(6):
            fake.before_next(change_once)
        sheetsync.sync(config, now=_local(now))
        assert len(calls) >= 3 and fake.order(ids[9])["status"] == "completed"  # it did change mid-walk
        assert set(map(str, ids)) - set(by_channel_order(config)) <= {str(ids[9])}
        sheetsync.sync(load_config(config.source), now=_local(now + dt.timedelta(minutes=5)))
        assert set(map(str, ids)) <= set(by_channel_order(config))
