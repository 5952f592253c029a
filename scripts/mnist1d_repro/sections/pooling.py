"""Section 5.6: pooling (Figure 9)."""
from __future__ import annotations

from .spec import Section, Switch

TRAIN_SETS = Switch("pooling.train_sets", ("per_size", "nested"), reruns_jobs=True)

SECTION = Section(
    name="pooling",
    folder="pooling",
    category="5.6 Pooling",
    outputs=("final_accuracy.html", "figure9.png"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(TRAIN_SETS,),
)
