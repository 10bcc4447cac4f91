"""The `kuaidi100` logistics kind against the local 快递100 query API (`kuaidi100_server.FakeKuaidi100`), through real
HTTP: signed queries for the orders still on their way, 揽收 / 签收 giving shipped_at / delivered_at, a waybill not
asked twice within half an hour nor after it was signed for, the sign checked against the documented formula."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import read_sheet
from kuaidi100_server import FakeKuaidi100

import sheetsync
from sheetsync import load_config
from sheetsync.channels.kuaidi100 import company_of, sign
from sheetsync.config import Config, load_preset

H = load_preset("zh")
NOW = dt.datetime(2026, 11, 23, 9, 0)


def _rows(config: Config) -> dict[str, dict[str, object]]:
    rows = read_sheet(config.workbook_path)
    fields = {v: k for k, v in H.items()}
    return {str(r[0]): {fields[h]: v for h, v in zip(rows[0], r, strict=False) if h in fields} for r in rows[1:]}


def test_the_sign_is_the_documented_md5_of_param_key_customer() -> None:
    param = '{"com":"yuantong","num":"YT9693083639795","phone":"","resultv2":"1"}'
    expected = hashlib.md5((param + "testkey" + "TESTCUSTOMER").encode()).hexdigest().upper()
    assert sign(param, "testkey", "TESTCUSTOMER") == expected and expected.isupper() and len(expected) == 32
    assert company_of("顺丰速运", "SF1") == "shunfeng" and company_of(None, "JT0001") == "jtexpress"
    assert company_of("中通快递", "7") == "zhongtong" and company_of("不认识", "123") is None


def test_tracking_states_become_shipped_and_delivered_times_and_no_waybill_is_asked_too_often(
        make_desk: Callable[..., Config], monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeKuaidi100() as fake:
        config = make_desk([
            {"order_id": "A1", "tracking_no": "SF1402345678913", "carrier": "顺丰速运", "phone": "13812345678",
             "status": "已发货"},
            {"order_id": "A2", "tracking_no": "YT9693083639795", "carrier": "圆通", "phone": "13900001111",
             "status": "已发货"},
            {"order_id": "A3", "customer_name": "没有运单号"},
        ])
        monkeypatch.setenv("KD_CUSTOMER", "TESTCUSTOMER")
        monkeypatch.setenv("KD_KEY", "testkey")
        monkeypatch.setattr("sheetsync.channels.api._sleep", lambda s: None)
        with config.source.open("a", encoding="utf-8") as fh:
            fh.write(f"logistics:\n  - {{name: kd, kind: kuaidi100, customer_env: KD_CUSTOMER, key_env: KD_KEY, "
                     f"endpoint: '{fake.base_url}'}}\n")
        config = load_config(config.source)
        picked = dt.datetime(2026, 11, 22, 18, 5)
        fake.add_waybill("shunfeng", "SF1402345678913", [(picked, "【杭州市】顺丰速运 已收取快件", 1),
                                                         (picked + dt.timedelta(hours=14), "【北京市】已签收", 3)],
                         phone="13812345678")
        fake.add_waybill("yuantong", "YT9693083639795", [(picked, "【上海市】圆通 已揽收", 1)])
        sheetsync.sync(config, now=NOW)  # the journal learns the rows: nothing to ask yet
        assert fake.queries == []
        sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(minutes=1))
        rows = _rows(config)
        assert rows["A1"]["shipped_at"] == picked and rows["A1"]["delivered_at"] == picked + dt.timedelta(hours=14)
        assert rows["A2"]["shipped_at"] == picked and rows["A2"]["delivered_at"] in ("", None)
        assert sorted(q for q in fake.queries) == ["SF1402345678913", "YT9693083639795"]
        assert fake.server_errors == []
        sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(minutes=10))
        assert len(fake.queries) == 2  # within half an hour: not asked again
        fake.advance("YT9693083639795", (picked + dt.timedelta(hours=20), "【广州市】已签收", 3))
        sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(minutes=45))
        assert fake.queries[2:] == ["YT9693083639795"]  # the signed-for SF waybill is never asked again
        assert _rows(config)["A2"]["delivered_at"] == picked + dt.timedelta(hours=20)


def test_a_wrong_key_is_exit_5_naming_the_channel(make_desk: Callable[..., Config], monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    with FakeKuaidi100() as fake:
        config = make_desk([{"order_id": "A1", "tracking_no": "YT9693083639795", "carrier": "圆通", "status": "已发货"}])
        monkeypatch.setenv("KD_CUSTOMER", "TESTCUSTOMER")
        monkeypatch.setenv("KD_KEY", "not-the-key")
        monkeypatch.setattr("sheetsync.channels.api._sleep", lambda s: None)
        fake.add_waybill("yuantong", "YT9693083639795", [(NOW, "已揽收", 1)])
        with config.source.open("a", encoding="utf-8") as fh:
            fh.write(f"logistics:\n  - {{name: kd, kind: kuaidi100, customer_env: KD_CUSTOMER, key_env: KD_KEY, "
                     f"endpoint: '{fake.base_url}'}}\n")
        sheetsync.sync(load_config(config.source), now=NOW)
        with pytest.raises(sheetsync.ChannelFailed, match="kd") as failed:
            sheetsync.sync(load_config(config.source), now=NOW + dt.timedelta(minutes=1))
        assert "not-the-key" not in failed.value.message
