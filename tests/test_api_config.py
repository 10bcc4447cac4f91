"""An API channel's configuration said wrong: a secret's variable unset, plain http to another machine, a setting
missing: exit 2 naming what to fix, before anything is asked of the platform or written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliRun

from sheetsync.desk.new import init_desk


def _desk(tmp_path: Path, channel: str) -> Path:
    init_desk(tmp_path / "desk", "zh")
    config = tmp_path / "desk" / "sheetsync.yaml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f"channels:\n  - {channel}\n")
    return config


@pytest.mark.parametrize(("channel", "said"), [
    ("{name: shop, kind: shopify, shop: x.myshopify.com, token_env: NO_SUCH_TOKEN_VAR, api_version: '2026-10'}",
     "NO_SUCH_TOKEN_VAR"),
    ("{name: shop, kind: shopify, token_env: HOME, api_version: '2026-10', endpoint: 'http://shop.example.com'}",
     "http://shop.example.com"),
    ("{name: shop, kind: shopify, shop: x.myshopify.com, token_env: HOME}", "api_version"),
    ("{name: woo, kind: woocommerce, key_env: HOME, secret_env: HOME}", "url"),
    ("{name: dy, kind: doudian, app_key_env: HOME, app_secret_env: HOME}", "token_env"),
    ("{name: kd, kind: kuaidi100, customer_env: HOME, key_env: HOME, overlap: soon}", "soon"),
])
def test_a_channel_said_wrong_is_exit_2_naming_what_to_fix(channel: str, said: str, tmp_path: Path,
                                                          run_cli: Callable[..., CliRun]) -> None:
    config = _desk(tmp_path, channel)
    workbook = config.parent / "orders.xlsx"
    before = workbook.read_bytes()
    done = run_cli("sync", "-c", config)
    assert done.code == 2, done.out + done.err
    assert said in done.err
    assert workbook.read_bytes() == before  # nothing written
