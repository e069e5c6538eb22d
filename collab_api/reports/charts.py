"""Charts for the web pages, as inline SVG with a <title> and <desc>: stacked bars of the
eight stages (a colour-blind-safe sequential palette, viridis, with the stages named in the
legend) and a schematic picture of the 15 regions. Drawn from plain rows, no database."""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from collab_api.domain.stages import STAGES  # noqa: E402

# viridis at eight steps; the same colours as the stage tags on the pages (static/app.css)
STAGE_COLOURS = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"]
NOT_APPLICABLE_COLOUR = "#aeb7bd"
STAGE_NAMES = [s.label.replace(" - ", ": ") for s in STAGES]
# The 15 regions placed roughly as on a map of England (column, row); no map data is bundled.
TILES = {
    "NENC": (3, 0), "NWC": (2, 1), "YH": (3, 1), "GM": (2, 2), "EM": (3, 2), "WM": (2, 3), "EAST": (4, 3),
    "WOE": (1, 4), "OTV": (2, 4), "ICHP": (3, 4), "UCLP": (4, 4), "SW": (0, 5), "WESSEX": (1, 5), "SL": (3, 5), "KSS": (4, 5),
}


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


def _short(name: str) -> str:
    """A region's name without the prefix every one of them shares."""
    for prefix in ("Health Innovation ", "The "):
        if name.startswith(prefix) and len(name) > len(prefix) + 3:
            return name[len(prefix):]
    return name


def region_tiles(key: str, regions: dict[str, tuple[str, float | None, int]], title: str, description: str) -> str:
    """regions: code -> (name, median stage or None, answers reported)."""
    return _region_tiles(key, tuple(sorted(regions.items())), title, description)


@functools.lru_cache(maxsize=CACHED_CHARTS)
def _region_tiles(key: str, frozen: tuple[tuple[str, tuple[str, float | None, int]], ...], title: str, description: str) -> str:
    regions = dict(frozen)
    fig, ax = plt.subplots(figsize=(8.5, 9.5))
    for code, (col, row) in TILES.items():
        name, median, reported = regions.get(code, (code, None, 0))
        x, y = col * 1.15, -row * 1.15
        face = STAGE_COLOURS[round(median)] if median is not None else "#f0f4f5"
        dark = median is not None and round(median) <= 3
        ax.add_patch(FancyBboxPatch((x, y), 1.05, 1.05, boxstyle="round,pad=0.02", facecolor=face, edgecolor="#425563", linewidth=0.8))
        colour = "white" if dark else "#212b32"
        short = "\n".join(textwrap.wrap(_short(name), 13)[:3])
        ax.text(x + 0.525, y + 0.68, short, ha="center", va="center", fontsize=7.5, color=colour, fontweight="bold",
                linespacing=1.0)
        ax.text(x + 0.525, y + 0.24, f"median {median:g}" if median is not None else "no return", ha="center", va="center",
                fontsize=7.5, color=colour)
        ax.text(x + 0.525, y + 0.08, f"{reported} answer{'s' if reported != 1 else ''}" if reported else "", ha="center", va="center", fontsize=7,
                color=colour)
    ax.set_xlim(-0.2, 6.0)
    ax.set_ylim(-6.2, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return figure_svg(fig, key, title, description)
