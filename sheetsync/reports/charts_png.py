"""`sheetsync report --png DIR`: the heat map and the on-time chart as PNG images, for pasting into a chat.

matplotlib is an optional extra (`pip install 'sheetsync[charts]'`); a CJK font is used when one is installed.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Final

from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.reports.kpi import KpiReport

CJK_FONTS: Final = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei",
                    "Microsoft YaHei", "PingFang SC", "Heiti SC", "Arial Unicode MS", "DejaVu Sans")


def write_pngs(report: KpiReport, folder: Path, lang: Lang) -> list[Path]:
    """heatmap.png and on_time.png in `folder`; ConfigError naming the extra when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError(t("kpi.png.missing", lang), t("kpi.png.missing.hint", lang)) from None
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.sans-serif"] = [f for f in CJK_FONTS if f in installed] or ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "heatmap.png", folder / "on_time.png"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing glyph is drawn as a box, not worth a warning per label
        rows = max(len(report.heatmap_states), 1)
        fig, ax = plt.subplots(figsize=(12, 1.2 + 0.45 * rows))
        values = report.heatmap or [[0.0] * 24]
        image = ax.imshow(values, aspect="auto", cmap="OrRd")
        ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
        ax.set_yticks(range(len(report.heatmap_states)), report.heatmap_states)
        ax.set_xlabel(t("kpi.label.hour", lang))
        ax.set_title(t("kpi.heatmap", lang))
        fig.colorbar(image, ax=ax, label=t("kpi.label.orders", lang))
        fig.tight_layout()
        fig.savefig(paths[0], dpi=120)
        plt.close(fig)
        channels = [o for o in report.on_time if o.channel != "*"]
        fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(channels) + 2), 4))
        names = [o.channel or "—" for o in channels]
        ax.bar(names, [(o.rate or 0) * 100 for o in channels], color="#4472C4", label=t("kpi.label.rate", lang))
        ax.plot(names, [(o.window_rate or 0) * 100 for o in channels], "o", color="#C0281B", label=t("kpi.label.window", lang))
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.set_title(t("kpi.chart.on_time", lang))
        ax.legend(loc="lower right")
        fig.tight_layout()
        fig.savefig(paths[1], dpi=120)
        plt.close(fig)
    return paths
