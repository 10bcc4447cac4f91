"""sheetsync.yaml: every error names the file, the line, the key and the fix, and exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.config import load_config
from sheetsync.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sheetsync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_names_file_line_key_and_the_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "table:\n  path: orders.xlsx\n  shet: 订单\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert f"{path}:3:3: table.shet" in message
    assert "sheet" in message and "header_row" in message
    assert info.value.exit_code == 2


def test_wrong_type_deep_in_a_list_points_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "table: {path: o.xlsx}\nbackups: 10\nchannels:\n  - name: dy\n    kind: file\n    colour: red\n")
    with pytest.raises(ConfigError, match=r":6:5: channels\.0\.colour"):
        load_config(path)


def test_negative_backups_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r":2:1: backups"):
        load_config(write(tmp_path, "table: {path: o.xlsx}\nbackups: -1\n"))


def test_broken_yaml_names_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sheetsync.yaml:\d+:\d+"):
        load_config(write(tmp_path, "table:\n  path: [oops\n"))


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert "sheetsync init" in str(info.value)


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "table: {path: sub/orders.xlsx}\njournal: j/journal.db\n"))
    assert config.workbook_path == tmp_path.resolve() / "sub" / "orders.xlsx"
    assert config.journal_path == tmp_path.resolve() / "j" / "journal.db"


def test_headers_mapping_overrides_a_preset(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "table:\n  headers: {preset: zh, order_id: 大货单号, priority: 急件标}\n"))
    headers, explicit = config.header_map()
    assert headers["order_id"] == "大货单号"
    assert headers["priority"] == "急件标"
    assert headers["phone"] == "电话"
    assert explicit == {"order_id", "priority"}


def test_headers_naming_an_unknown_field_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r":2:3: table.headers.*'colour'"):
        load_config(write(tmp_path, "table:\n  headers: {preset: zh, colour: 颜色}\n"))


def test_unknown_preset_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="zh, en"):
        load_config(write(tmp_path, "table: {headers: fr}\n"))


def test_order_id_format_without_seq_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"order_id\.format"):
        load_config(write(tmp_path, 'order_id: {format: "{prefix}-{date:%Y}"}\n'))


def test_english_desk_speaks_english(tmp_path: Path) -> None:
    path = write(tmp_path, "table: {headers: en}\nbackupz: 1\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(path)
    assert load_config(write(tmp_path, "table: {headers: en}\n")).language == "en"
    assert load_config(write(tmp_path, "table: {headers: en}\nlang: zh\n")).language == "zh"


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    path = write(tmp_path, "table: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError):
        load_config(path)
