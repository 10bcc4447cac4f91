"""The `doudian` channel against the local 抖店开放平台 (`doudian_server.FakeDoudian`), through real HTTP: signed calls,
windows walked by update time without losing an order updated meanwhile, receivers decrypted (or kept masked and
said), the cursor committed with the run, a failing platform reported with exit 5 while the other channels land."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import CliRun
from desks import by_channel_order
from doudian_server import FakeDoudian

import sheetsync
from sheetsync import load_config
from sheetsync.channels.doudian import param_json, sign
from sheetsync.config import Config, load_preset
from sheetsync.desk.new import init_desk
from sheetsync.errors import ChannelFailed
from sheetsync.journal.core import Journal

H = load_preset("zh")
CST = dt.timezone(dt.timedelta(hours=8))
VECTORS = Path(__file__).parent / "data" / "doudian_sign_vectors.json"
EXPORTS = Path(__file__).parent / "data" / "exports"


@pytest.fixture
def fake() -> Iterator[FakeDoudian]:
    with FakeDoudian() as server:
        yield server
        assert server.server_errors == []


def _desk(tmp_path: Path, fake: FakeDoudian, monkeypatch: pytest.MonkeyPatch, more: str = "") -> Config:
    init_desk(tmp_path / "desk", "zh")
    for name, value in (("DY_KEY", fake.app_key), ("DY_SECRET", fake.app_secret), ("DY_TOKEN", fake.access_token)):
        monkeypatch.setenv(name, value)
    with (tmp_path / "desk" / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"channels:\n  - {{name: dy, kind: doudian, app_key_env: DY_KEY, app_secret_env: DY_SECRET, "
                 f"token_env: DY_TOKEN, endpoint: '{fake.base_url}', since: 2d}}\n{more}timezone: Asia/Shanghai\n")
    return load_config(tmp_path / "desk" / "sheetsync.yaml")


def _now() -> dt.datetime:
    return dt.datetime.now(CST).replace(tzinfo=None, microsecond=0)


def test_our_signature_is_the_platforms_on_vectors_computed_by_openssl() -> None:
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    assert len(vectors) >= 2 and {v["sign_method"] for v in vectors} >= {"md5", "hmac-sha256"}
    for v in vectors:
        body = param_json(json.loads(v["param_json_input"]))
        assert body == v["param_json"], v["name"]  # sorted at every level, compact, Chinese as it is
        assert sign(v["app_key"], v["app_secret"], v["method"], body, v["timestamp"], v["v"], v["sign_method"]) == v["sign"]


def test_orders_land_decrypted_and_a_second_run_reads_from_the_cursor(tmp_path: Path, fake: FakeDoudian,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    made = now - dt.timedelta(hours=5)
    first = fake.add_order(create_time=made, order_status=2, receiver_name="王芳", receiver_phone="13812345678",
                           address={"province": "浙江省", "city": "杭州市", "town": "西湖区", "street": "文新街道",
                                    "detail": "文三路 90 号"},
                           skus=[{"product_name": "T恤", "item_num": 2, "origin_amount": 6450, "code": "TS-01"}])
    second = fake.add_order(create_time=made + dt.timedelta(minutes=3), order_status=1, receiver_name="李雷",
                            receiver_phone="13900001111")
    result = sheetsync.sync(config, now=now)
    rows = by_channel_order(config)
    assert {first, second} <= set(rows) and result.workbook_written
    wang = rows[first]
    assert (wang["customer_name"], wang["phone"], wang["city"], wang["status"]) == ("王芳", "13812345678", "杭州市", "待确认")
    assert wang["amount_payable"] == 129 and "TS-01×2" in str(wang["items"]) and "文三路 90 号" in str(wang["address"])
    with Journal(config.journal_path) as journal:
        cursor = json.loads(journal.cursor("dy") or "{}")
    assert cursor["end"].startswith(now.replace(tzinfo=CST).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))
    assert all(r.api for r in fake.api_requests())  # every call named its method and was signed (else: refused)
    # the shop ships 王芳's order: the next run reads from the cursor and changes only that
    fake.update_order(first, update_time=now + dt.timedelta(minutes=2), order_status=3,
                      tracking={"tracking_no": "SF1402345678913", "company": "shunfeng", "company_name": "顺丰速运",
                                "ship_time": now + dt.timedelta(minutes=2)})
    later = sheetsync.sync(load_config(config.source), now=now + dt.timedelta(minutes=5))
    wang = by_channel_order(config)[first]
    assert wang["tracking_no"] == "SF1402345678913" and wang["carrier"] == "顺丰速运"
    assert {c["order_id"] for c in later.changes} == {wang["order_id"]}
    searches = [r for r in fake.api_requests("order.searchList")]
    start = json.loads(searches[-1].param_json)["update_time_start"]
    assert start >= int((now - dt.timedelta(minutes=15)).replace(tzinfo=CST).timestamp())  # from the cursor, less the overlap
    again = sheetsync.sync(load_config(config.source), now=now + dt.timedelta(minutes=6))
    assert again.changes == [] and not again.workbook_written


def test_an_order_updated_while_the_window_is_walked_is_not_lost(tmp_path: Path, fake: FakeDoudian,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    ids = [fake.add_order(create_time=now - dt.timedelta(hours=3), update_time=now - dt.timedelta(hours=3, seconds=-i),
                          receiver_phone=f"138000{i:05d}") for i in range(150)]
    # while the first page is answered, the 10th order changes: it leaves the window (updated after the run began)
    fake.before_next(lambda: fake.update_order(ids[9], update_time=now + dt.timedelta(minutes=1), order_status=3),
                     match="searchList")
    sheetsync.sync(config, now=now)
    landed = set(by_channel_order(config))
    assert set(ids) - landed <= {ids[9]}  # every other order of the window, the ones after it included
    assert len(fake.api_requests("order.searchList")) >= 2
    sheetsync.sync(load_config(config.source), now=now + dt.timedelta(minutes=5))
    assert set(ids) <= set(by_channel_order(config))  # the changed one comes in the next window


def test_without_the_decrypt_permission_the_masked_receiver_is_kept_and_said(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeDoudian(can_decrypt=False) as fake:
        config = _desk(tmp_path, fake, monkeypatch)
        now = _now()
        order = fake.add_order(create_time=now - dt.timedelta(hours=1), receiver_name="李雷", receiver_phone="13900001111")
        sheetsync.sync(config, now=now)
        row = by_channel_order(config)[order]
        assert row["customer_name"] != "李雷" and "*" in str(row["customer_name"]) and "*" in str(row["phone"])
        assert "打码" in str(row["note"])  # said on the order, never guessed
        assert fake.server_errors == []


def test_a_platform_that_fails_is_exit_5_naming_it_and_the_other_channels_land(
        tmp_path: Path, fake: FakeDoudian, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliRun]) -> None:
    config = _desk(tmp_path, fake, monkeypatch, more="  - {name: douyin, path: inbox/douyin/*, mapping: douyin}\n")
    (config.base_dir / "inbox" / "douyin").mkdir(parents=True)
    shutil.copy(EXPORTS / "douyin_orders.csv", config.base_dir / "inbox" / "douyin")
    fake.add_order(create_time=_now() - dt.timedelta(hours=1))
    token = fake.access_token
    fake.revoke_token("expired")
    done = run_cli("sync", "-c", config.source)
    assert done.code == 5 and "dy" in done.err and "40003" in done.err and token not in done.err
    assert len(by_channel_order(config)) == 13  # the file channel's orders are written
    with Journal(config.journal_path) as journal:
        assert journal.cursor("dy") is None  # the failed channel's cursor did not move
    with pytest.raises(ChannelFailed):
        sheetsync.sync(load_config(config.source))
    log = (config.state_dir / "logs" / "sheetsync.log").read_text(encoding="utf-8")
    assert "dy" in log and fake.app_secret not in log and token not in log and fake.app_key not in log


def test_a_call_signed_with_the_wrong_secret_is_refused_by_the_platform(tmp_path: Path, fake: FakeDoudian,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    monkeypatch.setenv("DY_SECRET", "not-the-secret")
    fake.add_order(create_time=_now() - dt.timedelta(hours=1))
    with pytest.raises(ChannelFailed, match="signature"):
        sheetsync.sync(config, now=_now())
    assert all(r.answer().get("sub_code") == "isv.signature-invalid" for r in fake.api_requests())


def test_an_order_updated_at_the_windows_edge_is_taken_once(tmp_path: Path, fake: FakeDoudian,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    config = _desk(tmp_path, fake, monkeypatch)
    now = _now()
    fake.add_order(create_time=now - dt.timedelta(hours=1), update_time=now)  # at the very second the window ends
    first = sheetsync.sync(config, now=now)
    assert [f["rows_read"] for f in first.files if f["channel"] == "dy"] == [1]
    second = sheetsync.sync(load_config(config.source), now=now + dt.timedelta(minutes=1))  # its overlap reads it again
    assert [f["rows_read"] for f in second.files if f["channel"] == "dy"] == [0]  # dropped by (id, update time)
