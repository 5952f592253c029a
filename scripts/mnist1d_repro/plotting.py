"""Plot helpers shared by the figure scripts (matplotlib, non-interactive)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .io import atomic_path  # noqa: E402

CLASS_COLORS = plt.get_cmap("tab10").colors
# Sequential maps end in pale yellow, faint on white: ordered series use plasma only up to
# ORDERED_MAP_END, where every colour keeps at least 3:1 contrast against white.
ORDERED_MAP, ORDERED_MAP_END = "plasma", 0.6


def ordered_colors(count: int) -> list:
    """``count`` colours in order (dark blue, purple, red) for an ordered series, all readable on white."""
    return [plt.get_cmap(ORDERED_MAP)(ORDERED_MAP_END * i / max(1, count - 1)) for i in range(count)]


def count_text(count: int, noun: str) -> str:
    """'1 outer step', '3 outer steps'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


PAPER_COLOR = "grey"  # a number the paper prints, on every figure


def paper_label(value, label: str | None = None) -> str:
    """The text every figure gives a number the paper prints: 'paper: 0.62', or 'paper: ``label``'."""
    return f"paper: {format(value, 'g') if label is None else label}"


def mark_paper(ax, value, *, axis: str = "y", at=None, label: str | None = None):
    """Draw a number the paper prints on ``ax``, the same way on every figure: a grey dotted line
    across the axes (``axis="y"``: a level at ``value``; ``"x"``: a position at ``value``) or, with
    ``at``, a grey hollow circle at (``at``, ``value``) (``axis="x"``: at (``value``, ``at``)); its
    legend label is ``paper_label(value, label)``. The value is the paper's (the ``paper`` field of
    a claim in config/claims.yaml), never one computed here. Returns the line drawn."""
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    text = paper_label(value, label)
    if at is None:
        across = ax.axhline if axis == "y" else ax.axvline
        return across(value, color=PAPER_COLOR, lw=1.2, ls=":", label=text)
    x, y = (at, value) if axis == "y" else (value, at)
    line, = ax.plot([x], [y], ls="none", marker="o", ms=7, mfc="none", mec=PAPER_COLOR, mew=1.5, label=text)
    return line


def draw_signal(ax, x, color="black", **kwargs):
    """Draw a 1-D signal as MNIST-1D shows it: value across, position downwards.

    Drawn this way the templates read as the digits they stand for.
    """
    x = np.asarray(x)
    ax.plot(x, np.arange(len(x)), color=color, **kwargs)
    ax.set_ylim(len(x) - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])


def scatter_by_class(ax, points, labels, legend_loc="best", **legend_kwargs):
    """One colour per class, small points, no ticks."""
    for label in range(10):
        pts = points[labels == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=3, color=CLASS_COLORS[label], label=str(label), alpha=0.7)
    ax.legend(markerscale=4, title="class", fontsize=8, loc=legend_loc, **legend_kwargs)
    ax.set_xticks([])
    ax.set_yticks([])


def save_figure(fig, path, dpi=150, scale: str | None = None):
    """Write ``fig`` as PNG; a run's ``scale`` other than paper is stated above the figure, so that
    the image says so wherever it is shown."""
    if scale is not None and scale != "paper":
        what = "settings of its own" if scale == "custom" else "a small run that checks the pipeline"
        fig.text(0.5, 1.0, f"{scale} scale: {what}, not comparable with the paper",
                 ha="center", va="bottom", fontsize=9, fontweight="bold", color=VERDICT_COLORS["not reproduced"])
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
    plt.close(fig)


VERDICT_COLORS = {"reproduced": "#2e7d32", "not reproduced": "#c62828", "inconclusive": "#e08e00",
                  "not run": "#9e9e9e"}
TARGET_COLOR, THRESHOLD_COLOR = "#d6e6f5", "#3b73b9"


def verdict_plot(rows, title: str, path, clip: float = 3.0, scale: str | None = None) -> None:
    """The review's verdict plot: one row per claim of ``rows`` (``verdict_plot.verdict_plot_rows``),
    grouped by report section, each drawn in its own normalised coordinates against its target,
    coloured by verdict, with ours and the target as text on the right. Values beyond ``clip``
    are drawn at its edge as an arrow; a ``scale`` other than paper is stated above the plot."""
    import math

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    row_in, top_in, bottom_in = 0.22, 1.6, 0.75
    left_in, plot_in, ours_in, target_in, width_in = 2.05, 3.35, 5.55, 7.6, 10.0
    sections = list(dict.fromkeys(rows["section"]))
    lines = len(rows) + 1.4 * len(sections)
    height_in = top_in + lines * row_in + bottom_in
    fig = plt.figure(figsize=(width_in, height_in))
    ax = fig.add_axes([left_in / width_in, bottom_in / height_in, plot_in / width_in,
                       lines * row_in / height_in])
    edge = clip + 0.35
    ax.set_xlim(-edge, edge)
    ax.set_ylim(lines - 0.5, -0.5)
    text_at = blended_transform_factory(fig.transFigure, ax.transData)

    y, ticks, names = 0.0, [], []
    for section in sections:
        y += 0.4
        if section != sections[0]:
            ax.add_line(Line2D([0.08 / width_in, 0.99], [y - 0.6, y - 0.6], transform=text_at, color="#999999",
                               lw=0.6))
        ax.text(0.08 / width_in, y, section, transform=text_at, fontsize=8.5, fontweight="bold",
                va="center", ha="left")
        y += 1.0
        for _, row in rows[rows["section"] == section].iterrows():
            color = VERDICT_COLORS.get(row["verdict"], "#9e9e9e")
            low_band, high_band = max(row["band_low"], -edge), min(row["band_high"], edge)
            if row["rule"] == "within" and row["band_low"] == row["band_high"]:
                ax.plot([0, 0], [y - 0.38, y + 0.38], color=THRESHOLD_COLOR, lw=2, solid_capstyle="butt")
            else:
                ax.fill_between([low_band, high_band], y - 0.34, y + 0.34, color=TARGET_COLOR, lw=0)
                if row["rule"] != "within":
                    ax.plot([0, 0], [y - 0.38, y + 0.38], color=THRESHOLD_COLOR, lw=2, solid_capstyle="butt")
            x = row["x"]
            if math.isnan(x):
                ax.text(0, y, "not run", color=color, fontsize=7, style="italic", ha="center", va="center")
            else:
                if not math.isnan(row["low"]):
                    low, high = max(row["low"], -edge), min(row["high"], edge)
                    ax.plot([low, high], [y, y], color=color, lw=1.6, solid_capstyle="butt")
                    for end, shown in ((row["low"], low), (row["high"], high)):
                        if end == shown:
                            ax.plot([end, end], [y - 0.2, y + 0.2], color=color, lw=1.2)
                if abs(x) > clip:
                    ax.plot(math.copysign(clip + 0.15, x), y, marker=">" if x > 0 else "<", color=color, ms=6.5,
                            clip_on=False)
                elif row["critical"] == 0:
                    ax.plot(x, y, marker="D", color=color, ms=5)
                elif math.isnan(row["low"]):
                    ax.plot(x, y, marker="o", mfc="white", mec=color, mew=1.5, ms=5.5)
                else:
                    ax.plot(x, y, marker="o", color=color, ms=5)
            ticks.append(y)
            names.append(row["claim_id"])
            ax.text(ours_in / width_in, y, row["ours_text"], transform=text_at, fontsize=7, va="center",
                    color=color if row["verdict"] != "reproduced" else "#1b5e20")
            ax.text(target_in / width_in, y, row["target"], transform=text_at, fontsize=7, va="center",
                    color="#333333")
            y += 1.0
    ax.set_yticks(ticks, names, fontsize=7.5)
    ax.tick_params(axis="y", length=0)
    ax.set_xticks(range(-int(clip), int(clip) + 1))
    ax.tick_params(axis="x", labelsize=7.5, top=True, labeltop=True)
    for x in (-1, 0, 1):
        ax.axvline(x, color="#bbbbbb", lw=0.5, ls=":", zorder=0)
    for side in ("left", "right"):
        ax.spines[side].set_visible(False)
    column = dict(transform=fig.transFigure, fontsize=7.5, fontweight="bold", va="bottom")
    header_y = (bottom_in + lines * row_in + 0.22) / height_in
    fig.text(ours_in / width_in, header_y, "ours ± critical × SE", **column)
    fig.text(target_in / width_in, header_y, "target", **column)
    fig.text(left_in / width_in, 0.06 / height_in,
             "x: where ours lies, in the row's own unit.  Band rules (paper ± tolerance): (ours − paper) / tolerance,"
             "\nthe band is −1 … 1.  Threshold rules: (ours − threshold) / max(|ours − threshold|, critical × SE),"
             "\nthe threshold is the line at 0 and the shaded side satisfies the rule.  "
             f"Beyond ±{clip:g}: an arrow.", fontsize=7.5, va="bottom")
    handles = [Line2D([], [], marker="o", color=VERDICT_COLORS[v], lw=1.6, ms=5, label=v)
               for v in ("reproduced", "not reproduced", "inconclusive")]
    handles += [Patch(color=VERDICT_COLORS["not run"], label="not run"),
                Line2D([], [], marker="D", color="#555555", lw=0, ms=5, label="exact (or no spread): no interval"),
                Line2D([], [], marker="o", mfc="white", mec="#555555", mew=1.5, lw=0, ms=5.5,
                       label="undecidable: one seed"),
                Patch(color=TARGET_COLOR, label="target: band or satisfying side"),
                Line2D([], [], color=THRESHOLD_COLOR, lw=2, label="threshold (or zero-width band)")]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.08 / width_in, 1 - 0.74 / height_in), ncol=4,
               fontsize=7.5, frameon=False, handlelength=2.2, columnspacing=1.4)
    fig.text(0.08 / width_in, 1 - 0.12 / height_in, title, fontsize=11, fontweight="bold", va="top")
    fig.text(0.08 / width_in, 1 - 0.4 / height_in,
             "Each claim against its target. The interval is the one that decided the verdict:\nours ± critical × SE "
             "(Student-t at n − 1 df over seeds, normal for a test set's sampling error; none for an exact number).",
             fontsize=7.5, va="top", color="#333333")
    save_figure(fig, path, scale=scale)
