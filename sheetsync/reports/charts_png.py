"""`sheetsync report --png DIR`: the heat map and the on-time chart as PNG images, for pasting into a chat.

matplotlib and a Simplified Chinese font come with the optional extra (`pip install 'sheetsync[charts]'`): Noto Sans SC
(SIL OFL 1.1) from the `pylopdf-fonts-zh-cn` package.  Its file is registered with matplotlib directly, so the charts
read right on a server with no CJK font installed and whatever matplotlib's font cache holds.  Without it, CJK fonts
matplotlib already knows are used; text that no font here can draw is refused before anything is written, since
boxes in place of 抖音 are no chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.reports.kpi import KpiReport, cannot_say

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CJK_FONTS: Final = ("Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                    "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Noto Sans CJK JP", "Arial Unicode MS")
"""CJK fonts of the machine, by the names matplotlib knows them, used when the extra's font is not installed."""
LATIN_FONT: Final = "DejaVu Sans"
"""matplotlib's own font, always there: the last in line for digits and symbols."""
DPI: Final = 120


def write_pngs(report: KpiReport, folder: Path, lang: Lang) -> list[Path]:
    """heatmap.png and on_time.png in `folder`; ConfigError naming the extra when matplotlib is missing, or naming the
    characters when no font can draw them."""
    try:
        import matplotlib  # noqa: F401  (is the extra installed?)
    except ImportError:
        raise ConfigError(t("kpi.png.missing", lang), t("kpi.png.missing.hint", lang)) from None
    families = chart_fonts()
    missing = undrawable(chart_texts(report, lang), families)
    if missing:
        raise ConfigError(t("kpi.png.no_font", lang, chars=" ".join(missing)), t("kpi.png.missing.hint", lang))
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "heatmap.png", folder / "on_time.png"]
    with chart_style(families):  # tick labels are laid out at savefig: inside, too
        for path, draw in zip(paths, (heatmap_figure, on_time_figure), strict=True):
            draw(report, lang).savefig(path, dpi=DPI)
    return paths


def chart_fonts() -> list[str]:
    """The font families the charts' text is set in, best first; matplotlib falls back along them glyph by glyph."""
    from matplotlib import font_manager

    bundled = bundled_font()
    known = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in CJK_FONTS if name in known and name != bundled]
    return [*([bundled] if bundled else []), *found, LATIN_FONT]


def bundled_font() -> str | None:
    """The family of the extra's Noto Sans SC, registered with matplotlib by its file (`addfont`, never its font cache);
    None when the package is not installed or its file cannot be read."""
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        return None
    from matplotlib import font_manager

    path = str(sans_path())
    try:
        if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(path)
        return str(font_manager.FontProperties(fname=path).get_name())
    except (OSError, RuntimeError, ValueError):  # missing or damaged file: FreeType cannot open it
        return None


def undrawable(texts: Iterable[str], families: list[str]) -> list[str]:
    """The characters of `texts` (spaces aside) that none of `families` has a glyph for, in order of first use."""
    from matplotlib import font_manager

    fonts = [font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=name)))
             for name in families]
    chars = dict.fromkeys(ch for text in texts for ch in text if not ch.isspace())
    return [ch for ch in chars if not any(font.get_char_index(ord(ch)) for font in fonts)]


def chart_texts(report: KpiReport, lang: Lang) -> list[str]:
    """Every text the two charts show."""
    keys = ("kpi.heatmap", "kpi.label.hour", "kpi.label.orders", "kpi.chart.on_time", "kpi.label.rate", "kpi.label.window")
    said = cannot_say(report, "on_time", lang) or t("kpi.none", lang)
    return [*(t(key, lang) for key in keys), *report.heatmap_states, *_channel_names(report), said, "0123456789.%—"]


def chart_style(families: list[str]) -> AbstractContextManager[None]:
    """The settings the charts are made and saved under: `families` by name, whatever the global settings say."""
    import matplotlib

    return matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False})


def heatmap_figure(report: KpiReport, lang: Lang) -> Figure:
    """The backlog heat map: a row per open state, a column per hour of the day."""
    from matplotlib.figure import Figure

    rows = max(len(report.heatmap_states), 1)
    fig = Figure(figsize=(12, 1.2 + 0.45 * rows))
    ax = fig.add_subplot()
    top = max((v for row in report.heatmap for v in row), default=0.0)
    # from zero: a period with no backlog is all pale, never the middle of a scale around 0
    image = ax.imshow(report.heatmap or [[0.0] * 24], aspect="auto", cmap="OrRd", vmin=0, vmax=max(top, 1.0))
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(len(report.heatmap_states)), report.heatmap_states)
    ax.set_xlabel(t("kpi.label.hour", lang))
    ax.set_title(t("kpi.heatmap", lang))
    fig.colorbar(image, ax=ax, label=t("kpi.label.orders", lang))
    fig.tight_layout()
    return fig


def on_time_figure(report: KpiReport, lang: Lang) -> Figure:
    """On-time rate (bars) and the rate within two hours (dots) per channel; names slanted when there are many."""
    from matplotlib.figure import Figure

    channels = [o for o in report.on_time if o.channel != "*"]
    names = _channel_names(report)
    fig = Figure(figsize=(min(max(4, 0.8 * len(channels) + 2), 16), 4))
    ax = fig.add_subplot()
    if not channels:  # nothing to draw: say why, not an empty chart with a meaningless axis
        ax.set_axis_off()
        ax.set_title(t("kpi.chart.on_time", lang))
        ax.text(0.5, 0.5, cannot_say(report, "on_time", lang) or t("kpi.none", lang), ha="center", va="center",
                wrap=True)
        return fig
    nan = float("nan")  # a rate that cannot be computed: no bar, no dot, labelled —; never drawn as a 0
    bars = ax.bar(names, [0 if o.rate is None else o.rate * 100 for o in channels], color="#4472C4",
                  label=t("kpi.label.rate", lang))
    ax.bar_label(bars, labels=["—" if o.rate is None else f"{o.rate * 100:.0f}%" for o in channels], padding=2)
    ax.plot(names, [nan if o.window_rate is None else o.window_rate * 100 for o in channels], "o", color="#C0281B",
            label=t("kpi.label.window", lang))
    if len(channels) > 6:
        ax.set_xticks(range(len(names)), names, rotation=45, horizontalalignment="right")
    ax.set_ylim(0, 112)  # room for the labels over a full bar
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("%")
    ax.set_title(t("kpi.chart.on_time", lang), pad=28)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize="small")  # under the title
    fig.tight_layout()
    return fig


def _channel_names(report: KpiReport) -> list[str]:
    return [o.channel or "—" for o in report.on_time if o.channel != "*"]
