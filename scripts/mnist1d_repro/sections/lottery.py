"""Section 5.1: lottery tickets (Figure 4, Figure S2, the pruning-rate and asymptotic ablations)."""
from __future__ import annotations

from .spec import Section, Switch

# Which weights of a retrain score the next level's magnitude pruning.
SCORE_WEIGHTS = Switch("lottery.score_weights", ("last_checkpoint", "final"), reruns_jobs=True)

SECTION = Section(
    name="lottery",
    folder="lottery",
    category="5.1 Lottery tickets",
    outputs=(
        "summary.html",
        "figure4.png",
        "figureS2.png",
        "asymptotic.html",
        "pruning_rate.png",
        "asymptotic_ablation.png",
    ),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(SCORE_WEIGHTS,),
)
