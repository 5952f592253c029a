"""Section 3: the MNIST-1D dataset (Figure 1, Figure 3b, the pixel-space baselines)."""
from __future__ import annotations

from .spec import Section, Switch

TSNE_METHOD = Switch("dataset_section.tsne.method", ("opentsne", "sklearn"), reruns_jobs=True)

SECTION = Section(
    name="dataset",
    folder="dataset",
    category="3. MNIST-1D dataset",
    outputs=(
        "figure1_construction.png",
        "examples_per_class.png",
        "variants.png",
        "datasets.html",
        "figure3_tsne.png",
        "pixel_baselines.html",
    ),
    claims_tables=("pixel_baselines.csv", "tsne_claims.csv"),
    sensitivity_tables=("tsne_sensitivity.csv",),
    switches=(TSNE_METHOD,),
)
