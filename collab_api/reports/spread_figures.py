"""Pictures of an intervention's spread (matplotlib): stages per collaborative, the national
distribution over quarters, and a map of the collaboratives' areas (each by its median stage)."""

from __future__ import annotations

import html
import io
import statistics
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.patches import Polygon as MapPolygon  # noqa: E402

from collab_api.domain import geography  # noqa: E402
from collab_api.domain.stages import STAGES  # noqa: E402

COLOURS = plt.get_cmap("RdYlGn")
STAGE_COLOURS = [COLOURS(i / 7) for i in range(8)]
NOT_APPLICABLE_COLOUR = "#bdbdbd"
def _stacked(ax: Any, labels: list[str], rows: list[dict[str, Any]], title: str, horizontal: bool) -> None:
    bottoms = [0.0] * len(rows)
    for stage in range(8):
        values = [r["distribution"][stage]["count"] for r in rows]
        if horizontal:
            ax.barh(labels, values, left=bottoms, color=STAGE_COLOURS[stage], label=STAGES[stage].label, edgecolor="white", linewidth=0.4)
        else:
            ax.bar(labels, values, bottom=bottoms, color=STAGE_COLOURS[stage], label=STAGES[stage].label, edgecolor="white", linewidth=0.4)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    values = [r["notApplicable"] for r in rows]
    if horizontal:
        ax.barh(labels, values, left=bottoms, color=NOT_APPLICABLE_COLOUR, label="Not applicable", edgecolor="white", linewidth=0.4)
        ax.invert_yaxis()
        ax.set_xlabel("reported cells (site x component x setting)")
    else:
        ax.bar(labels, values, bottom=bottoms, color=NOT_APPLICABLE_COLOUR, label="Not applicable", edgecolor="white", linewidth=0.4)
        ax.set_ylabel("reported cells")
        ax.tick_params(axis="x", rotation=45)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)


def _median(row: dict[str, Any]) -> float | None:
    values = [item["stage"] for item in row["distribution"] for _ in range(item["count"])]
    return statistics.median(values) if values else None


def _regions(ax: Any, report: dict[str, Any]) -> None:
    """England's 15 collaboratives' areas (the dated ICB footprint), each by its median stage."""
    norm = Normalize(0, 7)
    by_code = {row["collaborative"]: row for row in report["byCollaborative"]}
    for area in geography.footprint().collaboratives:
        counts = by_code.get(area.code)
        median = _median(counts) if counts else None
        face = COLOURS(norm(median)) if median is not None else "#f0f0f0"
        for polygon in area.polygons:
            ax.add_patch(MapPolygon(polygon[0], closed=True, facecolor=face, edgecolor="#555", linewidth=0.6))
        biggest = max((polygon[0] for polygon in area.polygons), key=len)
        x = (min(p[0] for p in biggest) + max(p[0] for p in biggest)) / 2
        y = (min(p[1] for p in biggest) + max(p[1] for p in biggest)) / 2
        label = f"{area.code}\n{'median ' + format(median, 'g') if median is not None else 'no return'}"
        ax.text(x, y, label, ha="center", va="center", fontsize=6.5, fontweight="bold")
    west, south, east, north = geography.footprint().bounds
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Regions: each collaborative's area by the median stage of its answers", fontsize=11, loc="left")


def figure(report: dict[str, Any], title: str) -> Any:
    fig = plt.figure(figsize=(15, 10), constrained_layout=True)
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1])
    per_region = fig.add_subplot(grid[0, 0])
    over_time = fig.add_subplot(grid[1, 0])
    regions = fig.add_subplot(grid[:, 1])
    rows = report["byCollaborative"]
    _stacked(per_region, [r["collaborative"] for r in rows], rows, f"Stage of adoption by collaborative, {report['quarter']}", True)
    series = report["timeSeries"]
    _stacked(over_time, [q["quarter"] for q in series], series, "National distribution by quarter", False)
    handles, labels = per_region.get_legend_handles_labels()
    per_region.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    _regions(regions, report)
    fig.suptitle(title, fontsize=14, x=0.01, ha="left")
    return fig


def write(report: dict[str, Any], out: Path, title: str) -> Path:
    """Write FILE.png, FILE.svg, or FILE.html (the figures and the tables behind them)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig = figure(report, title)
    suffix = out.suffix.lower()
    try:
        if suffix in (".png", ".svg"):
            fig.savefig(out, dpi=110)
        elif suffix == ".html":
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg")
            out.write_text(_page(report, title, buffer.getvalue()), encoding="utf-8")
        else:
            raise ValueError(f"cannot write '{out.name}': use .html, .png or .svg")
    finally:
        plt.close(fig)
    return out


def _page(report: dict[str, Any], title: str, svg: str) -> str:
    head = "".join(f"<th>{html.escape(s.label)}</th>" for s in STAGES)
    rows = "".join(
        f"<tr><td>{html.escape(r['collaborative'])}</td>" + "".join(f"<td>{d['count']}</td>" for d in r["distribution"])
        + f"<td>{r['notApplicable']}</td><td>{r['sites']}</td></tr>" for r in report["byCollaborative"])
    national = report["national"]
    rows += ("<tr class='total'><td>England</td>" + "".join(f"<td>{d['count']}</td>" for d in national["distribution"])
             + f"<td>{national['notApplicable']}</td><td>{national['sites']}</td></tr>")
    silent = ", ".join(report["collaborativesNotReported"]) or "none"
    svg_body = svg[svg.find("<svg"):]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:24px;color:#222}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}} td:first-child{{text-align:left}} tr.total{{font-weight:bold}}
svg{{max-width:100%;height:auto}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>Quarter {html.escape(str(report['quarter']))}. Counts are of reported cells: one per site, component and care setting.
"Not applicable" answers are counted apart. Collaboratives with no return this quarter: {html.escape(silent)}.</p>
{svg_body}
<h2>Stage of adoption by collaborative</h2>
<table><tr><th>Collaborative</th>{head}<th>Not applicable</th><th>Sites</th></tr>{rows}</table>
</body></html>
"""
