"""`report --png` draws Chinese with the font the charts extra ships, on a machine with no CJK font installed (this one
and CI: `fc-list :lang=zh` is empty): a missing glyph, warned by matplotlib or logged, fails the test."""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from matplotlib import font_manager  # the charts extra is in the test extra: never skipped
from matplotlib.figure import Figure
from matplotlib.text import Text
from pylopdf_fonts_zh_cn import sans_path

from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.reports import charts_png
from sheetsync.reports.kpi import KpiReport, report

START, END, NOW = dt.datetime(2026, 11, 16), dt.datetime(2026, 11, 23, 12), dt.datetime(2026, 11, 23, 9)
CHANNELS = ("抖音", "拼多多", "淘宝", "微信小程序", "门店POS", "400电话", "京东", "快手")
OPEN = ("待确认", "审核中", "备货中", "已发货")


def _desk_rows() -> list[dict[str, object]]:
    """Orders of eight Chinese channels, delivered on time, late or not yet, and open in each state since some hour."""
    rows: list[dict[str, object]] = []
    for i in range(48):
        created = START + dt.timedelta(hours=7 * i + 3)
        promised = created + dt.timedelta(hours=48)
        row: dict[str, object] = {"order_id": f"SS{i:04d}", "channel": CHANNELS[i % len(CHANNELS)], "created_at": created,
                                  "promised_by": promised, "warehouse": ("杭州仓", "上海仓")[i % 2]}
        if i % 3:
            row |= {"delivered_at": promised + dt.timedelta(hours=(i % 5) - 2), "status": "已完成"}
        else:
            row |= {"status": OPEN[i % len(OPEN)], "status_since": created + dt.timedelta(hours=i % 24)}
        rows.append(row)
    return rows


@pytest.fixture
def chinese_report(make_desk: Callable[..., Config]) -> KpiReport:
    found = report(make_desk(_desk_rows()), start=START, end=END, now=NOW)
    assert found.heatmap_states and len([o for o in found.on_time if o.channel != "*"]) == len(CHANNELS)
    return found


@contextmanager
def every_glyph_drawn(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Records every warning matplotlib gives inside; one about a missing glyph or font (warned or logged) fails."""
    caplog.set_level(logging.WARNING, logger="matplotlib")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")]
    bad = [text for text in said if re.search(r"Glyph \d+ .*missing from font|findfont: Font family .* not found", text)]
    assert not bad, bad


def _has_glyphs(path: str, text: str) -> bool:
    font = font_manager.get_font(path)
    return all(font.get_char_index(ord(ch)) != 0 for ch in text if not ch.isspace())


def _chinese_labels(fig: Figure) -> list[Text]:
    """The figure's texts with a Han character, after a draw has laid out its ticks."""
    fig.canvas.draw()
    return [text for text in fig.findobj(Text) if re.search(r"[\u4e00-\u9fff]", text.get_text())]


def test_png_charts_of_a_chinese_report_have_every_glyph(chinese_report: KpiReport, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    with every_glyph_drawn(caplog):
        paths = charts_png.write_pngs(chinese_report, tmp_path / "png", "zh")
    assert [p.name for p in paths] == ["heatmap.png", "on_time.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_each_chinese_label_is_set_in_the_shipped_font_which_has_its_glyphs(chinese_report: KpiReport,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    families = charts_png.chart_fonts()
    assert families[0] == "Noto Sans SC" and families[-1] == "DejaVu Sans"
    shown = set()
    with every_glyph_drawn(caplog), charts_png.chart_style(families):
        for draw in (charts_png.heatmap_figure, charts_png.on_time_figure):
            labels = _chinese_labels(draw(chinese_report, "zh"))
            assert labels, draw.__name__
            for label in labels:
                used = font_manager.findfont(label.get_fontproperties(), fallback_to_default=False)
                assert Path(used).samefile(sans_path()), (label.get_text(), used)
                assert _has_glyphs(used, label.get_text()), label.get_text()
                shown.add(label.get_text())
    assert {"待确认", "微信小程序", "积压热力图：各状态在每个整点的平均订单数", "承诺达成率(±2h)"} <= shown


def test_the_font_is_registered_once_however_many_reports_draw(chinese_report: KpiReport, tmp_path: Path) -> None:
    assert charts_png.bundled_font() == "Noto Sans SC"
    entries = [entry for entry in font_manager.fontManager.ttflist if entry.fname == str(sans_path())]
    charts_png.write_pngs(chinese_report, tmp_path / "a", "zh")
    charts_png.write_pngs(chinese_report, tmp_path / "b", "zh")
    assert [entry for entry in font_manager.fontManager.ttflist if entry.fname == str(sans_path())] == entries


def test_without_any_cjk_font_the_characters_are_named_and_nothing_is_written(
        chinese_report: KpiReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)  # the extra's font not installed
    monkeypatch.setattr(charts_png, "CJK_FONTS", ())               # and none on the machine
    with pytest.raises(ConfigError) as raised:
        charts_png.write_pngs(chinese_report, tmp_path / "png", "zh")
    assert "抖" in raised.value.message and "待" in raised.value.message
    assert raised.value.hint == "pip install 'sheetsync[charts]'"
    assert not (tmp_path / "png").exists()


def test_latin_charts_need_no_cjk_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)
    monkeypatch.setattr(charts_png, "CJK_FONTS", ())
    english = KpiReport(start="2026-11-16 00:00:00", end="2026-11-23 12:00:00", now="2026-11-23 09:00:00",
                        heatmap_states=["Pending", "Picking"], heatmap=[[1.0] * 24, [0.5] * 24])
    assert charts_png.chart_fonts() == ["DejaVu Sans"]
    with every_glyph_drawn(caplog):
        paths = charts_png.write_pngs(english, tmp_path / "png", "en")
    assert all(p.stat().st_size > 0 for p in paths)


@pytest.mark.parametrize("damage", ["missing", "not a font"])
def test_an_unreadable_font_file_falls_back_to_the_machines_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  damage: str) -> None:
    import pylopdf_fonts_zh_cn

    broken = tmp_path / "NotoSansSC-Regular.otf"
    if damage == "not a font":
        broken.write_bytes(b"OTTO" + bytes(200))
    monkeypatch.setattr(pylopdf_fonts_zh_cn, "sans_path", lambda: broken)
    before = len(font_manager.fontManager.ttflist)
    assert charts_png.bundled_font() is None
    assert len(font_manager.fontManager.ttflist) == before
    assert charts_png.chart_fonts()[-1] == "DejaVu Sans"


def test_the_charts_say_nothing_they_cannot_know(chinese_report: KpiReport) -> None:
    """A rate that cannot be computed is no bar and no dot, and its label is —, never 0 %; each bar is labelled;
    a heat map with no backlog at all is pale from a scale starting at 0, not the middle colour of a scale around 0."""
    import dataclasses
    import math

    first = chinese_report.on_time[1]
    unknown = dataclasses.replace(chinese_report, on_time=[dataclasses.replace(first, rate=None, window_rate=None),
                                                          *chinese_report.on_time[2:]])
    with charts_png.chart_style(charts_png.chart_fonts()):
        fig = charts_png.on_time_figure(unknown, "zh")
    ax = fig.axes[0]
    bars = ax.containers[0]
    assert bars[0].get_height() == 0 and bars[1].get_height() == (chinese_report.on_time[2].rate or 0) * 100
    labels = [text.get_text() for text in ax.texts]
    assert labels[0] == "—" and all(label.endswith("%") for label in labels[1:])
    assert math.isnan(ax.lines[0].get_ydata()[0])
    quiet = dataclasses.replace(chinese_report, heatmap=[[0.0] * 24 for _ in chinese_report.heatmap_states])
    with charts_png.chart_style(charts_png.chart_fonts()):
        image = charts_png.heatmap_figure(quiet, "zh").axes[0].images[0]
    assert image.get_clim() == (0, 1.0)
