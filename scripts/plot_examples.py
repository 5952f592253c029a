"""Training samples per class, and one sample shown under each dataset variant."""
import matplotlib.pyplot as plt
import numpy as np

from mnist1d_repro.io import load_dataset
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import CLASS_COLORS, draw_signal, save_figure

log = start_job(snakemake)
data = load_dataset(snakemake.input.original)
per_class = snakemake.params.per_class

fig, axes = plt.subplots(per_class, 10, figsize=(10, 1.6 * per_class), squeeze=False,
                         layout="constrained")
for label in range(10):
    rows = np.flatnonzero(data["y"] == label)[:per_class]
    for i, row in enumerate(rows):
        draw_signal(axes[i, label], data["x"][row], color=CLASS_COLORS[label], linewidth=1.2)
    axes[0, label].set_title(str(label))
fig.suptitle("First training samples of each class", fontsize=10)
save_figure(fig, snakemake.output.examples)

names = ["original", *snakemake.params.variant_names]
variants = [data] + [load_dataset(p) for p in snakemake.input.variants]
# the first sample whose label some variant changed, so label noise is visible too
changed = np.zeros(len(data["y"]), dtype=bool)
for variant in variants:
    changed |= variant["y"] != data["y"]
sample = int(np.argmax(changed)) if changed.any() else 0
fig, axes = plt.subplots(1, len(names), figsize=(1.7 * len(names), 3.6), layout="constrained")
for ax, name, variant in zip(np.atleast_1d(axes), names, variants):
    label = variant["y"][sample]
    draw_signal(ax, variant["x"][sample], color=CLASS_COLORS[label], marker=".", markersize=3)
    changed = "" if label == data["y"][sample] else f" (was {data['y'][sample]})"
    ax.set_title(f"{name}\nlabel {label}{changed}", fontsize=8)
fig.suptitle(f"Training sample {sample} in every variant", fontsize=10)
save_figure(fig, snakemake.output.variants)
log("done")
