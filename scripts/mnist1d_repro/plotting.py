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


def save_figure(fig, path, dpi=150):
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
    plt.close(fig)
