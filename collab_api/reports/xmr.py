"""An XmR chart as Making Data Count draws it: the values joined in time order, the mean and the
process limits, points of special cause coloured by what they mean (improvement, concern, or
neither) and marked by shape too, so that colour is never the only cue. SVG (inline on pages,
with a <title> and <desc>) or PNG."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

from collab_api.reports.charts import figure_svg, plt

# NHS palette: grey for common cause, blue for improvement, orange for concern, purple for neither.
COLOURS = {"COMMON_CAUSE": "#768692", "SPECIAL_CAUSE_IMPROVEMENT": "#005eb8", "SPECIAL_CAUSE_CONCERN": "#ed8b00",
           "SPECIAL_CAUSE_HIGH": "#330072", "SPECIAL_CAUSE_LOW": "#330072"}
MARKERS = {"COMMON_CAUSE": "o", "SPECIAL_CAUSE_IMPROVEMENT": "^", "SPECIAL_CAUSE_CONCERN": "v",
           "SPECIAL_CAUSE_HIGH": "s", "SPECIAL_CAUSE_LOW": "s"}
NAMES = {"COMMON_CAUSE": "Common cause", "SPECIAL_CAUSE_IMPROVEMENT": "Special cause: improvement",
         "SPECIAL_CAUSE_CONCERN": "Special cause: concern", "SPECIAL_CAUSE_HIGH": "Special cause: higher",
         "SPECIAL_CAUSE_LOW": "Special cause: lower"}


Phases = tuple[tuple[int, float | None, float | None, float | None], ...]  # (first point, mean, upper, lower limit)


def _figure(periods: Sequence[str], values: Sequence[float], types: Sequence[str], phases: Phases, target: float | None, unit: str, markers: Sequence[tuple[int, str]] = ()) -> object:
    """The chart; the mean and limits drawn phase by phase (a step where they were re-set), and
    each PDSA cycle as a dotted line labelled with its number where it started."""
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    xs = list(range(len(values)))
    ax.plot(xs, values, color="#425563", linewidth=1.2, zorder=1)
    for kind in dict.fromkeys(types):
        chosen = [i for i, t in enumerate(types) if t == kind]
        ax.scatter(chosen, [values[i] for i in chosen], color=COLOURS[kind], marker=MARKERS[kind], s=42, zorder=2,
                   label=NAMES[kind])
    ends = [first for first, *_ in phases[1:]] + [len(xs)]
    for number, ((first, *levels), end) in enumerate(zip(phases, ends)):
        span = [first - 0.5 if first else first, end - 0.5 if end < len(xs) else end - 1]
        for level, style, label in zip(levels, ("-", "--", "--"), ("Mean", "Process limits", None)):
            if level is not None:
                ax.plot(span, [level] * 2, color="#212b32" if style == "-" else "#768692", linestyle=style,
                        linewidth=1, label=label if number == 0 else None)
    if target is not None:
        ax.axhline(target, color="#da291c", linestyle=":", linewidth=1.4, label="Target")
    for index, (at, label) in enumerate(markers):
        ax.axvline(at, color="#007f3b", linestyle=":", linewidth=1.2, label="PDSA cycle started" if index == 0 else None)
        ax.annotate(label, (at, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -10), textcoords="offset points",
                    fontsize=8, color="#007f3b")
    step = max(1, len(xs) // 12)
    ax.set_xticks(xs[::step], [periods[i] for i in xs[::step]], rotation=30, ha="right")
    ax.set_ylabel(unit)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


@functools.lru_cache(maxsize=64)
def xmr_svg(key: str, periods: tuple[str, ...], values: tuple[float, ...], types: tuple[str, ...], phases: Phases,
            target: float | None, unit: str, markers: tuple[tuple[int, str], ...],
            title: str, description: str) -> str:
    return figure_svg(_figure(periods, values, types, phases, target, unit, markers), key, title, description)


def xmr_png(periods: tuple[str, ...], values: tuple[float, ...], types: tuple[str, ...], phases: Phases, target: float | None, unit: str, markers: tuple[tuple[int, str], ...], title: str) -> bytes:
    fig = _figure(periods, values, types, phases, target, unit, markers)
    fig.suptitle(title, fontsize=11)  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return buffer.getvalue()
