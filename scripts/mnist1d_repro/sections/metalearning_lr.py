"""Section 5.3: metalearning a learning rate (Figure 6)."""
from __future__ import annotations

from .spec import Section, Switch

INITIAL_WEIGHTS = Switch("metalearning.learning_rate.initial_weights", ("reference", "draws"), reruns_jobs=True)

SECTION = Section(
    name="metalearning_lr",
    folder="metalearning",
    category="5.3-5.4 Metalearning",
    outputs=("figure6.png", "learning_rates.html"),
    claims_tables=("learning_rate_claims.csv",),
    sensitivity_tables=("learning_rate_sensitivity.csv",),
    switches=(INITIAL_WEIGHTS,),
)
