"""Plot helpers shared by the figure scripts (matplotlib, non-interactive)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .io import atomic_path  # noqa: E402

CLASS_COLORS = plt.get_cmap("tab10").colors


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


def save_figure(fig, path, dpi=150):
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
    plt.close(fig)
