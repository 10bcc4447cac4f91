"""Every command says itself in the reader's language: on the Chinese demo desk in zh, no English word but ids,
codes, file names and the desk's own values; on the English cross-border desk in en, no Chinese character at
all.  Through the console entry point, as a clerk reads it (not --json)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "example_workbooks"
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"(?<![\w./\\-])[A-Za-z][a-z]{3,}(?![\w./\\-])")
VALUES = {"douyin", "pinduoduo", "taobao", "sheetsync", "yaml", "xlsx", "orders", "waybills", "inbox", "backups",
          "rejects", "mappings", "legacy"}
"""English words the Chinese demo may show as they are: its channels' and mappings' names, its files and folders,
the tool's name."""


def sheetsync(desk: Path, lang: str, *args: str) -> str:
    env = {**os.environ, "SHEETSYNC_LANG": lang, "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "sheetsync", *args], cwd=desk, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode in (0, 3), f"{' '.join(args)}: {done.stderr[-800:]}"
    return done.stdout + done.stderr


def _commands(first_order: str, against: str, legacy: str, now: str) -> list[list[str]]:
    return [["check"], ["sync", "--now", now], ["validate", "--now", now], ["queue", "--now", now],
            ["report", "--now", now], ["reconcile", "--against", against, "--now", now], ["history", first_order],
            ["import", legacy, "--preview", "--now", now], ["sync", "--dry-run", "--now", now]]


def test_the_chinese_desk_speaks_chinese(tmp_path: Path) -> None:
    desk = tmp_path / "demo"
    shutil.copytree(EXAMPLES / "demo", desk)
    legacy = tmp_path / "旧系统.csv"
    legacy.write_text("订单号,收货人,手机,收货地址,金额\nL-1,王芳,13800138000,浙江省杭州市西湖区文三路1号,99\n",
                      encoding="utf-8")
    for args in _commands("SS20261120-000001", "douyin", str(legacy), "2026-11-21T10:00:00"):
        said = sheetsync(desk, "zh", *args)
        english = sorted({w for w in WORD.findall(said) if w.lower() not in VALUES})
        assert not english, f"{' '.join(args)}: English in the Chinese output: {english}\n{said}"


def test_the_english_desk_speaks_english(tmp_path: Path) -> None:
    desk = tmp_path / "crossborder"
    shutil.copytree(EXAMPLES / "crossborder_en", desk)
    said = sheetsync(desk, "en", "init", "--from", "orders.xlsx", "--lang", "en")
    assert not CJK.findall(said), said
    with (desk / "sheetsync.yaml").open("a", encoding="utf-8") as fh:
        fh.write("channels:\n  - {name: shopify, path: inbox/shopify*.csv, mapping: shopify_csv}\n"
                 "  - {name: woo, path: inbox/woo*.csv, mapping: woocommerce_csv}\n")
    before = set(_order_ids(desk))
    sheetsync(desk, "en", "sync", "--now", "2026-11-20T08:00")
    first = next(i for i in _order_ids(desk) if i not in before)  # an order the pull created: it has a history
    legacy = str(next((desk / "legacy").iterdir()))
    for args in _commands(first, "shopify", legacy, "2026-11-20T10:00"):
        said = sheetsync(desk, "en", *args)
        assert not CJK.findall(said), f"{' '.join(args)}: Chinese in the English output:\n{said}"


def _order_ids(desk: Path) -> list[str]:
    from sheetsync.config import load_config
    from sheetsync.stores import open_store
    from sheetsync.stores.table import read_table

    config = load_config(desk / "sheetsync.yaml")
    return [str(i) for i in read_table(open_store(config), config).frame["order_id"].dropna()]


def test_every_anomaly_code_the_tool_writes_has_its_few_words_in_both_languages() -> None:
    """The terminal's and the 看板's anomaly tables show each code with its words: a code the tool can write
    without them would show a bare code to a clerk."""
    import re

    from sheetsync.config.rules import BUILTIN_CODES
    from sheetsync.i18n import MESSAGES, code_said

    written = set(BUILTIN_CODES) | {key.split(".", 1)[1] for key in MESSAGES if re.fullmatch(r"anomaly\.[A-Z_]+", key)}
    for code in sorted(written):
        assert code_said(code, "zh") and code_said(code, "en"), code
    assert code_said("BIG_ORDER", "zh") == ""  # a team's own code: its message is in the cell
