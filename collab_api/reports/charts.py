"""Charts for the web pages, as inline SVG with a <title> and <desc>: stacked bars of the
eight stages (a colour-blind-safe sequential palette, viridis, with the stages named in the
legend). Drawn from plain rows, no database. The maps are in reports/maps.py."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from collab_api.domain.stages import STAGES  # noqa: E402

# viridis at eight steps; the same colours as the stage tags on the pages (static/app.css)
STAGE_COLOURS = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"]
NOT_APPLICABLE_COLOUR = "#aeb7bd"
STAGE_NAMES = [s.label.replace(" - ", ": ") for s in STAGES]


@dataclass(frozen=True)
class Bar:
    label: str
    counts: Sequence[int]   # eight: stages 0 to 7
    not_applicable: int = 0


def figure_svg(fig: object, key: str, title: str, description: str) -> str:
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": key}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    svg = buffer.getvalue()
    svg = svg[svg.find("<svg"):]
    # Ids made unique to this chart, so several charts can sit in one page.
    svg = re.sub(r'id="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{key}-\1)', svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{key}-\1"', svg)
    opening = svg[: svg.find(">") + 1]
    labelled = opening[:-1] + f' role="img" aria-labelledby="{key}-title {key}-desc" focusable="false">'
    return (labelled + f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(description)}</desc>'
            + svg[len(opening):])


# Drawing a chart takes matplotlib a few hundred milliseconds of CPU, during which its worker
# serves nothing else; the same figures always give the same SVG, so recent ones are kept.
CACHED_CHARTS = 64


def stacked_bars(key: str, bars: Sequence[Bar], title: str, description: str, *, horizontal: bool,
                 value_label: str = "answers reported") -> str:
    frozen = tuple(Bar(bar.label, tuple(bar.counts), bar.not_applicable) for bar in bars)
    return _stacked_bars(key, frozen, title, description, horizontal, value_label)


@functools.lru_cache(maxsize=CACHED_CHARTS)
def _stacked_bars(key: str, bars: tuple[Bar, ...], title: str, description: str, horizontal: bool, value_label: str) -> str:
    height = max(3.0, 0.42 * len(bars) + 1.6) if horizontal else 4.4
    fig, ax = plt.subplots(figsize=(8.5, height))
    labels = [bar.label for bar in bars]
    start = [0] * len(bars)
    for stage in range(8):
        values = [bar.counts[stage] if stage < len(bar.counts) else 0 for bar in bars]
        draw = ax.barh if horizontal else ax.bar
        kwargs = {"left": start} if horizontal else {"bottom": start}
        draw(labels, values, color=STAGE_COLOURS[stage], label=STAGE_NAMES[stage], edgecolor="white", linewidth=0.5, **kwargs)
        start = [a + b for a, b in zip(start, values)]
    values = [bar.not_applicable for bar in bars]
    draw = ax.barh if horizontal else ax.bar
    kwargs = {"left": start} if horizontal else {"bottom": start}
    draw(labels, values, color=NOT_APPLICABLE_COLOUR, label="Not applicable", edgecolor="white", linewidth=0.5, hatch="//", **kwargs)
    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 of an answer
    if horizontal:
        ax.invert_yaxis()
        ax.set_xlabel(value_label)
    else:
        ax.set_ylabel(value_label)
        ax.tick_params(axis="x", rotation=30)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=10)
    ax.legend(fontsize=9.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure_svg(fig, key, title, description)
