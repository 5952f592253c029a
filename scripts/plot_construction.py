"""Figure 1: one template traced through every construction step to the final 40 points."""
import matplotlib.pyplot as plt
import numpy as np

from mnist1d_repro.generator import (CONSTRUCTION_STEPS, GeneratorArgs, construct, draw_factors,
                                     templates)
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import draw_signal, save_figure

TITLES = {
    "template": "template", "padded": "pad with zeros", "dilated": "dilate",
    "scaled": "scale", "translated": "translate (circular)",
    "correlated_noise": "correlated noise\nin the padding", "iid_noise": "iid noise",
    "sheared": "shear", "downsampled": "downsample",
}

log = start_job(snakemake)
args = GeneratorArgs.from_dict(snakemake.params.generator)
label, seed = snakemake.params.example["label"], snakemake.params.example["seed"]
factors = draw_factors(1, args, np.random.RandomState(seed))
steps = construct(templates()["x"][[label]], factors, args, keep_steps=True)
log(f"label {label}: pad {factors.pad[0]}, scale {factors.scale[0]:.3f}, "
    f"shift {factors.shift[0]}, shear {factors.shear[0]:.3f}")

fig, axes = plt.subplots(1, len(CONSTRUCTION_STEPS), figsize=(1.35 * len(CONSTRUCTION_STEPS), 3.4),
                         layout="constrained")
for ax, step in zip(axes, CONSTRUCTION_STEPS):
    signal = steps[step][0]
    signal = signal[~np.isnan(signal)]
    draw_signal(ax, signal, marker="." if len(signal) <= args.final_seq_length else None,
                markersize=3, linewidth=1.2)
    ax.set_title(TITLES[step], fontsize=8)
    ax.set_xlabel(f"{len(signal)} points", fontsize=7)
fig.suptitle(f"Constructing an MNIST-1D sample (digit {label})", fontsize=10)
save_figure(fig, snakemake.output[0])
