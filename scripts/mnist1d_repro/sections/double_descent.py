"""Section 5.2: deep double descent (Figure 5, the label-noise and loss ablations)."""
from __future__ import annotations

from .spec import Section, Switch

MLP_HIDDEN_LAYERS = Switch("double_descent.mlp_hidden_layers", (1, 2), reruns_jobs=True)

SECTION = Section(
    name="double_descent",
    folder="double_descent",
    category="5.2 Deep double descent",
    outputs=("summary.html", "figure5.png", "noise_ablation.png", "loss_ablation.png"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(MLP_HIDDEN_LAYERS,),
)
